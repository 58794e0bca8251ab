// The `essnap run` loop: when each policy's snapshot (and prune) is due, running it through a
// Runner, and the rules around it — one operation at a time (so one per repository), jitter, an
// overrunning run skips the slots it overran instead of stacking them, runs missed while essnap
// was down run once, SIGHUP reloads (a bad file keeps the old config), SIGTERM stops between
// steps. The clock, the sleep, the signals and the runner are injected, so tests drive it.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "essnap/schedule/config.hpp"
#include "essnap/schedule/log.hpp"
#include "essnap/schedule/metrics.hpp"

namespace essnap::schedule {

// What one snapshot or prune run did.
struct RunOutcome {
  RunResult result = RunResult::kSuccess;
  bool refused = false;      // a pre-flight check said no (name clash, cs-* repository, ...)
  bool interrupted = false;  // stop requested: the wait was abandoned
  std::string snapshot;
  std::int64_t bytes = 0;
  int deleted = 0;
  std::optional<std::int64_t> snapshots;  // owned snapshots in the repository afterwards
  std::string message;                    // why it failed / what was abandoned
};

// What the repository says of a policy's past runs, read at start (after a restart the metrics
// and the missed-run rule start from it, not from nothing). Each nullopt when none or unknown.
struct PolicyHistory {
  std::optional<SysSeconds> newest_start;  // the start of the newest snapshot the policy owns
  std::optional<SysSeconds> last_success;  // the end of its newest SUCCESS snapshot
  std::optional<std::int64_t> owned;       // how many snapshots it owns
};

// What one copy_to sync did. A failed copy never fails the policy's run: it is logged and
// counted, and the next run tries again.
struct CopyOutcome {
  bool ok = false;
  std::uint64_t bytes = 0;          // written to DST
  std::vector<std::string> added;   // snapshots DST got
  std::optional<std::int64_t> lag;  // owned snapshots in SRC not in DST afterwards
  std::string message;              // why it failed, or a note
};

// What one drill did (drill/drill.hpp). A failed drill never fails the policy's snapshots: it is
// logged and counted, and the alert on essnap_drill_last_success_timestamp_seconds tells.
struct DrillOutcome {
  bool passed = false;
  bool interrupted = false;  // stop requested: abandoned (its scratch indices deleted)
  std::string snapshot;
  std::string cluster;
  double restore_seconds = 0;
  std::int64_t restored_bytes = 0;
  double bytes_per_second = 0;
  std::vector<std::string> problems;  // what disproved the snapshot
  std::vector<std::string> warnings;  // what was not checked; scratch indices left
  std::string message;                // why it could not finish
};

// Does the work against clusters (schedule/runner.hpp), or a fake in tests.
class Runner {
 public:
  virtual ~Runner() = default;
  virtual void configure(const Config& config) = 0;  // after a (re)load
  // `now` names the snapshot (whole seconds: the schedule's slot).
  virtual RunOutcome snapshot(const PolicyConfig& policy, SysSeconds now) = 0;
  // `now` is the precise time: retention compares it with start times in milliseconds, and a
  // snapshot that started within the current second must not count as dated in the future.
  virtual RunOutcome prune(const PolicyConfig& policy, Clock::time_point now) = 0;
  virtual PolicyHistory history(const PolicyConfig& policy) = 0;
  // Syncs the policy's repository to its copy_to DST (only called when it has one).
  virtual CopyOutcome copy(const PolicyConfig& policy) {
    CopyOutcome o;
    o.message = "this runner does not copy (" + policy.name + ")";
    return o;
  }
  // Drills the policy's newest SUCCESS snapshot on its drill cluster (only called when it has
  // one).
  virtual DrillOutcome drill(const PolicyConfig& policy) {
    DrillOutcome o;
    o.message = "this runner does not drill (" + policy.name + ")";
    return o;
  }
};

struct SchedulerHooks {
  std::function<SysSeconds()> now;
  // Sleeps until `t` or until a signal arrives, whichever is first.
  std::function<void(SysSeconds t)> sleep_until;
  std::function<bool()> stop_requested;
  std::function<bool()> take_reload;               // true once per SIGHUP
  std::function<Result<Config>()> reload;          // reads the config file again
  std::function<double()> random;                  // [0, 1) for jitter; default 0
  std::function<Clock::time_point()> precise_now;  // durations, prune's now; default now()
};

enum class JobKind { kSnapshot, kPrune, kDrill };

struct Job {
  std::string policy;
  JobKind kind = JobKind::kSnapshot;
  SysSeconds slot{};  // the schedule's time
  SysSeconds due{};   // slot + jitter
};

// 0 all ok, 8 refused, 9 partial or failed, 130 interrupted: the worst of them.
int exit_status(const RunOutcome& o);

class Scheduler {
 public:
  Scheduler(Config config, Runner& runner, SchedulerHooks hooks, Logger& log,
            MetricsRegistry& metrics);

  // Loops until stop_requested; returns 0.
  int run();
  // First due times: a policy whose slot passed since its newest snapshot runs now, once.
  void start();
  // One decision: reload if asked, run the earliest due job, or sleep until it is due.
  // False once stopping.
  bool step();
  // `essnap run --once`: every policy (or `only`) now, snapshot then prune; the worst status.
  // `outcomes`, when given, gets each policy's outcome in config order.
  int run_once(const std::string& only,
               std::vector<std::pair<std::string, RunOutcome>>* outcomes = nullptr);

  const Config& config() const { return config_; }
  const std::vector<Job>& jobs() const { return jobs_; }

 private:
  void apply(Config config, bool first);
  void reload();
  void run_job(Job& job);
  RunOutcome run_policy(const PolicyConfig& p, SysSeconds now, bool prune);
  void run_copy(const PolicyConfig& p);
  void run_drill(const PolicyConfig& p);
  void record(const PolicyConfig& p, const RunOutcome& o, SysSeconds started, SysSeconds ended,
              double seconds);
  SysSeconds with_jitter(const Schedule& s, SysSeconds slot) const;
  const Schedule* schedule_of(const Job& job) const;

  Config config_;
  Runner& runner_;
  SchedulerHooks hooks_;
  Logger& log_;
  MetricsRegistry& metrics_;
  std::vector<Job> jobs_;
};

}  // namespace essnap::schedule
