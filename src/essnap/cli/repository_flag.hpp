// The repository a command works on: -r/--repository, else ESSNAP_REPOSITORY, else the selected
// context's `repository`. One rule and one hint for `snapshot`, `restore` and `prune`.
#pragma once

#include <string>

#include "essnap/util/result.hpp"

namespace essnap::cli {

// `flag` (the --repository value) or, when it is empty, ESSNAP_REPOSITORY, checked against the
// engines' naming rules (cluster/names.hpp), else the selected context's repository.
// kInvalidArgument (exit 2) when none names one, or the context cannot be read.
Result<std::string> resolve_repository(const std::string& flag);

// The same for a command where the repository is optional (`snapshot status`: every repository
// without one): "" when neither names one.
Result<std::string> resolve_optional_repository(const std::string& flag);

}  // namespace essnap::cli
