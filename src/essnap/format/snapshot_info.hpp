// The root snap-<uuid>.dat blob (framed, codec "snapshot"): SnapshotInfo in its SNAPSHOT context.
//
//   { "snapshot": { "name", "uuid", "version_id": int, "indices": [..], "data_streams"?: [..],
//                   "feature_states"?: [..], "state": "SUCCESS"|..., "reason"?,
//                   "include_global_state"?, "metadata"?: {..}, "start_time": millis,
//                   "end_time": millis, "total_shards", "successful_shards",
//                   "failures": [ {"index", "index_uuid"?, "shard_id", "reason", "node_id"?,
//                   "status"?} ], "index_details"?: {..}, "user_metadata"?,
//                   "remote_store_index_shallow_copy"?: bool, "pinned_timestamp"?: int (OpenSearch)
//                   } }
//
// Follows Elasticsearch server/.../snapshots/SnapshotInfo.java (fromXContentInternal) and
// OpenSearch server/.../snapshots/SnapshotInfo.java.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "essnap/util/result.hpp"

namespace essnap::format {

struct SnapshotShardFailureInfo {
  std::string index;
  std::string index_uuid;
  std::int64_t shard_id = -1;
  std::string reason;
  std::string node_id;
  std::string status;
};

struct SnapshotInfo {
  std::string name;
  std::string uuid;
  std::optional<std::int64_t> version_id;
  std::vector<std::string> indices;
  std::vector<std::string> data_streams;
  std::string state;  // as written: SUCCESS, PARTIAL, FAILED, IN_PROGRESS, INCOMPATIBLE
  std::string reason;
  std::optional<bool> include_global_state;
  nlohmann::json metadata;  // user metadata object, or null
  std::int64_t start_time = 0;
  std::int64_t end_time = 0;
  std::int64_t total_shards = 0;
  std::int64_t successful_shards = 0;
  std::vector<SnapshotShardFailureInfo> failures;
  bool remote_store_index_shallow_copy = false;  // OpenSearch shallow copy: data in a remote store
  std::optional<std::int64_t> pinned_timestamp;  // OpenSearch
};

// `doc` is the decoded blob ({"snapshot": {...}}; a bare inner object is accepted too).
Result<SnapshotInfo> parse_snapshot_info(const nlohmann::json& doc);

// Version id to "X.Y.Z": Elasticsearch ids (major*1000000 + minor*10000 + revision*100 + build),
// OpenSearch ids (the same with bit 27, 0x08000000, set). Empty when it does not look like one,
// including Elasticsearch 8.9+ IndexVersion ids (8536000, 9039001), which name no release.
std::string version_id_to_string(std::int64_t id);

}  // namespace essnap::format
