// The scheduler's decisions with a fake clock and a fake runner: an overrun skips the slot it
// overran, missed runs after downtime run once, one operation per repository, jitter stays small,
// SIGHUP with a broken config keeps the old one, SIGTERM mid-wait stops, --once's exit status.
#include <gtest/gtest.h>

#include "essnap/schedule/scheduler.hpp"

namespace essnap::schedule {
namespace {

using namespace std::chrono;

struct Call {
  std::string policy, what;
  SysSeconds start, end;
};

struct FakeRunner : Runner {
  SysSeconds* now;
  Seconds duration{10};
  std::map<std::string, RunOutcome> outcomes;
  std::map<std::string, SysSeconds> last;
  std::vector<Call> calls;

  explicit FakeRunner(SysSeconds* n) : now(n) {}
  void configure(const Config&) override {}
  std::function<void()> during;
  RunOutcome snapshot(const PolicyConfig& p, SysSeconds) override {
    if (during) during();
    const SysSeconds s = *now;
    *now += duration;
    calls.push_back({p.name, "snapshot", s, *now});
    auto it = outcomes.find(p.name);
    return it == outcomes.end() ? RunOutcome{} : it->second;
  }
  std::vector<Clock::time_point> prune_times;
  std::map<std::string, PolicyHistory> histories;
  RunOutcome prune(const PolicyConfig& p, Clock::time_point t) override {
    calls.push_back({p.name, "prune", *now, *now});
    prune_times.push_back(t);
    RunOutcome o;
    o.deleted = 1;
    o.snapshots = 2;
    return o;
  }
  PolicyHistory history(const PolicyConfig& p) override {
    PolicyHistory h;
    if (auto it = histories.find(p.name); it != histories.end()) h = it->second;
    if (auto it = last.find(p.name); it != last.end()) h.newest_start = it->second;
    return h;
  }
  std::vector<SysSeconds> starts(const std::string& policy) const {
    std::vector<SysSeconds> v;
    for (const auto& c : calls)
      if (c.policy == policy && c.what == "snapshot") v.push_back(c.start);
    return v;
  }
};

Config config_of(const std::string& yaml) {
  auto c = parse_config(yaml, "t.yaml");
  EXPECT_TRUE(c.ok()) << c.error().message;
  return c.ok() ? *c : Config{};
}

std::string policy(const std::string& name, const std::string& repo, const std::string& sched) {
  return "  " + name + ": {cluster: a, repository: " + repo + ", schedule: '" + sched +
         "', retention: {keep_last: 2}}\n";
}

struct SchedulerHarness {
  SysSeconds now = sys_days{year{2026} / 1 / 1} + seconds(1000);
  FakeRunner runner{&now};
  std::vector<std::string> logs;
  Logger log{LogFormat::kText, [this](const std::string& l) { logs.push_back(l); },
             [this] { return Clock::time_point(now); }};
  MetricsRegistry metrics;
  SchedulerHooks hooks;
  int sleeps = 0;

