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

blob::OpenOptions blob_open_options(const GlobalOptions& global, const S3Flags& s3,
                                    const std::string& region_flag) {
  GlobalOptions g = global;
  if (!region_flag.empty()) g.region = region_flag;
  blob::OpenOptions o;
  o.s3.region = g.region;
  o.s3.profile = g.profile;
  o.s3.endpoint_url = s3.endpoint_url;
  o.s3.path_style = s3.path_style;
  o.credentials = credential_options(g);
  o.transport.verbose = g.verbose;
  return o;
}

}  // namespace essnap::cli
