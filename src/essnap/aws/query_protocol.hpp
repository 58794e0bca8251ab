// The AWS query protocol shared by IAM and STS: a form-encoded POST of Action + Version +
// parameters, SigV4-signed for the service (or left unsigned, as AssumeRoleWithWebIdentity is).
#pragma once

#include <pugixml.hpp>
#include <string>
#include <string_view>

#include "essnap/aws/credentials.hpp"
#include "essnap/aws/sign_request.hpp"
#include "essnap/http/transport.hpp"
#include "essnap/util/result.hpp"

namespace essnap::aws {

struct QueryCall {
  std::string url;      // endpoint base, without the trailing "/"
  std::string region;   // signing region
  std::string service;  // "iam" or "sts"
  std::string_view action;
  std::string_view api_version;
  std::string form;  // "&Name=value..." already form-encoded
  http::Idempotency idempotency = http::Idempotency::kIdempotent;
};

// The request, signed (at the clock's time) when `credentials` is non-null.
Result<http::Request> make_query_request(const QueryCall& call, CredentialsProvider* credentials,
                                         const Clock& clock = {});

// An error answer of a query-protocol service: the detail (XML body, x-amzn-RequestId) and the
// message "IAM GetRole at URL failed: HTTP 403 AccessDenied: ...". `service` is "IAM" or "STS".
struct QueryFailure {
  RemoteDetail detail;
  std::string message;
};
QueryFailure describe_query_failure(std::string_view service, std::string_view action,
                                    const std::string& url, const http::Response& response);

// The <ACTIONResult> element of a successful answer, or kParse naming the service and action.
Result<pugi::xml_node> query_result(pugi::xml_document& doc, const std::string& body,
                                    std::string_view service, std::string_view action);

}  // namespace essnap::aws
