#include "essnap/snapshot/create.hpp"

#include <algorithm>
#include <thread>

namespace essnap::snapshot {

void WaitHooks::wait(std::chrono::milliseconds d) const {
  if (sleep)
    sleep(d);
  else
    std::this_thread::sleep_for(d);
}

namespace {

using Ms = std::chrono::milliseconds;

void notice(const WaitHooks& h, const std::string& s) {
  if (h.notice) h.notice(s);
}

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

}  // namespace

bool is_transient(const Error& e) {
  if (e.code == ErrorCode::kNetwork || e.code == ErrorCode::kTimeout) return true;
  if (e.remote && e.remote->http_status >= 500) return true;
  if (e.remote && e.remote->http_status == 429) return true;
  return false;
}

Result<cluster::SnapshotInfo> wait_for_snapshot(cluster::Client& c, const std::string& repo,
                                                const std::string& name, const PollPolicy& poll,
                                                const WaitHooks& hooks) {
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  Ms interval = poll.initial;
  std::optional<Clock::time_point> outage_since;
  Progress last;
  bool have_last = false;
  auto transient = [&](const Error& e) -> std::optional<Error> {
    if (!is_transient(e)) return e;
    const auto now = Clock::now();
    if (!outage_since) {
      outage_since = now;
      notice(hooks, "cluster not answering (" + e.message + "); still waiting for " + name);
    } else if (now - *outage_since > poll.outage_budget) {
      Error out = e;
      out.message =
          "gave up waiting for snapshot " + name + " after the cluster was unreachable for " +
          format_duration(std::chrono::duration_cast<Ms>(now - *outage_since)) + ": " + e.message;
      out.hint = "the snapshot may still finish: check it with 'essnap snapshot show " + name + "'";
      return out;
    }
    hooks.wait(std::min(interval * 2, Ms(1000)));
    return std::nullopt;
  };
  for (;;) {
    auto st = cluster::snapshot_status(c, {repo, ""});
    if (!st.ok()) {
      if (auto fatal = transient(st.error())) return *fatal;
      continue;
    }
    if (outage_since) {
      notice(hooks, "cluster answering again");
      outage_since.reset();
    }
    const cluster::SnapshotProgress* mine = nullptr;
    for (const auto& s : st->snapshots)
      if (s.name == name) mine = &s;
    if (mine) {
      Progress p{"snapshot",         name,
                 mine->state,        mine->shards_done,
                 mine->shards_total, mine->bytes_done,
                 mine->bytes_total,  std::chrono::duration_cast<Ms>(Clock::now() - started)};
      const bool changed = !have_last || p.shards_done != last.shards_done ||
                           p.bytes_done != last.bytes_done || p.state != last.state ||
                           p.shards_total != last.shards_total;
      if (changed && hooks.progress) hooks.progress(p);
      last = p;
      have_last = true;
      // Every shard done: the cluster is finalizing (writing the snapshot's metadata), which
      // ends within moments, so ask often instead of backing off.
      const bool finalizing =
          mine->state == "SUCCESS" || mine->state == "FAILED" || mine->state == "PARTIAL" ||
          (mine->shards_total > 0 && mine->shards_done + mine->shards_failed >= mine->shards_total);
      hooks.wait(finalizing ? std::min(poll.initial / 2, interval) : interval);
      interval = std::min(
          Ms(static_cast<Ms::rep>(static_cast<double>(interval.count()) * poll.factor)), poll.max);
      continue;
    }
    // No longer running: the recorded outcome.
    auto got = cluster::get_snapshots(c, {repo, cluster::path_segment(name), false});
    if (!got.ok()) {
      if (auto fatal = transient(got.error())) return *fatal;
      continue;
    }
    if (got->snapshots.empty())
      return Error(ErrorCode::kNotFound, "snapshot " + name + " is not in repository " + repo);
    auto info = got->snapshots.front();
    if (info.state == "IN_PROGRESS") {  // between the two calls; ask again
      hooks.wait(interval);
      continue;
    }
    if (hooks.progress &&
        (!have_last || last.state != info.state || last.shards_done != info.shards_successful)) {
      Progress p{"snapshot",        name,
                 info.state,        info.shards_successful,
                 info.shards_total, last.bytes_total,
                 last.bytes_total,  std::chrono::duration_cast<Ms>(Clock::now() - started)};
      hooks.progress(p);
    }
    return info;
  }
}

Result<CreateResult> create_snapshot(cluster::Client& c, const CreateOptions& o) {
  const auto& r = o.request;
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
      notice(o.hooks, "another snapshot is running (" + running + "); waiting for the slot");
      o.hooks.wait(Ms(1000));
      continue;
    }
    if (e.remote && e.remote->error_type == "invalid_snapshot_name_exception" &&
        e.remote->reason.find("already exists") != std::string::npos)
      return Error(ErrorCode::kConflict,
                   "snapshot " + r.name + " already exists in repository " + r.repository,
                   "choose another name (a template like nightly-{now:%Y.%m.%d-%H%M} helps)");
    if (e.code == ErrorCode::kNotFound)
      return Error(ErrorCode::kNotFound, "repository " + r.repository + " is not registered",
                   "list the repositories with 'essnap repo list'");
    if (is_transient(e)) {
      // The PUT may have reached the cluster before the answer was lost: look before failing.
      auto got = cluster::get_snapshots(c, {r.repository, cluster::path_segment(r.name), true});
      if (got.ok() && !got->snapshots.empty()) break;
    }
    return std::move(created).error();
  }
  CreateResult out;
  if (o.wait == WaitMode::kNoWait) {
    out.info.name = r.name;
    out.info.repository = r.repository;
    out.info.state = "IN_PROGRESS";
    return out;
  }
  ESSNAP_TRY(out.info, wait_for_snapshot(c, r.repository, r.name, o.poll, o.hooks));
  return out;
}

}  // namespace essnap::snapshot
