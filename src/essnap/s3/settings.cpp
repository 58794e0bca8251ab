#include "essnap/s3/settings.hpp"

#include "essnap/aws/region.hpp"

namespace essnap::s3 {

Result<ClientOptions> resolve_client_options(const S3Settings& settings,
                                             std::shared_ptr<aws::CredentialsProvider> credentials,
                                             const aws::Environment& env) {
  ClientOptions so;
  so.endpoint = resolve_s3_endpoint(env, settings.endpoint_url);
  so.credentials = std::move(credentials);
  so.addressing = settings.path_style ? AddressingStyle::kPath : AddressingStyle::kAuto;
  aws::RegionOptions ro;
  ro.flag = settings.region;
  ro.profile = settings.profile;
  ro.imds = aws::ImdsLookup::kNo;
  // S3 answers in any region for an endpoint that names none; only an unset region defaults.
  ESSNAP_TRY(auto region, aws::resolve_region_or(ro, "us-east-1", env));
  so.region = region.region;
  return so;
}

}  // namespace essnap::s3
