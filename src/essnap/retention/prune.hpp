// `essnap prune`: the snapshots a policy owns, the retention plan over them, and the deletions,
// through util::run_plan (print -> confirm -> execute) like every destructive command.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "essnap/cluster/client.hpp"
#include "essnap/retention/policy.hpp"
#include "essnap/util/confirm.hpp"

namespace essnap::retention {

// Which snapshots the policy owns: by default those whose metadata names it
// ({"essnap": {"policy": NAME, "version": V}}); with `match`, also every snapshot whose name
// matches one of the globs (`*`), to adopt snapshots made by hand, SLM or Snapshot Management.
struct Ownership {
  std::string policy_name;          // empty with `match`: only the globs decide
  std::vector<std::string> match;   // name globs
};
bool owns(const Ownership& o, const cluster::SnapshotInfo& s);

// The metadata essnap writes into every snapshot it creates for a policy.
nlohmann::json policy_metadata(const std::string& policy_name);

struct PruneOptions {
  std::string repository;
  Ownership ownership;
  Policy policy;
};

struct PrunePlan {
  std::string repository;
  std::vector<Decision> decisions;   // owned snapshots, newest first
  std::vector<std::string> remove;   // names to delete, in decision order
  util::Plan plan;                   // printed / confirmed; plan.json has {"snapshots": [
                                     //   {"name", "action", "reasons"}...]}
};

// Pure: from a listing (a `GET _snapshot/R/_all` body already parsed). kConflict for AWS
// `cs-*` repositories.
Result<PrunePlan> make_prune_plan(const PruneOptions& options,
                                  const std::vector<cluster::SnapshotInfo>& snapshots,
                                  std::chrono::system_clock::time_point now);

// Lists the repository (verbose=false, paginated where the engine can), then make_prune_plan.
Result<PrunePlan> plan_prune(cluster::Client& client, const PruneOptions& options,
                             std::chrono::system_clock::time_point now);

struct PruneReport {
  std::vector<std::string> deleted;
  int delete_requests = 0;  // DELETE calls sent (batches count once)
};

// Deletes plan.remove in batches (one multi-name DELETE where the engine supports it), waiting
// while another snapshot or deletion runs; never re-sends a DELETE that may have been received
// (after a timeout it re-reads the listing). `deleted` is called per name.
Result<PruneReport> execute_prune(cluster::Client& client, const PrunePlan& plan,
                                  const std::function<void(const std::string&)>& deleted);

}  // namespace essnap::retention
