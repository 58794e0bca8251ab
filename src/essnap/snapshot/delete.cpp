#include "essnap/snapshot/delete.hpp"

#include <algorithm>

#include "essnap/snapshot/selection.hpp"

namespace essnap::snapshot {

Result<DeletePlan> make_delete_plan(const std::string& repo,
                                    const std::vector<cluster::SnapshotInfo>& snapshots,
                                    const std::vector<std::string>& patterns,
                                    RunningSnapshots running) {
  std::vector<std::string> all;
  for (const auto& s : snapshots) all.push_back(s.name);
  DeletePlan d;
  d.repository = repo;
  d.names = select_names(all, split_patterns(patterns));
  if (d.names.empty()) {
    std::string given;
    for (const auto& p : split_patterns(patterns)) given += (given.empty() ? "" : ", ") + p;
    return Error(ErrorCode::kNotFound, "no snapshot in repository " + repo + " matches " + given,
                 "list them with 'essnap snapshot list --repository " + repo + "'");
  }
  auto chosen = [&](const std::string& n) {
    return std::find(d.names.begin(), d.names.end(), n) != d.names.end();
  };
  for (const auto& s : snapshots)
    if (s.state == cluster::SnapshotStateKind::kInProgress && chosen(s.name))
      d.running.push_back(s.name);
  auto is_running = [&](const std::string& n) {
    return std::find(d.running.begin(), d.running.end(), n) != d.running.end();
  };
  util::Plan& p = d.plan;
  p.summary =
      "will delete " + std::to_string(d.names.size()) + " snapshot(s) from repository " + repo;
  for (const auto& n : d.names) p.actions.push_back(n + (is_running(n) ? "  (running)" : ""));
  p.json = {{"delete", d.names}, {"running", d.running}};
  p.question = "Delete these " + std::to_string(d.names.size()) + " snapshot(s)?";
  p.unchanged = "nothing was deleted";
  p.yes_hint = "pass --yes to delete without a prompt";
  if (!d.running.empty() && running == RunningSnapshots::kRefuse)
    p.blocker =
        Error(ErrorCode::kConflict, "refusing to delete running snapshots; nothing was deleted",
              "pass --abort to stop and delete them");
  return d;
}

Result<DeletePlan> plan_delete(cluster::Client& c, const std::string& repo,
                               const std::vector<std::string>& patterns, RunningSnapshots running) {
  auto got = cluster::get_snapshots(c, {repo, "_all", false});
  if (!got.ok()) return std::move(got).error();
  return make_delete_plan(repo, got->snapshots, patterns, running);
}

MultiDelete multi_delete_support(const cluster::ClusterInfo& info) {
  if (info.distribution == cluster::Distribution::kOpenSearch) return MultiDelete::kSupported;
  return info.version >= cluster::Version{7, 8, 0, ""} ? MultiDelete::kSupported
                                                       : MultiDelete::kOneByOne;
}

std::vector<std::vector<std::string>> delete_batches(const std::string& repo,
                                                     const std::vector<std::string>& names,
                                                     MultiDelete support,
                                                     const BatchLimits& limits) {
  const std::size_t base = cluster::delete_snapshots_path({repo, {}}).size();
  std::vector<std::vector<std::string>> out;
  std::size_t length = 0;
  for (const auto& n : names) {
    const std::size_t add = cluster::path_segment(n).size() + 1;
    const bool fits = !out.empty() && support == MultiDelete::kSupported &&
                      out.back().size() < limits.max_names && length + add <= limits.max_path_bytes;
    if (!fits) {
      out.emplace_back();
      length = base;
    }
    out.back().push_back(n);
    length += add;
  }
  return out;
}

PollPolicy DeleteHooks::slot_poll_policy() {
  PollPolicy p;
  p.initial = std::chrono::milliseconds(500);
  p.max = std::chrono::milliseconds(5000);
  p.outage_budget = std::chrono::minutes(2);
  return p;
}

namespace {

bool has_type(const Error& e, std::string_view type) {
  return e.remote && e.remote->error_type == type;
}

// Another snapshot, clone or deletion holds the repository: the DELETE was refused, not applied.
bool is_busy(const Error& e) {
  if (!e.remote) return false;
  const std::string& why = e.remote->reason;
  return has_type(e, "concurrent_snapshot_execution_exception") || e.remote->http_status == 429 ||
         why.find("deletion in progress") != std::string::npos ||
         why.find("currently being deleted") != std::string::npos;
}

// No answer, or an answer that does not say the DELETE was refused: it may have been applied.
bool may_have_been_applied(const Error& e) {
  if (e.code == ErrorCode::kNetwork || e.code == ErrorCode::kTimeout) return true;
  return e.remote && e.remote->http_status >= 500 && !is_busy(e);
}

// The names of `pending` a snapshot_missing_exception names ("[repo:name] is missing").
std::vector<std::string> missing_names(const Error& e, const std::vector<std::string>& pending) {
  std::vector<std::string> out;
  if (!has_type(e, "snapshot_missing_exception")) return out;
  for (const auto& n : pending)
    if (e.remote->reason.find(":" + n + "]") != std::string::npos ||
        e.remote->reason.find("[" + n + "]") != std::string::npos)
      out.push_back(n);
  return out;
}

// One batch: send, and sort out what each answer means. The wait loop owns the waiting.
class BatchDeletion {
 public:
  BatchDeletion(cluster::Client& c, const std::string& repo, std::vector<std::string> names,
                const DeleteHooks& hooks, DeleteReport& report)
      : c_(c), repo_(repo), pending_(std::move(names)), hooks_(hooks), report_(report) {}

