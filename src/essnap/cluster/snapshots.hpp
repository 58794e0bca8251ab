// The snapshot, restore and index REST calls essnap's workflows make, one request struct and one
// response struct per operation, and the engines' state words parsed once into enums. Every
// parser checks the shape it reads: a malformed or wrong-typed body is kParse, never a throw.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "essnap/cluster/client.hpp"
#include "essnap/util/result.hpp"

namespace essnap::cluster {

// A state word from the engine, parsed once. `text` keeps the engine's own spelling so a word we
// do not know (a newer engine's) still reads right in messages; its kind is then kUnknown.
template <typename Kind>
struct EngineState {
  Kind kind = Kind::kUnknown;
  std::string text;

  bool operator==(Kind k) const { return kind == k; }
};

// A snapshot's outcome in GET _snapshot/R/S (SnapshotState in both engines).
enum class SnapshotStateKind { kInProgress, kSuccess, kPartial, kFailed, kIncompatible, kUnknown };
using SnapshotState = EngineState<SnapshotStateKind>;
SnapshotState parse_snapshot_state(std::string_view text);  // case-insensitive
SnapshotState make_snapshot_state(SnapshotStateKind kind);

// The `state` of a snapshot and the `stage` of its shards in the _status API: the snapshot's is
// SnapshotsInProgress.State (INIT STARTED SUCCESS FAILED ABORTED MISSING WAITING QUEUED), a shard's
// SnapshotIndexShardStage (INIT STARTED FINALIZE DONE FAILURE). One enum for both words.
enum class StatusStageKind {
  kInit,
  kStarted,
  kFinalize,
  kDone,
  kFailure,
  kAborted,
  kSuccess,
  kFailed,
  kMissing,
  kWaiting,
  kQueued,
  kUnknown,
};
using StatusStage = EngineState<StatusStageKind>;
StatusStage parse_status_stage(std::string_view text);

// A shard recovery's stage in GET /<index>/_recovery (RecoveryState.Stage).
enum class RecoveryStageKind { kInit, kIndex, kVerifyIndex, kTranslog, kFinalize, kDone, kUnknown };
using RecoveryStage = EngineState<RecoveryStageKind>;
RecoveryStage parse_recovery_stage(std::string_view text);

// An index's status in _cat/indices.
enum class IndexStatusKind { kOpen, kClose, kUnknown };
using IndexStatus = EngineState<IndexStatusKind>;
IndexStatus parse_index_status(std::string_view text);

struct ShardFailure {
  std::string index;
  int shard = -1;
  std::string reason;
  std::string status;
};

// GET _snapshot/R/S (one element of "snapshots").
struct SnapshotInfo {
  std::string name;
  std::string uuid;
  std::string repository;
  SnapshotState state;
  std::string version;
  std::int64_t version_id = 0;
  std::vector<std::string> indices;
  bool include_global_state = false;
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  std::int64_t duration_ms = 0;
  int shards_total = 0;
  int shards_failed = 0;
  int shards_successful = 0;
  std::vector<ShardFailure> failures;
  std::string reason;
  nlohmann::json metadata;

  // kParse when `j` is not an object or a field has the wrong type.
  static Result<SnapshotInfo> from_json(const nlohmann::json& j);
  nlohmann::json to_json() const;
};

struct CreateSnapshotRequest {
  std::string repository;
  std::string name;
  std::string indices;  // comma list with patterns and -exclusions; empty = all
  bool include_global_state = false;
  bool partial = false;
  bool ignore_unavailable = false;
  std::map<std::string, std::string> metadata;
  nlohmann::json metadata_object;  // an object merged into `metadata` (nested values allowed)
};
struct CreateSnapshotResponse {
  bool accepted = false;
};
Result<CreateSnapshotResponse> create_snapshot(Client& c, const CreateSnapshotRequest& r);

// verbose=false answers from the repository's index alone (cheap) but, on every engine we know
// (Elasticsearch 8.19, OpenSearch 2.19 and 3.3), carries only name, uuid, indices and state: no
// start time, no metadata. `size`/`after`/`sort` paginate (Elasticsearch >= 7.14 only; it
// refuses them with verbose=false; OpenSearch rejects them as unknown parameters).
struct GetSnapshotsRequest {
  std::string repository;
  std::string names = "_all";  // comma list / patterns
  bool ignore_unavailable = false;
  bool verbose = true;
  int size = 0;             // > 0: one page of at most this many
  std::string after = "";   // the previous page's `next`
  std::string sort = "";    // "start_time", "name", ... (Elasticsearch >= 7.14)
  bool index_names = true;  // false: Elasticsearch >= 8.3 leaves out the index lists
};
struct GetSnapshotsResponse {
  std::vector<SnapshotInfo> snapshots;
  std::string next;  // a paginated answer's cursor; empty on the last page
};
Result<GetSnapshotsResponse> get_snapshots(Client& c, const GetSnapshotsRequest& r);

// The snapshots `names` name (names, `*` patterns, date math), verbose, in the order asked, and
// the names that matched none: one GET with ignore_unavailable, so every missing name is known
// instead of the first one failing the call. A date-math name is missing only when nothing at
// all was found (its resolved name is the cluster's to compute).
struct NamedSnapshots {
  std::vector<SnapshotInfo> found;
  std::vector<std::string> missing;
};
Result<NamedSnapshots> get_named_snapshots(Client& c, const std::string& repository,
                                           const std::vector<std::string>& names);

// Progress of one snapshot from _status.
struct SnapshotProgress {
  std::string name;
  std::string repository;
  StatusStage state;
  int shards_total = 0;
  int shards_done = 0;
  int shards_failed = 0;
  std::int64_t bytes_total = 0;
  std::int64_t bytes_done = 0;
  std::int64_t start_ms = 0;
  std::map<std::string, std::int64_t> index_bytes;  // per-index total size

