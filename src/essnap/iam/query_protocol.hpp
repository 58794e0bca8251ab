// The AWS query protocol shared by IAM and STS: a form-encoded POST of Action + Version +
// parameters, SigV4-signed for the service (or left unsigned, as AssumeRoleWithWebIdentity is).
#pragma once

#include <string>
#include <string_view>

#include "essnap/aws/credentials.hpp"
#include "essnap/http/transport.hpp"
#include "essnap/util/result.hpp"

namespace essnap::iam {

struct QueryCall {
  std::string url;      // endpoint base, without the trailing "/"
  std::string region;   // signing region
  std::string service;  // "iam" or "sts"
  std::string_view action;
  std::string_view api_version;
  std::string form;  // "&Name=value..." already form-encoded
  http::Idempotency idempotency = http::Idempotency::kIdempotent;
};

// The request, signed when `credentials` is non-null.
Result<http::Request> make_query_request(const QueryCall& call,
                                         aws::CredentialsProvider* credentials);

}  // namespace essnap::iam
