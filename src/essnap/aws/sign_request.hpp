// The one place an http::Request is SigV4-signed: the signing decorator, the query protocol
// (IAM, STS) and the S3 client all call sign_request(), each with an injectable clock.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "essnap/aws/credentials.hpp"
#include "essnap/aws/sigv4.hpp"
#include "essnap/http/transport.hpp"
#include "essnap/util/result.hpp"

namespace essnap::aws {

// Signing time source; tests pin it. Empty means the system clock.
using Clock = std::function<std::chrono::system_clock::time_point()>;
std::chrono::system_clock::time_point now(const Clock& clock);

struct SigningScope {
  std::string region;   // signing region, e.g. "us-east-1"
  std::string service;  // "es", "aoss", "s3", "iam", "sts"
  PayloadSigning payload =
      PayloadSigning::kSigned;  // kUnsigned: X-Amz-Content-SHA256 UNSIGNED-PAYLOAD
};

// Removes an earlier attempt's Authorization / X-Amz-Date / X-Amz-Security-Token (a caller's
// X-Amz-Content-SHA256 stays: it is the payload hash the caller vouches for), hashes the body
// (streaming a file body), signs and adds the headers.
Status sign_request(http::Request& request, const Credentials& credentials,
                    const SigningScope& scope, std::chrono::system_clock::time_point time);

// The same with the provider's current (refreshed) credentials and the clock's time.
Status sign_request(http::Request& request, CredentialsProvider& provider,
                    const SigningScope& scope, const Clock& clock);

}  // namespace essnap::aws
