#include "essnap/cli/repository_flag.hpp"

#include <cstdlib>

#include "essnap/cli/cluster_flags.hpp"
#include "essnap/cluster/names.hpp"

namespace essnap::cli {

Result<std::string> resolve_optional_repository(const std::string& flag) {
  std::string name = flag;
  if (name.empty())
    if (const char* v = std::getenv("ESSNAP_REPOSITORY")) name = v;
  if (!name.empty()) {
    ESSNAP_TRY_STATUS(cluster::names::validate_repository_name(name, "--repository"));
    return name;
  }
  // The selected context's default (checked when its file was read).
  ESSNAP_TRY(auto context, selected_context());
  return context ? context->repository : std::string();
}

Result<std::string> resolve_repository(const std::string& flag) {
  ESSNAP_TRY(std::string name, resolve_optional_repository(flag));
  if (name.empty())
    return Error(ErrorCode::kInvalidArgument, "no repository",
                 "pass --repository NAME or set ESSNAP_REPOSITORY ('essnap repo list' shows them)");
  return name;
}

}  // namespace essnap::cli
