// `essnap prune`: the snapshots a policy owns, the retention plan over them, and the deletions,
// through util::run_plan (print -> confirm -> execute) like every destructive command.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "essnap/cluster/client.hpp"
#include "essnap/retention/policy.hpp"
#include "essnap/snapshot/delete.hpp"
#include "essnap/util/confirm.hpp"

namespace essnap::retention {

// Which snapshots the policy owns: by default those whose metadata names it
// ({"essnap": {"policy": NAME, "version": V}}); with `match`, also every snapshot whose name
// matches one of the globs (`*`), to adopt snapshots made by hand, SLM or Snapshot Management.
struct Ownership {
  std::string policy_name;         // empty with `match`: only the globs decide
  std::vector<std::string> match;  // name globs
};
bool owns(const Ownership& o, const cluster::SnapshotInfo& s);

// The metadata essnap writes into every snapshot it creates for a policy.
nlohmann::json policy_metadata(const std::string& policy_name);

// Who made a snapshot, from its metadata: "essnap:NAME", "slm:NAME" (Elasticsearch SLM's
// `policy`), "sm:NAME" (OpenSearch Snapshot Management's `sm_policy`); empty when unknown.
std::string managed_by(const cluster::SnapshotInfo& s);

// AWS's own repositories (cs-automated, cs-automated-enc, cs-ultrawarm): never pruned by us.
bool is_aws_managed_repository(const std::string& repository);

struct PruneOptions {
  std::string repository;
  Ownership ownership;
  Policy policy;
};

struct PrunePlan {
  std::string repository;
  std::vector<Decision> decisions;      // owned snapshots, newest first
  std::vector<std::string> remove;      // names to delete, in decision order
  util::Plan plan;                      // printed / confirmed; plan.json is {"repository",
                                        //   "ownership", "listed", "not_owned",
                                        //   "adopt_match"? (owning none of them)}: the
                                        //   per-snapshot part is plan_json's
  std::vector<std::string> managed_by;  // per decision: managed_by() of the snapshot
  int listed = 0;                       // snapshots in the repository
  int not_owned = 0;                    // of them, those the ownership does not cover
  std::string adopt_match;              // owning none of `listed`: a --match glob adopting them
  int list_requests = 0;                // GETs the listing took (pages)
};

// The whole plan for machines: plan.json plus "snapshots": [{"name", "action", "reasons",
// "state", "start_time", "managed_by"?}...] and "remove": [...]. Built on demand (it is the
// largest part of a plan of many snapshots).
nlohmann::json plan_json(const PrunePlan& plan);

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
  std::vector<std::string> already_gone;  // gone before we got to them: not an error
  int delete_requests = 0;                // DELETE calls sent (batches count once)
};

// How plan_prune lists: Elasticsearch >= 7.14 paginates verbose listings (size/after, sorted by
// start time; >= 8.3 without index names); the rest answer one verbose _all. verbose=false is
// never enough: no engine puts start times or metadata in it (checked on ES 8.19, OS 2.19, 3.3).
struct ListingPlan {
  int page_size = 0;  // 0: one request
  bool index_names = true;
};
ListingPlan listing_plan(const cluster::ClusterInfo& info);

// The repository's snapshots as plan_prune lists them.
Result<std::vector<cluster::SnapshotInfo>> list_repository(cluster::Client& client,
                                                           const std::string& repository,
                                                           int* requests = nullptr);

// Deletes plan.remove in batches (one multi-name DELETE where the engine supports it), waiting
// while another snapshot or deletion runs; never re-sends a DELETE that may have been received
// (after a timeout it re-reads the listing). `deleted` is called per name.
Result<PruneReport> execute_prune(cluster::Client& client, const PrunePlan& plan,
                                  const std::function<void(const std::string&)>& deleted);
// The same with every hook (gone names, wait notices, interruption, batch limits).
Result<PruneReport> execute_prune(cluster::Client& client, const PrunePlan& plan,
                                  const snapshot::DeleteHooks& hooks);

}  // namespace essnap::retention
