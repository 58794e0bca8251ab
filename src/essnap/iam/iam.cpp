#include "essnap/iam/iam.hpp"

#include <algorithm>
#include <pugixml.hpp>

#include "essnap/aws/partition.hpp"
#include "essnap/aws/query_protocol.hpp"
#include "essnap/aws/service_endpoint.hpp"
#include "essnap/aws/sts.hpp"
#include "essnap/util/url.hpp"

namespace essnap::iam {
namespace {

constexpr const char* kApiVersion = "2010-05-08";

std::string child_text(const pugi::xml_node& node, const char* name) {
  return node.child(name).text().as_string();
}

// Form values with a space written as "+" (form encoding's own spelling, which IAM accepts):
// moto verifies signatures over a re-encoded body and rejects "%20".
std::string form_value(std::string_view v) {
  std::string enc = aws::form_encode(v);
  std::string out;
  for (std::size_t i = 0; i < enc.size(); ++i) {
    if (enc.compare(i, 3, "%20") == 0) {
      out += '+';
      i += 2;
    } else {
      out += enc[i];
    }
  }
  return out;
}

Error remote_error(const std::string& action, const http::Response& resp,
                   const IamEndpoint& endpoint) {
  auto [d, message] = aws::describe_query_failure("IAM", action, endpoint.url, resp);
  ErrorCode code = ErrorCode::kRemote;
  std::string hint;
  if (d.error_type == "NoSuchEntity") {
    code = ErrorCode::kNotFound;
  } else if (d.error_type == "AccessDenied" || d.error_type == "AccessDeniedException") {
    hint = "the caller needs iam:" + action +
           "; run with --print-policies and have an administrator create the role instead";
  } else if (d.error_type == "InvalidClientTokenId" || d.error_type == "SignatureDoesNotMatch") {
    hint = "the access key is unknown or the secret is wrong; check 'essnap credentials'";
  } else if (d.error_type == "MalformedPolicyDocument") {
    code = ErrorCode::kInvalidArgument;
  } else if (d.error_type == "EntityAlreadyExists") {
    code = ErrorCode::kConflict;
  }
  Error e(code, std::move(message), std::move(hint));
  e.remote = std::move(d);
  return e;
}

Result<Role> parse_role(const pugi::xml_node& n) {
  Role r;
  r.role_name = child_text(n, "RoleName");
  r.arn = child_text(n, "Arn");
  r.role_id = child_text(n, "RoleId");
  r.path = child_text(n, "Path");
  auto doc = child_text(n, "AssumeRolePolicyDocument");
  if (!doc.empty()) {
    ESSNAP_TRY(r.assume_role_policy, decode_policy_document(doc));
  }
  return r;
}

void sort_json_array(nlohmann::json& v) {
  std::vector<std::string> keys;
  for (auto& e : v) keys.push_back(e.dump());
  std::vector<std::size_t> idx(v.size());
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::sort(idx.begin(), idx.end(), [&](auto a, auto b) { return keys[a] < keys[b]; });
  nlohmann::json out = nlohmann::json::array();
  for (auto i : idx) out.push_back(v[i]);
  v = std::move(out);
}

// Values IAM treats as sets: a lone string and a one-element list are the same thing.
nlohmann::json normalize_value(const nlohmann::json& v) {
  if (v.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : v) out.push_back(normalize_value(e));
    sort_json_array(out);
    if (out.size() == 1) return out[0];
    return out;
  }
  if (v.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (auto it = v.begin(); it != v.end(); ++it) out[it.key()] = normalize_value(it.value());
    return out;
  }
  return v;
}

}  // namespace

IamEndpoint resolve_iam_endpoint(const std::string& region, const aws::Environment& env,
                                 const std::string& explicit_url) {
  // IAM is one global endpoint per partition, signed for that partition's global region.
  const aws::Partition& partition = aws::partition_for_region(region);
  const std::string signing(partition.global_region);
  if (auto c = aws::configured_endpoint("IAM", env, explicit_url, "--iam-endpoint-url"))
    return {c->url, signing, c->source};
  return {aws::iam_url(partition), signing, "global"};
}

