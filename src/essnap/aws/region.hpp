// Which AWS region a command talks to, and why: --region, AWS_REGION, AWS_DEFAULT_REGION, the
// profile's `region`, the region in an AWS endpoint host name, then EC2 instance metadata.
// An endpoint host name is where the request really goes, so it outranks the environment and
// the profile, and an explicit --region that contradicts it is an error, not a guess.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "essnap/aws/credentials.hpp"
#include "essnap/http/transport.hpp"

namespace essnap::aws {

enum class ImdsLookup { kNo, kYes };

struct RegionOptions {
  std::string flag;           // --region
  std::string profile;        // --profile (else AWS_PROFILE / AWS_DEFAULT_PROFILE / default)
  std::string endpoint_host;  // host of the endpoint URL, when there is one
  ImdsLookup imds = ImdsLookup::kYes;
  std::function<std::unique_ptr<http::Transport>()> transport_factory;  // for IMDS
};

struct ResolvedRegion {
  std::string region;
  std::string source;  // "--region", "AWS_REGION", "profile 'x'", "endpoint host", "IMDS"
  std::string note;    // e.g. "AWS_REGION=us-east-1 ignored: the endpoint host is in eu-west-1"
};

// An error (kInvalidArgument) when no source names a region, or when one names something that
// is not a region (a flag, AWS_REGION, AWS_DEFAULT_REGION or a profile's `region`).
Result<ResolvedRegion> resolve_region(const RegionOptions& options,
                                      const Environment& env = Environment::process());

// As resolve_region, but `fallback` (source "default") when no source names a region. A region
// that is configured but malformed is still an error: it is never silently replaced.
Result<ResolvedRegion> resolve_region_or(const RegionOptions& options, std::string fallback,
                                         const Environment& env = Environment::process());

}  // namespace essnap::aws
