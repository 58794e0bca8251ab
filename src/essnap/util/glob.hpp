// Name globs as the engines read them in index and snapshot patterns: `*` matches any run of
// characters (also none); nothing else is special.
#pragma once

#include <string_view>

namespace essnap::util {

bool glob_match(std::string_view pattern, std::string_view name);

}  // namespace essnap::util
