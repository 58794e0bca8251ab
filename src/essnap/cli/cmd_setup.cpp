// `essnap setup`: parse, build the S3 / IAM / STS / cluster clients, run the library's
// plan -> execute workflow, print each step's outcome (and, on a dry run, every call and
// document).
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "essnap/aws/endpoint.hpp"
#include "essnap/aws/region.hpp"
#include "essnap/aws/sts.hpp"
#include "essnap/cli/aws_context.hpp"
#include "essnap/cli/cluster_flags.hpp"
#include "essnap/cli/command.hpp"
#include "essnap/cli/exit_codes.hpp"
#include "essnap/format/shard_paths.hpp"
#include "essnap/http/factory.hpp"
#include "essnap/iam/iam.hpp"
#include "essnap/s3/client.hpp"
#include "essnap/s3/settings.hpp"
#include "essnap/setup/setup.hpp"

namespace essnap::cli {
namespace {

using nlohmann::json;

struct SetupFlags {
  ClusterFlags cluster;
  std::string domain_endpoint;
  std::string cluster_url;
  std::string bucket;
  std::string repository;
  std::string role;
  std::string kms_key;
  std::string s3_client;
  std::string fs;
  std::string s3_endpoint_url;
  std::string iam_endpoint_url;
  std::string sts_endpoint_url;
  std::string s3_profile;
  std::string shard_path_type;
  bool s3_path_style = false;
  bool readonly = false;
  bool dry_run = false;
  bool fix = false;
  bool print_policies = false;
};

void print_indented(const json& doc, const std::string& indent) {
  std::string text = doc.dump(2);
  std::string line;
  for (char c : text) {
    if (c == '\n') {
      std::cout << indent << line << "\n";
      line.clear();
    } else {
      line += c;
    }
  }
  if (!line.empty()) std::cout << indent << line << "\n";
}

json report_json(const setup::SetupReport& r, const std::string& mode) {
  json steps = json::array();
  for (const auto& i : r.items) {
    json s = {{"step", i.step},
              {"what", i.what},
              {"outcome", setup::to_string(i.outcome)},
              {"detail", i.detail}};
    if (!i.call.empty()) s["call"] = i.call;
    if (!i.document.is_null()) s["document"] = i.document;
    steps.push_back(s);
  }
  json j = {{"mode", mode},
            {"dry_run", r.dry_run},
            {"steps", steps},
            {"repository_body", r.repository_body},
            {"mutating_calls", r.mutating_calls},
            {"next_commands", r.next_commands}};
  if (r.registered_body != r.repository_body) j["registered_body"] = r.registered_body;
  if (!r.role_arn.empty()) {
    j["role_arn"] = r.role_arn;
    j["trust_policy"] = r.trust_policy;
    j["role_policy"] = r.role_policy;
    j["caller_policy"] = r.caller_policy;
  }
  return j;
}

void print_text(const setup::SetupReport& r, const std::string& repository,
                const std::string& mode) {
  std::cout << (r.dry_run ? "essnap setup (dry run: nothing will be changed): " : "essnap setup: ")
            << "repository '" << repository << "' (" << mode << ")\n";
  int created = 0, updated = 0, in_place = 0;
  for (const auto& i : r.items) {
    std::string label = i.step;
    label.resize(12, ' ');
    std::string what = i.what;
    if (what.size() < 40) what.resize(40, ' ');
    std::cout << "  " << label << what << "  " << setup::to_string(i.outcome);
    if (!i.detail.empty()) std::cout << ": " << i.detail;
    std::cout << "\n";
    if (r.dry_run && !i.call.empty()) {
      std::cout << "      " << i.call << "\n";
      if (!i.document.is_null()) print_indented(i.document, "      ");
      if (i.step == "repository" && r.registered_body != r.repository_body) {
        std::cout << "      (test override; a managed domain is sent this instead:)\n";
        print_indented(r.repository_body, "      ");
      }
    }
    switch (i.outcome) {
      case setup::Outcome::kCreated:
      case setup::Outcome::kWouldCreate:
        ++created;
        break;
      case setup::Outcome::kUpdated:
      case setup::Outcome::kWouldUpdate:
        ++updated;
        break;
      case setup::Outcome::kInPlace:
        ++in_place;
        break;
      default:
        break;
    }
  }
  if (r.dry_run) {
    std::cout << "\nWould create " << created << ", update " << updated << "; " << in_place
              << " already in place. Run without --dry-run to apply.\n";
    return;
  }
  std::cout << "\nDone: " << created << " created, " << updated << " updated, " << in_place
            << " already in place.\n";
  if (!r.role_arn.empty()) std::cout << "Snapshot role: " << r.role_arn << "\n";
  std::cout << "Next:\n";
  for (const auto& c : r.next_commands) std::cout << "  " << c << "\n";
}

// The flags as setup options, the region resolved. `g` is the global options with the
// cluster's --region; the cluster flags gain the URL and, for a domain, SigV4 auth.
Result<setup::SetupOptions> options_from_flags(const GlobalOptions& g, SetupFlags& f) {
  setup::SetupOptions o;
  o.repository = f.repository;
  o.readonly = f.readonly;
  o.kms_key = f.kms_key;
  o.role = f.role;
  o.s3_client = f.s3_client;
  o.fix = f.fix ? setup::FixDrift::kYes : setup::FixDrift::kNo;
  if (!f.shard_path_type.empty()) {
    o.shard_path_type = format::parse_shard_path_type(f.shard_path_type);
    if (!o.shard_path_type)
      return make_error(ErrorCode::kInvalidArgument,
                        "--shard-path-type '" + f.shard_path_type.substr(0, 40) +
                            "': not fixed, hashed_prefix or hashed_infix");
  }
  o.execution = f.dry_run ? setup::Execution::kDryRun : setup::Execution::kExecute;

  // Which kind of cluster: --domain-endpoint (AWS-managed), --cluster (self-managed), or --url.
  int given = !f.domain_endpoint.empty() + !f.cluster_url.empty() + !f.cluster.url.empty();
  if (given > 1)
    return make_error(ErrorCode::kInvalidArgument,
                      "give one of --domain-endpoint, --cluster and --url");
  if (!f.domain_endpoint.empty()) f.cluster.url = f.domain_endpoint;
  if (!f.cluster_url.empty()) f.cluster.url = f.cluster_url;
  auto base = resolve_cluster_url(f.cluster);
  if (!base.ok()) {
    if (f.print_policies && f.domain_endpoint.empty() && f.cluster_url.empty())
      f.cluster.url.clear();
    else
      return base.error();
  }
  const bool aws_host = base.ok() && aws::is_aws_host(base->host);
  if (!f.fs.empty()) {
    o.mode = setup::SetupMode::kSelfManagedFs;
    o.fs_location = f.fs;
  } else if (!f.domain_endpoint.empty() || (f.cluster_url.empty() && aws_host) ||
             f.print_policies) {
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

const char* mode_text(setup::SetupMode mode) {
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

// For people who manage IAM as code: the documents, nothing changed.
Result<int> print_policies(const GlobalOptions& global, const setup::SetupOptions& o,
                           const http::TransportOptions& topts, const std::string& sts_endpoint_url,
                           std::shared_ptr<aws::CredentialsProvider> provider) {
  std::string account = "<ACCOUNT_ID>";
  // Only a convenience here: one quick attempt, then the placeholder.
  http::TransportOptions quick = topts;
  quick.retry.max_attempts = 1;
  auto quick_transport = http::make_transport(quick);
  aws::StsClient quick_sts(
      *quick_transport,
      aws::resolve_sts_endpoint(o.region, aws::Environment::process(), sts_endpoint_url), provider);
  if (auto who = quick_sts.get_caller_identity({}); who.ok())
    account = who->account;
  else
    std::cerr << "essnap: could not ask STS for the account id; it is shown as <ACCOUNT_ID>\n";
  auto docs = setup::policy_documents(o, account);
  if (!docs.ok()) return docs.error();
  const std::string& role_name = docs->role.role_name;
  json out = {{"role_name", role_name},
              {"role_arn", docs->role.role_arn},
              {"trust_policy", docs->trust_policy},
              {"role_policy_name", setup::kRolePolicyName},
              {"role_policy", docs->role_policy},
              {"caller_policy", docs->caller_policy},
              {"repository_body", docs->repository_body}};
  if (global.output == OutputFormat::kJson) {
    json_result(std::move(out));
    return kExitOk;
  }
  std::cout << "# Role " << role_name << ": trust policy (who may assume it)\n"
            << out["trust_policy"].dump(2) << "\n\n# Role " << role_name << ": inline policy "
            << setup::kRolePolicyName << " (least privilege on the bucket)\n"
            << out["role_policy"].dump(2)
            << "\n\n# The caller (who runs setup / registers the repository): attach to your "
               "user or role.\n# iam:PassRole belongs here, not in a bucket policy.\n"
            << out["caller_policy"].dump(2) << "\n\n# PUT _snapshot/" << o.repository << "\n"
            << out["repository_body"].dump(2) << "\n";
  return kExitOk;
}

Result<int> run_setup_command(const GlobalOptions& global, SetupFlags& f) {
  GlobalOptions g = global;
  if (!f.cluster.region.empty()) g.region = f.cluster.region;
  auto options = options_from_flags(g, f);
  if (!options.ok()) return options.error();
  setup::SetupOptions& o = *options;
  const bool aws_mode = o.mode == setup::SetupMode::kAwsManaged;

  const auto& env = aws::Environment::process();
  http::TransportOptions topts;
  topts.verbose = global.verbose;
  auto aws_transport = http::make_transport(topts);
  auto cred_options = credential_options(g);
  auto provider = aws::make_default_chain(cred_options);
  std::shared_ptr<aws::CredentialsProvider> s3_provider = provider;
  if (!f.s3_profile.empty()) {
    auto s3_options = cred_options;
    s3_options.profile = f.s3_profile;
    s3_provider = aws::make_default_chain(s3_options);
  }

  std::unique_ptr<s3::Client> s3c;
  if (o.mode != setup::SetupMode::kSelfManagedFs) {
    ESSNAP_TRY_STATUS(provider->credentials());
    // The one S3 options rule; the region is the domain's (resolved above).
    ESSNAP_TRY(s3::ClientOptions so,
               s3::resolve_client_options({o.region, g.profile, f.s3_endpoint_url, f.s3_path_style},
                                          s3_provider, env));
    if (!so.endpoint.url.empty()) {
      auto u = util::parse_url(so.endpoint.url, util::UrlChars::kRaw);
      if (!u.ok()) return u.error();
      if (!aws::is_aws_host(u->host)) o.s3_endpoint = so.endpoint.url;
    }
    s3c = std::make_unique<s3::Client>(*aws_transport, so);
  }
  std::unique_ptr<iam::IamClient> iamc;
  std::unique_ptr<aws::StsClient> stsc;
  if (aws_mode) {
    iamc = std::make_unique<iam::IamClient>(
        *aws_transport, iam::resolve_iam_endpoint(o.region, env, f.iam_endpoint_url), provider);
    stsc = std::make_unique<aws::StsClient>(
        *aws_transport, aws::resolve_sts_endpoint(o.region, env, f.sts_endpoint_url), provider);
  }

  if (f.print_policies) return print_policies(global, o, topts, f.sts_endpoint_url, provider);

  auto cluster_client = make_cluster_client(g, f.cluster);
  if (!cluster_client.ok()) return cluster_client.error();

  if (const char* p = std::getenv("ESSNAP_SETUP_REGISTER_AS_FS_PATH"); p && *p && aws_mode) {
    o.register_as_fs_path = p;
    std::cerr << "essnap: ESSNAP_SETUP_REGISTER_AS_FS_PATH is set (test only): the repository is "
                 "registered as type fs at "
              << p << "/" << o.repository
              << " instead of the type s3 body shown as repository_body\n";
  }

  setup::SetupClients clients{s3c.get(), iamc.get(), stsc.get(), &cluster_client.value()};
  auto rep = setup::run_setup(o, clients);
  if (!rep.ok()) return rep.error();
  if (global.output == OutputFormat::kJson)
    json_result(report_json(*rep, mode_text(o.mode)));
  else
    print_text(*rep, o.repository, mode_text(o.mode));
  return kExitOk;
}

}  // namespace

void register_setup(CLI::App& app, CommandContext ctx) {
  auto f = std::make_shared<SetupFlags>();
  auto* cmd = app.add_subcommand(
      "setup",
      "Make a snapshot repository ready in one idempotent command: bucket, IAM role, "
      "permissions check, registration, verification");
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
  cmd->add_option("--kms-key", f->kms_key, "Default bucket encryption with this KMS key (SSE-KMS)");
  cmd->add_option("--s3-client", f->s3_client, "Self-managed: the cluster's s3.client.NAME");
  cmd->add_option("--fs", f->fs, "Self-managed: register a shared file system repository at PATH");
  cmd->add_option("--s3-endpoint-url", f->s3_endpoint_url,
                  "S3 endpoint (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, AWS)");
  cmd->add_option("--iam-endpoint-url", f->iam_endpoint_url,
                  "IAM endpoint (default: AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL, AWS)");
  cmd->add_option("--sts-endpoint-url", f->sts_endpoint_url,
                  "STS endpoint (default: AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, regional)");
  cmd->add_option("--s3-profile", f->s3_profile,
                  "AWS profile for the S3 calls only (default: the same credentials)");
  cmd->add_flag("--s3-path-style", f->s3_path_style, "Path-style S3 addressing");
  cmd->add_option("--shard-path-type", f->shard_path_type,
                  "OpenSearch >= 2.17: register with shard_path_type fixed, hashed_prefix or "
                  "hashed_infix (see SHARD PATHS; refused on Elasticsearch)");
  cmd->add_flag("--readonly", f->readonly, "Register the repository read-only");
  cmd->add_flag("--dry-run", f->dry_run,
                "Print every call and document it would send; change nothing");
  cmd->add_flag("--fix", f->fix, "Change an existing role or repository that differs");
  cmd->add_flag("--print-policies", f->print_policies,
                "Print the trust policy, role policy and the caller's PassRole statement");
  cmd->fallthrough();
  cmd->footer(
      "STEPS:\n"
      "  cluster reachable -> caller identity -> bucket (create in the region, block public\n"
      "  access, default encryption) -> role trusted by es.amazonaws.com with a least-privilege\n"
      "  inline policy -> iam:PassRole / es:ESHttpPut check -> PUT _snapshot/NAME -> _verify.\n"
      "  Everything is read first; a conflict stops before any change. A second run says\n"
      "  'already in place' for every step.\n\n"
      "SHARD PATHS (OpenSearch 2.17+; README, docs/REPOSITORY_FORMAT.md section 7):\n"
      "  hashed_prefix (OpenSearch 3.x's default) spreads shard data over 2^20 key prefixes,\n"
      "  which S3 scales request rates by, but puts it at <hash>/PREFIX/indices/... OUTSIDE\n"
      "  PREFIX: the role is then also granted arn:...:s3:::BUCKET/*/PREFIX/indices/*\n"
      "  and the plan says so. hashed_infix puts it at PREFIX/<hash>/indices/... (spread, and\n"
      "  inside PREFIX: the tightest policy); fixed at PREFIX/indices/... (one prefix, as\n"
      "  Elasticsearch). The type applies to indices first snapshotted after registration.\n\n"
      "EXAMPLES:\n"
      "  essnap setup --domain-endpoint https://search-logs-abc123.us-east-1.es.amazonaws.com \\\n"
      "      --bucket s3://acme-snapshots/logs --repository nightly --dry-run\n"
      "  essnap setup --domain-endpoint https://search-logs-abc123.us-east-1.es.amazonaws.com \\\n"
      "      --bucket s3://acme-snapshots/logs --repository nightly\n"
      "  essnap setup --bucket s3://acme-snapshots/logs --repository nightly --region us-east-1 "
      "\\\n"
      "      --print-policies                        # for Terraform / CloudFormation\n"
      "  essnap setup --cluster https://es.internal:9200 --auth basic --user admin \\\n"
      "      --bucket s3://acme-snapshots --repository backups --s3-client default\n"
      "  essnap setup --cluster http://localhost:9200 --fs /mnt/snapshots --repository local\n"
      "  essnap setup --domain-endpoint https://search-logs-abc123.us-east-1.es.amazonaws.com \\\n"
      "      --bucket s3://acme-snapshots/logs --repository nightly --shard-path-type "
      "hashed_infix\n\n" +
      std::string(exit_status_help()));
  cmd->callback([ctx, f] { run_command(ctx, [&] { return run_setup_command(*ctx.global, *f); }); });
}

}  // namespace essnap::cli
