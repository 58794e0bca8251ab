// The flags `essnap setup` and `essnap doctor` share — which cluster (--domain-endpoint,
// --cluster, or the cluster flags' --url), the repository, its bucket or file system path, the
// role, the AWS endpoint overrides and S3 profile — with their one translation into
// setup::SetupOptions (mode and region resolved) and into the S3, IAM and STS clients.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "essnap/aws/credentials.hpp"
#include "essnap/aws/sts.hpp"
#include "essnap/cli/cluster_flags.hpp"
#include "essnap/cli/command.hpp"
#include "essnap/http/factory.hpp"
#include "essnap/iam/iam.hpp"
#include "essnap/s3/client.hpp"
#include "essnap/setup/options.hpp"

namespace essnap::cli {

struct SetupTargetFlags {
  ClusterFlags cluster;
  std::string domain_endpoint;
  std::string cluster_url;
  std::string bucket;
  std::string repository;
  std::string role;
  std::string fs;
  std::string s3_endpoint_url;
  std::string iam_endpoint_url;
  std::string sts_endpoint_url;
  std::string s3_profile;
  bool s3_path_style = false;
};

// --domain-endpoint, --cluster, --bucket, --repository/-r (required), --role, --fs, the endpoint
// overrides, --s3-profile, --s3-path-style, and the cluster flags.
void add_setup_target_flags(CLI::App* cmd, SetupTargetFlags* flags);

// `base` (the command's own settings: KMS key, read-only, fix, dry run, ...) completed from the
// flags: the kind of cluster, the repository, bucket and prefix or path, the role and the
// region (flag, environment, profile, or the domain's host name); names validated offline.
// The cluster flags gain the URL and, for a domain, SigV4 auth. With `url_optional`, a missing
// cluster URL is allowed (setup --print-policies).
enum class UrlOptional { kNo, kYes };
Result<setup::SetupOptions> setup_options_from_flags(const GlobalOptions& global,
                                                     SetupTargetFlags& flags,
                                                     setup::SetupOptions base,
                                                     UrlOptional url_optional = UrlOptional::kNo);

// The AWS side of a setup or doctor run: one transport, the credentials, and the clients the
// mode needs (S3 for buckets; IAM for a domain; STS for a domain, or wherever `sts` asks).
struct AwsClients {
  http::TransportOptions transport_options;
  std::unique_ptr<http::Transport> transport;
  std::shared_ptr<aws::CredentialsProvider> provider;
  std::unique_ptr<s3::Client> s3;
  std::unique_ptr<iam::IamClient> iam;
  std::unique_ptr<aws::StsClient> sts;
};
enum class WantSts { kDomainOnly, kWithS3 };
// Also sets options.s3_endpoint for a non-AWS S3 endpoint (sent in the repository body).
Result<AwsClients> make_aws_clients(const GlobalOptions& global, const SetupTargetFlags& flags,
                                    setup::SetupOptions& options,
                                    WantSts sts = WantSts::kDomainOnly);

// "AWS-managed domain", "self-managed cluster, S3", ...: the mode in words (setup, doctor).
const char* setup_mode_text(setup::SetupMode mode);

}  // namespace essnap::cli
