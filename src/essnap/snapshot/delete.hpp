// `snapshot delete` as a plan: which snapshots the names and patterns select, which of them are
// running (refused unless aborting them is asked for), then the deletions. Run through
// util::run_plan, so printing, confirmation and --dry-run are the shared mechanism.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "essnap/cluster/snapshots.hpp"
#include "essnap/snapshot/wait.hpp"
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

// How many snapshots one DELETE may name. Elasticsearch >= 7.8 and OpenSearch (every version)
// take a comma list; older Elasticsearch one name per request.
enum class MultiDelete { kSupported, kOneByOne };
MultiDelete multi_delete_support(const cluster::ClusterInfo& info);

struct BatchLimits {
  std::size_t max_names = 50;
  std::size_t max_path_bytes = 3500;  // well under the engines' 4 KiB initial line
};

// The names in order, cut into DELETE-sized batches (one name each with kOneByOne).
std::vector<std::vector<std::string>> delete_batches(const std::string& repository,
                                                     const std::vector<std::string>& names,
                                                     MultiDelete support,
                                                     const BatchLimits& limits);

struct DeleteHooks {
  std::function<void(const std::string&)> deleted;  // per name, once the cluster confirmed it
  std::function<void(const std::string&)> gone;     // per name the cluster no longer had
  WaitHooks wait;                                   // notices, sleep, clock, interruption
  PollPolicy poll = slot_poll_policy();
  BatchLimits limits;

  // While another snapshot or deletion holds the repository: start at 0.5 s, back off to 5 s.
  static PollPolicy slot_poll_policy();
};

struct DeleteReport {
  std::vector<std::string> deleted;
  std::vector<std::string> already_gone;  // 404 / absent from the listing: not an error
  int delete_requests = 0;                // DELETE calls sent
};

// Deletes `names` in batches. Waits (through the wait loop) while another snapshot or deletion
// runs; a name the cluster does not have is reported as gone and the rest re-sent (a 404 deletes
// nothing); after an answer that may hide an applied DELETE (no answer, timeout, 502/504) it
// re-reads the listing instead of re-sending, and sends again only what is still listed.
Result<DeleteReport> delete_snapshots(cluster::Client& client, const std::string& repository,
                                      const std::vector<std::string>& names,
                                      const DeleteHooks& hooks);

// The plan's deletions through delete_snapshots; `deleted` per name deleted, `gone` per name the
// cluster no longer had. Stops at the first failure.
Status execute_delete(cluster::Client& client, const DeletePlan& plan,
                      const std::function<void(const std::string&)>& deleted,
                      const std::function<void(const std::string&)>& gone = {});

}  // namespace essnap::snapshot