Result<nlohmann::json> decode_policy_document(const std::string& text) {
  std::string json_text = text;
  auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos || text[first] != '{') {
    auto decoded = util::percent_decode(text);
    if (!decoded.ok())
      return make_error(ErrorCode::kParse, "IAM policy document is neither JSON nor URL-encoded");
    json_text = std::move(decoded).value();
  }
  auto j = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded())
    return make_error(ErrorCode::kParse, "IAM policy document is not valid JSON");
  // A policy is an object; an array or a scalar would compare unequal to every policy and be
  // silently overwritten.
  if (!j.is_object())
    return make_error(ErrorCode::kParse, "IAM policy document is not a JSON object");
  return j;
}

nlohmann::json normalize_policy(const nlohmann::json& policy) {
  nlohmann::json out = nlohmann::json::object();
  if (!policy.is_object()) return policy;
  for (auto it = policy.begin(); it != policy.end(); ++it) {
    if (it.key() == "Statement") {
      nlohmann::json st = it.value().is_array() ? it.value() : nlohmann::json::array({it.value()});
      nlohmann::json norm = nlohmann::json::array();
      for (const auto& s : st) norm.push_back(normalize_value(s));
      sort_json_array(norm);
      out["Statement"] = norm;
    } else {
      out[it.key()] = normalize_value(it.value());
    }
  }
  return out;
}

bool policies_equal(const nlohmann::json& a, const nlohmann::json& b) {
  return normalize_policy(a) == normalize_policy(b);
}

std::string simulation_source_arn(const std::string& caller_arn) {
  // arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION
  const std::string marker = ":assumed-role/";
  auto pos = caller_arn.find(marker);
  if (caller_arn.rfind("arn:", 0) != 0 || pos == std::string::npos) return caller_arn;
  auto parts_end = caller_arn.find(':', 4);  // after partition
  std::string partition = caller_arn.substr(4, parts_end - 4);
  std::string account = caller_arn.substr(caller_arn.rfind(':', pos - 1) + 1,
                                          pos - caller_arn.rfind(':', pos - 1) - 1);
  std::string rest = caller_arn.substr(pos + marker.size());
  std::string role = rest.substr(0, rest.find('/'));
  return "arn:" + partition + ":iam::" + account + ":role/" + role;
}

IamClient::IamClient(http::Transport& transport, IamEndpoint endpoint,
                     std::shared_ptr<aws::CredentialsProvider> credentials, aws::Clock clock)
    : transport_(transport),
      endpoint_(std::move(endpoint)),
      credentials_(std::move(credentials)),
      clock_(std::move(clock)) {}

Result<std::string> IamClient::call(const std::string& action, const std::string& form,
                                    http::Idempotency idempotency) {
  if (!credentials_)
    return make_error(ErrorCode::kInternal, "IAM " + action + " needs credentials to sign");
  ESSNAP_TRY(auto req, aws::make_query_request({endpoint_.url, endpoint_.region, "iam", action,
                                                kApiVersion, form, idempotency},
                                               credentials_.get(), clock_));
  auto resp = transport_.send(std::move(req));
  if (!resp.ok())
    return std::move(resp).error().with_context("IAM " + action + " at " + endpoint_.url);
  if (resp->status >= 400) return remote_error(action, resp.value(), endpoint_);
  return std::move(resp->body);
}

Result<GetRoleResponse> IamClient::get_role(const GetRoleRequest& r) {
  ESSNAP_TRY(auto body, call("GetRole", "&RoleName=" + form_value(r.role_name),
                             http::Idempotency::kIdempotent));
  pugi::xml_document doc;
  ESSNAP_TRY(auto node, aws::query_result(doc, body, "IAM", "GetRole"));
  ESSNAP_TRY(auto role, parse_role(node.child("Role")));
  return GetRoleResponse{std::move(role)};
}

