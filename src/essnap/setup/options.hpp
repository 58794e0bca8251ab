// What `essnap setup` is asked to make ready: the kind of cluster, the repository and its bucket
// or path, the role, and whether to change drift or only show the plan.
#pragma once

#include <optional>
#include <string>

#include "essnap/format/shard_paths.hpp"

namespace essnap::setup {

enum class SetupMode {
  kAwsManaged,     // Amazon OpenSearch Service / Elasticsearch Service: bucket, role, type s3
  kSelfManagedS3,  // own cluster with repository-s3: bucket, type s3 with the cluster's client
  kSelfManagedFs,  // own cluster, shared file system: type fs
};
enum class FixDrift { kNo, kYes };
enum class Execution { kExecute, kDryRun };

struct SetupOptions {
  SetupMode mode = SetupMode::kAwsManaged;
  std::string repository;
  std::string bucket;
  std::string prefix;   // base_path; empty: the bucket root
  std::string region;   // the bucket's (and the domain's) region
  std::string role;     // name or ARN; empty: essnap-snapshots-<repository>
  std::string kms_key;  // SSE-KMS key for the bucket's default encryption; empty: SSE-S3
  bool readonly = false;
  std::string s3_client;        // self-managed: the cluster's s3.client.NAME settings
  std::string s3_endpoint;      // a non-AWS S3 endpoint: sent as the repository's "endpoint"
  std::string fs_location;      // kSelfManagedFs
  std::string domain_endpoint;  // for messages and the domain ARN
  // --shard-path-type: registered as the repository's shard_path_type (OpenSearch >= 2.17 only);
  // unset: the engine's default (OpenSearch 3.x: hashed_prefix, 2.17+: fixed).
  std::optional<format::ShardPathType> shard_path_type;
  FixDrift fix = FixDrift::kNo;
  Execution execution = Execution::kExecute;
  // Test-only: register `type: fs` at this path instead of `type: s3` (the local stack's
  // OpenSearch has no repository-s3 plugin). The s3 body is still built and reported.
  std::string register_as_fs_path;
};

}  // namespace essnap::setup