  static Result<SnapshotProgress> from_json(const nlohmann::json& j);
};
struct SnapshotStatusRequest {
  std::string repository;  // empty: every repository
  std::string name;        // empty: only the running ones (cheap: from the cluster state)
};
struct SnapshotStatusResponse {
  std::vector<SnapshotProgress> snapshots;
};
// A repository that is not registered is kNotFound ("repository R is not registered"), also when
// only the running snapshots are asked for (the engines answer those with an empty list).
Result<SnapshotStatusResponse> snapshot_status(Client& c, const SnapshotStatusRequest& r);

struct DeleteSnapshotRequest {
  std::string repository;
  std::string name;
};
Result<Ok> delete_snapshot(Client& c, const DeleteSnapshotRequest& r);

// DELETE _snapshot/R/a,b,c: one request for several snapshots (Elasticsearch >= 7.8, OpenSearch
// >= 1.0). Sent as non-idempotent, so the retry layer never repeats one that may have arrived.
// One missing name fails the whole request (404 snapshot_missing_exception, nothing deleted).
struct DeleteSnapshotsRequest {
  std::string repository;
  std::vector<std::string> names;
};
std::string delete_snapshots_path(const DeleteSnapshotsRequest& r);
Result<Ok> delete_snapshots(Client& c, const DeleteSnapshotsRequest& r);

struct CloneSnapshotRequest {
  std::string repository;
  std::string source;
  std::string target;
  std::string indices;  // required by the API; "*" for all
};
Result<Ok> clone_snapshot(Client& c, const CloneSnapshotRequest& r);

struct RestoreRequest {
  std::string repository;
  std::string snapshot;
  std::vector<std::string> indices;  // explicit names (planned), never patterns
  std::string rename_pattern;
  std::string rename_replacement;
  std::map<std::string, std::string> index_settings;
  std::vector<std::string> ignore_index_settings;
  bool include_aliases = true;
  bool include_global_state = false;
  bool partial = false;
};
Result<Ok> restore_snapshot(Client& c, const RestoreRequest& r);

// A saved `GET _snapshot/REPO/_all` answer (`prune --plan-from FILE`): kParse naming `what` when
// it is not an object holding a "snapshots" array, or an element is not a snapshot.
Result<std::vector<SnapshotInfo>> parse_snapshot_listing(std::string_view text,
                                                         const std::string& what);

// Indices of the cluster (hidden and closed too).
struct IndexEntry {
  std::string name;
  IndexStatus status;
  std::int64_t docs = -1;
};
Result<std::vector<IndexEntry>> list_indices(Client& c, const std::string& pattern = "*");

// Index names as comma lists for a path, each list at most `max_bytes` once encoded, so a call
// about any number of indices is a few requests of bounded length (the engines refuse an HTTP
// initial line over 4 KiB). A name longer than the bound gets a list of its own.
std::vector<std::string> index_list_chunks(const std::vector<std::string>& indices,
                                           std::size_t max_bytes = 3000);

// GET _resolve/index/<patterns>?expand_wildcards=all&ignore_unavailable=true: the names of the
// indices, aliases and data streams the patterns select (missing exact names are left out).
Result<std::vector<std::string>> resolve_indices(Client& c,
                                                 const std::vector<std::string>& patterns);

// Per-index health, for restore completion: one GET _cluster/health/<list> per chunk.
struct IndexHealth {
  std::string status;
  int number_of_shards = 0;
  int active_primary_shards = 0;
  int initializing_shards = 0;
  int unassigned_shards = 0;
};
Result<std::map<std::string, IndexHealth>> index_health(Client& c,
                                                        const std::vector<std::string>& indices);

// Bytes and shards recovered so far for these indices (snapshot recoveries, primaries), one GET
// <list>/_recovery per chunk.
struct RecoveryProgress {
  int shards_total = 0;
  int shards_done = 0;
  std::int64_t bytes_total = 0;
  std::int64_t bytes_done = 0;
  std::map<std::string, std::int64_t> index_bytes;
};
Result<RecoveryProgress> recovery_progress(Client& c, const std::vector<std::string>& indices);

// Primary shards being (or having been) restored from a snapshot: the recoveries of type
// SNAPSHOT in GET _recovery (or <list>/_recovery per chunk), with the snapshot they come from.
// `indices` empty: the whole cluster. kActive: ?active_only=true (what runs now).
struct SnapshotRecovery {
  std::string index;
  std::string repository;
  std::string snapshot;
  bool done = false;  // stage DONE
};
enum class Recoveries { kActive, kAll };
Result<std::vector<SnapshotRecovery>> snapshot_recoveries(Client& c,
                                                          const std::vector<std::string>& indices,
                                                          Recoveries which);

Result<Ok> close_index(Client& c, const std::string& index);
Result<Ok> delete_index(Client& c, const std::string& index);

// Repositories.
struct RepositoryInfo {
  std::string name;
  std::string type;
  nlohmann::json settings;
};
// Registered repositories (verify, cleanup and unregister are in cluster/repository.hpp).
Result<std::vector<RepositoryInfo>> get_repositories(Client& c, const std::string& names = "");

// One path segment, percent-encoded (names::segment; kept for the delete batcher's sizes).
std::string path_segment(const std::string& name);

}  // namespace essnap::cluster
