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
  auto region = aws::resolve_region(ro, env);
  so.region = region.ok() && !region->region.empty() ? region->region : "us-east-1";
  return so;
}

}  // namespace essnap::s3
