// The root `index-N` blob (RepositoryData) of a snapshot repository: plain JSON, the truth about
// which snapshots exist; plus `index.latest` and the generation in a root blob's name.
//
//   index-N := { "snapshots": [ { "name", "uuid", "state"?: int, "version"?: "X.Y.Z" | int,
//                                 "index_version"?: int (ES 8.11+),
//                                 "index_metadata_lookup"?: { <index id>: <identifier> },
//                                 "start_time_millis"?, "end_time_millis"?, "slm_policy"? } ],
//                "indices": { <index name>: { "id", "snapshots": [ uuid | {"name","uuid"} ],
//                                             "shard_generations"?: [ gen | null ],
//                                             "shard_path_type"?: int (OpenSearch ≥ 2.17) } },
//                "index_metadata_identifiers"?: { <identifier>: <blob id> },
//                "min_version"?: "X.Y.Z" | int, "uuid"?, "cluster_id"? }
//   index.latest := generation:int64be (8 bytes)
//
// Versions: index entries' "snapshots" were {name,uuid} objects before 5.4.1; "state" from 5.x/6.x
// (may be absent); shard_generations from 7.6 (absent before: list the shard's index-<n>);
// index_metadata_lookup/identifiers from 7.9; start/end millis from 7.14; slm_policy 7.16;
// "version"/"min_version" as ints from 8.9/8.10 (IndexVersion ids); uuid/cluster_id from 7.12.
// Follows Elasticsearch server/.../repositories/RepositoryData.java (snapshotsFromXContent,
// parseSnapshots, parseIndices), ShardGeneration(s).java, IndexMetaDataGenerations.java and
// OpenSearch server/.../repositories/RepositoryData.java (shard_path_type, IndexId.java).
//
// Writer (write_repository_data), after RepositoryData.snapshotsToXContent of both engines:
//   Elasticsearch 7.12+: { "min_version", "uuid", "cluster_id", "snapshots", "indices",
//                          "index_metadata_identifiers" }
//   Elasticsearch 7.6-7.11, OpenSearch: { "snapshots", "indices", "min_version"?,
//                                          "index_metadata_identifiers"? }
//   snapshot: name, uuid, state (int), index_metadata_lookup, version (string before 8.9, int
//             after), index_version, start_time_millis, end_time_millis, slm_policy
//   index:    id, shard_path_type (OpenSearch), snapshots (uuids), shard_generations
// Format-preserving: a parsed root remembers the order of every object's keys (field_order, the
// *_order of the two maps) and the fields it does not model (extra), so parse -> write gives the
// same JSON value, keys in the same order; a field read as null is written as null. What is
// normalised: "state" is written as its int, pre-5.4.1 {name, uuid} index snapshot entries and
// integer shard generations as strings. Entries built in code (empty field_order; for the whole
// root, layout_read false) get the engine's order above; a parsed object never gains a key it did
// not have. Compact JSON, UTF-8, as XContentBuilder writes it.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "essnap/util/result.hpp"

namespace essnap::format {

// SnapshotState.value(): IN_PROGRESS 0, SUCCESS 1, FAILED 2, PARTIAL 3, INCOMPATIBLE 4.
enum class RepoSnapshotState {
  kInProgress = 0,
  kSuccess = 1,
  kFailed = 2,
  kPartial = 3,
  kIncompatible = 4
};
const char* to_string(RepoSnapshotState s);
std::optional<RepoSnapshotState> repo_snapshot_state_from_int(std::int64_t v);
std::optional<RepoSnapshotState> repo_snapshot_state_from_text(std::string_view s);

struct RepoSnapshot {
  std::string name;
  std::string uuid;
  std::optional<RepoSnapshotState> state;
  std::string version;  // "8.8.0" as written, or the decimal id of an int version
  std::optional<std::int64_t> version_id;     // when written as an int (8.9+: an IndexVersion id)
  std::optional<std::int64_t> index_version;  // Elasticsearch 8.11+: "index_version" beside a
                                              // fixed "version": "8.11.0" kept for older readers
  std::optional<std::int64_t> start_time_millis;
  std::optional<std::int64_t> end_time_millis;
  std::optional<std::string> slm_policy;
  std::map<std::string, std::string> index_metadata_lookup;  // index id -> metadata identifier

