// OpenSearch (2.17+) hashed shard paths: with `shard_path_type` 1 (HASHED_PREFIX) or 2
// (HASHED_INFIX) an index's shard folders do not sit under indices/<id>/<shard>/; the repository
// records them in one plain-JSON blob per index under snapshot_shard_paths/, which we read
// instead of recomputing the hash.
//
//   blob name := "snapshot_path_" <index id> "." <index name> "." <shard count> "." <path type> "."
//   <hash algorithm> content   := { "indexId", "indexName", "number_of_shards", "shard_path_type",
//                  "shard_path_hash_algorithm", "paths": [ "<prefix>/indices/<id>/<shard>/" ... ] }
//   shard_path_type: 0 FIXED, 1 HASHED_PREFIX, 2 HASHED_INFIX; hash algorithm 0 FNV_1A_BASE64, 1
//   FNV_1A_COMPOSITE_1
//
// Follows OpenSearch server/.../repositories/blobstore/BlobStoreRepository.java
// (SNAPSHOT_SHARD_PATHS, shardContainer) and
// server/.../index/snapshots/blobstore/SnapshotShardPaths.java, RemoteStoreEnums.PathType. Index
// names may contain dots, so the name is split from the right.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "essnap/util/result.hpp"

namespace essnap::format {

inline constexpr std::string_view kShardPathsFolder = "snapshot_shard_paths";

struct ShardPathsName {
  std::string index_id;
  std::string index_name;
  std::int64_t shard_count = 0;
  std::int64_t path_type = 0;
  std::int64_t hash_algorithm = 0;
};

struct SnapshotShardPaths {
  std::string index_id;
  std::string index_name;
  std::int64_t number_of_shards = 0;
  std::int64_t shard_path_type = 0;
  std::int64_t hash_algorithm = 0;
  std::vector<std::string> paths;  // one per shard, in shard order, relative to the repository root
};

std::optional<ShardPathsName> parse_shard_paths_name(std::string_view blob_name);

// The blob's JSON; every path must be relative ("..", leading "/" refused) and end in
// "indices/<indexId>/<shard>/" for its position.
Result<SnapshotShardPaths> parse_shard_paths(std::span<const std::uint8_t> json_bytes);

}  // namespace essnap::format
