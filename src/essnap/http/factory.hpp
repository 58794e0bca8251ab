// Builds the transport stack: libcurl base, then decorators (signing, retry, logging).
#pragma once

#include <iosfwd>
#include <memory>
#include <string>

#include "essnap/aws/credentials.hpp"
#include "essnap/http/transport.hpp"

namespace essnap::http {

struct RetryPolicy {
  int max_attempts = 5;                              // budget by count (1 = no retry)
  std::chrono::milliseconds max_elapsed{120'000};    // budget by time
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{20'000};     // truncation of the exponential
};

enum class TlsVerify { kOn, kOff };

struct TransportOptions {
  RetryPolicy retry;
  TlsVerify tls_verify = TlsVerify::kOn;  // --insecure turns it off (with a warning)
  std::string ca_cert;                    // --cacert
  int verbose = 0;                        // >0: trace requests/responses, secrets redacted
  std::ostream* trace = nullptr;          // where traces go (default std::cerr)
  std::string user_agent;
};

// Plain transport: curl + retry (+ trace when verbose).
std::unique_ptr<Transport> make_transport(const TransportOptions& options);

// SigV4-signing decorator over any transport; signs every request (after any retry-layer
// re-send, so the date stays fresh).
struct SigningOptions {
  std::shared_ptr<aws::CredentialsProvider> credentials;
  std::string region;
  std::string service;  // "es", "aoss", "s3", "sts", "iam"
  bool unsigned_payload = false;
};
std::unique_ptr<Transport> make_signing_transport(std::unique_ptr<Transport> inner,
                                                  SigningOptions options);

}  // namespace essnap::http