  SchedulerHarness() {
    hooks.now = [this] { return now; };
    hooks.sleep_until = [this](SysSeconds t) {
      ++sleeps;
      now = std::max(now, t);
    };
  }
  // Steps until the fake time passes `until`.
  void run_until(Scheduler& s, SysSeconds until) {
    s.start();
    while (now < until && s.step()) {
    }
  }
  bool logged(const std::string& what) const {
    for (const auto& l : logs)
      if (l.find(what) != std::string::npos) return true;
    return false;
  }
};

SysSeconds epoch_s(long long s) {
  return SysSeconds(seconds(s));
}
const std::string kSchedulerHead = "clusters: {a: {url: 'http://127.0.0.1:1'}}\npolicies:\n";

TEST(ScheduleScheduler, AnOverrunningRunSkipsTheSlotItOverranInsteadOfStacking) {
  SchedulerHarness h;
  h.runner.duration = seconds(90);
  Scheduler s(config_of(kSchedulerHead + policy("p", "r", "@every 60s")), h.runner, h.hooks, h.log,
              h.metrics);
  const long long t0 = h.now.time_since_epoch().count();  // a multiple of 60 plus 40
  h.run_until(s, h.now + seconds(400));
  const auto starts = h.runner.starts("p");
  ASSERT_GE(starts.size(), 3u);
  const long long first = t0 - t0 % 60 + 60;
  EXPECT_EQ(starts[0], epoch_s(first));
  EXPECT_EQ(starts[1], epoch_s(first + 120)) << "the slot at +60 was overrun: skipped, not stacked";
  EXPECT_EQ(starts[2], epoch_s(first + 240));
  EXPECT_TRUE(h.logged("run overran its schedule; skipping to the next free slot"));
}

TEST(ScheduleScheduler, RunsMissedDuringDowntimeRunOnceNotOncePerSlot) {
  SchedulerHarness h;
  h.now = sys_days{year{2026} / 1 / 10} + hours(12);
  h.runner.last["p"] = sys_days{year{2026} / 1 / 7} + hours(2);  // three nightly slots missed
  Scheduler s(config_of(kSchedulerHead + policy("p", "r", "0 2 * * *")), h.runner, h.hooks, h.log,
              h.metrics);
  h.run_until(s, sys_days{year{2026} / 1 / 11} + hours(3));
  const auto starts = h.runner.starts("p");
  ASSERT_EQ(starts.size(), 2u);
  EXPECT_EQ(starts[0], sys_days{year{2026} / 1 / 10} + hours(12)) << "once, at start";
  EXPECT_EQ(starts[1], sys_days{year{2026} / 1 / 11} + hours(2)) << "then on schedule";
  EXPECT_TRUE(h.logged("missed run(s) while essnap was not running; running once now"));
}

TEST(ScheduleScheduler, NoCatchUpWhenTheNewestSnapshotIsAfterTheLastSlot) {
  SchedulerHarness h;
  h.now = sys_days{year{2026} / 1 / 10} + hours(12);
  h.runner.last["p"] = sys_days{year{2026} / 1 / 10} + hours(2) + seconds(5);
  Scheduler s(config_of(kSchedulerHead + policy("p", "r", "0 2 * * *")), h.runner, h.hooks, h.log,
              h.metrics);
  h.run_until(s, sys_days{year{2026} / 1 / 11} + hours(3));
  ASSERT_EQ(h.runner.starts("p").size(), 1u);
  EXPECT_EQ(h.runner.starts("p")[0], sys_days{year{2026} / 1 / 11} + hours(2));
}

TEST(ScheduleScheduler, OneOperationPerRepositoryAtATimeAndNeitherIsDropped) {
  SchedulerHarness h;
  h.runner.duration = seconds(10);
  Scheduler s(config_of(kSchedulerHead + policy("a1", "shared", "@every 60s") +
                        policy("a2", "shared", "@every 60s")),
              h.runner, h.hooks, h.log, h.metrics);
  h.run_until(s, h.now + seconds(200));
  ASSERT_GE(h.runner.calls.size(), 8u);
  for (size_t i = 1; i < h.runner.calls.size(); ++i)
    EXPECT_GE(h.runner.calls[i].start, h.runner.calls[i - 1].end) << "call " << i << " overlaps";
  EXPECT_EQ(h.runner.starts("a1").size(), h.runner.starts("a2").size());
  EXPECT_EQ(h.runner.starts("a2")[0] - h.runner.starts("a1")[0], seconds(10)) << "a2 waits for a1";
}

TEST(ScheduleScheduler, JitterStaysWithinATenthOfTheInterval) {
  SchedulerHarness h;
  h.hooks.random = [] { return 0.999; };
  Config c = config_of(kSchedulerHead + policy("p", "r", "@every 60s"));
  c.jitter = seconds(30);
  Scheduler s(c, h.runner, h.hooks, h.log, h.metrics);
  s.start();
  ASSERT_EQ(s.jobs().size(), 1u);
  EXPECT_EQ(s.jobs()[0].due - s.jobs()[0].slot, seconds(5));
}

TEST(ScheduleScheduler, SighupWithABrokenConfigKeepsTheOldOne) {
  SchedulerHarness h;
  bool hup = false;
  int reloads = 0;
  h.hooks.take_reload = [&] { return std::exchange(hup, false); };
  h.hooks.reload = [&]() -> Result<Config> {
    ++reloads;
    if (reloads == 1) return parse_config("policies: {p: {cluster: gone}}\n", "t.yaml");
    return parse_config(kSchedulerHead + policy("q", "r", "@every 60s"), "t.yaml");
  };
  Scheduler s(config_of(kSchedulerHead + policy("p", "r", "@every 60s")), h.runner, h.hooks, h.log,
              h.metrics);
  s.start();
  hup = true;
  EXPECT_TRUE(s.step());
  EXPECT_EQ(reloads, 1);
  ASSERT_TRUE(s.config().policy("p"));
  EXPECT_TRUE(h.logged("reload failed; keeping the previous configuration"));
  EXPECT_TRUE(h.logged("t.yaml:1:")) << "the reason, with its line";
  h.run_until(s, h.now + seconds(70));
  EXPECT_EQ(h.runner.starts("p").size(), 1u) << "the old policy still runs";
  hup = true;
  EXPECT_TRUE(s.step());
  EXPECT_TRUE(s.config().policy("q"));
  EXPECT_FALSE(s.config().policy("p"));
  EXPECT_TRUE(h.logged("configuration reloaded"));
}

TEST(ScheduleScheduler, StopDuringAWaitAbandonsItAndSaysSo) {
  SchedulerHarness h;
  bool stop = false;
  h.hooks.stop_requested = [&] { return stop; };
  RunOutcome o;
  o.interrupted = true;
  o.snapshot = "p-1";
  h.runner.outcomes["p"] = o;
  h.runner.during = [&] { stop = true; };  // SIGTERM arrives while the runner waits
  Scheduler s(config_of(kSchedulerHead + policy("p", "r", "@every 60s")), h.runner, h.hooks, h.log,
              h.metrics);
  s.start();
  EXPECT_TRUE(s.step());   // sleeps to the slot
  EXPECT_FALSE(s.step());  // runs, is interrupted, stops
  ASSERT_EQ(h.runner.calls.size(), 1u) << "no prune after an abandoned wait";
  EXPECT_EQ(h.runner.calls[0].what, "snapshot");
  EXPECT_TRUE(h.logged("stopping: wait abandoned; the snapshot continues in the cluster"));
  EXPECT_TRUE(h.logged("snapshot=p-1"));
  EXPECT_EQ(h.metrics.get("p")->consecutive_failures, 0) << "an abandoned wait is not a failure";
}

TEST(ScheduleScheduler, MetricsFollowTheRuns) {
  SchedulerHarness h;
  RunOutcome partial;
  partial.result = RunResult::kPartial;
  Scheduler s(config_of(kSchedulerHead + policy("p", "r", "@every 60s")), h.runner, h.hooks, h.log,
              h.metrics);
  h.run_until(s, h.now + seconds(50));
  auto m = h.metrics.get("p");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->runs[RunResult::kSuccess], 1u);
  EXPECT_EQ(m->deleted, 1u);
  EXPECT_EQ(m->snapshots, 2);
  EXPECT_GT(m->last_success, 0);
  h.runner.outcomes["p"] = partial;
  h.run_until(s, h.now + seconds(70));
  m = h.metrics.get("p");
  EXPECT_EQ(m->consecutive_failures, 1);
  EXPECT_EQ(m->runs[RunResult::kPartial], 1u);
}

TEST(ScheduleScheduler, OnceReturnsTheWorstStatus) {
  SchedulerHarness h;
  const Config c =
      config_of(kSchedulerHead + policy("p", "r", "@daily") + policy("q", "r", "@daily"));
  {
    Scheduler s(c, h.runner, h.hooks, h.log, h.metrics);
    EXPECT_EQ(s.run_once(""), 0);
    EXPECT_EQ(h.runner.calls.size(), 4u) << "snapshot + prune for each";
  }
  RunOutcome refused;
  refused.refused = true;
  h.runner.outcomes["p"] = refused;
  {
    Scheduler s(c, h.runner, h.hooks, h.log, h.metrics);
    EXPECT_EQ(s.run_once("p"), 8);
  }
  RunOutcome failed;
  failed.result = RunResult::kFailed;
  h.runner.outcomes["q"] = failed;
  Scheduler s(c, h.runner, h.hooks, h.log, h.metrics);
  EXPECT_EQ(s.run_once(""), 9);
}

// Issue 21 item 6: the scheduler's clock is whole seconds, but a prune compares it with start
// times in milliseconds: a snapshot that started within the current second would count as
// "dated in the future" and keep_last N keep N+1.
TEST(ScheduleScheduler, PruneIsGivenThePreciseTimeNotTheWholeSecond) {
  SchedulerHarness h;
  h.hooks.precise_now = [&h] { return Clock::time_point(h.now) + milliseconds(700); };
  Scheduler s(config_of(kSchedulerHead + policy("p", "r", "@daily")), h.runner, h.hooks, h.log,
              h.metrics);
  EXPECT_EQ(s.run_once(""), 0);
  ASSERT_EQ(h.runner.prune_times.size(), 1u);
  EXPECT_EQ(h.runner.prune_times[0], Clock::time_point(h.now) + milliseconds(700));
  // A prune of its own schedule too.
  SchedulerHarness g;
  g.hooks.precise_now = [&g] { return Clock::time_point(g.now) + milliseconds(300); };
  Scheduler t(config_of(kSchedulerHead + "  p: {cluster: a, repository: r, schedule: '@daily', "
                                         "retention: {keep_last: 2}, prune: '@every 60s'}\n"),
              g.runner, g.hooks, g.log, g.metrics);
  g.run_until(t, g.now + seconds(120));
  ASSERT_FALSE(g.runner.prune_times.empty());
  EXPECT_EQ(g.runner.prune_times[0].time_since_epoch() % seconds(1), milliseconds(300));
}

TEST(ScheduleScheduler, AfterARestartTheMetricsShowTheLastSuccessReadFromTheRepository) {
  SchedulerHarness h;
  const SysSeconds ended = h.now - hours(3);
  h.runner.histories["p"] = {ended - seconds(40), ended, 7};
  Scheduler s(
      config_of(kSchedulerHead + "  p: {cluster: a, repository: r, schedule: '@daily', retention: "
                                 "{keep_last: 2}, alert_if_no_success_within: 26h}\n"),
      h.runner, h.hooks, h.log, h.metrics);
  s.start();
  const auto m = h.metrics.get("p");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->last_success, ended.time_since_epoch().count());
  EXPECT_EQ(m->snapshots, 7);
  EXPECT_TRUE(m->healthy(h.now.time_since_epoch().count()));
  EXPECT_FALSE(m->healthy((h.now + hours(24)).time_since_epoch().count()))
      << "26 h after the success read back, not 26 h after the restart";
  EXPECT_NE(h.metrics.render(h.now.time_since_epoch().count())
                .find("essnap_policy_last_success_timestamp_seconds{policy=\"p\"} " +
                      std::to_string(ended.time_since_epoch().count()) + "\n"),
            std::string::npos);
}

