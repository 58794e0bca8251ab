#include "essnap/aws/region.hpp"

#include "essnap/aws/config_file.hpp"
#include "essnap/aws/endpoint.hpp"
#include "essnap/aws/imds.hpp"
#include "essnap/http/factory.hpp"

namespace essnap::aws {

namespace {

// The region the sources name, nullopt when none names one; an error when one names something
// that is not a region.
Result<std::optional<ResolvedRegion>> configured_region(const RegionOptions& options,
                                                        const Environment& env) {
  std::optional<std::string> host_region;
  if (!options.endpoint_host.empty()) host_region = region_from_host(options.endpoint_host);

  if (!options.flag.empty()) {
    if (!looks_like_region(options.flag))
      return make_error(ErrorCode::kInvalidArgument,
                        "--region '" + options.flag + "' is not a region name",
                        "use a name like us-east-1 or eu-west-1");
    if (host_region && *host_region != options.flag)
      return make_error(ErrorCode::kInvalidArgument,
                        "ambiguous region: --region says " + options.flag + " but the endpoint " +
                            options.endpoint_host + " is in " + *host_region,
                        "drop --region, or pass --region " + *host_region);
    return std::make_optional(ResolvedRegion{options.flag, "--region", {}});
  }

  // Configured regions, in precedence order; the first one found is the candidate.
  std::string configured, configured_source;
  for (const char* var : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    if (auto v = env.get(var); v && !v->empty()) {
      configured = *v;
      configured_source = var;
      break;
    }
  }
  if (configured.empty()) {
    auto profile = choose_profile(options.profile, env);
    auto files = load_shared_config(env);
    if (!files.ok()) return files.error();
    if (const auto* p = files->config_profile(profile.name)) {
      configured = get_value(*p, "region");
      configured_source = "profile '" + profile.name + "'";
    }
  }

  if (host_region) {
    ResolvedRegion r{*host_region, "endpoint host", {}};
    if (!configured.empty() && configured != *host_region)
      r.note = configured_source + " (" + configured + ") ignored: the endpoint " +
               options.endpoint_host + " is in " + *host_region;
    return std::make_optional(std::move(r));
  }
  if (!configured.empty()) {
    if (!looks_like_region(configured))
      return make_error(ErrorCode::kInvalidArgument,
                        configured_source + " names '" + configured + "', which is not a region",
                        "fix it (a region looks like us-east-1 or eu-west-1), or pass --region");
    return std::make_optional(ResolvedRegion{configured, configured_source, {}});
  }

  if (options.imds == ImdsLookup::kYes) {
    std::unique_ptr<http::Transport> transport;
    if (options.transport_factory) transport = options.transport_factory();
    if (!transport) {
      http::TransportOptions o;
      o.retry.max_attempts = 1;
      transport = http::make_transport(o);
    }
    auto r = imds_region(*transport, env);
    if (r.ok() && r.value() && looks_like_region(*r.value()))
      return std::make_optional(ResolvedRegion{*r.value(), "IMDS", {}});
  }
  return std::optional<ResolvedRegion>{};
}

}  // namespace

Result<ResolvedRegion> resolve_region(const RegionOptions& options, const Environment& env) {
  ESSNAP_TRY(auto found, configured_region(options, env));
  if (found) return *std::move(found);
  return make_error(ErrorCode::kInvalidArgument, "no AWS region configured",
                    "pass --region (e.g. --region us-east-1), set AWS_REGION, or add "
                    "'region = ...' to the profile in " +
                        config_file_path(env));
}

Result<ResolvedRegion> resolve_region_or(const RegionOptions& options, std::string fallback,
                                         const Environment& env) {
  // Only the absence of any region falls back; a region that is set but wrong (a typo in
  // AWS_REGION, a profile's "region = us-east1") is the user's error, never silently replaced.
  ESSNAP_TRY(auto found, configured_region(options, env));
  if (found) return *std::move(found);
  return ResolvedRegion{std::move(fallback), "default", {}};
}

}  // namespace essnap::aws
