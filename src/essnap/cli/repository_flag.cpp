#include "essnap/cli/repository_flag.hpp"

#include <cstdlib>

#include "essnap/cli/cluster_flags.hpp"
#include "essnap/cluster/names.hpp"
#include "essnap/cluster/repository.hpp"

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

Result<std::string> registered_repository_location(const GlobalOptions& g, ClusterFlags& cluster,
                                                   const std::string& name,
                                                   const std::vector<std::string>& location_map) {
  ESSNAP_TRY_STATUS(cluster::names::validate_repository_name(name, "--repository"));
  ESSNAP_TRY(auto client, make_cluster_client(g, cluster));
  ESSNAP_TRY(auto repos, cluster::get_repositories(client, name));
  if (repos.empty())
    return make_error(ErrorCode::kNotFound, "repository " + name + " is not registered",
                      "list them with 'essnap repo list'");
  ESSNAP_TRY(std::string where, cluster::repository_location(repos.front()));
  ESSNAP_TRY(auto map, parse_location_map(location_map));
  return cluster::map_location(where, map);
}

Result<std::vector<std::pair<std::string, std::string>>> parse_location_map(
    const std::vector<std::string>& location_map) {
  std::vector<std::pair<std::string, std::string>> map;
  for (const auto& m : location_map) {
    auto eq = m.find('=');
    if (eq == std::string::npos || eq == 0)
      return make_error(ErrorCode::kInvalidArgument, "--location-map '" + m + "' is not FROM=TO");
    map.emplace_back(m.substr(0, eq), m.substr(eq + 1));
  }
  return map;
}

}  // namespace essnap::cli
