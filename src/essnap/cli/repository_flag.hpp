// The repository a command works on: -r/--repository, else ESSNAP_REPOSITORY, else the selected
// context's `repository`. One rule and one hint for `snapshot`, `restore` and `prune`.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "essnap/cli/cluster_flags.hpp"
#include "essnap/util/result.hpp"

namespace essnap::cli {

// `flag` (the --repository value) or, when it is empty, ESSNAP_REPOSITORY, checked against the
// engines' naming rules (cluster/names.hpp), else the selected context's repository.
// kInvalidArgument (exit 2) when none names one, or the context cannot be read.
Result<std::string> resolve_repository(const std::string& flag);

// The same for a command where the repository is optional (`snapshot status`: every repository
// without one): "" when neither names one.
Result<std::string> resolve_optional_repository(const std::string& flag);

// --location-map FROM=TO values as pairs; kInvalidArgument naming one without '=' or FROM.
Result<std::vector<std::pair<std::string, std::string>>> parse_location_map(
    const std::vector<std::string>& location_map);

// Where registered repository `name` keeps its blobs (s3://BUCKET/BASE_PATH or the fs
// directory), asked of the cluster the flags name, with the first matching --location-map FROM=TO
// applied (the cluster's path as this machine sees it). For inspect and repo sync.
Result<std::string> registered_repository_location(const GlobalOptions& g, ClusterFlags& cluster,
                                                   const std::string& name,
                                                   const std::vector<std::string>& location_map);

}  // namespace essnap::cli
