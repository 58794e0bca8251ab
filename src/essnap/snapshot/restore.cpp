#include "essnap/snapshot/restore.hpp"

#include <algorithm>
#include <regex>
#include <set>

#include "essnap/cluster/names.hpp"
#include "essnap/cluster/search.hpp"
#include "essnap/snapshot/selection.hpp"
#include "essnap/util/strings.hpp"

namespace essnap::snapshot {
namespace {

using Ms = std::chrono::milliseconds;

}  // namespace

std::string follow_restore_command(const std::string& snapshot,
                                   const std::vector<std::string>& targets) {
  std::string list = util::join(targets, ",");
  if (!list.empty() && list.size() <= 200)
    return "essnap restore status -i " + util::shell_word(list) + " --wait";
  return "essnap restore status --snapshot " + util::shell_word(snapshot) + " --wait";
}

Result<int> wait_for_restored(cluster::Client& c, const std::string& snapshot,
                              const std::vector<std::string>& targets, const PollPolicy& policy,
                              const WaitHooks& hooks) {
  const auto started = hooks.clock();
  std::optional<WaitClock::time_point> stuck_since;
  Progress last;
  int failed = 0;
  auto poll = [&]() -> Result<PollState> {
    ESSNAP_TRY(auto health, cluster::index_health(c, targets));
    int total = 0, active = 0, initializing = 0;
    for (const auto& t : targets) {
      auto it = health.find(t);
      if (it == health.end()) continue;
      total += it->second.number_of_shards;
      active += it->second.active_primary_shards;
      initializing += it->second.initializing_shards;
    }
    const bool all_present = health.size() >= targets.size();
    if (hooks.progress) {
      Progress p{"restore", snapshot, "", active,
                 total,     0,        0,  std::chrono::duration_cast<Ms>(hooks.clock() - started)};
      if (auto rec = cluster::recovery_progress(c, targets); rec.ok()) {
        p.bytes_done = rec->bytes_done;
        p.bytes_total = rec->bytes_total;
      }
      if (p.shards_done != last.shards_done || p.bytes_done != last.bytes_done ||
          p.shards_total != last.shards_total)
        hooks.report(p);
      last = p;
    }
    if (all_present && total > 0 && active == total) return PollState::kDone;
    // Primaries that are neither active nor initializing for a while have failed to restore.
    if (all_present && initializing == 0 && active < total) {
      if (!stuck_since) stuck_since = hooks.clock();
      if (hooks.clock() - *stuck_since > std::chrono::seconds(5)) {
        failed = total - active;
        return PollState::kDone;
      }
    } else {
      stuck_since.reset();
    }
    return PollState::kRunning;
  };
  ESSNAP_TRY_STATUS(wait_until_done(
      poll, {"the restore of snapshot " + snapshot, follow_restore_command(snapshot, targets)},
      policy, hooks));
  return failed;
}

Result<std::string> newest_success_snapshot(cluster::Client& client, const std::string& repository,
                                            const std::vector<std::string>& patterns) {
  ESSNAP_TRY(auto got, cluster::get_snapshots(client, {repository, "_all", false}));
  const cluster::SnapshotInfo* best = nullptr;
  for (const auto& s : got.snapshots) {
    if (s.state != cluster::SnapshotStateKind::kSuccess) continue;
    bool holds = true;
    for (const auto& p : patterns)
      if (!p.starts_with("-") && select_names(s.indices, {p}).empty()) holds = false;
    if (holds && !patterns.empty() && select_names(s.indices, patterns).empty()) holds = false;
    if (!holds) continue;
    if (best == nullptr || s.start_ms > best->start_ms ||
        (s.start_ms == best->start_ms && s.name > best->name))
      best = &s;
  }
  if (best == nullptr)
    return Error(ErrorCode::kNotFound,
                 "no SUCCESS snapshot in " + repository +
                     (patterns.empty() ? std::string() : " holds the selected indices"),
                 "list them with 'essnap snapshot list -r " + repository + " --state success'");
  return best->name;
}

nlohmann::json RestorePlan::to_json() const {
  nlohmann::json idx = nlohmann::json::array();
  for (const auto& [s, t] : indices) idx.push_back({{"snapshot_index", s}, {"restored_as", t}});
  nlohmann::json j{{"snapshot", snapshot.name},
                   {"repository", snapshot.repository},
                   {"snapshot_version", snapshot.version},
                   {"snapshot_engine", engine_name(source)},
                   {"indices", idx},
                   {"excluded_system_indices", excluded_system},
                   {"conflicts", conflicts},
                   {"closed_targets", closed_targets},
                   {"aliases_restored", aliases_restored}};
  auto mism = nlohmann::json::array();
  for (const auto& m : shard_mismatches)
    mism.push_back({{"index", m.target},
                    {"snapshot_index", m.source},
                    {"live_shards", m.live_shards},
                    {"snapshot_shards", m.snapshot_shards},
                    {"closed", m.closed}});
  j["shard_mismatches"] = mism;
  auto clashes = nlohmann::json::array();
  for (const auto& c : write_alias_clashes)
    clashes.push_back({{"alias", c.alias}, {"index", c.target}, {"write_index", c.write_index}});
  j["write_alias_clashes"] = clashes;
  if (incompatibility) j["incompatibility"] = *incompatibility;
  return j;
}

std::pair<std::string, std::string> suffix_rename(const std::string& suffix) {
  return {"(.+)", "$1" + suffix};
}

Result<RestorePlan> make_restore_plan(const cluster::SnapshotInfo& snap,
                                      const EngineVersion& target, const RestoreFacts& facts,
                                      const RestoreOptions& o) {
  ESSNAP_TRY_STATUS(validate_restore_settings(o));
  RestorePlan plan;
  plan.snapshot = snap;
  plan.source = snapshot_engine(snap.version, snap.version_id);
  plan.target = target;
  using State = cluster::SnapshotStateKind;
  if (snap.state == State::kInProgress)
    return Error(ErrorCode::kConflict, "snapshot " + snap.name + " is still running",
                 "wait for it: essnap snapshot status");
  if (snap.state == State::kFailed || snap.state == State::kIncompatible)
    return Error(ErrorCode::kConflict,
                 "snapshot " + snap.name + " is " + snap.state.text + " and cannot be restored",
                 snap.reason.empty() ? "" : "reason: " + snap.reason);
  plan.incompatibility = restore_incompatibility(plan.source, target);

  auto selected = select_names(snap.indices, o.patterns);
  ESSNAP_TRY_STATUS(check_selection(
      o.patterns.empty() ? std::vector<std::string>{"*"} : o.patterns, snap.indices,
      "in snapshot " + snap.name,
      "nothing was changed; see the snapshot's indices with 'essnap snapshot show " + snap.name +
          "'"));
  std::optional<std::regex> rename;
  if (!o.rename_pattern.empty()) {
    try {
      rename.emplace(o.rename_pattern);
    } catch (const std::regex_error& e) {
      return Error(ErrorCode::kInvalidArgument,
                   "--rename pattern '" + o.rename_pattern + "' is not a valid regular expression");
    }
  }
  std::map<std::string, cluster::IndexStatus> status;
  for (const auto& e : facts.existing) status[e.name] = e.status;
  std::set<std::string> targets;
  for (const auto& s : selected) {
    if (o.system == SystemIndices::kExclude && is_system_index(s)) {
      plan.excluded_system.push_back(s);
      continue;
    }
    std::string t = rename ? std::regex_replace(s, *rename, o.rename_replacement) : s;
    // A renamed target is a name the user made: held to the engines' rules before anything is
    // sent (the engine would refuse it only after --close-existing / --delete-existing acted).
    if (t != s)
      ESSNAP_TRY_STATUS(
          cluster::names::validate_index_name(t, "the new name of index '" + s + "'"));
    if (!targets.insert(t).second)
      return Error(ErrorCode::kInvalidArgument,
                   "--rename maps two indices to the same name '" + t + "'");
    plan.indices.emplace_back(s, t);
    if (auto it = status.find(t); it != status.end()) {
      if (it->second == cluster::IndexStatusKind::kClose)
        plan.closed_targets.push_back(t);
      else
        plan.conflicts.push_back(t);
    }
  }
  if (plan.indices.empty())
    return Error(
        ErrorCode::kConflict,
        "every selected index is a system index (" + util::join(plan.excluded_system, ", ") + ")",
        "pass --include-system to restore them (this overwrites the cluster's own state)");
  add_preflight_findings(plan, facts, o);
  return plan;
}

Result<RestorePlan> plan_restore(cluster::Client& c, const RestoreOptions& o) {
  ESSNAP_TRY_STATUS(validate_restore_settings(o));
  auto got = cluster::get_snapshots(c, {o.repository, o.snapshot, false});
  if (!got.ok()) {
    Error e = std::move(got).error();
    if (e.code == ErrorCode::kNotFound) {
      const bool repo = e.remote && e.remote->error_type == "repository_missing_exception";
      e.message = repo ? "repository " + o.repository + " is not registered"
                       : "snapshot " + o.snapshot + " is not in repository " + o.repository;
      e.hint =
          repo ? "list the repositories with 'essnap repo list'"
               : "list the snapshots with 'essnap snapshot list --repository " + o.repository + "'";
    } else if (auto info = c.info(); info.ok()) {
      // A repository written by a newer engine cannot even be listed: that is the refusal.
      if (auto refused =
              unreadable_repository(e, o.repository, {info->distribution, info->version}))
        return *refused;
    }
    return e;
  }
  if (got->snapshots.empty())
    return Error(ErrorCode::kNotFound,
                 "snapshot " + o.snapshot + " is not in repository " + o.repository);
  ESSNAP_TRY(auto info, c.info());
  RestoreFacts facts;
  ESSNAP_TRY(facts.existing, cluster::list_indices(c));
  const EngineVersion version{info.distribution, info.version};
  const auto& snap = got->snapshots.front();
  ESSNAP_TRY(auto first, make_restore_plan(snap, version, facts, o));
  if (!check_restore_plan(first, o).ok()) return first;  // refused already: read no more
  // Shard counts matter where an index is restored over in place: a closed target, or an open
  // one --close-existing will close. Read them only then (the snapshot's _status reads the
  // repository).
  const bool in_place = !first.closed_targets.empty() ||
                        (!first.conflicts.empty() && o.conflicts == ConflictPolicy::kCloseExisting);
  if (in_place) {
    ESSNAP_TRY(facts.live_shards, cluster::live_primary_shards(c));
    ESSNAP_TRY(facts.snapshot_shards, cluster::snapshot_index_shards(c, {o.repository, snap.name}));
  }
  // A second write index needs a renamed copy of a live index that holds the alias' write index
  // (restored under its own name, an index stays its aliases' write index).
  bool live_source = false;
  for (const auto& [s, t] : first.indices)
    for (const auto& e : facts.existing) live_source = live_source || (e.name == s && s != t);
  const bool aliases = first.aliases_restored && live_source;
  if (aliases) {
    ESSNAP_TRY(facts.aliases, cluster::list_aliases(c));
  }
  if (!in_place && !aliases) return first;
  return make_restore_plan(snap, version, facts, o);
}

util::Plan describe_restore(const RestorePlan& plan, const RestoreOptions& o) {
  util::Plan p;
  // The writer from the version id: the version text is the reading engine's interpretation.
  p.summary = "restore from " + o.repository + "/" + plan.snapshot.name + " (written by " +
              engine_name(plan.source) + ") into " + engine_name(plan.target);
  for (const auto& [s, t] : plan.indices) p.actions.push_back(s + (s == t ? "" : " -> " + t));
  for (const auto& s : plan.excluded_system)
    p.actions.push_back("skipped system index " + s + " (--include-system restores it)");
  for (const auto& t : plan.closed_targets)
    p.actions.push_back(t + " exists and is closed: the restore overwrites it");
  if (!plan.aliases_restored)
    p.actions.push_back(o.aliases == Aliases::kExclude
                            ? "the snapshot's aliases are not restored (--no-aliases)"
                            : "the snapshot's aliases are not restored (the indices are renamed; "
                              "--include-aliases restores them)");
  p.json = {{"plan", plan.to_json()}};
  if (auto st = check_restore_plan(plan, o); !st.ok()) {
    p.blocker = std::move(st).error();
    return p;
  }
  const bool deletes = o.conflicts == ConflictPolicy::kDeleteExisting && !plan.conflicts.empty();
  for (const auto& t : plan.conflicts)
    p.actions.push_back(
        t + " exists and is open: " +
        (o.conflicts == ConflictPolicy::kCloseExisting ? "closing it" : "deleting it"));
  p.confirm = deletes ? util::NeedsConfirmation::kYes : util::NeedsConfirmation::kNo;
  p.question =
      "Delete " + std::to_string(plan.conflicts.size()) + " open index(es) and restore over them?";
  p.unchanged = "nothing was changed";
  p.yes_hint =
      "--delete-existing deletes the open indices listed above: add --yes to delete "
      "them first without a prompt";
  return p;
}

namespace {

// What execute_restore changed before the engine answered the restore itself.
struct Changes {
  std::vector<std::string> closed;
  std::vector<std::string> deleted;
};

// The engine's own refusals of a restore are conflicts (exit 8), not raw server errors.
Error engine_refusal(Error e) {
  if (!e.remote) return e;
  const auto& r = e.remote->reason;
  if (r.find("more than one write index") != std::string::npos) {
    e.code = ErrorCode::kConflict;
    e.message = "restore refused by the engine: " + r;
    e.hint = "restore without the aliases (--no-aliases), or move the alias' write index first";
  } else if (e.remote->error_type == "snapshot_restore_exception") {
    e.code = ErrorCode::kConflict;
    e.message = "restore refused by the engine: " + r;
    if (auto hint = version_refusal_hint(r); !hint.empty()) e.hint = hint;
  }
  return e;
}

// Adds to `e` what was already changed and how to undo it; reopens what was closed unless the
// engine may have accepted the restore (no answer: reopening could race its recovery).
Error after_changes(cluster::Client& c, Error e, const Changes& ch, const RestorePlan& plan,
                    const RestoreOptions& o) {
  if (ch.closed.empty() && ch.deleted.empty()) return e;
  const bool no_answer = e.code == ErrorCode::kNetwork || e.code == ErrorCode::kTimeout;
  std::vector<std::string> said;
  for (const auto& t : ch.closed) {
    if (no_answer) {
      said.push_back("closed " + t +
                     " (the restore may have started: check 'essnap request GET "
                     "/_recovery?active_only=true'; if not, reopen it: essnap request POST /" +
                     t + "/_open)");
    } else if (cluster::open_index(c, t).ok()) {
      said.push_back("closed " + t + " and has reopened it");
    } else {
      said.push_back("closed " + t + " and could not reopen it: essnap request POST /" + t +
                     "/_open");
    }
  }
  for (const auto& t : ch.deleted)
    said.push_back("deleted " + t +
                   " (its documents since the snapshot are gone; restore the "
                   "snapshot's copy with: essnap restore " +
                   plan.snapshot.name + " -r " + o.repository + " -i " + t + ")");
  std::string what;
  for (const auto& w : said) what += (what.empty() ? "" : "; ") + w;
  e.hint = "before this, essnap " + what + (e.hint.empty() ? "" : ". " + e.hint);
  return e;
}

}  // namespace

Result<RestoreResult> execute_restore(cluster::Client& c, const RestorePlan& plan,
                                      const RestoreOptions& o) {
  ESSNAP_TRY_STATUS(check_restore_plan(plan, o));
  Changes changes;
  for (const auto& t : plan.conflicts) {
    if (o.conflicts == ConflictPolicy::kCloseExisting) {
      if (auto r = cluster::close_index(c, t); !r.ok())
        return after_changes(c, std::move(r).error(), changes, plan, o);
      changes.closed.push_back(t);
    } else if (o.conflicts == ConflictPolicy::kDeleteExisting) {
      if (auto r = cluster::delete_index(c, t); !r.ok())
        return after_changes(c, std::move(r).error(), changes, plan, o);
      changes.deleted.push_back(t);
    }
  }
  cluster::RestoreRequest req;
  req.repository = o.repository;
  req.snapshot = plan.snapshot.name;
  for (const auto& [s, t] : plan.indices) req.indices.push_back(s);
  req.rename_pattern = o.rename_pattern;
  req.rename_replacement = o.rename_replacement;
  req.index_settings = o.index_settings;
  req.ignore_index_settings = o.ignore_index_settings;
  req.include_aliases = plan.aliases_restored;
  req.include_global_state = o.include_global_state;
  req.partial = o.partial;
  if (auto r = cluster::restore_snapshot(c, req); !r.ok())
    return after_changes(c, engine_refusal(std::move(r).error()), changes, plan, o);

  RestoreResult result;
  std::vector<std::string> targets;
  for (const auto& [s, t] : plan.indices) {
    targets.push_back(t);
    result.indices.push_back({s, t, -1, std::nullopt, ""});
  }
  if (o.wait == WaitMode::kNoWait) return result;
  result.waited = true;

  ESSNAP_TRY(result.shards_failed,
             wait_for_restored(c, plan.snapshot.name, targets, o.poll, o.hooks));

  std::map<std::string, std::int64_t> snap_bytes, rec_bytes;
  if (o.verify == Verify::kYes) {
    if (auto st = cluster::snapshot_status(c, {o.repository, plan.snapshot.name});
        st.ok() && !st->snapshots.empty())
      snap_bytes = st->snapshots.front().index_bytes;
    if (auto rec = cluster::recovery_progress(c, targets); rec.ok()) rec_bytes = rec->index_bytes;
  }
  for (auto& ri : result.indices) {
    if (auto n = cluster::count_documents(c, ri.target); n.ok()) ri.documents = *n;
    if (o.verify == Verify::kYes) {
      const auto s = snap_bytes.find(ri.source);
      const auto r = rec_bytes.find(ri.target);
      if (s == snap_bytes.end() || r == rec_bytes.end()) {
        ri.verified = false;
        ri.verify_detail = "no statistics to compare";
      } else {
        ri.verified = s->second == r->second;
        ri.verify_detail =
            "snapshot " + format_bytes(s->second) + ", restored " + format_bytes(r->second);
      }
    }
  }
  return result;
}

}  // namespace essnap::snapshot
