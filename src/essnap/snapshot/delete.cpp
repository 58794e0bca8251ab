#include "essnap/snapshot/delete.hpp"

#include <algorithm>

#include "essnap/snapshot/selection.hpp"

namespace essnap::snapshot {

Error explain_missing_repository(Error e, const std::string& repo) {
  if (e.code == ErrorCode::kNotFound && e.remote &&
      e.remote->error_type == "repository_missing_exception") {
    e.message = "repository " + repo + " is not registered";
    e.hint = "list the repositories with 'essnap repo list'";
  }
  return e;
}

Result<DeletePlan> make_delete_plan(const std::string& repo,
                                    const std::vector<cluster::SnapshotInfo>& snapshots,
                                    const std::vector<std::string>& patterns,
                                    RunningSnapshots running) {
  std::vector<std::string> all;
  for (const auto& s : snapshots) all.push_back(s.name);
  DeletePlan d;
  d.repository = repo;
  d.names = select_names(all, split_patterns(patterns));
  if (d.names.empty())
    return Error(ErrorCode::kNotFound,
                 "no snapshot in repository " + repo + " matches the names given",
                 "list them with 'essnap snapshot list --repository " + repo + "'");
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
  p.summary = "will delete " + std::to_string(d.names.size()) + " snapshot(s) from repository " +
              repo;
  for (const auto& n : d.names) p.actions.push_back(n + (is_running(n) ? "  (running)" : ""));
  p.json = {{"delete", d.names}, {"running", d.running}};
  p.question = "Delete these " + std::to_string(d.names.size()) + " snapshot(s)?";
  p.unchanged = "nothing was deleted";
  p.yes_hint = "pass --yes to delete without a prompt";
  if (!d.running.empty() && running == RunningSnapshots::kRefuse)
    p.blocker = Error(ErrorCode::kConflict,
                      "refusing to delete running snapshots; nothing was deleted",
                      "pass --abort to stop and delete them");
  return d;
}

Result<DeletePlan> plan_delete(cluster::Client& c, const std::string& repo,
                               const std::vector<std::string>& patterns, RunningSnapshots running) {
  auto got = cluster::get_snapshots(c, {repo, "_all", false});
  if (!got.ok()) return explain_missing_repository(std::move(got).error(), repo);
  return make_delete_plan(repo, got->snapshots, patterns, running);
}

Status execute_delete(cluster::Client& c, const DeletePlan& plan,
                      const std::function<void(const std::string&)>& deleted) {
  for (const auto& n : plan.names) {
    auto d = cluster::delete_snapshot(c, {plan.repository, n});
    if (!d.ok()) return Error(d.error()).with_context("deleting " + n);
    if (deleted) deleted(n);
  }
  return ok_status();
}

}  // namespace essnap::snapshot
