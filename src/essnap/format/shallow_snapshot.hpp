// OpenSearch shallow-copy shard snapshots: indices/<id>/<shard>/shallow-snap-<uuid>.dat (framed,
// codec "snapshot") written instead of snap-<uuid>.dat for remote-store indices when the
// repository has remote_store_index_shallow_copy. They reference segment files that live in the
// remote store, so the repository holds no data blobs for the shard.
//
//   { "version": "1", "name", "index_version" | "index-version", "start_time", "time",
//     "number_of_files", "total_size", "index_uuid", "remote_store_repository",
//     "commit_generation", "primary_term", "remote_store_repository_base_path",
//     "file_names": [ <segment file name> ] }
//
// Follows OpenSearch server/.../index/snapshots/blobstore/RemoteStoreShardShallowCopySnapshot.java
// (toXContent, fromXContent, verifyParameters) and BlobStoreRepository.java
// (SHALLOW_SNAPSHOT_PREFIX "shallow-snap-", REMOTE_STORE_SHARD_SHALLOW_COPY_SNAPSHOT_FORMAT).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "essnap/util/result.hpp"

namespace essnap::format {

inline constexpr std::string_view kShallowSnapshotPrefix = "shallow-snap-";

struct ShallowShardSnapshot {
  std::string version;
  std::string name;
  std::int64_t index_version = -1;
  std::int64_t start_time = 0;
  std::int64_t time = 0;
  std::int64_t number_of_files = 0;  // total, not incremental
  std::int64_t total_size = 0;       // total, not incremental
  std::string index_uuid;
  std::string remote_store_repository;
  std::string repository_base_path;
  std::int64_t commit_generation = -1;
  std::int64_t primary_term = -1;
  std::vector<std::string> file_names;
};

// The decoded blob; the fields verifyParameters requires (version, name, index_version >= 0,
// primary_term >= 0, commit_generation >= 0, index_uuid, remote_store_repository, base path)
// must be present, else kParse naming the first missing one.
Result<ShallowShardSnapshot> parse_shallow_shard_snapshot(const nlohmann::json& doc);

}  // namespace essnap::format
