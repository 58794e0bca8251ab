#include "essnap/retention/buckets.hpp"

#include <array>
#include <cstdio>
#include <optional>

#include "essnap/util/civil.hpp"

namespace essnap::retention {
namespace {

enum class Unit { kLast, kHour, kDay, kWeek, kMonth, kYear };

struct Bucket {
  std::int64_t key = 0;
  std::string label;  // "2026-11-30", "2026-W49", ...
};

std::string pad(std::int64_t v, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*lld", width, static_cast<long long>(v));
  return buf;
}

// restic's buckers: ymdh, ymd, yw (ISO year * 100 + ISO week), ym, y; `always` for keep-last.
Bucket bucket_of(Unit u, const util::LocalTime& t, std::size_t nr) {
  const std::string ymd = pad(t.year, 4) + "-" + pad(t.month, 2) + "-" + pad(t.day, 2);
  switch (u) {
    case Unit::kLast:
      return {static_cast<std::int64_t>(nr), ""};
    case Unit::kHour:
      return {t.year * 1000000 + t.month * 10000 + t.day * 100 + t.hour,
              ymd + "T" + pad(t.hour, 2)};
    case Unit::kDay:
      return {t.year * 10000 + t.month * 100 + t.day, ymd};
    case Unit::kWeek:
      return {t.iso_year * 100 + t.iso_week, pad(t.iso_year, 4) + "-W" + pad(t.iso_week, 2)};
    case Unit::kMonth:
      return {t.year * 100 + t.month, pad(t.year, 4) + "-" + pad(t.month, 2)};
    case Unit::kYear:
      return {t.year, pad(t.year, 4)};
  }
  return {};
}

std::string duration_text(const Duration& d) {
  if (!d.text.empty()) return d.text;
  std::string s;
  if (d.years != 0) s += std::to_string(d.years) + "y";
  if (d.months != 0) s += std::to_string(d.months) + "m";
  if (d.days != 0) s += std::to_string(d.days) + "d";
  if (d.hours != 0) s += std::to_string(d.hours) + "h";
  return s;
}

bool is_set(const std::optional<Duration>& d) {
  return d && (d->years != 0 || d->months != 0 || d->days != 0 || d->hours != 0);
}

// One rule's running state: restic's bucket struct (Count, Last) or bucketsWithin (Within, Last).
struct Rule {
  Unit unit = Unit::kLast;
  const char* name = "";                 // "daily"
  int count = 0;                         // count rules: 0 off, -1 unlimited
  std::optional<Instant> after = {};     // within rules: keep only snapshots after this instant
  std::string within_text = {};
  std::int64_t last = -1;
};

}  // namespace

Instant Instant::of(std::chrono::system_clock::time_point t) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  const std::int64_t sec = util::floor_div(ns, 1000000000);
  return Instant{sec, ns - sec * 1000000000};
}

Instant subtract_duration(Instant latest, const Duration& d, const util::TimeZone& tz) {
  const util::LocalTime t = tz.to_local(latest.sec);
  // Go's time.Date normalises month overflow into the year, then day overflow by plain day
  // arithmetic (so March 31 minus one month is "February 31" = March 3 or 2).
  std::int64_t month0 = (t.month - 1) - d.months;
  const std::int64_t year = t.year - d.years + util::floor_div(month0, 12);
  month0 -= util::floor_div(month0, 12) * 12;
  const std::int64_t days =
      util::days_from_civil(year, static_cast<int>(month0) + 1, 1) + (t.day - 1) - d.days;
  const std::int64_t local = days * 86400 + t.hour * 3600 + t.minute * 60 + t.second;
  return Instant{tz.from_local(local) - static_cast<std::int64_t>(d.hours) * 3600, latest.nsec};
}

std::vector<std::vector<std::string>> restic_forget(const std::vector<Instant>& times,
                                                    const Policy& p,
                                                    const util::TimeZone& tz) {
  std::vector<std::vector<std::string>> reasons(times.size());
  if (times.empty()) return reasons;
  const Instant latest = times.front();
  const auto after = [&](const std::optional<Duration>& d) -> std::optional<Instant> {
    if (!is_set(d)) return std::nullopt;
    return subtract_duration(latest, *d, tz);
  };
  const auto count_rule = [](Unit u, const char* name, int count) {
    Rule r{u, name};
    r.count = count;
    return r;
  };
  const auto within_rule = [&](Unit u, const char* name, const std::optional<Duration>& d) {
    Rule r{u, name};
    r.after = after(d);
    if (r.after) r.within_text = duration_text(*d);
    return r;
  };
  std::array<Rule, 6> counted{count_rule(Unit::kLast, "last", p.last),
                              count_rule(Unit::kHour, "hourly", p.hourly),
                              count_rule(Unit::kDay, "daily", p.daily),
                              count_rule(Unit::kWeek, "weekly", p.weekly),
                              count_rule(Unit::kMonth, "monthly", p.monthly),
                              count_rule(Unit::kYear, "yearly", p.yearly)};
  std::array<Rule, 5> within{within_rule(Unit::kHour, "hourly", p.within_hourly),
                             within_rule(Unit::kDay, "daily", p.within_daily),
                             within_rule(Unit::kWeek, "weekly", p.within_weekly),
                             within_rule(Unit::kMonth, "monthly", p.within_monthly),
                             within_rule(Unit::kYear, "yearly", p.within_yearly)};
  const std::optional<Instant> within_all = after(p.within);

  for (std::size_t nr = 0; nr < times.size(); ++nr) {
    const Instant cur = times[nr];
    const util::LocalTime local = tz.to_local(cur.sec);
    const bool oldest = nr + 1 == times.size();
    std::vector<std::string>& why = reasons[nr];
    if (within_all && cur > *within_all) why.push_back("within " + duration_text(*p.within));
    // restic also keeps the oldest snapshot when a rule has counts left (restic >= 0.16),
    // even if it shares a bucket with a newer kept one: that maximises the history kept.
    for (Rule& r : counted) {
      if (r.count == 0) continue;
      const Bucket b = bucket_of(r.unit, local, nr);
      if (b.key == r.last && !oldest) continue;
      const std::string prefix = b.key == r.last ? "oldest " : "";
      why.push_back(prefix + r.name + " snapshot" + (b.label.empty() ? "" : " " + b.label));
      r.last = b.key;
      if (r.count > 0) --r.count;
    }
    for (Rule& r : within) {
      if (!r.after || !(cur > *r.after)) continue;
      const Bucket b = bucket_of(r.unit, local, nr);
      if (b.key == r.last && !oldest) continue;
      const std::string prefix = b.key == r.last ? "oldest " : "";
      why.push_back(prefix + "within-" + r.name + " " + r.within_text + " " + b.label);
      r.last = b.key;
    }
  }
  return reasons;
}

}  // namespace essnap::retention
