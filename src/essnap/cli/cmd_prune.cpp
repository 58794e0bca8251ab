// `essnap prune`: the retention plan over the snapshots a policy owns, printed as a table, then
// deleted in batches through util::run_plan (confirm on a terminal, --yes otherwise).
// `--plan-from FILE --now TIME` plans from a saved listing with no cluster and never deletes.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "essnap/aws/timestamp.hpp"
#include "essnap/cli/cluster_flags.hpp"
#include "essnap/cli/command.hpp"
#include "essnap/cli/exit_codes.hpp"
#include "essnap/cli/keep_flags.hpp"
#include "essnap/cli/progress_output.hpp"
#include "essnap/cli/repository_flag.hpp"
#include "essnap/cluster/names.hpp"
#include "essnap/retention/prune.hpp"

namespace essnap::cli {
namespace {

using nlohmann::json;

struct PruneFlags {
  ClusterFlags cluster;
  std::string repository;
  std::string policy;
  std::vector<std::string> match;
  KeepFlags keep;
  std::string plan_from;
  std::string now;
  bool dry_run = false;
  bool yes = false;
};

Result<retention::PruneOptions> make_options(PruneFlags& f) {
  ESSNAP_TRY(f.repository, resolve_repository(f.repository));
  for (const auto& m : f.match) ESSNAP_TRY_STATUS(cluster::names::validate_text(m, "--match"));
  ESSNAP_TRY_STATUS(cluster::names::validate_text(f.policy, "--policy"));
  if (f.policy.empty() && f.match.empty())  // before connecting; the library checks it too
    return Error(
        ErrorCode::kInvalidArgument, "no snapshots are owned: no policy and no --match",
        "pass --policy NAME (snapshots essnap made for it) or --match GLOB to adopt others");
  retention::PruneOptions o;
  o.repository = f.repository;
  o.ownership = {f.policy, f.match};
  ESSNAP_TRY(o.policy, keep_policy(f.keep));
  return o;
}

// A saved `GET _snapshot/R/_all` answer.
Result<std::vector<cluster::SnapshotInfo>> read_listing(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return Error(ErrorCode::kIo, "cannot read --plan-from " + path,
                 "save one with: essnap request GET /_snapshot/REPO/_all > FILE");
  std::stringstream ss;
  ss << in.rdbuf();
  return cluster::parse_snapshot_listing(ss.str(), path);
}

std::string cell(std::string s, std::size_t width) {
  if (s.size() < width) s.resize(width, ' ');
  return s;
}

void print_table(const retention::PrunePlan& pp) {
  std::size_t w = 8;
  for (const auto& d : pp.decisions) w = std::max(w, d.snapshot.name.size());
  std::cout << cell("SNAPSHOT", w) << "  " << cell("DATE", 20) << "  " << cell("STATE", 11) << "  "
            << cell("ACTION", 6) << "  REASONS\n";
  for (std::size_t i = 0; i < pp.decisions.size(); ++i) {
    const auto& d = pp.decisions[i];
    const bool timed = d.snapshot.time.time_since_epoch().count() > 0;
    std::string reasons;
    for (const auto& r : d.reasons) reasons += (reasons.empty() ? "" : "; ") + r;
    if (!pp.managed_by[i].empty()) reasons += "  [" + pp.managed_by[i] + "]";
    std::cout << cell(d.snapshot.name, w) << "  "
              << cell(timed ? aws::format_iso8601(d.snapshot.time) : "-", 20) << "  "
              << cell(d.snapshot.state.text, 11) << "  " << cell(to_string(d.action), 6) << "  "
              << reasons << "\n";
  }
  std::cout << pp.plan.summary << "\n" << std::flush;
}

Result<int> finish_json(json doc, const Result<util::Outcome>& ran,
                        const retention::PruneReport& rep) {
  doc["deleted"] = rep.deleted;
  doc["already_gone"] = rep.already_gone;
  doc["delete_requests"] = rep.delete_requests;
  doc["outcome"] = !ran.ok() ? "failed" : *ran == util::Outcome::kDryRun ? "dry_run" : "executed";
  json_result(std::move(doc));
  if (!ran.ok()) return ran.error();
  return kExitOk;
}

Result<int> run_prune(const GlobalOptions& g, PruneFlags f) {
  auto now = std::chrono::system_clock::now();
  if (!f.now.empty()) {  // a bad flag value is a usage error (exit 2), checked before anything
    auto t = aws::parse_iso8601(f.now);
    if (!t.ok())
      return Error(ErrorCode::kInvalidArgument, "--now: " + t.error().message,
                   "give a UTC time such as 2026-12-01T00:00:00Z");
    now = *t;
  }
  auto options = make_options(f);
  if (!options.ok()) return options.error();
  const bool offline = !f.plan_from.empty();
  if (offline != !f.now.empty())
    return Error(ErrorCode::kInvalidArgument, "--plan-from and --now go together",
                 "--now 2026-12-01T00:00:00Z says when the saved listing was taken");
  std::optional<cluster::Client> client;
  Result<retention::PrunePlan> plan = Error(ErrorCode::kInternal, "not planned");
  if (offline) {
    auto listing = read_listing(f.plan_from);
    if (!listing.ok()) return listing.error();
    plan = retention::make_prune_plan(*options, *listing, now);
  } else {
    auto c = make_cluster_client(g, f.cluster);
    if (!c.ok()) return c.error();
    client.emplace(std::move(*c));
    plan = retention::plan_prune(*client, *options, now);
  }
  if (!plan.ok()) return plan.error();

  const bool as_json = g.output == OutputFormat::kJson;
  ProgressOutput progress(progress_style(g, false));
  InterruptScope interrupts;
  retention::PruneReport report;
  snapshot::DeleteHooks hooks;
  hooks.wait = wait_hooks(progress);
  hooks.deleted = [&](const std::string& n) {
    if (!as_json) std::cout << "deleted " << n << "\n" << std::flush;
  };
  hooks.gone = [&](const std::string& n) {
    if (!as_json) std::cout << "already gone: " << n << "\n" << std::flush;
  };
  auto ran = util::run_plan(
      plan->plan, confirm_policy(f.yes, f.dry_run || offline),
      [&](const util::Plan&) {
        if (!as_json) print_table(*plan);
      },
      [&]() -> Status {
        auto r = retention::execute_prune(*client, *plan, hooks);
        if (!r.ok()) return r.error();
        report = std::move(*r);
        return ok_status();
      });
  if (as_json) return finish_json(retention::plan_json(*plan), ran, report);
  if (!ran.ok()) return ran.error();
  if (*ran == util::Outcome::kExecuted && !plan->remove.empty())
    std::cout << "deleted " << report.deleted.size() << " snapshot(s) in " << report.delete_requests
              << " request(s)"
              << (report.already_gone.empty()
                      ? ""
                      : "; " + std::to_string(report.already_gone.size()) + " already gone")
              << "\n";
  return kExitOk;
}

}  // namespace

void register_prune(CLI::App& app, CommandContext ctx) {
  auto f = std::make_shared<PruneFlags>();
  auto* c = app.add_subcommand(
      "prune", "Delete the snapshots a retention policy no longer keeps (plan, then confirm)");
  c->fallthrough();
  add_cluster_flags(c, &f->cluster);
  c->add_option("--repository,-r", f->repository, "Repository (default: ESSNAP_REPOSITORY)");
  c->add_option("--policy", f->policy, "Own the snapshots essnap made for this policy");
  c->add_option("--match", f->match, "Also own snapshots whose name matches GLOB (repeatable)");
  add_keep_flags(c, &f->keep);
  c->add_flag("--dry-run", f->dry_run, "Print the plan only");
  c->add_flag("--yes,-y", f->yes, "Do not ask (required when there is no terminal)");
  c->add_option("--plan-from", f->plan_from,
                "Plan from a saved GET _snapshot/REPO/_all answer; no cluster, never deletes");
  c->add_option("--now", f->now, "With --plan-from: the time to plan at (2026-12-01T00:00:00Z)");
  c->footer(
      "The plan lists every owned snapshot, keep or remove, and every rule that decided it.\n"
      "Safety: an empty policy is refused; the newest SUCCESS snapshot and at least --keep-min\n"
      "are always kept; running snapshots are never touched; FAILED/PARTIAL ones go only with\n"
      "--prune-failed; AWS cs-* repositories are refused. Nothing is deleted without\n"
      "confirmation: on a terminal it asks; otherwise --yes is required (exit 8 without it).\n"
      "Deletes go in batches (DELETE _snapshot/R/a,b,c), waiting while another snapshot or\n"
      "deletion runs; a snapshot already gone is reported, not an error.\n"
      "Durations (--keep-within*) are restic's: y (years), m (MONTHS, as in restic; mo too),\n"
      "d (days), h (hours), e.g. 1y2m3d4h; months and years are calendar steps in --tz.\n\n"
      "EXAMPLES:\n"
      "  essnap prune -r s3-repo --policy nightly --keep-daily 7 --keep-weekly 4 --dry-run\n"
      "  essnap prune -r s3-repo --match 'curator-*' --keep-last 30 --yes\n"
      "  essnap -o json prune -r s3-repo --policy nightly --keep-within 30d --yes\n"
      "  essnap prune -r s3-repo --policy nightly --keep-last 5 --plan-from all.json \\\n"
      "      --now 2026-12-01T00:00:00Z\n\n" +
      std::string(exit_status_help()));
  c->callback([ctx, f] { run_command(ctx, [&] { return run_prune(*ctx.global, *f); }); });
}

}  // namespace essnap::cli
