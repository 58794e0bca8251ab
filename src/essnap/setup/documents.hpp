// The documents `essnap setup` creates or prints, as pure functions of the options, the account
// and the region's partition: trust policy, role policy, the caller's policy, the repository
// body, and the role and domain ARNs they name. The plan and `--print-policies` both use these.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "essnap/aws/partition.hpp"
#include "essnap/setup/options.hpp"
#include "essnap/util/result.hpp"

namespace essnap::setup {

inline constexpr const char* kRolePolicyName = "essnap-snapshot-s3";

// Whether the role must also reach OpenSearch's HASHED_PREFIX shard folders, which the engine
// writes at <hash>/<prefix>/indices/<id>/<shard>/ — beside the prefix, not under it
// (format/shard_paths.hpp). Needed only with a prefix, on OpenSearch >= 2.17, when the
// repository is registered with shard_path_type hashed_prefix — or with none on OpenSearch 3.x,
// whose default it is (2.17 - 2.19 default to fixed; seen on the stack's 2.19.6 and 3.3.0).
enum class HashedPrefixGrant { kNo, kYes };
// What the engine does with shard_path_type, from its distribution and version.
struct EngineShardPaths {
  bool settable = false;        // OpenSearch >= 2.17: the repository setting exists
  bool hashed_default = false;  // OpenSearch >= 3.0: unset means hashed_prefix
};
EngineShardPaths engine_shard_paths(bool opensearch, int major, int minor);
HashedPrefixGrant hashed_prefix_grant(const SetupOptions& options, EngineShardPaths engine);
// The S3 key pattern of those folders: "*/<prefix>/indices/*". The hash segment takes 2^20 values
// and cannot be listed; IAM's '*' also spans '/', so the pattern matches any key ending in
// "/<prefix>/indices/..." in the bucket — never outside it, never the bucket's other prefixes.
// (IAM's '?' could pin the hash's 15 characters, but moto, on which the suite proves the policy
// by real requests, does not evaluate '?': essnap writes the form it can prove.)
std::string hashed_prefix_key_pattern(const std::string& prefix);

// Who may assume the role: the partition's search service, for domains of this account only.
nlohmann::json trust_policy(const std::string& account_id,
                            const aws::Partition& partition = aws::partition_for_region(""));
// With a KMS key, the role may also use that key: S3 encrypts and decrypts the snapshot blobs
// with the caller's (the role's) permissions on it.
// With HashedPrefixGrant::kYes the objects statement also covers hashed_prefix_key_pattern and
// the listing condition also allows it.
nlohmann::json role_policy(const aws::Partition& partition, const std::string& bucket,
                           const std::string& prefix, const std::string& kms_key = {},
                           HashedPrefixGrant hashed = HashedPrefixGrant::kNo);
// The same, for a partition id ("aws-cn"); an unknown id is treated as "aws", as an unknown
// region is by aws::partition_for_region.
nlohmann::json role_policy(std::string_view partition_id, const std::string& bucket,
                           const std::string& prefix, const std::string& kms_key = {},
                           HashedPrefixGrant hashed = HashedPrefixGrant::kNo);
nlohmann::json caller_policy(const std::string& role_arn, const std::string& domain_arn);
nlohmann::json repository_body(const SetupOptions& options, const std::string& role_arn);
std::string default_role_name(const std::string& repository);
// "search-logs-abc123.us-east-1.es.amazonaws.com" -> "logs"; "" when not recognisable.
std::string domain_name_from_endpoint(const std::string& endpoint_url);

// The role and domain the documents name, from --role (a name or an ARN), the repository, the
// region, the domain endpoint and the account.
struct RoleTarget {
  std::string role_name = {};
  std::string role_arn = {};
  std::string domain_arn = {};  // ".../domain/NAME/*", or ".../domain/*" when the name is unknown
};
// The bare role name from --role (a name or an IAM role ARN) or the default; kInvalidArgument
// for an ARN that is not an IAM role's or a name outside 1..64 characters. Needs no region.
Result<std::string> role_name(const SetupOptions& options);
// Also kInvalidArgument for a --role ARN outside the region's partition.
Result<RoleTarget> role_target(const SetupOptions& options, const std::string& account_id);

// Every document for --print-policies, naming the role as role_target() does.
struct PolicyDocuments {
  RoleTarget role = {};
  nlohmann::json trust_policy = nullptr;
  nlohmann::json role_policy = nullptr;
  nlohmann::json caller_policy = nullptr;
  nlohmann::json repository_body = nullptr;
};
Result<PolicyDocuments> policy_documents(const SetupOptions& options,
                                         const std::string& account_id);

}  // namespace essnap::setup
