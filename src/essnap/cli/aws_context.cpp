#include "essnap/cli/aws_context.hpp"

#include "essnap/http/factory.hpp"

namespace essnap::cli {

aws::CredentialOptions credential_options(const GlobalOptions& global) {
  aws::CredentialOptions o;
  o.profile = global.profile;
  o.region = global.region;
  const int verbose = global.verbose;
  o.transport_factory = [verbose] {
    http::TransportOptions t;
    t.verbose = verbose;
    // Metadata endpoints that do not answer must not hold up the chain for long.
    t.retry.max_attempts = 2;
    t.retry.max_elapsed = std::chrono::seconds(10);
    t.retry.initial_backoff = std::chrono::milliseconds(100);
    return http::make_transport(t);
  };
  return o;
}

}  // namespace essnap::cli
