#include "essnap/retention/policy.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdio>

#include "essnap/retention/buckets.hpp"
#include "essnap/util/durations.hpp"
#include "essnap/util/timezone.hpp"

namespace essnap::retention {
namespace {

using cluster::SnapshotStateKind;

constexpr int kMaxDurationPart = 999999;

bool is_zero(const std::optional<Duration>& d) {
  return !d || (d->years == 0 && d->months == 0 && d->days == 0 && d->hours == 0);
}

// Where a snapshot ends up before any keep rule runs.
enum class Class { kEligible, kInProgress, kFuture, kFailed };

Class classify(const Candidate& c, Instant now) {
  switch (c.state.kind) {
    case SnapshotStateKind::kInProgress:
    case SnapshotStateKind::kUnknown:
      return Class::kInProgress;
    default:
      break;
  }
  if (Instant::of(c.time) > now) return Class::kFuture;
  return c.state.kind == SnapshotStateKind::kSuccess ? Class::kEligible : Class::kFailed;
}

Status validate(const Policy& p) {
  if (p.empty()) {
    return make_error(
        ErrorCode::kInvalidArgument, "the retention policy keeps nothing",
        "give at least one keep rule (--keep-last, --keep-daily, --keep-within, ...); "
        "essnap refuses an empty policy instead of removing every snapshot");
  }
  for (int n : {p.last, p.hourly, p.daily, p.weekly, p.monthly, p.yearly}) {
    if (n < -1) {
      return make_error(ErrorCode::kInvalidArgument,
                        "keep count " + std::to_string(n) + " is invalid",
                        "use a positive count, -1 for unlimited, or 0 to switch the rule off");
    }
  }
  for (const auto* d : {&p.within, &p.within_hourly, &p.within_daily, &p.within_weekly,
                        &p.within_monthly, &p.within_yearly}) {
    if (!*d) continue;
    for (int part : {(*d)->years, (*d)->months, (*d)->days, (*d)->hours}) {
      if (part < 0 || part > kMaxDurationPart) {
        return make_error(
            ErrorCode::kInvalidArgument, "duration \"" + (*d)->text + "\" has a part out of range",
            "each of years, months, days and hours must be 0.." + std::to_string(kMaxDurationPart));
      }
    }
  }
  if (p.keep_min < 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "keep-min " + std::to_string(p.keep_min) + " is negative",
                      "use 0 or more (default 1)");
  }
  return ok_status();
}

// essnap's rules on top of restic's: the newest SUCCESS snapshot and the keep-min floor.
void apply_safety(std::vector<Decision>& out, const std::vector<Class>& cls, const Policy& p) {
  bool newest_seen = false;
  int kept_success = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (cls[i] == Class::kEligible && !newest_seen) {
      newest_seen = true;
      out[i].action = Action::kKeep;
      out[i].reasons.emplace_back("newest successful snapshot");
    }
    // Future-dated ones are kept anyway but do not count toward the floor: a skewed clock
    // should not let real history go.
    if (cls[i] == Class::kEligible && out[i].action == Action::kKeep) ++kept_success;
  }
  for (std::size_t i = 0; i < out.size() && kept_success < p.keep_min; ++i) {
    if (cls[i] == Class::kEligible && out[i].action == Action::kRemove) {
      out[i].action = Action::kKeep;
      out[i].reasons = {"keep-min " + std::to_string(p.keep_min) + " floor"};
      ++kept_success;
    }
  }
}

}  // namespace

Result<Duration> parse_duration(std::string_view text) {
  ESSNAP_TRY(util::CalendarDuration c, util::parse_calendar_duration(text, "duration"));
  Duration d{c.years, c.months, c.days, c.hours, std::string(text)};
  while (!d.text.empty() && std::isspace(static_cast<unsigned char>(d.text.front())) != 0)
    d.text.erase(0, 1);
  while (!d.text.empty() && std::isspace(static_cast<unsigned char>(d.text.back())) != 0)
    d.text.pop_back();
  return d;
}

std::string describe(const Duration& d) {
  return util::describe_calendar_duration({d.years, d.months, d.days, d.hours});
}

