#include "essnap/cli/aws_context.hpp"

#include "essnap/cluster/connection.hpp"
#include "essnap/http/factory.hpp"

namespace essnap::cli {

aws::CredentialOptions credential_options(const GlobalOptions& global) {
  return cluster::credential_options(global.profile, global.region, global.verbose);
}

blob::OpenOptions blob_open_options(const GlobalOptions& global, const S3Flags& s3,
                                    const std::string& region_flag) {
  GlobalOptions g = global;
  if (!region_flag.empty()) g.region = region_flag;
  blob::OpenOptions o;
  o.s3.region = g.region;
  o.s3.profile = g.profile;
  o.s3.endpoint_url = s3.endpoint_url;
  o.s3.path_style = s3.path_style;
  o.credentials = credential_options(g);
  o.transport.verbose = g.verbose;
  return o;
}

}  // namespace essnap::cli
