#include "essnap/retention/policy.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdio>

#include "essnap/retention/buckets.hpp"
#include "essnap/util/timezone.hpp"

namespace essnap::retention {
namespace {

using cluster::SnapshotStateKind;

constexpr int kMaxDurationPart = 999999;

bool is_zero(const std::optional<Duration>& d) {
  return !d || (d->years == 0 && d->months == 0 && d->days == 0 && d->hours == 0);
}

Error bad_duration(std::string_view text, const std::string& why) {
  return make_error(ErrorCode::kInvalidArgument,
                    "duration \"" + std::string(text) + "\" " + why,
                    "write a duration like 7d, 1y2m, 36h or 1y2m3d4h (years, months, days, hours)");
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
    return make_error(ErrorCode::kInvalidArgument, "the retention policy keeps nothing",
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
    const bool success = out[i].snapshot.state.kind == SnapshotStateKind::kSuccess;
    if (success && out[i].action == Action::kKeep) ++kept_success;
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
  std::string_view s = text;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  if (s.empty()) return bad_duration(text, "is empty");
  Duration d;
  d.text = std::string(s);
  std::string seen;
  while (!s.empty()) {
    std::size_t n = 0;
    std::int64_t v = 0;
    while (n < s.size() && std::isdigit(static_cast<unsigned char>(s[n])) != 0) {
      v = v * 10 + (s[n] - '0');
      if (v > kMaxDurationPart) return bad_duration(text, "has a number that is too large");
      ++n;
    }
    if (n == 0) return bad_duration(text, "has no number before \"" + std::string(s) + "\"");
    if (n == s.size()) return bad_duration(text, "has no unit after " + std::to_string(v));
    const char unit = s[n];
    if (seen.find(unit) != std::string::npos)
      return bad_duration(text, std::string("gives the unit '") + unit + "' twice");
    int* part = unit == 'y'   ? &d.years
                : unit == 'm' ? &d.months
                : unit == 'd' ? &d.days
                : unit == 'h' ? &d.hours
                              : nullptr;
    if (part == nullptr)
      return bad_duration(text, std::string("has the unknown unit '") + unit + "'");
    *part = static_cast<int>(v);
    seen += unit;
    s.remove_prefix(n + 1);
  }
  return d;
}

bool Policy::empty() const {
  return last == 0 && hourly == 0 && daily == 0 && weekly == 0 && monthly == 0 && yearly == 0 &&
         is_zero(within) && is_zero(within_hourly) && is_zero(within_daily) &&
         is_zero(within_weekly) && is_zero(within_monthly) && is_zero(within_yearly);
}

const char* to_string(Action a) { return a == Action::kKeep ? "keep" : "remove"; }

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
    d.reasons = kept[k].empty() ? std::vector<std::string>{"matched no keep rule"}
                                : std::move(kept[k]);
  }
  apply_safety(out, cls, policy);
  return out;
}

}  // namespace essnap::retention
