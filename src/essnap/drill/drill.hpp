// `essnap drill`: prove a snapshot restorable. Restore it into scratch indices (renamed with a
// suffix, no aliases, no replicas) after checking the cluster has the disk for it, wait through
// the one wait loop, compare each restored index with the snapshot's own account of it
// (documents.hpp: counts, sampled documents), delete the scratch indices whatever happened, and
// report the restore's time and throughput — the recovery time a real restore would take.
//
//   plan_drill (read-only: snapshot, restore plan, sizes, free disk) -> describe_drill (the plan
//   printed; a blocker when it cannot run) -> execute_drill (restore, wait, check, clean up)
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "essnap/cluster/client.hpp"
#include "essnap/drill/documents.hpp"
#include "essnap/snapshot/restore.hpp"
#include "essnap/snapshot/wait.hpp"
#include "essnap/util/confirm.hpp"

namespace essnap::drill {

struct DrillOptions {
  std::string repository;
  std::string snapshot;  // empty: the newest SUCCESS holding the selection
  std::vector<std::string>
      patterns;        // split -i patterns; empty: every index (system ones left out)
  std::string suffix;  // empty: default_suffix(now)
  int sample = 10;     // documents compared per index (0: none)
  snapshot::PollPolicy poll;
  snapshot::WaitHooks hooks;  // progress, notices, interruption (SIGINT/SIGTERM)
};

// "-drill-YYYYMMDD" (UTC).
std::string default_suffix(std::chrono::system_clock::time_point now);

// Whether a scratch index created at `created_ms` is this drill's restored copy (and so deleted
// at the end): created no later than the snapshot ended (`snapshot_end_ms`; Elasticsearch and
// OpenSearch up to 2.x keep the source's creation date, and every index in a snapshot existed
// before it ended), or from `restore_sent_ms` on once the drill sent its restore (OpenSearch 3.x
// stamps a restored index anew). Between the two it is someone else's index, left alone.
bool is_drill_copy(std::int64_t created_ms, std::int64_t snapshot_end_ms,
                   std::optional<std::int64_t> restore_sent_ms);

struct DrillPlan {
  snapshot::RestorePlan restore;
  snapshot::RestoreOptions restore_options;
  std::vector<std::string> scratch;  // the restored names, in plan order
  std::int64_t snapshot_bytes = -1;  // the selected indices' size in the snapshot (-1: unknown)
  std::int64_t free_bytes = -1;      // available on the data nodes together (-1: unknown)
  int data_nodes = 0;
  // Refusals found while planning (no disk, a scratch name taken, ...): describe_drill's blocker.
  std::optional<Error> blocker;

  // The command that deletes the scratch indices by hand (should the drill be killed).
  std::string cleanup_command() const;
  nlohmann::json to_json() const;
};

// Resolves the snapshot, plans its restore under the scratch names (the restore workflow's own
// checks: versions, names taken — a scratch name already in use is refused, never overwritten),
// and compares the snapshot's size with the data nodes' free disk. Read-only.
Result<DrillPlan> plan_drill(cluster::Client& client, const DrillOptions& options);

// The plan as printed (no confirmation: a drill changes only indices it creates and deletes).
util::Plan describe_drill(const DrillPlan& plan);

enum class Check { kPassed, kFailed, kNotChecked };
const char* to_string(Check c);  // "passed" | "failed" | "not checked"

struct IndexResult {
  std::string source;   // its name in the snapshot
  std::string scratch;  // restored as
  Check restore = Check::kNotChecked;
  std::string restore_detail;  // failed primaries and the engine's reason
  std::int64_t restored_documents = -1;
  std::optional<std::int64_t> expected_documents;
  Check count = Check::kNotChecked;
  std::string count_detail;
  Check sample = Check::kNotChecked;
  int sampled = 0;
  std::string sample_detail;
};

struct DrillReport {
  std::string repository;
  std::string snapshot;
  std::string count_source;         // SnapshotDocuments::count_source
  bool restored = false;            // every primary became active
  double restore_seconds = 0;       // from the restore request to every primary active
  std::int64_t restored_bytes = 0;  // recovered from the repository
  double bytes_per_second = 0;
  std::vector<IndexResult> indices;
  std::vector<std::string> problems;  // what disproves the snapshot
  std::vector<std::string> warnings;  // what was not checked, and why
  std::vector<std::string> deleted;   // scratch indices deleted at the end
  std::vector<std::string> left;      // scratch indices that could not be deleted
  // Set when the drill could not reach a verdict (interrupted, the cluster unreachable, the
  // restore refused for a reason that is not the snapshot's): the scratch indices were still
  // cleaned up.
  std::optional<Error> error;

  bool passed() const { return !error && problems.empty(); }
  nlohmann::json to_json() const;
};

// Restores the plan (no aliases, number_of_replicas 0), waits, checks, and then ALWAYS deletes
// the scratch indices that are this drill's (restored copies: created before the snapshot
// started, so never an index someone made meanwhile under that name) through `cleanup` — a
// client whose deadline has not run out, so an interrupted or timed-out drill still cleans up.
DrillReport execute_drill(cluster::Client& client, cluster::Client& cleanup, const DrillPlan& plan,
                          SnapshotDocuments& documents, const DrillOptions& options);

}  // namespace essnap::drill
