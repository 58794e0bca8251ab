// AWS IAM over the query protocol (form-encoded POST, XML answer): the role operations
// `essnap setup` needs, one request and one response struct each. IAM is a global service
// signed for us-east-1 (cn-north-1 in China). Policy documents come back URL-encoded JSON; they
// are decoded here and compared semantically with policies_equal().
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "essnap/aws/credentials.hpp"
#include "essnap/aws/sign_request.hpp"
#include "essnap/http/transport.hpp"
#include "essnap/util/result.hpp"

namespace essnap::iam {

struct IamEndpoint {
  std::string url;     // "https://iam.amazonaws.com", or an override (moto)
  std::string region;  // signing region
  std::string source;  // "--iam-endpoint-url", "AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL", "global"
};
// explicit_url wins, then AWS_ENDPOINT_URL_IAM, then AWS_ENDPOINT_URL, then the global endpoint
// of the partition that `region` is in.
IamEndpoint resolve_iam_endpoint(const std::string& region, const aws::Environment& env,
                                 const std::string& explicit_url = {});

struct Role {
  std::string role_name;
  std::string arn;
  std::string role_id;
  std::string path;
  nlohmann::json assume_role_policy;  // decoded trust policy
};

struct GetRoleRequest {
  std::string role_name;
};
struct GetRoleResponse {
  Role role;
};

struct CreateRoleRequest {
  std::string role_name;
  nlohmann::json assume_role_policy;
  std::string description;
  std::string path;  // empty: "/"
};
struct CreateRoleResponse {
  Role role;
};

struct UpdateAssumeRolePolicyRequest {
  std::string role_name;
  nlohmann::json policy;
};
struct UpdateAssumeRolePolicyResponse {};

struct PutRolePolicyRequest {
  std::string role_name;
  std::string policy_name;
  nlohmann::json policy;
};
struct PutRolePolicyResponse {};

struct GetRolePolicyRequest {
  std::string role_name;
  std::string policy_name;
};
struct GetRolePolicyResponse {
  nlohmann::json policy;  // decoded
};

struct SimulatePrincipalPolicyRequest {
  std::string policy_source_arn;  // the caller: user or role ARN (not an assumed-role session)
  std::vector<std::string> action_names;
  std::vector<std::string> resource_arns;  // empty: "*"
  // ContextEntries: condition keys' values (type string), e.g. s3:prefix for s3:ListBucket.
  std::vector<std::pair<std::string, std::string>> context = {};
};
struct EvaluationResult {
  std::string action;
  std::string resource;
  std::string decision;  // "allowed", "explicitDeny", "implicitDeny"
};
struct SimulatePrincipalPolicyResponse {
  std::vector<EvaluationResult> results;
};

class IamClient {
 public:
  IamClient(http::Transport& transport, IamEndpoint endpoint,
            std::shared_ptr<aws::CredentialsProvider> credentials, aws::Clock clock = {});

  // kNotFound when the role does not exist.
  Result<GetRoleResponse> get_role(const GetRoleRequest& r);
  Result<CreateRoleResponse> create_role(const CreateRoleRequest& r);
  Result<UpdateAssumeRolePolicyResponse> update_assume_role_policy(
      const UpdateAssumeRolePolicyRequest& r);
  Result<PutRolePolicyResponse> put_role_policy(const PutRolePolicyRequest& r);
  // kNotFound when the role has no inline policy of that name.
  Result<GetRolePolicyResponse> get_role_policy(const GetRolePolicyRequest& r);
  Result<SimulatePrincipalPolicyResponse> simulate_principal_policy(
      const SimulatePrincipalPolicyRequest& r);

  const IamEndpoint& endpoint() const { return endpoint_; }

 private:
  Result<std::string> call(const std::string& action, const std::string& form,
                           http::Idempotency idempotency);

  http::Transport& transport_;
  IamEndpoint endpoint_;
  std::shared_ptr<aws::CredentialsProvider> credentials_;
  aws::Clock clock_;
};

// A policy document as IAM returns it: URL-encoded JSON (or plain JSON from emulators).
Result<nlohmann::json> decode_policy_document(const std::string& text);

// Semantic equality of two policy documents: statement order, the order inside action and
// resource lists, and "X" versus ["X"] do not matter.
bool policies_equal(const nlohmann::json& a, const nlohmann::json& b);
// The canonical form policies_equal() compares.
nlohmann::json normalize_policy(const nlohmann::json& policy);

// "arn:aws:iam::123:user/x" -> the ARN SimulatePrincipalPolicy accepts. An assumed-role session
// ARN ("arn:aws:sts::123:assumed-role/R/session") becomes its role ARN
// ("arn:aws:iam::123:role/R"); anything else is returned unchanged.
std::string simulation_source_arn(const std::string& caller_arn);

}  // namespace essnap::iam
