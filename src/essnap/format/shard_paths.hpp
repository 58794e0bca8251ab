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
// The paths are relative to the engine's blob-store root — the S3 bucket, or an fs repository's
// `location` — not to the repository (base_path): where the engine writes a shard folder
// (BlobStoreRepository.shardPath -> RemoteStoreEnums.PathType.path over a SnapshotShardPathInput):
//
//   folder := FIXED:          [<base>/] "indices/" <id> "/" <shard> "/"
//             HASHED_PREFIX:  <hash> "/" [<base>/] "indices/" <id> "/" <shard> "/"
//             HASHED_INFIX:   [<base>/] <hash> "/" "indices/" <id> "/" <shard> "/"
//   base   := the repository's base_path ('/'-separated segments; absent when empty)
//   hash   := FNV-1a 64 of the UTF-8 string <shard> <id> (decimal shard, then the index id), as
//             FNV_1A_BASE64 (0): the 8 hash bytes big-endian in URL-safe base64, unpadded (11
//             characters), or FNV_1A_COMPOSITE_1 (1, what the engine uses): the top 6 bits as one
//             URL-safe base64 character, then the next 14 bits as '0'/'1' (15 characters)
//
// So with HASHED_PREFIX and a base_path the shard data lies OUTSIDE base_path
// (<hash>/<base>/indices/...); index metadata (<base>/indices/<id>/meta-*.dat) and
// snapshot_shard_paths/ stay inside. Verified against OpenSearch 3.3.0 (docs/REPOSITORY_FORMAT.md
// §7). Follows OpenSearch server/.../repositories/blobstore/BlobStoreRepository.java
// (SNAPSHOT_SHARD_PATHS_FORMAT, shardPath, writeIndexShardPaths),
// server/.../index/remote/RemoteStoreEnums.java (PathType, PathHashAlgorithm),
// RemoteStorePathStrategy.java (SnapshotShardPathInput: fixedSubPath, hashPath), RemoteStoreUtils
// (longToUrlBase64, longToCompositeBase64AndBinaryEncoding) and
// server/.../snapshots/SnapshotShardPaths.java. Index names may contain dots, so the blob name is
// split from the right.
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

// The blob's JSON as the engine writes it (SnapshotShardPaths.toXContent: that key order).
std::string write_shard_paths(const SnapshotShardPaths& p);

enum class ShardPathType : std::int64_t { kFixed = 0, kHashedPrefix = 1, kHashedInfix = 2 };
enum class PathHashAlgorithm : std::int64_t { kFnv1aBase64 = 0, kFnv1aComposite1 = 1 };

// "fixed", "hashed_prefix", "hashed_infix" (any case, as the engine's PathType.parseString).
std::optional<ShardPathType> parse_shard_path_type(std::string_view word);
std::string_view shard_path_type_name(ShardPathType type);  // "fixed", ...

// The <hash> segment above for shard `shard` of index `index_id`.
std::string shard_path_hash(PathHashAlgorithm algorithm, std::string_view index_id,
                            std::int64_t shard);

// The folder (grammar above, with the trailing '/') of shard `shard` of index `index_id` with
// the given hash segment and base path (leading and trailing '/' of `base_path` dropped).
std::string shard_folder(ShardPathType type, std::string_view hash, std::string_view base_path,
                         std::string_view index_id, std::int64_t shard);

// Where OpenSearch writes the folder of shard `shard` of index `index_id` in a repository with
// `base_path`, relative to the blob-store root (the bucket): shard_folder with the hash of
// `algorithm` (none for FIXED). The engine always uses FNV_1A_COMPOSITE_1 for snapshot shards.
// E.g. (HASHED_PREFIX, composite, "bp1/bp2", "FIEQyEdrQsSOyseLOC0tkw", 0) ->
// "O10110101111000/bp1/bp2/indices/FIEQyEdrQsSOyseLOC0tkw/0/".
std::string engine_shard_folder(ShardPathType type, PathHashAlgorithm algorithm,
                                std::string_view base_path, std::string_view index_id,
                                std::int64_t shard);

// One path of a snapshot_shard_paths blob read back by the grammar.
struct ShardFolder {
  ShardPathType type = ShardPathType::kFixed;
  std::string hash;       // "" for FIXED
  std::string base_path;  // the repository's base_path it names ("" = none)
};

// `path` (trailing '/' optional) as the folder of shard `shard` of `index_id` under `type`, the
// hash segment of `algorithm`'s shape (11 URL-safe base64 characters, or one and 14 binary
// digits). kParse naming the path otherwise: a path from a repository is untrusted, and only
// this shape is ever read (or written) outside the repository.
Result<ShardFolder> parse_shard_folder(std::string_view path, ShardPathType type,
                                       PathHashAlgorithm algorithm, std::string_view index_id,
                                       std::int64_t shard);

// Where a reader finds a shard folder of a repository whose root sits at `root` in the
// blob-store namespace it was opened in (an S3 store's key prefix; a directory's absolute path
// without the leading '/'): the folder's base path must be `root`'s last segments (the engine's
// blob-store root, `container`, is what precedes them). Inside: `path` from the repository root
// (HASHED_INFIX, or HASHED_PREFIX without a base path: "<hash>/indices/<id>/<shard>"). Outside
// (HASHED_PREFIX with a base path): `path` from `container` ("<hash>/<base>/indices/<id>/<shard>").
// kParse when the base path is not `root`'s end (the blob names another repository's place).
struct ShardFolderPlace {
  bool outside = false;
  std::string container;  // root less the base path ("" for a bucket's repository)
  std::string path;       // no trailing '/'
};
Result<ShardFolderPlace> place_shard_folder(const ShardFolder& folder, std::string_view index_id,
                                            std::int64_t shard, std::string_view root);

}  // namespace essnap::format
