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
#include "essnap/cli/setup_flags.hpp"
#include "essnap/doctor/doctor.hpp"
#include "essnap/format/shard_paths.hpp"
#include "essnap/http/factory.hpp"
#include "essnap/iam/iam.hpp"
#include "essnap/s3/client.hpp"
#include "essnap/s3/settings.hpp"
#include "essnap/setup/setup.hpp"
#include "essnap/util/strings.hpp"

namespace essnap::cli {
namespace {

using nlohmann::json;

struct SetupFlags : SetupTargetFlags {
  std::string kms_key;
  std::string s3_client;
  std::string shard_path_type;
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

// The flags as setup options, the region resolved (cli/setup_flags.hpp, shared with doctor).
Result<setup::SetupOptions> options_from_flags(const GlobalOptions& g, SetupFlags& f) {
  setup::SetupOptions o;
  o.readonly = f.readonly;
  o.kms_key = f.kms_key;
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
  return setup_options_from_flags(g, f, std::move(o),
                                  f.print_policies ? UrlOptional::kYes : UrlOptional::kNo);
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

// The doctor's checks of the set-up, as JSON objects (id, status, saw, fix); a check run that
// cannot start at all is one warning saying why.
json setup_checks(const setup::SetupOptions& o, const SetupFlags& f, const setup::SetupClients& c) {
  doctor::DoctorOptions d;
  d.setup = o;
  d.expect_fs_path = o.register_as_fs_path;
  d.target_words = !f.domain_endpoint.empty()
                       ? " --domain-endpoint " + util::shell_word(f.domain_endpoint)
                   : !f.cluster_url.empty() ? " --cluster " + util::shell_word(f.cluster_url)
                                            : " --url " + util::shell_word(f.cluster.url);
  d.request_words = connection_words(f.cluster);
  auto rep = doctor::run_doctor(d, {c.cluster, c.s3, c.iam, c.sts, {}});
  json out = json::array();
  if (!rep.ok()) {
    out.push_back(
        {{"id", "doctor"}, {"status", "warn"}, {"saw", rep.error().message}, {"fix", nullptr}});
    return out;
  }
  for (const auto& check : rep->checks) out.push_back(doctor::to_json(check));
  return out;
}

void print_checks(const json& checks, bool dry_run) {
  std::cout << "\nChecks (essnap doctor, of the set-up as it is now"
            << (dry_run ? ", before the plan above" : "") << "; they never stop setup):\n";
  for (const auto& c : checks) {
    std::string status = c.value("status", "");
    status.resize(5, ' ');
    std::string id = c.value("id", "");
    if (id.size() < 20) id.resize(20, ' ');
    std::cout << "  " << status << id << " " << c.value("saw", "") << "\n";
    if (c.contains("fix") && c["fix"].is_string())
      std::cout << "       fix: " << c["fix"].get<std::string>() << "\n";
  }
}

Result<int> run_setup_command(const GlobalOptions& global, SetupFlags& f) {
  GlobalOptions g = global;
  if (!f.cluster.region.empty()) g.region = f.cluster.region;
  auto options = options_from_flags(g, f);
  if (!options.ok()) return options.error();
  setup::SetupOptions& o = *options;
  const bool aws_mode = o.mode == setup::SetupMode::kAwsManaged;

  ESSNAP_TRY(AwsClients aws, make_aws_clients(g, f, o));
  s3::Client* s3c = aws.s3.get();
  iam::IamClient* iamc = aws.iam.get();
  aws::StsClient* stsc = aws.sts.get();

  if (f.print_policies)
    return print_policies(global, o, aws.transport_options, f.sts_endpoint_url, aws.provider);

  auto cluster_client = make_cluster_client(g, f.cluster);
  if (!cluster_client.ok()) return cluster_client.error();

  if (const char* p = std::getenv("ESSNAP_SETUP_REGISTER_AS_FS_PATH"); p && *p && aws_mode) {
    o.register_as_fs_path = p;
    std::cerr << "essnap: ESSNAP_SETUP_REGISTER_AS_FS_PATH is set (test only): the repository is "
                 "registered as type fs at "
              << p << "/" << o.repository
              << " instead of the type s3 body shown as repository_body\n";
  }

  setup::SetupClients clients{s3c, iamc, stsc, &cluster_client.value()};
  auto rep = setup::run_setup(o, clients);
  if (!rep.ok()) return rep.error();
  // essnap doctor's checks belong to the plan: shown (of the set-up as it is now, so after a dry
  // run they show what the plan would change), never failing setup.
  auto checks = setup_checks(o, f, clients);
  if (global.output == OutputFormat::kJson) {
    json j = report_json(*rep, setup_mode_text(o.mode));
    j["checks"] = checks;
    json_result(std::move(j));
  } else {
    print_text(*rep, o.repository, setup_mode_text(o.mode));
    print_checks(checks, rep->dry_run);
  }
  return kExitOk;
}

}  // namespace

void register_setup(CLI::App& app, CommandContext ctx) {
  auto f = std::make_shared<SetupFlags>();
  auto* cmd = app.add_subcommand(
      "setup",
      "Make a snapshot repository ready in one idempotent command: bucket, IAM role, "
      "permissions check, registration, verification");
  add_setup_target_flags(cmd, f.get());
  cmd->add_option("--kms-key", f->kms_key, "Default bucket encryption with this KMS key (SSE-KMS)");
  cmd->add_option("--s3-client", f->s3_client, "Self-managed: the cluster's s3.client.NAME");
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
      "  'already in place' for every step. Then essnap doctor's checks are printed (-o json:\n"
      "  \"checks\"); a warning or failure there never stops setup.\n\n"
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
