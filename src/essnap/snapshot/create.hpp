// Taking a snapshot and waiting for it: the PUT, "another snapshot is running" (optionally
// waiting for the slot), then adaptive polling of the repository's running snapshots until ours
// leaves them, through the one wait loop (snapshot/wait.hpp). A clone is waited for the same way.
#pragma once

#include <string>

#include "essnap/cluster/snapshots.hpp"
#include "essnap/snapshot/progress.hpp"
#include "essnap/snapshot/wait.hpp"

namespace essnap::snapshot {

enum class SlotMode { kRefuse, kWaitForSlot };

// A selection (-i) that matches no index: refused before anything is sent, or allowed (the
// engine then records a snapshot of no index).
enum class EmptySelection { kRefuse, kAllow };

// kYes: each selected index's document count goes into the snapshot's metadata
// (essnap.documents, snapshot/documents_metadata.hpp) for a later drill to compare with.
enum class RecordDocuments { kNo, kYes };

struct CreateOptions {
  cluster::CreateSnapshotRequest request;
  EmptySelection empty = EmptySelection::kRefuse;
  RecordDocuments record_documents = RecordDocuments::kNo;
  WaitMode wait = WaitMode::kWait;
  SlotMode slot = SlotMode::kRefuse;
  PollPolicy poll;
  WaitHooks hooks;
};

struct CreateResult {
  cluster::SnapshotInfo info;  // final when waited; IN_PROGRESS otherwise
};

Result<CreateResult> create_snapshot(cluster::Client& client, const CreateOptions& options);

struct CloneOptions {
  cluster::CloneSnapshotRequest request;  // indices: "" or "*" for all
  WaitMode wait = WaitMode::kWait;
  PollPolicy poll;
  WaitHooks hooks;
};

struct CloneResult {
  cluster::SnapshotInfo info;  // final when waited; IN_PROGRESS otherwise
};

// Clones a snapshot (or some of its indices) under a new name and, with WaitMode::kWait, waits
// for the clone through wait_for_snapshot.
Result<CloneResult> clone_snapshot(cluster::Client& client, const CloneOptions& options);

// Waits for a running snapshot (or clone) to finish and returns its final info. kInterrupted
// when hooks.interrupted fires: the snapshot keeps running in the cluster. kIncomplete when it
// was aborted or vanished (deleted by someone else) while we waited.
Result<cluster::SnapshotInfo> wait_for_snapshot(cluster::Client& client,
                                                const std::string& repository,
                                                const std::string& name, const PollPolicy& poll,
                                                const WaitHooks& hooks);

// The command that re-attaches to a running snapshot and waits for its outcome:
// "essnap snapshot status -r REPO NAME --wait" (words quoted for a shell where needed).
std::string follow_snapshot_command(const std::string& repository, const std::string& name);

}  // namespace essnap::snapshot
