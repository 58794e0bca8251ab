#include "essnap/cli/setup_flags.hpp"

#include "essnap/aws/endpoint.hpp"
#include "essnap/aws/region.hpp"
#include "essnap/cli/aws_context.hpp"
#include "essnap/s3/settings.hpp"
#include "essnap/setup/setup.hpp"

namespace essnap::cli {

void add_setup_target_flags(CLI::App* cmd, SetupTargetFlags* f) {
  add_cluster_flags(cmd, &f->cluster);
  cmd->add_option("--domain-endpoint", f->domain_endpoint,
                  "Amazon OpenSearch Service / Elasticsearch Service domain endpoint (AWS mode)");
  cmd->add_option("--cluster", f->cluster_url,
                  "Self-managed cluster URL: no IAM; the cluster's own S3 client (or --fs)");
  cmd->add_option("--bucket", f->bucket, "s3://BUCKET[/PREFIX] for the repository");
  cmd->add_option("--repository,-r", f->repository, "Repository name (not starting with cs-)")
      ->required();
  cmd->add_option("--role", f->role,
                  "Snapshot role name or ARN (default: essnap-snapshots-<repository>)");
  cmd->add_option("--fs", f->fs, "Self-managed: a shared file system repository at PATH");
  cmd->add_option("--s3-endpoint-url", f->s3_endpoint_url,
                  "S3 endpoint (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, AWS)");
  cmd->add_option("--iam-endpoint-url", f->iam_endpoint_url,
                  "IAM endpoint (default: AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL, AWS)");
  cmd->add_option("--sts-endpoint-url", f->sts_endpoint_url,
                  "STS endpoint (default: AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, regional)");
  cmd->add_option("--s3-profile", f->s3_profile,
                  "AWS profile for the S3 calls only (default: the same credentials)");
  cmd->add_flag("--s3-path-style", f->s3_path_style, "Path-style S3 addressing");
}

Result<setup::SetupOptions> setup_options_from_flags(const GlobalOptions& g, SetupTargetFlags& f,
                                                     setup::SetupOptions o,
                                                     UrlOptional url_optional) {
  o.repository = f.repository;
  o.role = f.role;
  // Which kind of cluster: --domain-endpoint (AWS-managed), --cluster (self-managed), or --url.
  int given = !f.domain_endpoint.empty() + !f.cluster_url.empty() + !f.cluster.url.empty();
  if (given > 1)
    return make_error(ErrorCode::kInvalidArgument,
                      "give one of --domain-endpoint, --cluster and --url");
  if (!f.domain_endpoint.empty()) f.cluster.url = f.domain_endpoint;
  if (!f.cluster_url.empty()) f.cluster.url = f.cluster_url;
  auto base = resolve_cluster_url(f.cluster);
  if (!base.ok()) {
    if (url_optional == UrlOptional::kYes && f.domain_endpoint.empty() && f.cluster_url.empty())
      f.cluster.url.clear();
    else
      return base.error();
  }
  const bool aws_host = base.ok() && aws::is_aws_host(base->host);
  if (!f.fs.empty()) {
    o.mode = setup::SetupMode::kSelfManagedFs;
    o.fs_location = f.fs;
  } else if (!f.domain_endpoint.empty() || (f.cluster_url.empty() && aws_host) ||
             url_optional == UrlOptional::kYes) {
    o.mode = setup::SetupMode::kAwsManaged;
  } else {
    o.mode = setup::SetupMode::kSelfManagedS3;
  }
  if (o.mode == setup::SetupMode::kAwsManaged && f.cluster.auth.empty())
    f.cluster.auth = "aws";  // domains want SigV4
  o.domain_endpoint = f.cluster.url;

  if (o.mode != setup::SetupMode::kSelfManagedFs) {
    if (f.bucket.empty())
      return make_error(ErrorCode::kInvalidArgument, "--bucket s3://BUCKET[/PREFIX] is required",
                        "or pass --fs PATH for a shared file system repository");
    auto uri = s3::parse_bucket_uri(f.bucket);
    if (!uri.ok()) return uri.error();
    o.bucket = uri->bucket;
    o.prefix = uri->prefix;
  }
  // Names before the region and credentials: bad input fails fast and offline.
  if (auto v = setup::validate_names(o); !v.ok()) return v.error();

  // Region: flag, environment, profile, or the domain's host name.
  if (o.mode != setup::SetupMode::kSelfManagedFs) {
    aws::RegionOptions ro;
    ro.flag = g.region;
    ro.profile = g.profile;
    ro.endpoint_host = base.ok() && aws_host ? base->host : "";
    ro.imds = aws::ImdsLookup::kNo;
    auto region = aws::resolve_region(ro);
    if (!region.ok()) return region.error();
    o.region = region->region;
  }
  return o;
}

Result<AwsClients> make_aws_clients(const GlobalOptions& g, const SetupTargetFlags& f,
                                    setup::SetupOptions& o, WantSts want_sts) {
  const auto& env = aws::Environment::process();
  AwsClients out;
  out.transport_options.verbose = g.verbose;
  out.transport = http::make_transport(out.transport_options);
  auto cred_options = credential_options(g);
  out.provider = aws::make_default_chain(cred_options);
  std::shared_ptr<aws::CredentialsProvider> s3_provider = out.provider;
  if (!f.s3_profile.empty()) {
    auto s3_options = cred_options;
    s3_options.profile = f.s3_profile;
    s3_provider = aws::make_default_chain(s3_options);
  }
  const bool aws_mode = o.mode == setup::SetupMode::kAwsManaged;
  if (o.mode != setup::SetupMode::kSelfManagedFs) {
    ESSNAP_TRY_STATUS(out.provider->credentials());
    // The one S3 options rule; the region is the domain's (resolved above).
    ESSNAP_TRY(s3::ClientOptions so,
               s3::resolve_client_options({o.region, g.profile, f.s3_endpoint_url, f.s3_path_style},
                                          s3_provider, env));
    if (!so.endpoint.url.empty()) {
      auto u = util::parse_url(so.endpoint.url, util::UrlChars::kRaw);
      if (!u.ok()) return u.error();
      if (!aws::is_aws_host(u->host)) o.s3_endpoint = so.endpoint.url;
    }
    out.s3 = std::make_unique<s3::Client>(*out.transport, so);
  }
  if (aws_mode)
    out.iam = std::make_unique<iam::IamClient>(
        *out.transport, iam::resolve_iam_endpoint(o.region, env, f.iam_endpoint_url), out.provider);
  if (aws_mode || (want_sts == WantSts::kWithS3 && out.s3))
    out.sts = std::make_unique<aws::StsClient>(
        *out.transport, aws::resolve_sts_endpoint(o.region, env, f.sts_endpoint_url), out.provider);
  return out;
}

const char* setup_mode_text(setup::SetupMode mode) {
  switch (mode) {
    case setup::SetupMode::kAwsManaged:
      return "AWS-managed domain";
    case setup::SetupMode::kSelfManagedS3:
      return "self-managed cluster, S3";
    case setup::SetupMode::kSelfManagedFs:
      return "self-managed cluster, shared file system";
  }
  return "?";
}

}  // namespace essnap::cli