TEST(ScheduleScheduler, OnceHandsBackEachPolicysOutcome) {
  SchedulerHarness h;
  h.runner.outcomes["b"].result = RunResult::kFailed;
  h.runner.outcomes["b"].message = "boom";
  Scheduler s(config_of(kSchedulerHead + policy("a", "r1", "@daily") + policy("b", "r2", "@daily")),
              h.runner, h.hooks, h.log, h.metrics);
  std::vector<std::pair<std::string, RunOutcome>> out;
  EXPECT_EQ(s.run_once("", &out), 9);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].first, "a");
  EXPECT_EQ(out[0].second.deleted, 1);
  EXPECT_EQ(out[1].first, "b");
  EXPECT_EQ(out[1].second.message, "boom");
}

}  // namespace
}  // namespace essnap::schedule

namespace essnap::schedule {
namespace {

// copy_to: the copy runs after the snapshot and its prune; a failed copy is logged and counted
// but does not fail the run, and the next run tries again.
struct CopyingRunner : FakeRunner {
  using FakeRunner::FakeRunner;
  std::vector<CopyOutcome> copies;  // answers, in order
  CopyOutcome copy(const PolicyConfig& p) override {
    calls.push_back({p.name, "copy", *now, *now});
    CopyOutcome o = copies.empty() ? CopyOutcome{} : copies.front();
    if (!copies.empty()) copies.erase(copies.begin());
    return o;
  }
};

TEST(ScheduleSchedulerCopy, CopyRunsAfterSnapshotAndPruneAndItsFailureIsCountedNotFatal) {
  SchedulerHarness h;
  CopyingRunner runner{&h.now};
  CopyOutcome failed;
  failed.message = "DST /mnt/x: permission denied";
  failed.lag = 1;
  CopyOutcome ok;
  ok.ok = true;
  ok.bytes = 4096;
  ok.added = {"p-1", "p-2"};
  ok.lag = 0;
  runner.copies = {failed, ok};
  Scheduler s(config_of(kSchedulerHead +
                        "  p: {cluster: a, repository: r, schedule: '@every 1h', retention: "
                        "{keep_last: 2}, copy_to: {to: /mnt/x}}\n" +
                        policy("q", "r2", "@every 1h")),
              runner, h.hooks, h.log, h.metrics);
  s.start();
  std::vector<std::pair<std::string, RunOutcome>> outcomes;
  EXPECT_EQ(s.run_once("", &outcomes), 0) << "a failed copy does not fail the run";
  std::vector<std::string> order;
  for (const auto& c : runner.calls) order.push_back(c.policy + ":" + c.what);
  EXPECT_EQ(order,
            (std::vector<std::string>{"p:snapshot", "p:prune", "p:copy", "q:snapshot", "q:prune"}));
  EXPECT_TRUE(h.logged("copy failed; the next run tries again"));
  EXPECT_TRUE(h.logged("permission denied"));
  auto m = h.metrics.get("p");
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->copies);
  EXPECT_EQ(m->copy_failures, 1u);
  EXPECT_EQ(m->copy_last_success, 0);
  EXPECT_EQ(m->copy_lag, 1);
  EXPECT_EQ(m->consecutive_failures, 0) << "the snapshot run itself succeeded";
  EXPECT_FALSE(h.metrics.get("q")->copies);

  EXPECT_EQ(s.run_once("p"), 0);  // the next run tries again
  EXPECT_TRUE(h.logged("copy finished"));
  m = h.metrics.get("p");
  EXPECT_EQ(m->copy_failures, 1u);
  EXPECT_EQ(m->copy_bytes, 4096u);
  EXPECT_EQ(m->copy_lag, 0);
  EXPECT_EQ(m->copy_last_success, h.now.time_since_epoch().count());
}

TEST(ScheduleSchedulerCopy, NoCopyWhenTheSnapshotFailed) {
  SchedulerHarness h;
  CopyingRunner runner{&h.now};
  RunOutcome bad;
  bad.result = RunResult::kFailed;
  bad.message = "boom";
  runner.outcomes["p"] = bad;
  Scheduler s(config_of(kSchedulerHead +
                        "  p: {cluster: a, repository: r, schedule: '@every 1h', prune: never, "
                        "copy_to: {to: /mnt/x}}\n"),
              runner, h.hooks, h.log, h.metrics);
  s.start();
  EXPECT_EQ(s.run_once(""), 9);
  for (const auto& c : runner.calls) EXPECT_NE(c.what, "copy");
}

}  // namespace
}  // namespace essnap::schedule
