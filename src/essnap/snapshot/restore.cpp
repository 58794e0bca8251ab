#include "essnap/snapshot/restore.hpp"

#include <algorithm>
#include <regex>
#include <set>

#include "essnap/snapshot/selection.hpp"

namespace essnap::snapshot {
namespace {

using Ms = std::chrono::milliseconds;

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// Follows the restore's recovery through the one wait loop until every primary is active, or
// until the ones left have been neither active nor initializing for a while (failed shards).
Status wait_for_restore(cluster::Client& c, const RestorePlan& plan,
                        const std::vector<std::string>& targets, const RestoreOptions& o,
                        RestoreResult& result) {
  const auto started = o.hooks.clock();
  std::optional<WaitClock::time_point> stuck_since;
  Progress last;
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
    if (o.hooks.progress) {
      Progress p{"restore", plan.snapshot.name, "", active, total, 0, 0,
                 std::chrono::duration_cast<Ms>(o.hooks.clock() - started)};
      if (auto rec = cluster::recovery_progress(c, targets); rec.ok()) {
        p.bytes_done = rec->bytes_done;
        p.bytes_total = rec->bytes_total;
      }
      if (p.shards_done != last.shards_done || p.bytes_done != last.bytes_done ||
          p.shards_total != last.shards_total)
        o.hooks.progress(p);
      last = p;
    }
    if (all_present && total > 0 && active == total) return PollState::kDone;
    // Primaries that are neither active nor initializing for a while have failed to restore.
    if (all_present && initializing == 0 && active < total) {
      if (!stuck_since) stuck_since = o.hooks.clock();
      if (o.hooks.clock() - *stuck_since > std::chrono::seconds(5)) {
        result.shards_failed = total - active;
        return PollState::kDone;
      }
    } else {
      stuck_since.reset();
    }
    return PollState::kRunning;
  };
  return wait_until_done(poll,
                         {"the restore of snapshot " + plan.snapshot.name,
                          "essnap request GET /_recovery?active_only=true"},
                         o.poll, o.hooks);
}

}  // namespace

nlohmann::json RestorePlan::to_json() const {
  nlohmann::json idx = nlohmann::json::array();
  for (const auto& [s, t] : indices) idx.push_back({{"snapshot_index", s}, {"restored_as", t}});
  nlohmann::json j{{"snapshot", snapshot.name},
                   {"repository", snapshot.repository},
                   {"snapshot_version", snapshot.version},
                   {"indices", idx},
                   {"excluded_system_indices", excluded_system},
                   {"conflicts", conflicts},
                   {"closed_targets", closed_targets}};
  if (incompatibility) j["incompatibility"] = *incompatibility;
  return j;
}

std::pair<std::string, std::string> suffix_rename(const std::string& suffix) {
  return {"(.+)", "$1" + suffix};
}

Result<RestorePlan> make_restore_plan(const cluster::SnapshotInfo& snap,
                                      const EngineVersion& target,
                                      const std::vector<cluster::IndexEntry>& existing,
                                      const RestoreOptions& o) {
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
  for (const auto& e : existing) status[e.name] = e.status;
  std::set<std::string> targets;
  for (const auto& s : selected) {
    if (o.system == SystemIndices::kExclude && is_system_index(s)) {
      plan.excluded_system.push_back(s);
      continue;
    }
    std::string t = rename ? std::regex_replace(s, *rename, o.rename_replacement) : s;
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
    return Error(ErrorCode::kConflict,
                 "every selected index is a system index (" + join(plan.excluded_system) + ")",
                 "pass --include-system to restore them (this overwrites the cluster's own state)");
  return plan;
}

Result<RestorePlan> plan_restore(cluster::Client& c, const RestoreOptions& o) {
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
    }
    return e;
  }
  if (got->snapshots.empty())
    return Error(ErrorCode::kNotFound,
                 "snapshot " + o.snapshot + " is not in repository " + o.repository);
  ESSNAP_TRY(auto info, c.info());
  ESSNAP_TRY(auto existing, cluster::list_indices(c));
  return make_restore_plan(got->snapshots.front(), EngineVersion{info.distribution, info.version},
                           existing, o);
}

Status check_restore_plan(const RestorePlan& plan, const RestoreOptions& o) {
  if (plan.incompatibility)
    return Error(ErrorCode::kConflict, "restore refused: " + *plan.incompatibility);
  if (!plan.conflicts.empty() && o.conflicts == ConflictPolicy::kRefuse)
    return Error(ErrorCode::kConflict,
                 "restore refused: open indices with the same names exist: " + join(plan.conflicts),
                 "nothing was changed. Choose one: --rename-suffix _restored (restore beside "
                 "them), --close-existing (close them; the restore overwrites them), or "
                 "--delete-existing --yes (delete them first)");
  return ok_status();
}

util::Plan describe_restore(const RestorePlan& plan, const RestoreOptions& o) {
  util::Plan p;
  p.summary = "restore from " + o.repository + "/" + plan.snapshot.name + " (" +
              plan.snapshot.version + ") into " + cluster::to_string(plan.target.distribution) +
              " " + plan.target.version.text;
  for (const auto& [s, t] : plan.indices) p.actions.push_back(s + (s == t ? "" : " -> " + t));
  for (const auto& s : plan.excluded_system)
    p.actions.push_back("skipped system index " + s + " (--include-system restores it)");
  for (const auto& t : plan.closed_targets)
    p.actions.push_back(t + " exists and is closed: the restore overwrites it");
  p.json = {{"plan", plan.to_json()}};
  if (auto st = check_restore_plan(plan, o); !st.ok()) {
    p.blocker = std::move(st).error();
    return p;
  }
  const bool deletes = o.conflicts == ConflictPolicy::kDeleteExisting && !plan.conflicts.empty();
  for (const auto& t : plan.conflicts)
    p.actions.push_back(t + " exists and is open: " +
                        (o.conflicts == ConflictPolicy::kCloseExisting ? "closing it"
                                                                       : "deleting it"));
  p.confirm = deletes ? util::NeedsConfirmation::kYes : util::NeedsConfirmation::kNo;
  p.question = "Delete " + std::to_string(plan.conflicts.size()) +
               " open index(es) and restore over them?";
  p.unchanged = "nothing was changed";
  p.yes_hint = "--delete-existing deletes the open indices listed above: add --yes to delete "
               "them first without a prompt";
  return p;
}

Result<RestoreResult> execute_restore(cluster::Client& c, const RestorePlan& plan,
                                      const RestoreOptions& o) {
  ESSNAP_TRY_STATUS(check_restore_plan(plan, o));
  for (const auto& t : plan.conflicts) {
    if (o.conflicts == ConflictPolicy::kCloseExisting) {
      ESSNAP_TRY_STATUS(cluster::close_index(c, t));
    } else if (o.conflicts == ConflictPolicy::kDeleteExisting) {
      ESSNAP_TRY_STATUS(cluster::delete_index(c, t));
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
  req.include_aliases = o.include_aliases;
  req.include_global_state = o.include_global_state;
  req.partial = o.partial;
  ESSNAP_TRY_STATUS(cluster::restore_snapshot(c, req));

  RestoreResult result;
  std::vector<std::string> targets;
  for (const auto& [s, t] : plan.indices) {
    targets.push_back(t);
    result.indices.push_back({s, t, -1, std::nullopt, ""});
  }
  if (o.wait == WaitMode::kNoWait) return result;
  result.waited = true;

  ESSNAP_TRY_STATUS(wait_for_restore(c, plan, targets, o, result));

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
