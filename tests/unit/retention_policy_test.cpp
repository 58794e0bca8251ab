// Retention: restic's forget rules, essnap's safety rules, and golden files of whole plans.
// ESSNAP_UPDATE_GOLDEN=1 rewrites tests/data/retention/*.golden instead of comparing.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "essnap/retention/policy.hpp"
#include "essnap/util/civil.hpp"

namespace essnap::retention {
namespace {

using cluster::SnapshotStateKind;
using std::chrono::system_clock;

// "YYYY-MM-DDTHH:MM:SSZ" -> time_point (test input is always well formed).
system_clock::time_point T(const std::string& s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  EXPECT_EQ(std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%dZ", &y, &mo, &d, &h, &mi, &se), 6) << s;
  const std::int64_t secs = util::days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
  return system_clock::time_point(std::chrono::seconds(secs));
}

std::string format(system_clock::time_point t) {
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  const std::int64_t days = util::floor_div(secs, 86400);
  const std::int64_t rem = secs - days * 86400;
  const util::CivilDate d = util::civil_from_days(days);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02lld:%02lld:%02lldZ",
                static_cast<long long>(d.year), d.month, d.day, static_cast<long long>(rem / 3600),
                static_cast<long long>(rem / 60 % 60), static_cast<long long>(rem % 60));
  return buf;
}

Candidate snap(const std::string& time, SnapshotStateKind kind = SnapshotStateKind::kSuccess,
               std::string name = "") {
  if (name.empty()) name = "s-" + time;
  return Candidate{std::move(name), T(time), cluster::make_snapshot_state(kind)};
}

std::vector<Candidate> snaps(const std::vector<std::string>& times) {
  std::vector<Candidate> out;
  for (const auto& t : times) out.push_back(snap(t));
  return out;
}

Duration dur(const std::string& text) {
  auto d = parse_duration(text);
  EXPECT_TRUE(d.ok()) << text;
  return d.ok() ? *d : Duration{};
}

std::vector<Decision> run(const Policy& p, std::vector<Candidate> s,
                          const std::string& now = "2030-01-01T00:00:00Z") {
  auto r = apply_policy(std::move(s), p, T(now));
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : std::vector<Decision>{};
}

// The times kept, newest first.
std::vector<std::string> kept(const std::vector<Decision>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds)
    if (d.action == Action::kKeep) out.push_back(format(d.snapshot.time));
  return out;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

const Decision& find(const std::vector<Decision>& ds, const std::string& time) {
  for (const auto& d : ds)
    if (format(d.snapshot.time) == time) return d;
  ADD_FAILURE() << "no decision for " << time;
  static const Decision none;
  return none;
}

// ---- durations ---------------------------------------------------------------------------

TEST(RetentionDuration, ParsesResticGrammar) {
  const Duration d = dur("1y2m3d4h");
  EXPECT_EQ(d.years, 1);
  EXPECT_EQ(d.months, 2);
  EXPECT_EQ(d.days, 3);
  EXPECT_EQ(d.hours, 4);
  EXPECT_EQ(d.text, "1y2m3d4h");
  EXPECT_EQ(dur("7d").days, 7);
  EXPECT_EQ(dur(" 36h ").hours, 36);  // restic trims spaces
  EXPECT_EQ(dur("4h1y").years, 1);    // any order, as restic
  EXPECT_EQ(dur("999999d").days, 999999);
}

TEST(RetentionDuration, RejectsMalformed) {
  for (const char* bad : {"", "   ", "7", "1x", "-1d", "d", "1d2", "1d1d", "1.5d", "+1d",
                          "1000000d", "99999999999999999999y", "1 d"}) {
    auto r = parse_duration(bad);
    ASSERT_FALSE(r.ok()) << '"' << bad << '"';
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << bad;
    EXPECT_NE(r.error().message.find("duration"), std::string::npos) << bad;
  }
}

// ---- refusals ----------------------------------------------------------------------------

TEST(RetentionPolicy, EmptyPolicyIsRefused) {
  Policy p;
  EXPECT_TRUE(p.empty());
  p.within = dur("0d");  // a zero duration is no rule, as in restic
  EXPECT_TRUE(p.empty());
  auto r = apply_policy(snaps({"2026-01-01T00:00:00Z"}), p, T("2026-02-01T00:00:00Z"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  p.within_yearly = dur("1y");
  EXPECT_FALSE(p.empty());
}

TEST(RetentionPolicy, BadCountsAndZonesAreRefused) {
  Policy p;
  p.daily = -2;
  auto r = apply_policy({}, p, T("2026-02-01T00:00:00Z"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  p.daily = 1;
  p.keep_min = -1;
  EXPECT_FALSE(apply_policy({}, p, T("2026-02-01T00:00:00Z")).ok());
  p.keep_min = 1;
  p.tz = "Mars/Olympus_Mons";
  r = apply_policy({}, p, T("2026-02-01T00:00:00Z"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("Mars/Olympus_Mons"), std::string::npos);
  p.tz = "../../etc/passwd";
  EXPECT_FALSE(apply_policy({}, p, T("2026-02-01T00:00:00Z")).ok());
}

TEST(RetentionPolicy, NoSnapshotsNoDecisions) {
  Policy p;
  p.last = 3;
  EXPECT_TRUE(run(p, {}).empty());
}

TEST(RetentionPolicy, ActionWords) {
  EXPECT_STREQ(to_string(Action::kKeep), "keep");
  EXPECT_STREQ(to_string(Action::kRemove), "remove");
}

// ---- restic's rules ----------------------------------------------------------------------

TEST(RetentionPolicy, KeepLastSortsNewestFirst) {
  Policy p;
  p.last = 2;
  p.keep_min = 0;
  auto ds = run(p, snaps({"2026-01-01T00:00:00Z", "2026-01-03T00:00:00Z", "2026-01-02T00:00:00Z"}));
  ASSERT_EQ(ds.size(), 3U);
  EXPECT_EQ(format(ds[0].snapshot.time), "2026-01-03T00:00:00Z");
  EXPECT_EQ(kept(ds), (std::vector<std::string>{"2026-01-03T00:00:00Z", "2026-01-02T00:00:00Z"}));
  EXPECT_EQ(ds[2].reasons, std::vector<std::string>{"matched no keep rule"});
}

TEST(RetentionPolicy, DailyKeepsNewestOfEachDayAndTheOldestWhileCountsLast) {
  Policy p;
  p.daily = 5;
  p.keep_min = 0;
  auto ds = run(p, snaps({"2026-01-03T20:00:00Z", "2026-01-03T08:00:00Z", "2026-01-02T23:59:59Z",
                          "2026-01-02T00:00:00Z"}));
  // 01-02T00:00 shares its day with a kept one, but it is the oldest and counts are left
  // (restic >= 0.16 keeps it: "oldest daily snapshot").
  EXPECT_EQ(kept(ds), (std::vector<std::string>{"2026-01-03T20:00:00Z", "2026-01-02T23:59:59Z",
                                                "2026-01-02T00:00:00Z"}));
  EXPECT_EQ(find(ds, "2026-01-02T00:00:00Z").reasons,
            std::vector<std::string>{"oldest daily snapshot 2026-01-02"});
  p.daily = 2;  // counts exhausted: the oldest goes
  EXPECT_EQ(kept(run(p, snaps({"2026-01-03T20:00:00Z", "2026-01-02T23:59:59Z",
                               "2026-01-02T00:00:00Z"}))),
            (std::vector<std::string>{"2026-01-03T20:00:00Z", "2026-01-02T23:59:59Z"}));
}

TEST(RetentionPolicy, IsoWeekSpansTheYearBoundary) {
  Policy p;
  p.weekly = 2;
  p.keep_min = 0;
  // Thu 2020-12-31 and Fri 2021-01-01 are both in ISO week 2020-W53; Sun 2020-12-27 is W52.
  auto ds = run(p, snaps({"2021-01-01T12:00:00Z", "2020-12-31T12:00:00Z", "2020-12-27T12:00:00Z",
                          "2020-12-20T12:00:00Z"}));
  EXPECT_EQ(kept(ds), (std::vector<std::string>{"2021-01-01T12:00:00Z", "2020-12-27T12:00:00Z"}));
  EXPECT_EQ(find(ds, "2021-01-01T12:00:00Z").reasons[0], "weekly snapshot 2020-W53");
  EXPECT_EQ(find(ds, "2020-12-27T12:00:00Z").reasons[0], "weekly snapshot 2020-W52");
}

TEST(RetentionPolicy, YearlyAndMonthlyAcrossTheYearBoundary) {
  Policy p;
  p.yearly = 2;
  p.monthly = 1;
  p.keep_min = 0;
  auto ds = run(p, snaps({"2021-01-01T00:00:00Z", "2020-12-31T23:59:59Z", "2020-06-01T00:00:00Z",
                          "2019-12-31T23:00:00Z"}));
  EXPECT_EQ(kept(ds), (std::vector<std::string>{"2021-01-01T00:00:00Z", "2020-12-31T23:59:59Z"}));
  EXPECT_EQ(find(ds, "2021-01-01T00:00:00Z").reasons,
            (std::vector<std::string>{"monthly snapshot 2021-01", "yearly snapshot 2021",
                                      "newest successful snapshot"}));
}

TEST(RetentionPolicy, UnlimitedCountsKeepEveryBucket) {
  Policy p;
  p.monthly = -1;
  p.keep_min = 0;
  std::vector<std::string> times;
  for (int y = 2010; y >= 2000; --y)
    for (int m = 12; m >= 1; --m) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%04d-%02d-15T00:00:00Z", y, m);
      times.emplace_back(buf);
      std::snprintf(buf, sizeof buf, "%04d-%02d-01T00:00:00Z", y, m);
      times.emplace_back(buf);
    }
  auto ds = run(p, snaps(times));
  // One per month (the 15th), plus the oldest snapshot (2000-01-01) as counts never run out.
  EXPECT_EQ(kept(ds).size(), 11U * 12U + 1U);
  EXPECT_EQ(find(ds, "2000-01-01T00:00:00Z").reasons[0], "oldest monthly snapshot 2000-01");
  EXPECT_EQ(find(ds, "2005-07-01T00:00:00Z").action, Action::kRemove);
}

TEST(RetentionPolicy, TiesKeepTheGivenOrder) {
  Policy p;
  p.last = 1;
  p.keep_min = 0;
  std::vector<Candidate> s{snap("2026-01-01T00:00:00Z", SnapshotStateKind::kSuccess, "b"),
                           snap("2026-01-01T00:00:00Z", SnapshotStateKind::kSuccess, "a"),
                           snap("2026-01-01T00:00:00Z", SnapshotStateKind::kSuccess, "c")};
  auto ds = run(p, s);
  ASSERT_EQ(ds.size(), 3U);
  EXPECT_EQ(ds[0].snapshot.name, "b");  // stable, like restic's sort.Stable
  EXPECT_EQ(ds[1].snapshot.name, "a");
  EXPECT_EQ(ds[0].action, Action::kKeep);
  EXPECT_EQ(ds[1].action, Action::kRemove);
  p.last = 0;
  p.daily = 1;
  ds = run(p, s);
  EXPECT_EQ(ds[0].snapshot.name, "b");
  EXPECT_EQ(kept(ds).size(), 1U);
}

TEST(RetentionPolicy, WithinIsMeasuredFromTheNewestNotFromNow) {
  Policy p;
  p.within = dur("2d");
  p.keep_min = 0;
  auto ds = run(p, snaps({"2026-01-10T12:00:00Z", "2026-01-08T12:00:01Z", "2026-01-08T12:00:00Z"}),
                "2026-06-01T00:00:00Z");
  // strictly after newest - 2d, as restic's After()
  EXPECT_EQ(kept(ds), (std::vector<std::string>{"2026-01-10T12:00:00Z", "2026-01-08T12:00:01Z"}));
  EXPECT_EQ(find(ds, "2026-01-08T12:00:01Z").reasons, std::vector<std::string>{"within 2d"});
}

TEST(RetentionPolicy, WithinUsesCalendarMonths) {
  Policy p;
  p.within = dur("1m");
  p.keep_min = 0;
  // 2026-03-31 minus one month is "February 31" = March 3, as Go's AddDate normalises.
  auto ds = run(p, snaps({"2026-03-31T00:00:00Z", "2026-03-03T00:00:01Z", "2026-03-03T00:00:00Z",
                          "2026-03-02T00:00:00Z"}));
  EXPECT_EQ(kept(ds), (std::vector<std::string>{"2026-03-31T00:00:00Z", "2026-03-03T00:00:01Z"}));
  p.within = dur("1y");  // 2024-02-29 plus... minus a year from 2025-02-28 is 2024-02-28
  ds = run(p, snaps({"2025-02-28T00:00:00Z", "2024-02-28T00:00:01Z", "2024-02-28T00:00:00Z"}));
  EXPECT_EQ(kept(ds).size(), 2U);
  p.within = dur("1d12h");
  ds = run(p, snaps({"2026-01-10T12:00:00Z", "2026-01-09T00:00:01Z", "2026-01-09T00:00:00Z"}));
  EXPECT_EQ(kept(ds).size(), 2U);
}

TEST(RetentionPolicy, WithinBucketRulesKeepOnePerBucketWithinTheWindow) {
  struct Case {
    std::optional<Duration> Policy::*field;
    const char* word;
    std::vector<std::string> times;
    std::size_t kept;
  };
  const std::vector<Case> cases{
      {&Policy::within_hourly, "hourly",
       {"2026-01-10T12:30:00Z", "2026-01-10T12:10:00Z", "2026-01-10T11:59:00Z",
        "2026-01-10T09:00:00Z", "2026-01-10T08:00:00Z"},
       2},
      {&Policy::within_daily, "daily",
       {"2026-01-10T12:00:00Z", "2026-01-10T01:00:00Z", "2026-01-09T12:00:00Z",
        "2026-01-07T13:00:00Z", "2026-01-07T12:00:00Z"},
       3},
      {&Policy::within_weekly, "weekly",
       {"2026-01-10T12:00:00Z", "2026-01-05T00:00:00Z", "2026-01-04T23:00:00Z",
        "2025-12-01T00:00:00Z", "2025-11-30T00:00:00Z"},
       2},
      {&Policy::within_monthly, "monthly",
       {"2026-01-10T12:00:00Z", "2026-01-01T00:00:00Z", "2025-12-31T00:00:00Z",
        "2025-09-01T00:00:00Z", "2025-08-01T00:00:00Z"},
       2},
      {&Policy::within_yearly, "yearly",
       {"2026-01-10T12:00:00Z", "2025-06-01T00:00:00Z", "2024-01-01T00:00:00Z",
        "2023-01-01T00:00:00Z", "2022-01-01T00:00:00Z"},
       2},
  };
  const char* windows[] = {"3h", "3d", "1m", "3m", "1y"};
  for (std::size_t i = 0; i < cases.size(); ++i) {
    Policy p;
    p.keep_min = 0;
    p.*(cases[i].field) = dur(windows[i]);
    auto ds = run(p, snaps(cases[i].times));
    EXPECT_EQ(kept(ds).size(), cases[i].kept) << cases[i].word << ": " << join(kept(ds), " ");
    EXPECT_EQ(ds[0].reasons[0].rfind(std::string("within-") + cases[i].word + " " + windows[i], 0),
              0U)
        << ds[0].reasons[0];
    EXPECT_EQ(ds.back().action, Action::kRemove) << cases[i].word;  // outside the window
  }
}

TEST(RetentionPolicy, ReasonsListEveryRule) {
  Policy p;
  p.last = 1;
  p.hourly = 1;
  p.daily = 1;
  p.weekly = 1;
  p.monthly = 1;
  p.yearly = 1;
  p.within = dur("1d");
  p.within_daily = dur("7d");
  auto ds = run(p, snaps({"2026-11-30T02:00:00Z", "2026-11-29T02:00:00Z"}));
  EXPECT_EQ(ds[0].reasons,
            (std::vector<std::string>{"within 1d", "last snapshot", "hourly snapshot 2026-11-30T02",
                                      "daily snapshot 2026-11-30", "weekly snapshot 2026-W49",
                                      "monthly snapshot 2026-11", "yearly snapshot 2026",
                                      "within-daily 7d 2026-11-30",
                                      "newest successful snapshot"}));
  EXPECT_EQ(ds[1].reasons, std::vector<std::string>{"within-daily 7d 2026-11-29"});
}

}  // namespace
}  // namespace essnap::retention
