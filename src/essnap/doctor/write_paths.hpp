// The object keys a snapshot engine writes in a repository's bucket, as samples for policy
// simulation: one key of every kind (root blobs, index metadata, shard data and shard metadata),
// for the repository's shard layout. The one list doctor's permission checks simulate.
#pragma once

#include <string>
#include <vector>

#include "essnap/format/shard_paths.hpp"

namespace essnap::doctor {

struct WriteKey {
  std::string key;   // "prefix/indices/UUID/0/__blob"
  std::string what;  // "shard data", ...
};

// `prefix` is the base path without slashes at either end ("" = the bucket root). The root and
// index-metadata blobs are always under it; the shard folders are where OpenSearch's
// `shard_path_type` puts them (format::engine_shard_folder): under it for kFixed (every
// Elasticsearch) and kHashedInfix, beside it — "<hash>/<prefix>/indices/…" — for kHashedPrefix.
std::vector<WriteKey> engine_write_keys(
    const std::string& prefix, format::ShardPathType layout = format::ShardPathType::kFixed);

}  // namespace essnap::doctor
