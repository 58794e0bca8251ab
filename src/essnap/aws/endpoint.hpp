// What an AWS endpoint's host name says about itself: the region and the signing service.
// Used to default --region and --auth for `essnap request`, and by the region chain.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace essnap::aws {

struct AwsEndpoint {
  std::string region;   // "us-east-1"
  std::string service;  // signing name: "es", "aoss", "s3", ... ; empty when not recognised
};

// True when the host is under an AWS DNS suffix (amazonaws.com, amazonaws.com.cn, on.aws,
// api.aws). A port, a trailing dot and upper case are tolerated.
bool is_aws_host(std::string_view host);

// search-x-abc.us-east-1.es.amazonaws.com -> {us-east-1, es}
// abc123.us-west-2.aoss.amazonaws.com     -> {us-west-2, aoss}
// search-x.cn-north-1.es.amazonaws.com.cn -> {cn-north-1, es}
// search-x-abc.aos.eu-west-1.on.aws       -> {eu-west-1, es}
// nullopt for hosts outside AWS or without a region label.
std::optional<AwsEndpoint> parse_aws_endpoint(std::string_view host);

// The region part of parse_aws_endpoint().
std::optional<std::string> region_from_host(std::string_view host);

// "us-east-1", "us-gov-west-1", "cn-north-1", "eu-central-2", "us-isob-east-1", "il-central-1".
bool looks_like_region(std::string_view label);

}  // namespace essnap::aws
