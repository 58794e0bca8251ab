// Restoring a snapshot safely: plan (which indices, under which names, what is excluded, what
// collides, whether the versions, shard counts, settings and aliases allow it) -> check ->
// execute -> wait -> count. Every check is made before the first change (a close or a delete);
// the planner is a pure function of what the cluster reported, so every rule is unit-tested
// without a cluster.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "essnap/cluster/index_facts.hpp"
#include "essnap/cluster/snapshots.hpp"
#include "essnap/snapshot/compat.hpp"
#include "essnap/snapshot/create.hpp"
#include "essnap/util/confirm.hpp"

namespace essnap::snapshot {

enum class ConflictPolicy { kRefuse, kCloseExisting, kDeleteExisting };
enum class SystemIndices { kExclude, kInclude };
enum class Verify { kNo, kYes };
// kDefault: the snapshot's aliases are restored, unless the indices are renamed (a renamed copy
// must not join the production aliases unasked).
enum class Aliases { kDefault, kInclude, kExclude };

struct RestoreOptions {
  std::string repository;
  std::string snapshot;
  std::vector<std::string> patterns;  // empty: every index in the snapshot
  std::string rename_pattern;         // Java-style regex, "$1" in the replacement
  std::string rename_replacement;
  std::map<std::string, std::string> index_settings;
  std::vector<std::string> ignore_index_settings;
  Aliases aliases = Aliases::kDefault;
  bool include_global_state = false;
  bool partial = false;
  SystemIndices system = SystemIndices::kExclude;
  ConflictPolicy conflicts = ConflictPolicy::kRefuse;
  WaitMode wait = WaitMode::kWait;
  Verify verify = Verify::kNo;
  PollPolicy poll;
  WaitHooks hooks;
};

// Whether the restore request asks for the snapshot's aliases (include_aliases).
bool restores_aliases(const RestoreOptions& options);

// Settings the engines refuse to change (index_settings) or remove (ignore_index_settings) on a
// restore (RestoreService's UNMODIFIABLE_SETTINGS / UNREMOVABLE_SETTINGS, Elasticsearch 8 and
// OpenSearch 2/3): kInvalidArgument naming them, before any request.
Status validate_restore_settings(const RestoreOptions& options);

// What the cluster and the snapshot said, read before planning (nothing here changes anything).
struct RestoreFacts {
  std::vector<cluster::IndexEntry> existing;
  std::map<std::string, int> live_shards;      // live index -> primary shards
  std::map<std::string, int> snapshot_shards;  // snapshot index -> shards (empty: not read)
  std::vector<cluster::AliasEntry> aliases;    // live aliases (empty: not read)
};

// An existing index the restore would overwrite in place with a different shard count.
struct ShardMismatch {
  std::string target;
  std::string source;
  int live_shards = 0;
  int snapshot_shards = 0;
  bool closed = false;  // already closed (restored over whatever the conflict policy)
};
// A restored index that would become a second write index of a live alias.
struct WriteAliasClash {
  std::string alias;
  std::string target;
  std::string write_index;  // the alias' write index now
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
  bool aliases_restored = true;
  std::vector<ShardMismatch> shard_mismatches;
  std::vector<WriteAliasClash> write_alias_clashes;

  nlohmann::json to_json() const;
};

// "--rename-suffix _restored" as a rename pattern and replacement.
std::pair<std::string, std::string> suffix_rename(const std::string& suffix);

Result<RestorePlan> make_restore_plan(const cluster::SnapshotInfo& snapshot,
                                      const EngineVersion& target, const RestoreFacts& facts,
                                      const RestoreOptions& options);
// Fills the plan's shard mismatches and write-alias clashes from the facts (part of the above).
void add_preflight_findings(RestorePlan& plan, const RestoreFacts& facts,
                            const RestoreOptions& options);

// Checks the settings, fetches the snapshot, the target's version and its indices, and, where a
// check needs them, the shard counts (live and in the snapshot) and the live aliases; then
// make_restore_plan. Read-only.
Result<RestorePlan> plan_restore(cluster::Client& client, const RestoreOptions& options);

// The refusal when the plan must not run as asked, each before anything changes: unmodifiable
// settings (kInvalidArgument); an impossible version, collisions the options do not resolve (the
// message lists them and the three ways out), an index overwritten in place with another shard
// count, a second write index for a live alias (kConflict).
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

// Runs a plan check_restore_plan accepts: closes or deletes the conflicts, then restores. When
// something fails after a close or a delete, the error says what was changed and how to undo it;
// indices it closed are reopened (when the engine surely did not start the restore).
Result<RestoreResult> execute_restore(cluster::Client& client, const RestorePlan& plan,
                                      const RestoreOptions& options);

// Follows the recovery of restored indices through the one wait loop until every primary is
// active, or until the ones left have been neither active nor initializing for a while: the
// number of primaries that failed. `snapshot` names what is restored in progress and messages.
// Used by a restore and by `essnap restore status --wait` re-attaching to one already running.
Result<int> wait_for_restored(cluster::Client& client, const std::string& snapshot,
                              const std::vector<std::string>& targets, const PollPolicy& poll,
                              const WaitHooks& hooks);

// `restore latest` and `drill`'s default: the newest SUCCESS snapshot of the repository (by start
// time, then name) that holds an index each positive pattern selects (any snapshot without
// patterns). kNotFound when there is none.
Result<std::string> newest_success_snapshot(cluster::Client& client, const std::string& repository,
                                            const std::vector<std::string>& patterns);

// The command that re-attaches to a restore of these targets: "essnap restore status -i a,b
// --wait" (or "--snapshot NAME" when the list is long).
std::string follow_restore_command(const std::string& snapshot,
                                   const std::vector<std::string>& targets);

}  // namespace essnap::snapshot
