#include "essnap/aws/sts.hpp"

#include <pugixml.hpp>

#include "essnap/aws/partition.hpp"
#include "essnap/aws/query_protocol.hpp"
#include "essnap/aws/service_endpoint.hpp"
#include "essnap/aws/timestamp.hpp"

namespace essnap::aws {
namespace {

constexpr const char* kApiVersion = "2011-06-15";

std::string child_text(const pugi::xml_node& node, const char* name) {
  return node.child(name).text().as_string();
}

// STS errors: <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>
Error remote_error(const std::string& action, const http::Response& resp,
                   const StsEndpoint& endpoint) {
  auto [detail, message] = describe_query_failure("STS", action, endpoint.url, resp);
  std::string hint;
  if (detail.error_type == "AccessDenied" && action == "AssumeRole")
    hint =
        "the source identity needs sts:AssumeRole on the role, and the role's trust policy must "
        "name that identity (and the external id, if one is set)";
  else if (detail.error_type == "InvalidClientTokenId" ||
           detail.error_type == "SignatureDoesNotMatch")
    hint =
        "the access key is unknown or the secret is wrong; check which source supplied them "
        "with 'essnap credentials'";
  else if (detail.error_type == "ExpiredToken")
    hint = "the session token has expired; fetch fresh temporary credentials";
  else if (detail.error_type == "InvalidIdentityToken")
    hint = "the web identity token was rejected; check the role's OIDC provider and audience";
  Error e(ErrorCode::kRemote, std::move(message), std::move(hint));
  e.remote = std::move(detail);
  return e;
}

Result<AssumedRoleResponse> parse_assumed(const std::string& body, const std::string& action,
                                          const std::string& request_id) {
  pugi::xml_document doc;
  ESSNAP_TRY(auto node, query_result(doc, body, "STS", action));
  AssumedRoleResponse out;
  auto c = node.child("Credentials");
  out.credentials.access_key_id = child_text(c, "AccessKeyId");
  out.credentials.secret_access_key = child_text(c, "SecretAccessKey");
  out.credentials.session_token = child_text(c, "SessionToken");
  if (out.credentials.access_key_id.empty() || out.credentials.secret_access_key.empty())
    return make_error(ErrorCode::kParse, "STS " + action + " answer has no credentials");
  if (auto exp = child_text(c, "Expiration"); !exp.empty()) {
    ESSNAP_TRY(out.credentials.expiration, aws::parse_iso8601(exp));
  }
  auto user = node.child("AssumedRoleUser");
  out.assumed_role_arn = child_text(user, "Arn");
  out.assumed_role_id = child_text(user, "AssumedRoleId");
  out.request_id = request_id;
  return out;
}

}  // namespace

std::string form_encode(std::string_view value) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (unsigned char c : value) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

StsEndpoint resolve_sts_endpoint(const std::string& region, const aws::Environment& env,
                                 const std::string& explicit_url) {
  const std::string r =
      region.empty() ? std::string(partition_for_region(region).global_region) : region;
  if (auto c = configured_endpoint("STS", env, explicit_url, "--endpoint-url"))
    return {c->url, r, c->source};
  auto legacy = env.get("AWS_STS_REGIONAL_ENDPOINTS");
  if (r == "us-east-1" && legacy && *legacy == "legacy")
    return {"https://sts.amazonaws.com", r, "global (AWS_STS_REGIONAL_ENDPOINTS=legacy)"};
  return {sts_regional_url(r), r, "regional"};
}

StsClient::StsClient(http::Transport& transport, StsEndpoint endpoint,
                     std::shared_ptr<aws::CredentialsProvider> credentials, Clock clock)
    : transport_(transport),
      endpoint_(std::move(endpoint)),
      credentials_(std::move(credentials)),
      clock_(std::move(clock)) {}

Result<StsClient::Raw> StsClient::call(const std::string& action, const std::string& form,
                                       StsSigning signing) {
  if (signing == StsSigning::kSigned && !credentials_)
    return make_error(ErrorCode::kInternal, "STS " + action + " needs credentials to sign");
  // STS calls here are reads or mint fresh, independent sessions: repeating one is harmless.
  ESSNAP_TRY(auto req, make_query_request(
                           {endpoint_.url, endpoint_.region, "sts", action, kApiVersion, form,
                            http::Idempotency::kIdempotent},
                           signing == StsSigning::kSigned ? credentials_.get() : nullptr, clock_));
  auto resp = transport_.send(std::move(req));
  if (!resp.ok())
    return std::move(resp).error().with_context("STS " + action + " at " + endpoint_.url);
  if (resp->status >= 400) return remote_error(action, resp.value(), endpoint_);
  Raw raw;
  raw.body = std::move(resp->body);
  if (const auto* id = http::find_header(resp->headers, "x-amzn-RequestId")) raw.request_id = *id;
  return raw;
}

Result<GetCallerIdentityResponse> StsClient::get_caller_identity(const GetCallerIdentityRequest&) {
  ESSNAP_TRY(auto raw, call("GetCallerIdentity", "", StsSigning::kSigned));
  pugi::xml_document doc;
  ESSNAP_TRY(auto node, query_result(doc, raw.body, "STS", "GetCallerIdentity"));
  GetCallerIdentityResponse out;
  out.account = child_text(node, "Account");
  out.arn = child_text(node, "Arn");
  out.user_id = child_text(node, "UserId");
  out.request_id = raw.request_id;
  if (out.request_id.empty())
    out.request_id = child_text(doc.document_element().child("ResponseMetadata"), "RequestId");
  return out;
}

Result<AssumedRoleResponse> StsClient::assume_role(const AssumeRoleRequest& r) {
  std::string form = "&RoleArn=" + form_encode(r.role_arn) +
                     "&RoleSessionName=" + form_encode(r.role_session_name);
  if (!r.external_id.empty()) form += "&ExternalId=" + form_encode(r.external_id);
  if (r.duration_seconds) form += "&DurationSeconds=" + std::to_string(*r.duration_seconds);
  if (!r.mfa_serial.empty()) form += "&SerialNumber=" + form_encode(r.mfa_serial);
  if (!r.mfa_token_code.empty()) form += "&TokenCode=" + form_encode(r.mfa_token_code);
  ESSNAP_TRY(auto raw, call("AssumeRole", form, StsSigning::kSigned));
  return parse_assumed(raw.body, "AssumeRole", raw.request_id);
}

Result<AssumedRoleResponse> StsClient::assume_role_with_web_identity(
    const AssumeRoleWithWebIdentityRequest& r) {
  std::string form = "&RoleArn=" + form_encode(r.role_arn) +
                     "&RoleSessionName=" + form_encode(r.role_session_name) +
                     "&WebIdentityToken=" + form_encode(r.web_identity_token);
  if (r.duration_seconds) form += "&DurationSeconds=" + std::to_string(*r.duration_seconds);
  ESSNAP_TRY(auto raw, call("AssumeRoleWithWebIdentity", form, StsSigning::kUnsigned));
  return parse_assumed(raw.body, "AssumeRoleWithWebIdentity", raw.request_id);
}

}  // namespace essnap::aws
