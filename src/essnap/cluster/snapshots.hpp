// The snapshot, restore and index REST calls essnap's workflows make, one request struct and one
// response struct per operation. Repository listing/verify/cleanup live here too until
// cluster/repository.* (issue 5) covers them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "essnap/cluster/client.hpp"
#include "essnap/util/result.hpp"

namespace essnap::cluster {

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
  std::string state;  // IN_PROGRESS, SUCCESS, PARTIAL, FAILED, INCOMPATIBLE
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

  static SnapshotInfo from_json(const nlohmann::json& j);
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
};
struct CreateSnapshotResponse {
  bool accepted = false;
};
Result<CreateSnapshotResponse> create_snapshot(Client& c, const CreateSnapshotRequest& r);

struct GetSnapshotsRequest {
  std::string repository;
  std::string names = "_all";  // comma list / patterns
  bool ignore_unavailable = false;
};
struct GetSnapshotsResponse {
  std::vector<SnapshotInfo> snapshots;
};
Result<GetSnapshotsResponse> get_snapshots(Client& c, const GetSnapshotsRequest& r);

// Progress of one snapshot from _status.
struct SnapshotProgress {
  std::string name;
  std::string repository;
  std::string state;
  int shards_total = 0;
  int shards_done = 0;
  int shards_failed = 0;
  std::int64_t bytes_total = 0;
  std::int64_t bytes_done = 0;
  std::int64_t start_ms = 0;
  std::map<std::string, std::int64_t> index_bytes;  // per-index total size

  static SnapshotProgress from_json(const nlohmann::json& j);
};
struct SnapshotStatusRequest {
  std::string repository;  // empty: every repository
  std::string name;        // empty: only the running ones (cheap: from the cluster state)
};
struct SnapshotStatusResponse {
  std::vector<SnapshotProgress> snapshots;
};
Result<SnapshotStatusResponse> snapshot_status(Client& c, const SnapshotStatusRequest& r);

struct DeleteSnapshotRequest {
  std::string repository;
  std::string name;
};
Result<Ok> delete_snapshot(Client& c, const DeleteSnapshotRequest& r);

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

// Indices of the cluster (hidden and closed too).
struct IndexEntry {
  std::string name;
  std::string status;  // open / close
  std::int64_t docs = -1;
};
Result<std::vector<IndexEntry>> list_indices(Client& c, const std::string& pattern = "*");

// Per-index health, for restore completion.
struct IndexHealth {
  std::string status;
  int number_of_shards = 0;
  int active_primary_shards = 0;
  int initializing_shards = 0;
  int unassigned_shards = 0;
};
Result<std::map<std::string, IndexHealth>> index_health(Client& c,
                                                        const std::vector<std::string>& indices);

// Bytes and shards recovered so far for these indices (snapshot recoveries, primaries).
struct RecoveryProgress {
  int shards_total = 0;
  int shards_done = 0;
  std::int64_t bytes_total = 0;
  std::int64_t bytes_done = 0;
  std::map<std::string, std::int64_t> index_bytes;
};
Result<RecoveryProgress> recovery_progress(Client& c, const std::vector<std::string>& indices);

Result<Ok> close_index(Client& c, const std::string& index);
Result<Ok> delete_index(Client& c, const std::string& index);
Result<std::int64_t> count_documents(Client& c, const std::string& index);

// Repositories.
struct RepositoryInfo {
  std::string name;
  std::string type;
  nlohmann::json settings;
};
Result<std::vector<RepositoryInfo>> get_repositories(Client& c, const std::string& names = "");
Result<nlohmann::json> verify_repository(Client& c, const std::string& name);
Result<nlohmann::json> cleanup_repository(Client& c, const std::string& name);
Result<Ok> unregister_repository(Client& c, const std::string& name);

// Path segment for a snapshot or repository name (date math "<...>" is encoded by the client).
std::string path_segment(const std::string& name);

}  // namespace essnap::cluster
