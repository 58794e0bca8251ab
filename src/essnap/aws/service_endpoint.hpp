// Where a service's calls go when the user configured it: the one override rule of the AWS
// SDKs (a flag, then AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL, all ignored with
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true). The AWS defaults come from partition.hpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "essnap/aws/credentials.hpp"

namespace essnap::aws {

struct ConfiguredEndpoint {
  std::string url;     // without a trailing '/'
  std::string source;  // the flag's name, "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"
};

// service_id is the SDKs' environment spelling: "S3", "IAM", "STS", "SSO".
// nullopt: nothing configured, use the service's AWS endpoint.
std::optional<ConfiguredEndpoint> configured_endpoint(std::string_view service_id,
                                                      const Environment& env,
                                                      const std::string& explicit_url = {},
                                                      std::string_view flag_name = {});

}  // namespace essnap::aws
