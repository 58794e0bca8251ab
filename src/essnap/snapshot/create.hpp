// Taking a snapshot and waiting for it: the PUT, "another snapshot is running" (optionally
// waiting for the slot), then adaptive polling of the repository's running snapshots until ours
// leaves them, tolerant of 5xx answers and dropped connections (a restarting cluster).
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "essnap/cluster/snapshots.hpp"
#include "essnap/snapshot/progress.hpp"

namespace essnap::snapshot {

enum class WaitMode { kNoWait, kWait };
enum class SlotMode { kRefuse, kWaitForSlot };

// How often to ask while waiting. The first polls are quick so short snapshots return at once;
// the cap keeps the delay between the cluster finishing and us noticing under half a second.
struct PollPolicy {
  std::chrono::milliseconds initial{100};
  std::chrono::milliseconds max{450};
  double factor = 1.5;
  std::chrono::milliseconds outage_budget{
      std::chrono::minutes(10)};  // unreachable this long: give up
};

struct WaitHooks {
  std::function<void(const Progress&)> progress;   // on every change
  std::function<void(const std::string&)> notice;  // "cluster unreachable, still waiting", ...
  std::function<void(std::chrono::milliseconds)> sleep;  // default this_thread::sleep_for

  // Sleep through the hook when a test set one, else for real.
  void wait(std::chrono::milliseconds d) const;
};

struct CreateOptions {
  cluster::CreateSnapshotRequest request;
  WaitMode wait = WaitMode::kWait;
  SlotMode slot = SlotMode::kRefuse;
  PollPolicy poll;
  WaitHooks hooks;
};

struct CreateResult {
  cluster::SnapshotInfo info;  // final when waited; IN_PROGRESS otherwise
};

Result<CreateResult> create_snapshot(cluster::Client& client, const CreateOptions& options);

// Waits for a running snapshot to finish and returns its final info.
Result<cluster::SnapshotInfo> wait_for_snapshot(cluster::Client& client,
                                                const std::string& repository,
                                                const std::string& name, const PollPolicy& poll,
                                                const WaitHooks& hooks);

// True for errors worth waiting through: no answer, a timeout, or a 5xx from the cluster or a
// proxy in front of it.
bool is_transient(const Error& e);

}  // namespace essnap::snapshot