  Result<PollState> poll() {
    if (relist_) {
      ESSNAP_TRY_STATUS(relist());
      relist_ = false;
    }
    while (!pending_.empty()) {
      ++report_.delete_requests;
      auto r = cluster::delete_snapshots(c_, {repo_, pending_});
      if (r.ok()) {
        const auto sent = pending_;  // mark() erases from pending_
        for (const auto& n : sent) mark(n, report_.deleted, hooks_.deleted);
        break;
      }
      const Error& e = r.error();
      if (auto gone = missing_names(e, pending_); !gone.empty()) {
        for (const auto& n : gone) mark(n, report_.already_gone, hooks_.gone);
        continue;  // a 404 deleted nothing: the rest is safe to send again
      }
      if (has_type(e, "snapshot_missing_exception")) {
        relist_ = true;  // which name is missing is not said: ask the listing
        return PollState::kRunning;
      }
      if (is_busy(e)) {
        if (!announced_)
          hooks_.wait.notify("another snapshot or deletion is running in repository " + repo_ +
                             " (" + e.remote->reason + "); waiting for it");
        announced_ = true;
        return PollState::kRunning;
      }
      if (may_have_been_applied(e)) relist_ = true;
      return Error(e).with_context("deleting " + std::to_string(pending_.size()) +
                                   " snapshot(s) from " + repo_);
    }
    return PollState::kDone;
  }

 private:
  void mark(const std::string& n, std::vector<std::string>& into,
            const std::function<void(const std::string&)>& hook) {
    into.push_back(n);
    if (hook) hook(n);
    std::erase(pending_, n);
  }

  // Which of the pending names the repository still lists; the others are gone.
  Status relist() {
    std::string names;
    for (const auto& n : pending_) names += (names.empty() ? "" : ",") + n;
    ESSNAP_TRY(auto got, cluster::get_snapshots(c_, {repo_, names, true, false}));
    const auto pending = pending_;
    for (const auto& n : pending) {
      const bool listed = std::any_of(got.snapshots.begin(), got.snapshots.end(),
                                      [&](const cluster::SnapshotInfo& s) { return s.name == n; });
      if (!listed) mark(n, report_.deleted, hooks_.deleted);
    }
    return ok_status();
  }

  cluster::Client& c_;
  const std::string& repo_;
  std::vector<std::string> pending_;
  const DeleteHooks& hooks_;
  DeleteReport& report_;
  bool relist_ = false;
  bool announced_ = false;
};

}  // namespace

Result<DeleteReport> delete_snapshots(cluster::Client& c, const std::string& repo,
                                      const std::vector<std::string>& names,
                                      const DeleteHooks& hooks) {
  DeleteReport report;
  if (names.empty()) return report;
  ESSNAP_TRY(auto info, c.info());
  const WaitSubject subject{
      "the deletion of " + std::to_string(names.size()) + " snapshot(s) from " + repo,
      "essnap snapshot list -r " + repo};
  for (auto& batch : delete_batches(repo, names, multi_delete_support(info), hooks.limits)) {
    BatchDeletion b(c, repo, std::move(batch), hooks, report);
    auto done = wait_until_done([&] { return b.poll(); }, subject, hooks.poll, hooks.wait);
    if (!done.ok()) return std::move(done).error();
  }
  return report;
}

Status execute_delete(cluster::Client& c, const DeletePlan& plan,
                      const std::function<void(const std::string&)>& deleted,
                      const std::function<void(const std::string&)>& gone) {
  DeleteHooks hooks;
  hooks.deleted = deleted;
  hooks.gone = gone;
  ESSNAP_TRY(auto report, delete_snapshots(c, plan.repository, plan.names, hooks));
  (void)report;
  return ok_status();
}

}  // namespace essnap::snapshot
