// `snapshot delete` as a plan: which snapshots the names and patterns select, which of them are
// running (refused unless aborting them is asked for), then the deletions. Run through
// util::run_plan, so printing, confirmation and --dry-run are the shared mechanism.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "essnap/cluster/snapshots.hpp"
#include "essnap/util/confirm.hpp"

namespace essnap::snapshot {

enum class RunningSnapshots { kRefuse, kAbort };

struct DeletePlan {
  std::string repository;
  std::vector<std::string> names;    // chosen, in repository order
  std::vector<std::string> running;  // those of `names` still IN_PROGRESS
  util::Plan plan;                   // what is printed and confirmed
};

// Pure: the plan from the repository's snapshots. kNotFound when nothing matches.
Result<DeletePlan> make_delete_plan(const std::string& repository,
                                    const std::vector<cluster::SnapshotInfo>& snapshots,
                                    const std::vector<std::string>& patterns,
                                    RunningSnapshots running);

// Lists the repository's snapshots, then make_delete_plan.
Result<DeletePlan> plan_delete(cluster::Client& client, const std::string& repository,
                               const std::vector<std::string>& patterns, RunningSnapshots running);

// Deletes one by one, calling `deleted` after each; stops at the first failure.
Status execute_delete(cluster::Client& client, const DeletePlan& plan,
                      const std::function<void(const std::string&)>& deleted);

// "repository R is not registered" for a repository_missing_exception; others pass through.
Error explain_missing_repository(Error e, const std::string& repository);

}  // namespace essnap::snapshot
