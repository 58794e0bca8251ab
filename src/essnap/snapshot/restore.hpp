// Restoring a snapshot safely: plan (which indices, under which names, what is excluded, what
// collides, whether the versions allow it) -> check -> execute -> wait -> count. The planner is a
// pure function of what the cluster reported, so every rule is unit-tested without a cluster.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "essnap/cluster/snapshots.hpp"
#include "essnap/snapshot/compat.hpp"
#include "essnap/snapshot/create.hpp"
#include "essnap/util/confirm.hpp"

namespace essnap::snapshot {

enum class ConflictPolicy { kRefuse, kCloseExisting, kDeleteExisting };
enum class SystemIndices { kExclude, kInclude };
enum class Verify { kNo, kYes };

struct RestoreOptions {
  std::string repository;
  std::string snapshot;
  std::vector<std::string> patterns;  // empty: every index in the snapshot
  std::string rename_pattern;         // Java-style regex, "$1" in the replacement
  std::string rename_replacement;
  std::map<std::string, std::string> index_settings;
  std::vector<std::string> ignore_index_settings;
  bool include_aliases = true;
  bool include_global_state = false;
  bool partial = false;
  SystemIndices system = SystemIndices::kExclude;
  ConflictPolicy conflicts = ConflictPolicy::kRefuse;
  WaitMode wait = WaitMode::kWait;
  Verify verify = Verify::kNo;
  PollPolicy poll;
  WaitHooks hooks;
};

struct RestorePlan {
  cluster::SnapshotInfo snapshot;
  EngineVersion source;
  EngineVersion target;
  std::vector<std::pair<std::string, std::string>> indices;  // snapshot name -> restored name
  std::vector<std::string> excluded_system;
  std::vector<std::string> conflicts;       // restored names that exist and are open
  std::vector<std::string> closed_targets;  // exist but closed: restored over, as the engines do
  std::optional<std::string> incompatibility;

  nlohmann::json to_json() const;
};

// "--rename-suffix _restored" as a rename pattern and replacement.
std::pair<std::string, std::string> suffix_rename(const std::string& suffix);

Result<RestorePlan> make_restore_plan(const cluster::SnapshotInfo& snapshot,
                                      const EngineVersion& target,
                                      const std::vector<cluster::IndexEntry>& existing,
                                      const RestoreOptions& options);

// Fetches the snapshot, the target's version and its indices, then make_restore_plan.
Result<RestorePlan> plan_restore(cluster::Client& client, const RestoreOptions& options);

// kConflict when the plan must not run as asked: an impossible version, or collisions the
// options do not resolve (the message lists them and the three ways out).
Status check_restore_plan(const RestorePlan& plan, const RestoreOptions& options);

// The plan as printed and confirmed (util::run_plan): it needs confirmation only when
// --delete-existing will delete open indices; a check_restore_plan refusal is its blocker.
util::Plan describe_restore(const RestorePlan& plan, const RestoreOptions& options);

struct RestoredIndex {
  std::string source;
  std::string target;
  std::int64_t documents = -1;
  std::optional<bool> verified;  // --verify: matches the snapshot's shard statistics
  std::string verify_detail;
};
struct RestoreResult {
  std::vector<RestoredIndex> indices;
  bool waited = false;
  int shards_failed = 0;
};

Result<RestoreResult> execute_restore(cluster::Client& client, const RestorePlan& plan,
                                      const RestoreOptions& options);

}  // namespace essnap::snapshot
