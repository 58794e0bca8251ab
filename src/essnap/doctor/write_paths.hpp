// The object keys a snapshot engine writes under a repository's base path, as samples for policy
// simulation: one key of every kind (root blobs, index metadata, shard data and shard metadata).
// The one list doctor's permission check simulates; hashed shard layouts are added here.
#pragma once

#include <string>
#include <vector>

namespace essnap::doctor {

struct WriteKey {
  std::string key;   // "prefix/indices/UUID/0/__blob"
  std::string what;  // "shard data", ...
};

// The fixed layout of every engine (OpenSearch's shard_path_type "fixed", all of Elasticsearch):
// `prefix` is the base path without slashes at either end ("" = the bucket root).
std::vector<WriteKey> engine_write_keys(const std::string& prefix);

}  // namespace essnap::doctor
