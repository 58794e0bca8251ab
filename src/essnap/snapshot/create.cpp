#include "essnap/snapshot/create.hpp"

#include <optional>

#include "essnap/snapshot/documents_metadata.hpp"
#include "essnap/snapshot/selection.hpp"
#include "essnap/util/strings.hpp"

namespace essnap::snapshot {
namespace {

using Ms = std::chrono::milliseconds;

bool is_concurrent_error(const Error& e) {
  if (!e.remote) return false;
  return e.remote->error_type == "concurrent_snapshot_execution_exception" ||
         e.remote->reason.find("snapshot is already running") != std::string::npos ||
         e.remote->reason.find("another snapshot") != std::string::npos;
}

// Names of the snapshots running anywhere on the cluster.
std::string running_snapshots(cluster::Client& c) {
  auto st = cluster::snapshot_status(c, {});
  if (!st.ok() || st->snapshots.empty()) return "";
  std::string out;
  for (const auto& s : st->snapshots) {
    if (!out.empty()) out += ", ";
    out += s.repository + "/" + s.name;
  }
  return out;
}

// Every shard accounted for, or a final word from _status: the cluster is writing the
// snapshot's metadata.
bool finalizing(const cluster::SnapshotProgress& p) {
  using K = cluster::StatusStageKind;
  return p.state == K::kSuccess || p.state == K::kFailed || p.state == K::kDone ||
         (p.shards_total > 0 && p.shards_done + p.shards_failed >= p.shards_total);
}

bool differs(const Progress& a, const Progress& b) {
  return a.shards_done != b.shards_done || a.bytes_done != b.bytes_done || a.state != b.state ||
         a.shards_total != b.shards_total;
}

}  // namespace

Result<cluster::SnapshotInfo> wait_for_snapshot(cluster::Client& c, const std::string& repo,
                                                const std::string& name, const PollPolicy& policy,
                                                const WaitHooks& hooks) {
  const auto started = hooks.clock();
  std::optional<Progress> last;
  std::optional<cluster::SnapshotInfo> outcome;
  auto elapsed = [&] { return std::chrono::duration_cast<Ms>(hooks.clock() - started); };
  auto show = [&](const Progress& p) {
    if (hooks.progress && (!last || differs(p, *last))) hooks.report(p);
    last = p;
  };
  // Someone else's abort (a DELETE of the running snapshot) is sticky: the engine may report the
  // aborted entry's last shards as SUCCESS on its way out, which must not read as a success.
  bool aborted = false;
  const std::string subject = "snapshot " + name + " in repository " + repo;
  // One look: the repository's running snapshots (cheap, from the cluster state); once ours has
  // left them, its recorded outcome.
  auto poll = [&]() -> Result<PollState> {
    ESSNAP_TRY(auto st, cluster::snapshot_status(c, {repo, ""}));
    for (const auto& s : st.snapshots) {
      if (s.name != name) continue;
      aborted = aborted || s.state == cluster::StatusStageKind::kAborted;
      show(Progress{"snapshot", name, aborted ? "ABORTED" : s.state.text, s.shards_done,
                    s.shards_total, s.bytes_done, s.bytes_total, elapsed()});
      return finalizing(s) ? PollState::kFinalizing : PollState::kRunning;
    }
    auto got = cluster::get_snapshots(c, {repo, name, false});
    const bool vanished = (got.ok() && got->snapshots.empty()) ||
                          (!got.ok() && got.error().remote &&
                           got.error().remote->error_type == "snapshot_missing_exception");
    if (vanished) {
      Error e(ErrorCode::kIncomplete,
              aborted ? subject +
                            " was aborted while we waited: someone deleted it while it "
                            "ran, and nothing of it was kept"
                      : subject +
                            " vanished while we waited: it is no longer in the "
                            "repository (someone deleted it)",
              "see what the repository holds with 'essnap snapshot list -r " + repo +
                  "', then take it again");
      if (!got.ok()) e.remote = got.error().remote;
      return e;
    }
    if (!got.ok()) return std::move(got).error();
    auto info = std::move(got->snapshots.front());
    // Between the two calls it may not be recorded as finished yet: ask again.
    if (info.state == cluster::SnapshotStateKind::kInProgress) return PollState::kFinalizing;
    const std::int64_t bytes = last ? last->bytes_total : 0;
    show(Progress{"snapshot", name, info.state.text, info.shards_successful, info.shards_total,
                  bytes, bytes, elapsed()});
    outcome = std::move(info);
    return PollState::kDone;
  };
  ESSNAP_TRY_STATUS(wait_until_done(poll, {"snapshot " + name, follow_snapshot_command(repo, name)},
                                    policy, hooks));
  return std::move(*outcome);
}

std::string follow_snapshot_command(const std::string& repository, const std::string& name) {
  return "essnap snapshot status -r " + util::shell_word(repository) + " " +
         util::shell_word(name) + " --wait";
}

namespace {

// With kNoWait, the snapshot as just started (IN_PROGRESS); else its outcome, waited for.
Result<cluster::SnapshotInfo> started_or_done(cluster::Client& c, const std::string& repo,
                                              const std::string& name, WaitMode wait,
                                              const PollPolicy& poll, const WaitHooks& hooks) {
  if (wait == WaitMode::kWait) return wait_for_snapshot(c, repo, name, poll, hooks);
  cluster::SnapshotInfo info;
  info.name = name;
  info.repository = repo;
  info.state = cluster::make_snapshot_state(cluster::SnapshotStateKind::kInProgress);
  return info;
}

}  // namespace

Result<CreateResult> create_snapshot(cluster::Client& c, const CreateOptions& o) {
  cluster::CreateSnapshotRequest r = o.request;
  if (!r.indices.empty() && o.empty == EmptySelection::kRefuse) {
    const auto patterns = split_patterns({r.indices});
    ESSNAP_TRY(auto resolved, cluster::resolve_indices(c, patterns));
    ESSNAP_TRY_STATUS(check_selection(
        patterns, resolved, "in the cluster",
        "nothing was sent; see the indices with 'essnap request GET /_cat/indices', or pass "
        "--allow-empty to record a snapshot of no index"));
  }
  if (o.record_documents == RecordDocuments::kYes) {
    // The metadata as the request will send it (key=value pairs, then the object merged in).
    nlohmann::json merged = nlohmann::json::object();
    for (const auto& [k, v] : r.metadata) merged[k] = v;
    if (r.metadata_object.is_object()) merged.update(r.metadata_object);
    const auto patterns =
        r.indices.empty() ? std::vector<std::string>{} : split_patterns({r.indices});
    // Counting is a courtesy to a later drill: a failure to list leaves the counts out.
    if (auto counts = count_for_metadata(c, patterns, merged); counts.ok() && !counts->empty()) {
      r.metadata.clear();
      r.metadata_object = with_document_counts(std::move(merged), *counts);
    }
  }
  for (;;) {
    auto created = cluster::create_snapshot(c, r);
    if (created.ok()) break;
    const Error& e = created.error();
    if (is_concurrent_error(e)) {
      const std::string running = running_snapshots(c);
      if (o.slot == SlotMode::kRefuse) {
        Error out(ErrorCode::kConflict,
                  "another snapshot is running: " + (running.empty() ? e.message : running),
                  "wait for it with --wait-for-slot, or check it with 'essnap snapshot status'");
        out.remote = e.remote;
        return out;
      }
      o.hooks.notify("another snapshot is running (" + running + "); waiting for the slot");
      o.hooks.wait(Ms(1000));
      if (o.hooks.stop_requested())
        return Error(ErrorCode::kInterrupted,
                     "interrupted while waiting for a free snapshot slot; snapshot " + r.name +
                         " was not created",
                     "see what is running with 'essnap snapshot status'");
      continue;
    }
    if (e.remote && e.remote->error_type == "invalid_snapshot_name_exception" &&
        e.remote->reason.find("already exists") != std::string::npos)
      return Error(ErrorCode::kConflict,
                   "snapshot " + r.name + " already exists in repository " + r.repository,
                   "choose another name (a template like nightly-{now:%Y.%m.%d-%H%M} helps)");
    if (is_transient(e)) {
      // The PUT may have reached the cluster before the answer was lost: look before failing.
      auto got = cluster::get_snapshots(c, {r.repository, r.name, true});
      if (got.ok() && !got->snapshots.empty()) break;
    }
    return std::move(created).error();
  }
  CreateResult out;
  ESSNAP_TRY(out.info, started_or_done(c, r.repository, r.name, o.wait, o.poll, o.hooks));
  return out;
}

Result<CloneResult> clone_snapshot(cluster::Client& c, const CloneOptions& o) {
  const auto& r = o.request;
  ESSNAP_TRY_STATUS(cluster::clone_snapshot(c, r));
  CloneResult out;
  ESSNAP_TRY(out.info, started_or_done(c, r.repository, r.target, o.wait, o.poll, o.hooks));
  return out;
}

}  // namespace essnap::snapshot