  // Format preservation (see the top): keys in the order read, and the fields not modelled.
  std::vector<std::string> index_metadata_lookup_order;
  std::vector<std::string> field_order;
  nlohmann::ordered_json extra = nlohmann::ordered_json::object();

  bool operator==(const RepoSnapshot&) const = default;
};

// One element of an index's shard_generations: a UUID-like string, "_new" (no shard index
// blob yet), "_deleted", null, or a number-like string (pre-7.6 bug; treated as unknown).
struct ShardGen {
  enum class Kind { kValue, kNew, kDeleted, kNull, kNumeric };
  Kind kind = Kind::kNull;
  std::string value;  // the text for kValue / kNumeric

  bool operator==(const ShardGen&) const = default;
};

struct RepoIndex {
  std::string name;
  std::string id;                           // the folder under indices/
  std::vector<std::string> snapshots;       // snapshot uuids
  std::vector<ShardGen> shard_generations;  // empty when absent (before 7.6)
  bool has_shard_generations = false;
  std::optional<std::int64_t>
      shard_path_type;  // OpenSearch: 0 fixed, 1 hashed prefix, 2 hashed infix

  std::vector<std::string> field_order;  // format preservation (see the top)
  nlohmann::ordered_json extra = nlohmann::ordered_json::object();

  bool operator==(const RepoIndex&) const = default;
};

struct RepositoryData {
  std::vector<RepoSnapshot> snapshots;
  std::vector<RepoIndex> indices;
  std::map<std::string, std::string> index_metadata_identifiers;  // identifier -> blob id
  std::optional<std::string> min_version;
  std::optional<std::int64_t> min_version_id;  // when written as an int (8.10+: an IndexVersion)
  std::optional<std::string> uuid;
  std::optional<std::string> cluster_id;

  // Format preservation (see the top): keys in the order read, and the fields not modelled.
  std::vector<std::string> index_metadata_identifiers_order;
  std::vector<std::string> field_order;
  nlohmann::ordered_json extra = nlohmann::ordered_json::object();
  bool layout_read = false;  // set by the parser: field_order is the layout, even when empty ({})

  bool operator==(const RepositoryData&) const = default;

  const RepoSnapshot* snapshot_by_uuid(std::string_view uuid) const;
  const RepoSnapshot* snapshot_by_name(std::string_view name) const;
  const RepoIndex* index_by_id(std::string_view id) const;
  const RepoIndex* index_by_name(std::string_view name) const;
  // The blob id X of indices/<index id>/meta-X.dat for this snapshot: through
  // index_metadata_lookup + index_metadata_identifiers (7.9+), else the snapshot uuid.
  // nullopt when the lookup names an identifier that index_metadata_identifiers lacks (the
  // parser keeps such a repository readable; the verifier reports it).
  std::optional<std::string> index_metadata_blob_id(const RepoSnapshot& snapshot,
                                                    const RepoIndex& index) const;
};

// Parses the root index-N JSON. kParse with the field path on a wrong shape; an index naming a
// snapshot uuid the list lacks is kParse too (RepositoryData calls that a corrupted repository).
Result<RepositoryData> parse_repository_data(std::span<const std::uint8_t> json_bytes);

// The root index-N JSON in the engine's own layout (see the top): parse -> write -> parse gives
// an equal RepositoryData, and for a root an engine wrote, the same JSON text.
std::string write_repository_data(const RepositoryData& data);
// index.latest: the generation as 8 bytes big-endian.
std::string write_index_latest(std::uint64_t generation);

// index.latest: exactly 8 bytes, big-endian, non-negative.
Result<std::uint64_t> parse_index_latest(std::span<const std::uint8_t> bytes);

// "index-17" -> 17 (Long.parseLong of the suffix, as BlobStoreRepository lists them: "index-007"
// is 7); nullopt for anything else ("index-", "index--1", "index.latest", "index-<uuid>", past
// Long.MAX_VALUE 9223372036854775807).
std::optional<std::uint64_t> root_generation_from_name(std::string_view name);
// "index-<digits>" whose number is past Long.MAX_VALUE: the engines skip such a blob with a
// warning and load an older generation; a verifier must say so (it is never a generation).
bool is_out_of_range_generation(std::string_view name);

}  // namespace essnap::format
