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

// Who may assume the role: the partition's search service, for domains of this account only.
nlohmann::json trust_policy(const std::string& account_id,
                            const aws::Partition& partition = aws::partition_for_region(""));
// With a KMS key, the role may also use that key: S3 encrypts and decrypts the snapshot blobs
// with the caller's (the role's) permissions on it.
nlohmann::json role_policy(const aws::Partition& partition, const std::string& bucket,
                           const std::string& prefix, const std::string& kms_key = {});
// The same, for a partition id ("aws-cn"); an unknown id is treated as "aws", as an unknown
// region is by aws::partition_for_region.
nlohmann::json role_policy(std::string_view partition_id, const std::string& bucket,
                           const std::string& prefix, const std::string& kms_key = {});
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
