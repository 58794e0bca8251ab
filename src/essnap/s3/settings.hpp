// The one rule that turns what a user said about S3 (flags, environment, profile) into
// s3::ClientOptions, used by every S3 user (inspect, export/import, setup, repo sync):
//   region     --region, else AWS_REGION / AWS_DEFAULT_REGION, else the profile's region, else
//              us-east-1 (the client learns a bucket's own region from its first redirect);
//   endpoint   --s3-endpoint-url, else AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL, else AWS;
//   addressing path-style when asked, else automatic (path-style for non-AWS endpoints and
//              dotted bucket names over TLS, virtual-hosted otherwise).
#pragma once

#include <memory>
#include <string>

#include "essnap/aws/credentials.hpp"
#include "essnap/s3/client.hpp"

namespace essnap::s3 {

struct S3Settings {
  std::string region;        // --region; empty: the rule above
  std::string profile;       // --profile; empty: AWS_PROFILE / default
  std::string endpoint_url;  // --s3-endpoint-url
  bool path_style = false;   // --s3-path-style
};

// Options for a client signing with `credentials`; the region's source is not needed later.
Result<ClientOptions> resolve_client_options(
    const S3Settings& settings, std::shared_ptr<aws::CredentialsProvider> credentials,
    const aws::Environment& env = aws::Environment::process());

}  // namespace essnap::s3