bool Policy::empty() const {
  return last == 0 && hourly == 0 && daily == 0 && weekly == 0 && monthly == 0 && yearly == 0 &&
         is_zero(within) && is_zero(within_hourly) && is_zero(within_daily) &&
         is_zero(within_weekly) && is_zero(within_monthly) && is_zero(within_yearly);
}

std::string describe(const Policy& p) {
  std::vector<std::string> counts, within;
  const std::pair<int, const char*> rules[] = {{p.last, "last"},       {p.hourly, "hourly"},
                                               {p.daily, "daily"},     {p.weekly, "weekly"},
                                               {p.monthly, "monthly"}, {p.yearly, "yearly"}};
  for (const auto& [n, word] : rules) {
    if (n != 0) counts.push_back((n == -1 ? std::string("all") : std::to_string(n)) + " " + word);
  }
  const std::pair<const std::optional<Duration>*, const char*> windows[] = {
      {&p.within_hourly, "hourly"},
      {&p.within_daily, "daily"},
      {&p.within_weekly, "weekly"},
      {&p.within_monthly, "monthly"},
      {&p.within_yearly, "yearly"}};
  for (const auto& [d, word] : windows) {
    if (!is_zero(*d)) within.push_back(std::string(word) + " snapshots within " + (*d)->text);
  }
  std::string s;
  const auto add = [&s](const std::string& part) { s += (s.empty() ? "" : "; ") + part; };
  if (!counts.empty()) {
    std::string c;
    for (const auto& part : counts) c += (c.empty() ? "" : ", ") + part;
    add("keep " + c + " snapshots");
  }
  for (const auto& w : within) add(w);
  if (!is_zero(p.within)) add("all snapshots within " + p.within->text + " of the newest");
  if (s.empty()) s = "no keep rule";
  add("keep-min " + std::to_string(p.keep_min));
  add("tz " + p.tz);
  if (p.prune_failed == PruneFailed::kYes) add("prune failed");
  return s;
}

const char* to_string(Action a) {
  return a == Action::kKeep ? "keep" : "remove";
}

Result<std::vector<Decision>> apply_policy(std::vector<Candidate> snapshots, const Policy& policy,
                                           std::chrono::system_clock::time_point now) {
  ESSNAP_TRY_STATUS(validate(policy));
  ESSNAP_TRY(util::TimeZone tz, util::TimeZone::load(policy.tz));
  // Newest first; std::stable_sort keeps ties in the given order, as restic's sort.Stable does.
  std::stable_sort(snapshots.begin(), snapshots.end(),
                   [](const Candidate& a, const Candidate& b) { return a.time > b.time; });

  const Instant now_i = Instant::of(now);
  std::vector<Decision> out;
  std::vector<Class> cls;
  std::vector<std::size_t> eligible;  // indices into out, newest first
  for (auto& c : snapshots) {
    cls.push_back(classify(c, now_i));
    Decision d;
    d.snapshot = std::move(c);
    switch (cls.back()) {
      case Class::kInProgress:
        d.action = Action::kKeep;
        d.reasons = {"in progress: never touched"};
        break;
      case Class::kFuture:
        d.action = Action::kKeep;
        d.reasons = {"dated in the future"};
        break;
      case Class::kFailed:
        d.action = policy.prune_failed == PruneFailed::kYes ? Action::kRemove : Action::kKeep;
        d.reasons = {policy.prune_failed == PruneFailed::kYes
                         ? "failed snapshot"
                         : "failed: kept (pass --prune-failed to remove)"};
        break;
      case Class::kEligible:
        eligible.push_back(out.size());
        break;
    }
    out.push_back(std::move(d));
  }

  std::vector<Instant> times;
  times.reserve(eligible.size());
  for (std::size_t i : eligible) times.push_back(Instant::of(out[i].snapshot.time));
  std::vector<std::vector<std::string>> kept = restic_forget(times, policy, tz);
  for (std::size_t k = 0; k < eligible.size(); ++k) {
    Decision& d = out[eligible[k]];
    d.action = kept[k].empty() ? Action::kRemove : Action::kKeep;
    d.reasons =
        kept[k].empty() ? std::vector<std::string>{"matched no keep rule"} : std::move(kept[k]);
  }
  apply_safety(out, cls, policy);
  return out;
}

}  // namespace essnap::retention
