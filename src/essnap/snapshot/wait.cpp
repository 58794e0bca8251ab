#include "essnap/snapshot/wait.hpp"

#include <algorithm>

#include "essnap/util/sleep.hpp"

namespace essnap::snapshot {
namespace {

using Ms = std::chrono::milliseconds;

void notice(const WaitHooks& h, const std::string& s) {
  h.notify(s);
}

Ms grow(Ms d, double factor, Ms cap) {
  return std::min(Ms(static_cast<Ms::rep>(static_cast<double>(d.count()) * factor)), cap);
}

}  // namespace

void WaitHooks::wait(Ms d) const {
  const auto interrupted = [this] { return stop_requested(); };
  util::sleep_for(d, interrupted, sleep);
}

void WaitHooks::report(const Progress& p) const {
  if (progress) progress(to_event(p));
}

void WaitHooks::notify(const std::string& message) const {
  util::notify(progress, message);
}

WaitClock::time_point WaitHooks::clock() const {
  return now ? now() : WaitClock::now();
}

bool WaitHooks::stop_requested() const {
  return interrupted && interrupted();
}

bool is_transient(const Error& e) {
  if (e.code == ErrorCode::kNetwork || e.code == ErrorCode::kTimeout) return true;
  if (e.remote && e.remote->http_status >= 500) return true;
  if (e.remote && e.remote->http_status == 429) return true;
  return false;
}

Error interrupted_error(const WaitSubject& subject) {
  return Error(
      ErrorCode::kInterrupted,
      "interrupted: stopped waiting for " + subject.what + "; it keeps running in the cluster",
      subject.check.empty() ? "" : "check on it with '" + subject.check + "'");
}

Status wait_until_done(const std::function<Result<PollState>()>& poll, const WaitSubject& subject,
                       const PollPolicy& policy, const WaitHooks& hooks) {
  Ms interval = policy.initial;
  Ms outage_backoff = policy.initial;
  bool in_outage = false;  // a plain flag: gcc misreads an optional<time_point> as uninitialized
  WaitClock::time_point outage_since{};
  for (;;) {
    if (hooks.stop_requested()) return interrupted_error(subject);
    auto state = poll();
    if (hooks.stop_requested()) return interrupted_error(subject);
    if (!state.ok()) {
      const Error& e = state.error();
      if (e.code == ErrorCode::kDeadline) {
        // The command's --timeout, not the cluster's trouble: the work goes on without us.
        Error out = e;
        out.message = "stopped waiting for " + subject.what + ": " + e.message;
        out.hint = "it keeps running in the cluster" +
                   (subject.check.empty() ? "" : ": check on it with '" + subject.check + "'");
        return out;
      }
      if (!is_transient(e)) return std::move(state).error();
      const auto now = hooks.clock();
      if (!in_outage) {
        in_outage = true;
        outage_since = now;
        notice(hooks,
               "cluster not answering (" + e.message + "); still waiting for " + subject.what);
      } else if (now - outage_since >= policy.outage_budget) {
        Error out = e;
        out.message =
            "gave up waiting for " + subject.what + " after the cluster was unreachable for " +
            format_duration(std::chrono::duration_cast<Ms>(now - outage_since)) + ": " + e.message;
        out.hint = "it may still finish in the cluster" +
                   (subject.check.empty() ? "" : ": check on it with '" + subject.check + "'");
        return out;
      }
      outage_backoff = grow(outage_backoff, 2.0, policy.outage_max);
      hooks.wait(outage_backoff);
      continue;
    }
    if (in_outage) {
      notice(hooks, "cluster answering again");
      in_outage = false;
      outage_backoff = policy.initial;
    }
    switch (*state) {
      case PollState::kDone:
        return ok_status();
      case PollState::kFinalizing:
        // Every shard is done; the end is moments away, so ask often instead of backing off.
        hooks.wait(std::min(policy.initial / 2, interval));
        break;
      case PollState::kRunning:
        hooks.wait(interval);
        interval = grow(interval, policy.factor, policy.max);
        break;
    }
  }
}

}  // namespace essnap::snapshot
