// The one rule for a cluster's URL wherever one is configured (the `run` config's clusters:,
// and any other place a cluster entry is read): an absolute http:// or https:// URL with a
// host, no user:password@ (secrets never go in URLs), as util::parse_url accepts it.
#pragma once

#include <string_view>

#include "essnap/util/result.hpp"

namespace essnap::cluster {

// kInvalidArgument naming `what` ("url of cluster 'prod'") and the rule broken; the message
// quotes only the offending part, never the whole URL (it may hold a password).
Status validate_cluster_url(std::string_view url, std::string_view what);

}  // namespace essnap::cluster
