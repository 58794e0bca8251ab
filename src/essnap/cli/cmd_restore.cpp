// `essnap restore SNAPSHOT --repository R`: plan, pre-flight checks (name conflicts, system
// indices, version compatibility), then restore and follow the recovery.
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "essnap/cli/cluster_flags.hpp"
#include "essnap/cli/command.hpp"
#include "essnap/cli/exit_codes.hpp"
#include "essnap/cli/progress_output.hpp"
#include "essnap/cli/rename_flags.hpp"
#include "essnap/cli/repository_flag.hpp"
#include "essnap/cluster/names.hpp"
#include "essnap/cluster/search.hpp"
#include "essnap/cluster/snapshots.hpp"
#include "essnap/snapshot/naming.hpp"
#include "essnap/snapshot/restore.hpp"
#include "essnap/snapshot/selection.hpp"
#include "essnap/util/strings.hpp"

namespace essnap::cli {
namespace {

struct RestoreFlags {
  ClusterFlags cluster;
  std::string repository;
  std::string snapshot;
  std::vector<std::string> indices;
  RenameFlags rename;  // --rename, --rename-regex, --rename-suffix (cli/rename_flags.hpp)
  std::vector<std::string> index_settings;
  std::vector<std::string> ignore_index_settings;
  bool no_aliases = false;
  bool include_aliases = false;
  bool include_global_state = false;
  bool partial = false;
  bool include_system = false;
  bool close_existing = false;
  bool delete_existing = false;
  bool yes = false;
  bool wait = false;
  bool no_wait = false;
  bool verify = false;
  bool dry_run = false;
  bool quiet = false;
};

// Every name and free text of a restore, before anything is sent (cluster/names.hpp); the
// repository's was checked by resolve_repository.
Status validate_restore_names(const RestoreFlags& f) {
  namespace names = cluster::names;
  ESSNAP_TRY_STATUS(names::validate_snapshot_name(f.snapshot, "SNAPSHOT"));
  ESSNAP_TRY_STATUS(names::validate_index_arguments(f.indices, "--indices"));
  ESSNAP_TRY_STATUS(names::validate_text(f.rename.suffix, "--rename-suffix"));
  // A suffix becomes part of every restored name: held to the index-name rules now, before any
  // request (the plan checks each renamed target again, --rename's included).
  if (!f.rename.suffix.empty())
    ESSNAP_TRY_STATUS(names::validate_index_name("x" + f.rename.suffix, "--rename-suffix"));
  for (const auto& s : f.index_settings)
    ESSNAP_TRY_STATUS(names::validate_text(s, "--index-settings"));
  for (const auto& s : f.ignore_index_settings)
    ESSNAP_TRY_STATUS(names::validate_text(s, "--ignore-index-settings"));
  return ok_status();
}

Result<int> run_restore(const GlobalOptions& g, RestoreFlags f) {
  if (f.snapshot.empty())
    return Error(ErrorCode::kInvalidArgument, "restore needs a SNAPSHOT",
                 "e.g. essnap restore nightly -r s3-repo; see essnap restore --help");
  ESSNAP_TRY(f.repository, resolve_repository(f.repository));
  const bool latest = f.snapshot == "latest";
  if (!latest) {
    auto resolved =
        snapshot::resolve_snapshot_reference(f.snapshot, std::chrono::system_clock::now());
    if (!resolved.ok()) return resolved.error();
    f.snapshot = *resolved;
  }
  ESSNAP_TRY_STATUS(validate_restore_names(f));
  snapshot::RestoreOptions o;
  o.repository = f.repository;
  o.snapshot = f.snapshot;
  o.patterns = snapshot::split_patterns(f.indices);
  ESSNAP_TRY(Renames renames, parse_renames(f.rename));
  // The engine takes one pattern and one replacement: one exact rename, one regex or a suffix.
  const int forms = static_cast<int>(renames.exact.size()) +
                    (renames.regex_pattern.empty() ? 0 : 1) + (renames.suffix.empty() ? 0 : 1);
  if (forms > 1)
    return Error(ErrorCode::kInvalidArgument,
                 "restore takes one rename: a single --rename FROM=TO, a regex or --rename-suffix",
                 "restore the other indices in a second run, or write one --rename-regex");
  if (!renames.exact.empty()) {
    if (renames.exact.front().second.find('$') != std::string::npos)
      return Error(ErrorCode::kInvalidArgument,
                   "--rename TO '" + renames.exact.front().second + "' holds '$'",
                   "restore under another name, then use an alias");
    std::tie(o.rename_pattern, o.rename_replacement) =
        exact_as_regex(renames.exact.front().first, renames.exact.front().second);
  } else if (!renames.regex_pattern.empty()) {
    o.rename_pattern = renames.regex_pattern;
    o.rename_replacement = renames.regex_replacement;
  } else if (!renames.suffix.empty()) {
    std::tie(o.rename_pattern, o.rename_replacement) = snapshot::suffix_rename(renames.suffix);
  }
  for (const auto& kv : f.index_settings) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      return Error(ErrorCode::kInvalidArgument, "--index-settings '" + kv + "' is not k=v");
    o.index_settings[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  o.ignore_index_settings = snapshot::split_patterns(f.ignore_index_settings);
  o.aliases = f.include_aliases ? snapshot::Aliases::kInclude
              : f.no_aliases    ? snapshot::Aliases::kExclude
                                : snapshot::Aliases::kDefault;
  o.include_global_state = f.include_global_state;
  o.partial = f.partial;
  o.system =
      f.include_system ? snapshot::SystemIndices::kInclude : snapshot::SystemIndices::kExclude;
  o.conflicts = f.close_existing    ? snapshot::ConflictPolicy::kCloseExisting
                : f.delete_existing ? snapshot::ConflictPolicy::kDeleteExisting
                                    : snapshot::ConflictPolicy::kRefuse;
  // Waits by default, with a terminal or without (cron): only the drawing of progress differs.
  o.wait = f.no_wait ? snapshot::WaitMode::kNoWait : snapshot::WaitMode::kWait;
  o.verify = f.verify ? snapshot::Verify::kYes : snapshot::Verify::kNo;
  ProgressOutput progress(progress_style(g, f.quiet));
  o.hooks = wait_hooks(progress);

  const std::string connection = connection_words(f.cluster);
  auto client = make_cluster_client(g, f.cluster);
  if (!client.ok()) return client.error();
  if (latest) {
    ESSNAP_TRY(o.snapshot, snapshot::newest_success_snapshot(*client, f.repository, o.patterns));
    if (g.output == OutputFormat::kJson)
      json_field("latest", o.snapshot);
    else
      std::cerr << "latest: snapshot " << o.snapshot << "\n";
  }
  auto plan = snapshot::plan_restore(*client, o);
  if (!plan.ok()) return plan.error();
  const bool json = g.output == OutputFormat::kJson;
  std::optional<Result<snapshot::RestoreResult>> res;
  InterruptScope interrupts;
  auto ran = util::run_plan(
      snapshot::describe_restore(*plan, o), confirm_policy(f.yes, f.dry_run),
      [&](const util::Plan& p) { print_plan(p, g, plan_run(f.dry_run)); },
      [&]() -> Status {
        res = snapshot::execute_restore(*client, *plan, o);
        progress.finish();
        if (!res->ok()) return res->error();
        return ok_status();
      });
  if (!ran.ok()) return ran.error();
  if (*ran == util::Outcome::kDryRun) {
    if (json) json_field("dry_run", true);
    return kExitOk;
  }
  const snapshot::RestoreResult* r = &res->value();
  std::vector<std::string> targets;
  for (const auto& i : r->indices) targets.push_back(i.target);
  const std::string follow = snapshot::follow_restore_command(f.snapshot, targets) + connection;
  if (json) {
    auto arr = nlohmann::json::array();
    for (const auto& i : r->indices) {
      nlohmann::json j{{"snapshot_index", i.source}, {"index", i.target}};
      if (i.documents >= 0) j["documents"] = i.documents;
      if (i.verified) j["verified"] = *i.verified;
      arr.push_back(j);
    }
    json_field("waited", r->waited);
    if (!r->waited) json_field("follow", follow);
    json_field("shards_failed", r->shards_failed);
    json_field("indices", std::move(arr));
  } else if (!r->waited) {
    std::cout << "restore of snapshot " << f.snapshot << " started (" << r->indices.size()
              << " index(es)); not waiting\nfollow it with: " << follow << "\n";
  } else {
    std::cout << "restored " << r->indices.size() << " index(es):\n";
    for (const auto& i : r->indices) {
      std::cout << "  " << i.target << ": " << i.documents << " documents";
      if (i.verified)
        std::cout << (*i.verified ? ", verified" : ", MISMATCH") << " (" << i.verify_detail << ")";
      std::cout << "\n";
    }
  }
  if (r->shards_failed > 0)
    return Error(ErrorCode::kIncomplete,
                 std::to_string(r->shards_failed) + " primary shard(s) failed to restore",
                 "see 'essnap request GET /_cluster/allocation/explain'");
  for (const auto& i : r->indices)
    if (i.verified && !*i.verified)
      return Error(ErrorCode::kIncomplete,
                   "restored index " + i.target + " does not match the snapshot");
  return kExitOk;
}

struct RestoreStatusFlags {
  ClusterFlags cluster;
  std::vector<std::string> indices;
  std::string snapshot;
  bool wait = false;
  bool quiet = false;
};

// `restore status [-i PATTERN] [--snapshot NAME] [--wait]`: the restores running now (primary
// shards recovering from a snapshot), or the indices named; --wait re-attaches to them through
// the one wait loop and exits as `restore` does (9 when primaries failed to restore).
Result<int> run_restore_status(const GlobalOptions& g, RestoreStatusFlags f) {
  ESSNAP_TRY_STATUS(cluster::names::validate_index_arguments(f.indices, "--indices"));
  if (!f.snapshot.empty()) {
    auto resolved =
        snapshot::resolve_snapshot_reference(f.snapshot, std::chrono::system_clock::now());
    if (!resolved.ok()) return resolved.error();
    f.snapshot = *resolved;
    ESSNAP_TRY_STATUS(cluster::names::validate_snapshot_name(f.snapshot, "--snapshot"));
  }
  auto client = make_cluster_client(g, f.cluster);
  if (!client.ok()) return client.error();
  const auto patterns = snapshot::split_patterns(f.indices);
  // The indices: those -i names (restored or being restored), else those recovering from a
  // snapshot now (or, with --snapshot, ever restored from it and still there).
  std::vector<std::string> targets;
  if (!patterns.empty()) {
    ESSNAP_TRY(targets, cluster::resolve_indices(*client, patterns));
    if (targets.empty())
      return Error(ErrorCode::kNotFound, "no index matches --indices " + util::join(patterns, ","),
                   "see the indices with 'essnap request GET /_cat/indices'");
  }
  ESSNAP_TRY(auto recoveries, cluster::snapshot_recoveries(*client, targets,
                                                           patterns.empty() && f.snapshot.empty()
                                                               ? cluster::Recoveries::kActive
                                                               : cluster::Recoveries::kAll));
  std::set<std::string> snapshots, from_recoveries;
  for (const auto& r : recoveries) {
    if (!f.snapshot.empty() && r.snapshot != f.snapshot) continue;
    snapshots.insert(r.snapshot);
    from_recoveries.insert(r.index);
  }
  if (patterns.empty()) targets.assign(from_recoveries.begin(), from_recoveries.end());
  const std::string what =
      snapshots.empty()
          ? (f.snapshot.empty() ? "-" : f.snapshot)
          : util::join(std::vector<std::string>(snapshots.begin(), snapshots.end()), ",");
  const bool json = g.output == OutputFormat::kJson;
  if (targets.empty()) {
    if (json)
      json_result({{"restores", nlohmann::json::array()}});
    else
      std::cout << (f.snapshot.empty() ? std::string("no restore is running")
                                       : "no index restored from snapshot " + f.snapshot)
                << "\n";
    return kExitOk;
  }
  if (!f.wait) {
    ESSNAP_TRY(auto health, cluster::index_health(*client, targets));
    ESSNAP_TRY(auto rec, cluster::recovery_progress(*client, targets));
    int total = 0, active = 0;
    for (const auto& [name, h] : health)
      total += h.number_of_shards, active += h.active_primary_shards;
    const util::ProgressEvent e = snapshot::to_event(snapshot::Progress{
        "restore", what, "", active, total, rec.bytes_done, rec.bytes_total, {}});
    if (json)
      json_result(
          {{"restores", nlohmann::json::array({util::progress_json(e)})}, {"indices", targets}});
    else
      std::cout << util::progress_line(e) << " (" << util::join(targets, ", ") << ")\n";
    return kExitOk;
  }
  ProgressOutput progress(progress_style(g, f.quiet));
  InterruptScope interrupts;
  auto failed = snapshot::wait_for_restored(*client, what, targets, snapshot::PollPolicy{},
                                            wait_hooks(progress));
  progress.finish();
  if (!failed.ok()) return failed.error();
  auto arr = nlohmann::json::array();
  if (!json) std::cout << "restored " << targets.size() << " index(es):\n";
  for (const auto& t : targets) {
    auto n = cluster::count_documents(*client, t);
    if (json)
      arr.push_back({{"index", t}, {"documents", n.ok() ? *n : -1}});
    else
      std::cout << "  " << t << ": " << (n.ok() ? std::to_string(*n) : "?") << " documents\n";
  }
  if (json) {
    json_field("waited", true);
    json_field("shards_failed", *failed);
    json_field("indices", std::move(arr));
  }
  if (*failed > 0)
    return Error(ErrorCode::kIncomplete,
                 std::to_string(*failed) + " primary shard(s) failed to restore",
                 "see 'essnap request GET /_cluster/allocation/explain'");
  return kExitOk;
}

}  // namespace

void register_restore(CLI::App& app, CommandContext ctx) {
  auto f = std::make_shared<RestoreFlags>();
  auto* cmd = app.add_subcommand("restore", "Restore a snapshot, after checking it is safe to");
  cmd->fallthrough();
  add_cluster_flags(cmd, &f->cluster);
  // Not ->required(): `restore status` is a subcommand (a snapshot named "status" is restored
  // as `essnap restore -r REPO -- status`); run_restore asks for it.
  cmd->add_option("SNAPSHOT", f->snapshot,
                  "Snapshot name (required), or latest: the newest SUCCESS snapshot holding the "
                  "selected indices");
  cmd->add_option("--repository,-r", f->repository, "Repository (default: ESSNAP_REPOSITORY)");
  cmd->add_option("--indices,-i", f->indices,
                  "Indices: names, patterns, -exclusions (default: all)");
  const auto rename = add_rename_flags(cmd, &f->rename, "Restore");
  mutually_exclusive({rename.rename, rename.suffix});
  mutually_exclusive({rename.regex, rename.suffix});
  cmd->add_option("--index-settings", f->index_settings,
                  "k=v applied to restored indices (repeatable)");
  cmd->add_option("--ignore-index-settings", f->ignore_index_settings, "Settings not to restore");
  auto* include_aliases =
      cmd->add_flag("--include-aliases", f->include_aliases,
                    "Restore the indices' aliases (the default, except with a rename)");
  auto* no_aliases = cmd->add_flag("--no-aliases", f->no_aliases, "Leave the indices' aliases out");
  mutually_exclusive({include_aliases, no_aliases});
  cmd->add_flag("--include-global-state", f->include_global_state,
                "Also restore the cluster's global state");
  cmd->add_flag("--partial", f->partial, "Restore indices with missing shards too");
  cmd->add_flag("--include-system", f->include_system, "Restore system and security indices too");
  auto* close_existing = cmd->add_flag("--close-existing", f->close_existing,
                                       "Close open indices with the same names first");
  auto* delete_existing = cmd->add_flag(
      "--delete-existing", f->delete_existing,
      "Delete open indices with the same names first (asks; --yes without a terminal)");
  mutually_exclusive({close_existing, delete_existing});
  cmd->add_flag("--yes,-y", f->yes, "Confirm --delete-existing without a prompt");
  auto* wait =
      cmd->add_flag("--wait", f->wait, "Wait for the recovery (the default, terminal or not)");
  auto* no_wait =
      cmd->add_flag("--no-wait", f->no_wait,
                    "Return once the restore is accepted, printing the command that follows it");
  auto* verify = cmd->add_flag("--verify", f->verify,
                               "Compare restored sizes with the snapshot's statistics (waits)");
  mutually_exclusive({wait, no_wait});
  mutually_exclusive({verify, no_wait});
  cmd->add_flag("--dry-run", f->dry_run, "Print the plan and the checks only");
  cmd->add_flag("--quiet,-q", f->quiet, "No progress output");
  cmd->footer(
      "Before anything is closed, deleted or restored it checks: open indices with the same\n"
      "names (refused, with the three ways out), system and security indices (.kibana*,\n"
      ".opendistro*, .opensearch*, .plugins*, .security*, .tasks, ...; skipped unless\n"
      "--include-system), the engines' version rules (never into an older version;\n"
      "Elasticsearch N reads N-1; OpenSearch 1/2 read Elasticsearch up to 7.10.2; OpenSearch 3\n"
      "reads OpenSearch 2+), the shard count of every index restored over in place (a closed\n"
      "one, or one --close-existing closes), and write aliases the restore would give a second\n"
      "write index. A refusal exits 8. Settings the engines keep from the snapshot\n"
      "(index.number_of_shards, index.uuid, index.version.created, index.creation_date,\n"
      "index.history.uuid, ...) in --index-settings / --ignore-index-settings exit 2.\n"
      "With --rename, --rename-regex or --rename-suffix the aliases are left out unless\n"
      "--include-aliases. One rename per restore: --rename FROM=TO (an exact name),\n"
      "--rename-regex PATTERN=REPLACEMENT, the older --rename PATTERN:REPLACEMENT (a ':' marks\n"
      "it: index names cannot hold one), or --rename-suffix.\n"
      "If the engine still refuses after a close or delete, essnap says what it changed and\n"
      "reopens what it closed.\n"
      "At the end each index's document count is printed. --delete-existing asks on a terminal\n"
      "before deleting anything; without a terminal it needs --yes (else exit 8, nothing "
      "changed).\n"
      "It waits for the recovery whether or not a terminal is attached (from cron too): only\n"
      "the drawing of progress differs; primaries that fail to restore exit 9. --no-wait\n"
      "returns once the restore is accepted and prints the command that re-attaches to it\n"
      "('essnap restore status -i INDICES --wait'). --timeout SECONDS bounds the whole\n"
      "command (exit 4; the restore keeps running).\n"
      "Ctrl-C while waiting stops the wait (exit 130); the restore keeps running in the "
      "cluster.\n\n"
      "EXAMPLES:\n"
      "  essnap restore snapshot_1 --repository s3-repo --indices new_index\n"
      "  essnap restore nightly -r s3-repo -i 'logs-*' --rename-suffix _restored\n"
      "  essnap restore nightly -r s3-repo --rename-regex '(.+)=copy-$1' --index-settings "
      "index.number_of_replicas=0\n"
      "  essnap restore nightly -r s3-repo -i orders --rename orders=orders-old\n"
      "  essnap restore nightly -r s3-repo -i orders --close-existing --verify\n"
      "  essnap restore latest -r s3-repo -i orders --rename-suffix _restored\n"
      "  essnap restore nightly -r s3-repo --dry-run -o json\n\n" +
      std::string(exit_status_help()));

  auto sf = std::make_shared<RestoreStatusFlags>();
  auto* status = cmd->add_subcommand(
      "status", "What restores run now (or of the indices named); with --wait, follow them");
  status->fallthrough();
  add_cluster_flags(status, &sf->cluster);
  status->add_option("--indices,-i", sf->indices,
                     "Restored indices: names, patterns, -exclusions (default: the indices "
                     "recovering from a snapshot now)");
  status->add_option("--snapshot", sf->snapshot, "Only indices restored from this snapshot");
  status->add_flag("--wait", sf->wait,
                   "Re-attach: wait until every primary is restored, and exit as 'restore' does");
  status->add_flag("--quiet,-q", sf->quiet, "No progress output while waiting");
  status->footer(
      "Without -i it finds the restores running now (primary shards recovering from a\n"
      "snapshot, whoever started them: another shell, 'restore --no-wait', a script). --wait\n"
      "re-attaches: the same progress and exit codes as 'restore' (0 when every primary is\n"
      "active, 9 when some failed to restore, 130 on Ctrl-C: the restore keeps running).\n\n"
      "EXAMPLES:\n"
      "  essnap restore status\n"
      "  essnap restore status -i 'logs-*_restored' --wait\n"
      "  essnap restore status --snapshot nightly --wait --timeout 3600\n"
      "  essnap -o json restore status\n\n" +
      std::string(exit_status_help()));
  status->callback(
      [ctx, sf] { run_command(ctx, [&] { return run_restore_status(*ctx.global, *sf); }); });

  cmd->callback([ctx, f, status] {
    if (status->parsed()) return;  // `restore status` ran
    run_command(ctx, [&] { return run_restore(*ctx.global, *f); });
  });
}

}  // namespace essnap::cli
