// The SigV4 signing decorator and the transport stack that includes it. It lives in aws/, not
// http/, so that http/ knows nothing of AWS: http::make_transport takes the decorator as a layer.
#pragma once

#include <memory>
#include <string>

#include "essnap/aws/credentials.hpp"
#include "essnap/aws/sign_request.hpp"
#include "essnap/http/factory.hpp"

namespace essnap::aws {

// SigV4 signing of every attempt.
struct SigningOptions {
  std::shared_ptr<CredentialsProvider> credentials;
  std::string region;
  std::string service;  // "es", "aoss", "s3", "sts", "iam"
  // Send X-Amz-Content-SHA256: UNSIGNED-PAYLOAD instead of hashing the body (https only).
  bool unsigned_payload = false;
  Clock clock;  // signing time; tests inject a fixed clock. Empty: the system clock.
};

// SigV4-signing decorator over any transport. Put it INSIDE the retry layer so each attempt is
// signed afresh with a new X-Amz-Date and refreshed credentials (make_signed_transport does).
std::unique_ptr<http::Transport> make_signing_transport(std::unique_ptr<http::Transport> inner,
                                                        SigningOptions options);

// http::make_transport's stack with signing between retry and trace:
//   retry -> signing -> trace -> libcurl.
std::unique_ptr<http::Transport> make_signed_transport(const http::TransportOptions& options,
                                                       SigningOptions signing);

}  // namespace essnap::aws
