#include "essnap/aws/service_endpoint.hpp"

namespace essnap::aws {
namespace {

std::string strip_slashes(std::string u) {
  while (!u.empty() && u.back() == '/') u.pop_back();
  return u;
}

}  // namespace

std::optional<ConfiguredEndpoint> configured_endpoint(std::string_view service_id,
                                                      const Environment& env,
                                                      const std::string& explicit_url,
                                                      std::string_view flag_name) {
  if (!explicit_url.empty())
    return ConfiguredEndpoint{strip_slashes(explicit_url), std::string(flag_name)};
  if (auto v = env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
      v && (*v == "true" || *v == "TRUE" || *v == "True"))
    return std::nullopt;
  const std::string specific = "AWS_ENDPOINT_URL_" + std::string(service_id);
  if (auto u = env.get(specific); u && !u->empty())
    return ConfiguredEndpoint{strip_slashes(*u), specific};
  if (auto u = env.get("AWS_ENDPOINT_URL"); u && !u->empty())
    return ConfiguredEndpoint{strip_slashes(*u), "AWS_ENDPOINT_URL"};
  return std::nullopt;
}

}  // namespace essnap::aws
