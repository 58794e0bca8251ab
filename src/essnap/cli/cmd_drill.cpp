// `essnap drill`: prove a snapshot restorable — restore it into scratch indices, compare them with
// the snapshot, delete them, report the restore's time and throughput (drill/drill.hpp).
#include <iostream>
#include <nlohmann/json.hpp>

#include "essnap/cli/cluster_flags.hpp"
#include "essnap/cli/command.hpp"
#include "essnap/cli/exit_codes.hpp"
#include "essnap/cli/progress_output.hpp"
#include "essnap/cli/repository_flag.hpp"
#include "essnap/cli/transfer_common.hpp"
#include "essnap/cluster/names.hpp"
#include "essnap/drill/drill.hpp"
#include "essnap/snapshot/naming.hpp"
#include "essnap/snapshot/selection.hpp"
#include "essnap/util/progress.hpp"
#include "essnap/util/strings.hpp"

namespace essnap::cli {
namespace {

struct DrillFlags {
  ClusterFlags cluster;
  std::string repository;
  std::string snapshot;
  std::vector<std::string> indices;
  std::string suffix;
  int sample = 10;
  std::vector<std::string> location_map;
  S3Flags s3;
  bool dry_run = false;
  bool quiet = false;
};

std::string rate(double bytes_per_second) {
  return util::format_bytes(static_cast<std::int64_t>(bytes_per_second)) + "/s";
}

void print_report(const drill::DrillReport& r) {
  std::cout << "drill of " << r.repository << "/" << r.snapshot << ": "
            << (r.error      ? "NO VERDICT"
                : r.passed() ? "PASSED"
                             : "FAILED")
            << "\n";
  if (r.restore_seconds > 0)
    std::cout << "  restore: " << r.indices.size() << " index(es), "
              << util::format_bytes(r.restored_bytes) << " in "
              << util::format_duration(
                     std::chrono::milliseconds(static_cast<std::int64_t>(r.restore_seconds * 1000)))
              << " (" << rate(r.bytes_per_second) << ")\n";
  for (const auto& i : r.indices) {
    std::cout << "  " << i.source << " -> " << i.scratch << ": restore " << to_string(i.restore);
    if (i.restored_documents >= 0) std::cout << ", " << i.restored_documents << " documents";
    std::cout << ", count " << to_string(i.count);
    if (!i.count_detail.empty()) std::cout << " (" << i.count_detail << ")";
    std::cout << ", sample " << to_string(i.sample);
    if (i.sample != drill::Check::kNotChecked) std::cout << " (" << i.sampled << " documents)";
    std::cout << "\n";
  }
  for (const auto& p : r.problems) std::cout << "  problem: " << p << "\n";
  for (const auto& w : r.warnings) std::cout << "  warning: " << w << "\n";
  if (!r.deleted.empty())
    std::cout << "  cleaned up: deleted " << util::join(r.deleted, ", ") << "\n";
  if (!r.left.empty()) std::cout << "  NOT cleaned up: " << util::join(r.left, ", ") << "\n";
}

// A second client on the same cluster without --timeout's deadline: the scratch indices are
// deleted even when the deadline ended the drill.
Result<std::unique_ptr<cluster::Client>> cleanup_client(const GlobalOptions& g, ClusterFlags& f) {
  ESSNAP_TRY(cluster::ConnectionSpec spec, connection_spec(g, f));
  spec.deadline.reset();
  ESSNAP_TRY(auto conn, cluster::open_connection(std::move(spec)));
  return conn->make_client();
}

Result<int> run_drill(const GlobalOptions& g, DrillFlags f) {
  ESSNAP_TRY(f.repository, resolve_repository(f.repository));
  if (!f.snapshot.empty()) {
    ESSNAP_TRY(f.snapshot,
               snapshot::resolve_snapshot_reference(f.snapshot, std::chrono::system_clock::now()));
    ESSNAP_TRY_STATUS(cluster::names::validate_snapshot_name(f.snapshot, "--snapshot"));
  }
  ESSNAP_TRY_STATUS(cluster::names::validate_index_arguments(f.indices, "--indices"));
  ESSNAP_TRY(const auto location_map, parse_location_map(f.location_map));
  drill::DrillOptions o;
  o.repository = f.repository;
  o.snapshot = f.snapshot;
  o.patterns = snapshot::split_patterns(f.indices);
  o.suffix = f.suffix.empty() ? drill::default_suffix(std::chrono::system_clock::now()) : f.suffix;
  o.sample = f.sample;
  ProgressOutput progress(progress_style(g, f.quiet));
  o.hooks = wait_hooks(progress);

  auto client = make_cluster_client(g, f.cluster);
  if (!client.ok()) return client.error();
  auto plan = drill::plan_drill(*client, o);
  if (!plan.ok()) return plan.error();
  const bool json = g.output == OutputFormat::kJson;
  std::optional<drill::DrillReport> report;
  InterruptScope interrupts;
  auto ran = util::run_plan(
      drill::describe_drill(*plan), confirm_policy(true, f.dry_run),
      [&](const util::Plan& p) { print_plan(p, g, plan_run(f.dry_run)); },
      [&]() -> Status {
        std::unique_ptr<cluster::Client> separate;
        cluster::Client* cleanup = &*client;
        if (f.cluster.timeout > 0) {
          auto c = cleanup_client(g, f.cluster);
          if (!c.ok()) return c.error();
          separate = std::move(*c);
          cleanup = separate.get();
        }
        std::string why_recorded;
        auto docs = drill::snapshot_documents(
            plan->restore.snapshot,
            drill::open_repository_store(*client, f.repository, location_map,
                                         blob_open_options(g, f.s3, f.cluster.region)),
            &why_recorded);
        if (!why_recorded.empty()) o.hooks.notify(why_recorded);
        report = drill::execute_drill(*client, *cleanup, *plan, *docs, o);
        progress.finish();
        return ok_status();
      });
  if (!ran.ok()) return ran.error();
  if (*ran == util::Outcome::kDryRun) {
    if (json) json_field("dry_run", true);
    return kExitOk;
  }
  const auto& r = *report;
  if (json)
    json_field("drill", r.to_json());
  else
    print_report(r);
  if (r.error) {
    Error e = *r.error;
    // The restore went with its scratch indices: nothing keeps running to re-attach to.
    if (e.code == ErrorCode::kInterrupted)
      e = Error(ErrorCode::kInterrupted,
                "interrupted: the drill of snapshot " + r.snapshot + " stopped before its verdict");
    if (!r.deleted.empty() || !r.left.empty())
      e.hint = (r.left.empty() ? "the scratch indices were deleted"
                               : "scratch indices left: " + util::join(r.left, ", ") +
                                     "; delete them with: " + plan->cleanup_command()) +
               (e.hint.empty() ? "" : ". " + e.hint);
    return e;
  }
  if (!r.passed())
    return Error(ErrorCode::kIncomplete,
                 "the drill disproves snapshot " + r.snapshot + ": " + r.problems.front(),
                 r.problems.size() > 1
                     ? std::to_string(r.problems.size()) + " problems, listed above"
                     : "find every damaged blob with: essnap inspect verify --repository " +
                           util::shell_word(r.repository) + " " + util::shell_word(r.snapshot) +
                           " --read-data" + connection_words(f.cluster));
  return kExitOk;
}

}  // namespace

void register_drill(CLI::App& app, CommandContext ctx) {
  auto f = std::make_shared<DrillFlags>();
  auto* cmd = app.add_subcommand(
      "drill", "Prove a snapshot restorable: restore it into scratch indices, check, delete them");
  cmd->fallthrough();
  add_cluster_flags(cmd, &f->cluster);
  cmd->add_option("--repository,-r", f->repository, "Repository (default: ESSNAP_REPOSITORY)");
  cmd->add_option("--snapshot", f->snapshot,
                  "Snapshot to drill (default: the newest SUCCESS snapshot holding the indices)");
  cmd->add_option("--indices,-i", f->indices,
                  "Indices of the snapshot: names, patterns, -exclusions (default: all but system "
                  "indices)");
  cmd->add_option("--into-suffix", f->suffix,
                  "Suffix of the scratch indices' names (default: -drill-YYYYMMDD, UTC)");
  cmd->add_option("--sample", f->sample, "Documents compared per index (default 10; 0: none)")
      ->check(integer_at_least(0));
  cmd->add_option("--location-map", f->location_map,
                  "FROM=TO: the repository's location as this machine sees it (repeatable), to "
                  "read the snapshot's segments, e.g. /mnt/es-backups=s3://bucket/prefix");
  add_s3_flags(cmd, &f->s3);
  cmd->add_flag("--dry-run", f->dry_run, "Print the plan and the disk check only");
  cmd->add_flag("--quiet,-q", f->quiet, "No progress output");
  cmd->footer(
      "Restores the snapshot into scratch indices on the cluster named (INDEX + the suffix; no\n"
      "aliases, number_of_replicas 0), after the restore's own checks and a disk check (the\n"
      "selected indices' size in the snapshot against the data nodes' free disk below the 90%\n"
      "high watermark; too little exits 8). A scratch name already in use is refused (exit 8),\n"
      "never overwritten. It waits for every primary, then compares each restored index with\n"
      "the snapshot: its document count with the live documents of the snapshot's own Lucene\n"
      "segments, and --sample documents' _source byte for byte with the snapshot's, read from\n"
      "the repository's blobs where the cluster says they are (--location-map when this\n"
      "machine sees them elsewhere; s3:// with this machine's AWS credentials). When they\n"
      "cannot be read from here, the count is the one essnap recorded in the snapshot's\n"
      "metadata when it took it ('not checked', with a warning, without one) and documents are\n"
      "not sampled. The scratch indices are deleted at the end whatever happened: after a\n"
      "failure, --timeout, Ctrl-C or SIGTERM too (a second Ctrl-C ends at once and leaves them;\n"
      "the plan prints the command that deletes them). The report gives the restore's time and\n"
      "throughput: the recovery time a real restore of these indices would take.\n"
      "Exit 0 when every check that ran passed; 9 when the drill disproves the snapshot (a\n"
      "primary failed to restore — a damaged blob —, a count differs, the engine refuses it);\n"
      "130 when interrupted (after cleaning up).\n\n"
      "EXAMPLES:\n"
      "  essnap drill -r s3-repo\n"
      "  essnap drill -r s3-repo --snapshot nightly-2026.12.07 -i 'orders*' --sample 50\n"
      "  essnap drill -r s3-repo --url https://scratch-cluster:9200 --into-suffix -restore-test\n"
      "  essnap drill -r s3-repo --dry-run -o json\n\n" +
      std::string(exit_status_help()));
  cmd->callback([ctx, f] { run_command(ctx, [&] { return run_drill(*ctx.global, *f); }); });
}

}  // namespace essnap::cli
