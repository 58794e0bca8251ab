// The one wait loop behind every snapshot and restore wait: poll, back off while the work runs,
// poll fast while it finalizes, wait through outages (5xx, a proxy's 504, dropped connections) on
// a budget, and stop promptly when interrupted — the cluster keeps working, only we stop asking.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "essnap/snapshot/progress.hpp"
#include "essnap/util/result.hpp"
#include "essnap/util/sleep.hpp"

namespace essnap::snapshot {

enum class WaitMode { kNoWait, kWait };

// How often to ask while waiting. The first polls are quick so short snapshots return at once;
// the cap keeps the delay between the cluster finishing and us noticing under half a second.
struct PollPolicy {
  std::chrono::milliseconds initial{100};
  std::chrono::milliseconds max{450};
  double factor = 1.5;
  // While the cluster does not answer: truncated exponential backoff from `initial` up to
  // `outage_max`, for at most `outage_budget` in a row before giving up.
  std::chrono::milliseconds outage_max{2000};
  std::chrono::milliseconds outage_budget{std::chrono::minutes(10)};
};

using WaitClock = std::chrono::steady_clock;

struct WaitHooks {
  // Every change of the progress and the notices ("cluster not answering ...; still waiting"),
  // as the one progress event (to_event in progress.hpp, util::progress_notice).
  util::ProgressSink progress;
  util::SleepStep sleep;                       // default this_thread::sleep_for
  std::function<WaitClock::time_point()> now;  // default steady_clock::now
  std::function<bool()> interrupted;           // true once SIGINT/SIGTERM arrived

  // Hands a poll's progress, or a notice, to `progress`.
  void report(const Progress& p) const;
  void notify(const std::string& message) const;

  // Sleeps `d` through the hook (or for real) in util::sleep_for's steps, returning early once
  // interrupted.
  void wait(std::chrono::milliseconds d) const;
  WaitClock::time_point clock() const;
  bool stop_requested() const;
};

// What one poll saw.
enum class PollState {
  kRunning,     // still working: back off
  kFinalizing,  // every shard done, metadata being written: ends within moments, ask often
  kDone,        // finished (successfully or not: the caller reads the outcome)
};

// What is being waited for, for the messages of an interruption or an exhausted budget.
struct WaitSubject {
  std::string what;   // "snapshot nightly-1", "restore of snapshot nightly-1"
  std::string check;  // how to check on it afterwards: "essnap snapshot status -r repo"
};

// Calls `poll` until it reports kDone. A transient error (is_transient) is waited through with
// backoff, announced once through hooks.notify, until policy.outage_budget; a permanent one is
// returned as is. Interruption returns kInterrupted naming `subject`.
Status wait_until_done(const std::function<Result<PollState>()>& poll, const WaitSubject& subject,
                       const PollPolicy& policy, const WaitHooks& hooks);

// The kInterrupted error: the work keeps running in the cluster; how to check on it.
Error interrupted_error(const WaitSubject& subject);

// True for errors worth waiting through: no answer, a timeout, 429, or a 5xx from the cluster
// or a proxy in front of it.
bool is_transient(const Error& e);

}  // namespace essnap::snapshot