Result<CreateRoleResponse> IamClient::create_role(const CreateRoleRequest& r) {
  std::string form = "&RoleName=" + form_value(r.role_name) +
                     "&AssumeRolePolicyDocument=" + form_value(r.assume_role_policy.dump());
  if (!r.description.empty()) form += "&Description=" + form_value(r.description);
  if (!r.path.empty()) form += "&Path=" + form_value(r.path);
  // A retried CreateRole that had succeeded answers EntityAlreadyExists: the caller re-reads.
  ESSNAP_TRY(auto body, call("CreateRole", form, http::Idempotency::kNonIdempotent));
  pugi::xml_document doc;
  ESSNAP_TRY(auto node, aws::query_result(doc, body, "IAM", "CreateRole"));
  ESSNAP_TRY(auto role, parse_role(node.child("Role")));
  return CreateRoleResponse{std::move(role)};
}

Result<UpdateAssumeRolePolicyResponse> IamClient::update_assume_role_policy(
    const UpdateAssumeRolePolicyRequest& r) {
  ESSNAP_TRY(auto body, call("UpdateAssumeRolePolicy",
                             "&RoleName=" + form_value(r.role_name) +
                                 "&PolicyDocument=" + form_value(r.policy.dump()),
                             http::Idempotency::kIdempotent));
  (void)body;
  return UpdateAssumeRolePolicyResponse{};
}

Result<PutRolePolicyResponse> IamClient::put_role_policy(const PutRolePolicyRequest& r) {
  ESSNAP_TRY(auto body, call("PutRolePolicy",
                             "&RoleName=" + form_value(r.role_name) +
                                 "&PolicyName=" + form_value(r.policy_name) +
                                 "&PolicyDocument=" + form_value(r.policy.dump()),
                             http::Idempotency::kIdempotent));
  (void)body;
  return PutRolePolicyResponse{};
}

Result<GetRolePolicyResponse> IamClient::get_role_policy(const GetRolePolicyRequest& r) {
  ESSNAP_TRY(auto body, call("GetRolePolicy",
                             "&RoleName=" + form_value(r.role_name) +
                                 "&PolicyName=" + form_value(r.policy_name),
                             http::Idempotency::kIdempotent));
  pugi::xml_document doc;
  ESSNAP_TRY(auto node, aws::query_result(doc, body, "IAM", "GetRolePolicy"));
  ESSNAP_TRY(auto policy, decode_policy_document(child_text(node, "PolicyDocument")));
  return GetRolePolicyResponse{std::move(policy)};
}

Result<SimulatePrincipalPolicyResponse> IamClient::simulate_principal_policy(
    const SimulatePrincipalPolicyRequest& r) {
  std::string form = "&PolicySourceArn=" + form_value(r.policy_source_arn);
  for (std::size_t i = 0; i < r.action_names.size(); ++i)
    form += "&ActionNames.member." + std::to_string(i + 1) + "=" + form_value(r.action_names[i]);
  for (std::size_t i = 0; i < r.resource_arns.size(); ++i)
    form += "&ResourceArns.member." + std::to_string(i + 1) + "=" + form_value(r.resource_arns[i]);
  for (std::size_t i = 0; i < r.context.size(); ++i) {
    const std::string m = "&ContextEntries.member." + std::to_string(i + 1);
    form += m + ".ContextKeyName=" + form_value(r.context[i].first) + m + ".ContextKeyType=string" +
            m + ".ContextKeyValues.member.1=" + form_value(r.context[i].second);
  }
  ESSNAP_TRY(auto body, call("SimulatePrincipalPolicy", form, http::Idempotency::kIdempotent));
  pugi::xml_document doc;
  ESSNAP_TRY(auto node, aws::query_result(doc, body, "IAM", "SimulatePrincipalPolicy"));
  SimulatePrincipalPolicyResponse out;
  for (auto m : node.child("EvaluationResults").children("member"))
    out.results.push_back({child_text(m, "EvalActionName"), child_text(m, "EvalResourceName"),
                           child_text(m, "EvalDecision")});
  return out;
}

}  // namespace essnap::iam
