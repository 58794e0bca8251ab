// `essnap doctor`: setup's flags (cli/setup_flags.hpp), the library's read-only checks
// (doctor/), each printed with what it saw and its fix; exit 0 all ok, 1 a warning, 8 a failure.
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "essnap/cli/command.hpp"
#include "essnap/cli/exit_codes.hpp"
#include "essnap/cli/setup_flags.hpp"
#include "essnap/doctor/doctor.hpp"
#include "essnap/util/strings.hpp"

namespace essnap::cli {
namespace {

using nlohmann::json;

struct DoctorFlags : SetupTargetFlags {
  std::vector<std::string> skip;
};

// How the user named the cluster, for the `essnap setup` commands in fixes.
std::string target_words(const DoctorFlags& f, const ClusterFlags& resolved) {
  std::string out;
  if (!f.domain_endpoint.empty())
    out = " --domain-endpoint " + util::shell_word(f.domain_endpoint);
  else if (!f.cluster_url.empty())
    out = " --cluster " + util::shell_word(f.cluster_url);
  else
    out = " --url " + util::shell_word(resolved.url);
  if (!resolved.region.empty()) out += " --region " + util::shell_word(resolved.region);
  return out;
}

int exit_for(doctor::CheckStatus worst) {
  switch (worst) {
    case doctor::CheckStatus::kOk:
      return kExitOk;
    case doctor::CheckStatus::kWarn:
      return kExitWarning;
    case doctor::CheckStatus::kFail:
      return kExitConflict;
  }
  return kExitFailure;
}

void print_doctor_text(const doctor::DoctorReport& r, const std::string& repository,
                       const std::string& mode) {
  std::cout << "essnap doctor: repository '" << repository << "' (" << mode << ")\n";
  int counts[3] = {0, 0, 0};
  for (const auto& c : r.checks) {
    ++counts[static_cast<int>(c.status)];
    std::string id = c.id;
    if (id.size() < 20) id.resize(20, ' ');
    std::string status = doctor::to_string(c.status);
    status.resize(5, ' ');
    std::cout << "  " << status << id << " " << c.saw << "\n";
    if (!c.fix.empty()) std::cout << "       fix: " << c.fix << "\n";
  }
  std::cout << "\n"
            << counts[0] << " ok, " << counts[1] << " warning(s), " << counts[2]
            << " failure(s).\n";
}

Result<int> run_doctor_command(const GlobalOptions& global, DoctorFlags& f) {
  GlobalOptions g = global;
  if (!f.cluster.region.empty()) g.region = f.cluster.region;
  ESSNAP_TRY(setup::SetupOptions so, setup_options_from_flags(g, f, setup::SetupOptions{}));
  doctor::DoctorOptions o;
  o.setup = so;
  o.skip.insert(f.skip.begin(), f.skip.end());
  ESSNAP_TRY(AwsClients aws, make_aws_clients(g, f, o.setup, WantSts::kWithS3));
  ESSNAP_TRY(cluster::Client cluster, make_cluster_client(g, f.cluster));
  o.target_words = target_words(f, f.cluster);
  o.request_words = connection_words(f.cluster);
  if (const char* p = std::getenv("ESSNAP_SETUP_REGISTER_AS_FS_PATH");
      p && *p && o.setup.mode == setup::SetupMode::kAwsManaged) {
    o.expect_fs_path = p;
    std::cerr << "essnap: ESSNAP_SETUP_REGISTER_AS_FS_PATH is set (test only): the repository is "
                 "expected as type fs at "
              << p << "/" << o.setup.repository << "\n";
  }
  doctor::DoctorClients clients{&cluster, aws.s3.get(), aws.iam.get(), aws.sts.get(), {}};
  ESSNAP_TRY(auto report, doctor::run_doctor(o, clients));
  if (global.output == OutputFormat::kJson) {
    json checks = json::array();
    for (const auto& c : report.checks) checks.push_back(doctor::to_json(c));
    json out = {{"repository", o.setup.repository},
                {"mode", setup_mode_text(o.setup.mode)},
                {"status", doctor::to_string(report.worst())},
                {"checks", checks}};
    if (!report.caller_arn.empty()) out["caller_arn"] = report.caller_arn;
    if (!report.role_arn.empty()) out["role_arn"] = report.role_arn;
    json_result(std::move(out));
  } else {
    print_doctor_text(report, o.setup.repository, setup_mode_text(o.setup.mode));
  }
  return exit_for(report.worst());
}

}  // namespace

void register_doctor(CLI::App& app, CommandContext ctx) {
  auto f = std::make_shared<DoctorFlags>();
  auto* cmd = app.add_subcommand(
      "doctor",
      "Check a snapshot set-up read-only: caller, cluster, repository, role, bucket — each "
      "check ok / warn / fail with what it saw and the exact fix");
  add_setup_target_flags(cmd, f.get());
  cmd->add_option("--skip", f->skip, "Leave out this check (repeatable)")
      ->check(CLI::IsMember(doctor::check_ids()));
  cmd->fallthrough();
  cmd->footer(
      "CHECKS (read-only: nothing is created, changed or deleted):\n"
      "  identity (STS); cluster reachable (a private DNS answer: a VPC domain); repository-s3\n"
      "  on every node or path.repo holding the fs location; fine-grained access control's\n"
      "  manage_snapshots mapping; the repository's settings (readonly, compress,\n"
      "  max_snapshot_bytes_per_sec, shard_path_type); snapshots and deletions in flight;\n"
      "  SM / SLM policies writing to the repository; the snapshot role's trust "
      "(es.amazonaws.com,\n"
      "  aws:SourceAccount) and S3 permissions on every kind of blob the engine writes; the\n"
      "  caller's iam:PassRole and es:ESHttpPut; the bucket's region and owner, lifecycle rules\n"
      "  (Glacier, Deep Archive, expiry), Intelligent-Tiering archive tiers, versioning without\n"
      "  noncurrent expiry, Object Lock, replication, default encryption (SSE-KMS: the role's\n"
      "  use of the key). Permissions are checked with IAM SimulatePrincipalPolicy; where the\n"
      "  server does not offer it, the role's inline policy essnap-snapshot-s3 is evaluated\n"
      "  locally and the check says so.\n\n"
      "EXAMPLES:\n"
      "  essnap doctor --domain-endpoint https://search-logs-abc123.us-east-1.es.amazonaws.com \\\n"
      "      --bucket s3://acme-snapshots/logs --repository nightly\n"
      "  essnap -o json doctor --domain-endpoint "
      "https://search-logs-abc123.us-east-1.es.amazonaws.com \\\n"
      "      --bucket s3://acme-snapshots/logs --repository nightly --skip caller-permissions\n"
      "  essnap doctor --cluster https://es.internal:9200 --auth basic --user admin \\\n"
      "      --bucket s3://acme-snapshots --repository backups\n"
      "  essnap doctor --cluster http://localhost:9200 --fs /mnt/snapshots --repository local\n\n"
      "EXIT STATUS (doctor):\n"
      "  0    every check ok\n"
      "  1    at least one warning, no failure\n"
      "  8    at least one check failed\n"
      "  2-7  the checks could not run (bad flags, no credentials, ...), as below\n\n" +
      std::string(exit_status_help()));
  cmd->callback(
      [ctx, f] { run_command(ctx, [&] { return run_doctor_command(*ctx.global, *f); }); });
}

}  // namespace essnap::cli
