// AWS STS over the query protocol (form-encoded POST, XML answer): the three operations the
// credential chain and `essnap whoami` need, one request and one response struct each.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "essnap/aws/credentials.hpp"
#include "essnap/aws/sign_request.hpp"
#include "essnap/http/transport.hpp"
#include "essnap/util/result.hpp"

namespace essnap::aws {

struct StsEndpoint {
  std::string url;     // "https://sts.eu-west-1.amazonaws.com", or an override (moto)
  std::string region;  // signing region
  std::string source;  // why this URL: "--endpoint-url", "AWS_ENDPOINT_URL_STS", "regional", ...
};

// Where STS calls go. explicit_url (--endpoint-url) wins, then AWS_ENDPOINT_URL_STS, then
// AWS_ENDPOINT_URL, then the regional endpoint of `region` (us-east-1 when none is known;
// AWS_STS_REGIONAL_ENDPOINTS=legacy with us-east-1 keeps the global sts.amazonaws.com).
StsEndpoint resolve_sts_endpoint(const std::string& region, const aws::Environment& env,
                                 const std::string& explicit_url = {});

struct GetCallerIdentityRequest {};
struct GetCallerIdentityResponse {
  std::string account;
  std::string arn;
  std::string user_id;
  std::string request_id;
};

struct AssumeRoleRequest {
  std::string role_arn;
  std::string role_session_name;
  std::string external_id;              // empty: not sent
  std::optional<int> duration_seconds;  // 900..43200
  std::string mfa_serial;               // SerialNumber; with token_code
  std::string mfa_token_code;           // TokenCode
};

struct AssumeRoleWithWebIdentityRequest {
  std::string role_arn;
  std::string role_session_name;
  std::string web_identity_token;  // the OIDC token itself: a secret, never logged
  std::optional<int> duration_seconds;
};

struct AssumedRoleResponse {
  aws::Credentials credentials;  // with expiration; provider left empty for the caller
  std::string assumed_role_arn;
  std::string assumed_role_id;
  std::string request_id;
};

enum class StsSigning { kSigned, kUnsigned };

class StsClient {
 public:
  // `credentials` may be null only for the unsigned operation (AssumeRoleWithWebIdentity).
  StsClient(http::Transport& transport, StsEndpoint endpoint,
            std::shared_ptr<aws::CredentialsProvider> credentials, Clock clock = {});

  Result<GetCallerIdentityResponse> get_caller_identity(const GetCallerIdentityRequest& request);
  Result<AssumedRoleResponse> assume_role(const AssumeRoleRequest& request);
  // Not signed: the web identity token is the proof of identity.
  Result<AssumedRoleResponse> assume_role_with_web_identity(
      const AssumeRoleWithWebIdentityRequest& request);

 private:
  struct Raw {
    std::string body;
    std::string request_id;
  };
  Result<Raw> call(const std::string& action, const std::string& form, StsSigning signing);

  http::Transport& transport_;
  StsEndpoint endpoint_;
  std::shared_ptr<aws::CredentialsProvider> credentials_;
  Clock clock_;
};

// application/x-www-form-urlencoded value encoding as AWS query APIs expect (RFC 3986
// unreserved kept, everything else %XX).
std::string form_encode(std::string_view value);

}  // namespace essnap::aws
