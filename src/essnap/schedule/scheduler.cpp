#include "essnap/schedule/scheduler.hpp"

#include <algorithm>

namespace essnap::schedule {
namespace {

std::int64_t unix_seconds(SysSeconds t) {
  return t.time_since_epoch().count();
}

std::string at(SysSeconds t) {
  return iso8601(Clock::time_point(t));
}

const char* kind_name(JobKind k) {
  switch (k) {
    case JobKind::kSnapshot:
      return "snapshot";
    case JobKind::kPrune:
      return "prune";
    case JobKind::kDrill:
      break;
  }
  return "drill";
}

// The schedule of `kind` in policy `p`, or null when it has none.
const Schedule* schedule_in(const PolicyConfig& p, JobKind kind) {
  switch (kind) {
    case JobKind::kSnapshot:
      return &p.schedule;
    case JobKind::kPrune:
      return p.prune_schedule ? &*p.prune_schedule : nullptr;
    case JobKind::kDrill:
      break;
  }
  return p.drill ? &p.drill->schedule : nullptr;
}

}  // namespace

int exit_status(const RunOutcome& o) {
  if (o.interrupted) return 130;
  if (o.result != RunResult::kSuccess) return 9;
  if (o.refused) return 8;
  return 0;
}

Scheduler::Scheduler(Config config, Runner& runner, SchedulerHooks hooks, Logger& log,
                     MetricsRegistry& metrics)
    : runner_(runner), hooks_(std::move(hooks)), log_(log), metrics_(metrics) {
  if (!hooks_.now) hooks_.now = [] { return std::chrono::floor<Seconds>(Clock::now()); };
  if (!hooks_.stop_requested) hooks_.stop_requested = [] { return false; };
  if (!hooks_.take_reload) hooks_.take_reload = [] { return false; };
  if (!hooks_.random) hooks_.random = [] { return 0.0; };
  if (!hooks_.precise_now)
    hooks_.precise_now = [now = hooks_.now] { return Clock::time_point(now()); };
  config_ = std::move(config);
  std::vector<std::pair<std::string, std::optional<Seconds>>> names;
  for (const auto& p : config_.policies) names.emplace_back(p.name, p.alert_within);
  metrics_.set_policies(names, unix_seconds(hooks_.now()));
  runner_.configure(config_);
}

SysSeconds Scheduler::with_jitter(const Schedule& s, SysSeconds slot) const {
  // Small: at most the configured jitter and a tenth of the interval, so slots never swap.
  const Seconds cap = std::min(config_.jitter, s.period_near(slot) / 10);
  return slot + Seconds(static_cast<long long>(hooks_.random() * static_cast<double>(cap.count())));
}

const Schedule* Scheduler::schedule_of(const Job& job) const {
  const PolicyConfig* p = config_.policy(job.policy);
  if (!p) return nullptr;
  return schedule_in(*p, job.kind);
}

// Rebuilds the job list. On a reload, a job whose policy and schedule text are unchanged keeps
// its due time; new ones get their next slot.
void Scheduler::apply(Config config, bool first) {
  const std::vector<Job> old = jobs_;
  const Config old_config = config_;
  config_ = std::move(config);
  jobs_.clear();
  const SysSeconds now = hooks_.now();
  std::vector<std::string> unscheduled;
  for (const auto& p : config_.policies) {
    std::vector<std::pair<JobKind, const Schedule*>> kinds{{JobKind::kSnapshot, &p.schedule}};
    if (p.prune == PruneMode::kOnSchedule && p.prune_schedule)
      kinds.emplace_back(JobKind::kPrune, &*p.prune_schedule);
    if (p.drill) kinds.emplace_back(JobKind::kDrill, &p.drill->schedule);
    for (auto [kind, sched] : kinds) {
      Job j{p.name, kind, {}, {}};
      bool kept = false;
      for (const auto& o : old) {
        const PolicyConfig* op = old_config.policy(o.policy);
        const Schedule* os = op ? schedule_in(*op, o.kind) : nullptr;
        if (!first && o.policy == p.name && o.kind == kind && os && os->text() == sched->text()) {
          j = o;
          kept = true;
        }
      }
      if (!kept) {
        const auto next = sched->next_after(now);
        if (!next) {
          log_.error("schedule never matches; policy not scheduled",
                     {{"policy", p.name}, {"schedule", sched->text()}});
          unscheduled.push_back(p.name);
          continue;
        }
        j.slot = *next;
        j.due = with_jitter(*sched, *next);
      }
      jobs_.push_back(j);
    }
  }
  std::vector<std::pair<std::string, std::optional<Seconds>>> names;
  for (const auto& p : config_.policies) names.emplace_back(p.name, p.alert_within);
  metrics_.set_policies(names, unix_seconds(now));
  for (const auto& p : config_.policies)
    metrics_.update(p.name, [&](PolicyMetrics& m) {
      m.copies = p.copy_to.has_value();
      m.drills = p.drill.has_value();
    });
  for (const auto& name : unscheduled)  // a job that never runs is never healthy
    metrics_.update(name, [](PolicyMetrics& m) { m.scheduled = false; });
  runner_.configure(config_);
}

void Scheduler::start() {
  apply(config_, true);
  const SysSeconds now = hooks_.now();
  for (auto& j : jobs_) {
    const PolicyConfig* p = config_.policy(j.policy);
    if (j.kind != JobKind::kSnapshot || !p) continue;
    const PolicyHistory h = runner_.history(*p);
    metrics_.update(p->name, [&](PolicyMetrics& m) {  // what a restart would otherwise forget
      if (h.last_success && m.last_success == 0) m.last_success = unix_seconds(*h.last_success);
      if (h.owned) m.snapshots = *h.owned;
    });
    const auto& last = h.newest_start;
    const auto due_since = last ? p->schedule.next_after(*last) : std::nullopt;
    if (due_since && *due_since <= now) {
      log_.info(
          "missed run(s) while essnap was not running; running once now",
          {{"policy", p->name}, {"last_snapshot", at(*last)}, {"missed_slot", at(*due_since)}});
      j.slot = now;
      j.due = now;
    }
  }
  for (const auto& j : jobs_)
    log_.info("scheduled", {{"policy", j.policy}, {"job", kind_name(j.kind)}, {"next", at(j.due)}});
}

void Scheduler::reload() {
  if (!hooks_.reload) return;
  auto next = hooks_.reload();
  if (!next.ok()) {
    log_.error("reload failed; keeping the previous configuration",
               {{"file", config_.file}, {"error", next.error().message}});
    return;
  }
  apply(std::move(*next), false);
  log_.info("configuration reloaded",
            {{"file", config_.file}, {"policies", static_cast<int>(config_.policies.size())}});
}

bool Scheduler::step() {
  if (hooks_.stop_requested()) return false;
  if (hooks_.take_reload()) reload();
  if (jobs_.empty()) {
    hooks_.sleep_until(hooks_.now() + std::chrono::hours(1));
    return !hooks_.stop_requested();
  }
  // Earliest due first; ties in config order (stable).
  auto it = std::min_element(jobs_.begin(), jobs_.end(),
                             [](const Job& a, const Job& b) { return a.due < b.due; });
  const SysSeconds now = hooks_.now();
  if (it->due > now) {
    hooks_.sleep_until(it->due);
    return !hooks_.stop_requested();
  }
  run_job(*it);
  return !hooks_.stop_requested();
}

void Scheduler::run_job(Job& job) {
  const PolicyConfig* p = config_.policy(job.policy);
  const Schedule* sched = schedule_of(job);
  if (!p || !sched) return;
  const SysSeconds started = hooks_.now();
  RunOutcome o;
  if (job.kind == JobKind::kSnapshot) {
    o = run_policy(*p, started, p->prune == PruneMode::kAfterSnapshot);
  } else if (job.kind == JobKind::kDrill) {
    run_drill(*p);
    o.interrupted = hooks_.stop_requested();
  } else {
    log_.info("prune started", {{"policy", p->name}, {"repository", p->repository}});
    o = runner_.prune(*p, hooks_.precise_now());
    metrics_.update(p->name, [&](PolicyMetrics& m) {
      m.deleted += static_cast<std::uint64_t>(o.deleted);
      if (o.snapshots) m.snapshots = *o.snapshots;
    });
  }
  const SysSeconds ended = hooks_.now();
  if (o.interrupted) return;  // stopping: no next slot needed
  // The next slot after the run ended: slots the run overran are skipped, never stacked.
  const auto following = sched->next_after(job.slot);
  const auto next = sched->next_after(std::max(ended, job.slot));
  if (!next) return;
  if (following && *following < *next)
    log_.warn("run overran its schedule; skipping to the next free slot",
              {{"policy", p->name},
               {"job", kind_name(job.kind)},
               {"skipped_slot", at(*following)},
               {"next", at(*next)}});
  job.slot = *next;
  job.due = with_jitter(*sched, *next);
}

// Snapshot, then (when asked and it produced a snapshot) prune; metrics recorded.
RunOutcome Scheduler::run_policy(const PolicyConfig& p, SysSeconds started, bool prune) {
  log_.info("snapshot started",
            {{"policy", p.name}, {"cluster", p.cluster}, {"repository", p.repository}});
  const auto t0 = hooks_.precise_now();
  RunOutcome o = runner_.snapshot(p, started);
  if (o.interrupted) {
    log_.warn("stopping: wait abandoned; the snapshot continues in the cluster",
              {{"policy", p.name}, {"snapshot", o.snapshot}, {"detail", o.message}});
    return o;
  }
  if (o.refused)
    log_.error("snapshot refused",
               {{"policy", p.name}, {"snapshot", o.snapshot}, {"error", o.message}});
  else if (o.result == RunResult::kFailed)
    log_.error("snapshot failed",
               {{"policy", p.name}, {"snapshot", o.snapshot}, {"error", o.message}});
  else
    log_.info("snapshot finished", {{"policy", p.name},
                                    {"snapshot", o.snapshot},
                                    {"result", to_string(o.result)},
                                    {"bytes", o.bytes}});
  const bool made_one = o.result != RunResult::kFailed && !o.refused;
  if (prune && made_one && !hooks_.stop_requested()) {
    RunOutcome pr = runner_.prune(p, hooks_.precise_now());
    o.deleted = pr.deleted;
    if (pr.snapshots) o.snapshots = pr.snapshots;
    if (pr.result != RunResult::kSuccess || pr.refused) {
      log_.error("prune failed", {{"policy", p.name}, {"error", pr.message}});
      o.refused = o.refused || pr.refused;
      if (pr.result != RunResult::kSuccess && o.result == RunResult::kSuccess)
        o.result = RunResult::kPartial;
    } else {
      log_.info(
          "prune finished",
          {{"policy", p.name}, {"deleted", pr.deleted}, {"snapshots", pr.snapshots.value_or(-1)}});
    }
  }
  // The copy follows the snapshot and its prune; its failure never fails the run.
  if (p.copy_to && made_one && !hooks_.stop_requested()) run_copy(p);
  record(p, o, started, hooks_.now(),
         std::chrono::duration<double>(hooks_.precise_now() - t0).count());
  return o;
}

void Scheduler::run_copy(const PolicyConfig& p) {
  log_.info("copy started",
            {{"policy", p.name}, {"repository", p.repository}, {"to", p.copy_to->to}});
  const CopyOutcome c = runner_.copy(p);
  if (c.ok)
    log_.info("copy finished", {{"policy", p.name},
                                {"to", p.copy_to->to},
                                {"added", c.added},
                                {"bytes", static_cast<std::int64_t>(c.bytes)},
                                {"lag", c.lag.value_or(-1)}});
  else
    log_.error("copy failed; the next run tries again",
               {{"policy", p.name}, {"to", p.copy_to->to}, {"error", c.message}});
  const std::int64_t now = unix_seconds(hooks_.now());
  metrics_.update(p.name, [&](PolicyMetrics& m) {
    if (c.ok) {
      m.copy_last_success = now;
      m.copy_bytes += c.bytes;
    } else {
      m.copy_failures += 1;
    }
    if (c.lag) m.copy_lag = *c.lag;
  });
}

void Scheduler::run_drill(const PolicyConfig& p) {
  log_.info(
      "drill started",
      {{"policy", p.name}, {"cluster", p.drill->cluster}, {"repository", p.drill->repository}});
  const DrillOutcome d = runner_.drill(p);
  const nlohmann::json fields{{"policy", p.name},
                              {"cluster", d.cluster.empty() ? p.drill->cluster : d.cluster},
                              {"snapshot", d.snapshot},
                              {"restore_seconds", d.restore_seconds},
                              {"restored_bytes", d.restored_bytes},
                              {"bytes_per_second", d.bytes_per_second},
                              {"problems", d.problems},
                              {"warnings", d.warnings}};
  if (d.interrupted) {
    log_.warn("stopping: drill abandoned; its scratch indices were deleted",
              {{"policy", p.name}, {"snapshot", d.snapshot}, {"detail", d.message}});
  } else if (d.passed) {
    log_.info("drill passed", fields);
  } else {
    nlohmann::json f = fields;
    f["error"] = d.message;
    log_.error(d.message.empty() ? "drill failed: the snapshot is not proven restorable"
                                 : "drill could not finish",
               f);
  }
  if (d.interrupted) return;
  const std::int64_t now = unix_seconds(hooks_.now());
  metrics_.update(p.name, [&](PolicyMetrics& m) {
    if (d.passed) {
      m.drill_last_success = now;
      m.drill_duration = d.restore_seconds;
      m.drill_restored_bytes = d.restored_bytes;
    } else {
      m.drill_failures += 1;
    }
  });
}

void Scheduler::record(const PolicyConfig& p, const RunOutcome& o, SysSeconds started,
                       SysSeconds ended, double seconds) {
  metrics_.update(p.name, [&](PolicyMetrics& m) {
    const RunResult r =
        o.refused && o.result == RunResult::kSuccess ? RunResult::kFailed : o.result;
    m.last_run = unix_seconds(started);
    m.last_duration = seconds;
    m.runs[r] += 1;
    m.deleted += static_cast<std::uint64_t>(o.deleted);
    if (o.snapshots) m.snapshots = *o.snapshots;
    if (r == RunResult::kSuccess) {
      m.last_success = unix_seconds(ended);
      m.last_snapshot_bytes = o.bytes;
      m.consecutive_failures = 0;
    } else {
      if (o.bytes > 0) m.last_snapshot_bytes = o.bytes;
      m.consecutive_failures += 1;
    }
  });
}

int Scheduler::run() {
  start();
  while (step()) {
  }
  log_.info("stopped");
  return 0;
}

int Scheduler::run_once(const std::string& only,
                        std::vector<std::pair<std::string, RunOutcome>>* outcomes) {
  int worst = 0;
  for (const auto& p : config_.policies) {
    if (!only.empty() && p.name != only) continue;
    if (hooks_.stop_requested()) break;
    RunOutcome o = run_policy(p, hooks_.now(), p.prune != PruneMode::kNever);
    worst = std::max(worst, exit_status(o));
    if (outcomes) outcomes->emplace_back(p.name, std::move(o));
  }
  return worst;
}

}  // namespace essnap::schedule
