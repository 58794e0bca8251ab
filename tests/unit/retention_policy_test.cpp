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
#include "unit/retention_test_util.hpp"

namespace essnap::retention {
namespace {

using cluster::SnapshotStateKind;
using namespace retention_test;

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

TEST(RetentionDuration, MIsMonthsAsInResticAndMoIsTooAndItSaysSoInWords) {
  EXPECT_EQ(dur("30m").months, 30);
  EXPECT_EQ(dur("30mo").months, 30);
  EXPECT_EQ(dur("30mo").text, "30mo");
  EXPECT_EQ(describe(dur("30m")), "30 months");
  EXPECT_EQ(describe(dur("1y2m3d4h")), "1 year 2 months 3 days 4 hours");
  auto r = parse_duration("30min");  // minutes are not a retention unit: hours are the finest
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("unknown unit 'min'"), std::string::npos) << r.error().message;
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

TEST(RetentionPolicy, DurationsBuiltInCodeAreCheckedToo) {
  Policy p;
  p.within = Duration{0, 0, -1, 0, "-1d"};
  auto r = apply_policy({}, p, T("2026-02-01T00:00:00Z"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  p.within = Duration{2000000000, 0, 0, 0, ""};
  EXPECT_FALSE(apply_policy({}, p, T("2026-02-01T00:00:00Z")).ok());
}

TEST(RetentionPolicy, WithinComparesBelowTheSecond) {
  Policy p;
  p.within = dur("1h");
  p.keep_min = 0;
  const auto newest = T("2026-01-01T12:00:00Z") + std::chrono::milliseconds(500);
  std::vector<Candidate> s{snap("2026-01-01T12:00:00Z"), snap("2026-01-01T11:00:00Z"),
                           snap("2026-01-01T11:00:00Z")};
  s[0].time = newest;
  s[1].time = newest - std::chrono::hours(1) + std::chrono::milliseconds(1);
  s[2].time = newest - std::chrono::hours(1);
  auto ds = run(p, s);
  EXPECT_EQ(ds[1].action, Action::kKeep);
  EXPECT_EQ(ds[2].action, Action::kRemove);  // exactly newest - 1h: not after it
}

TEST(RetentionPolicy, NoSnapshotsNoDecisions) {
  Policy p;
  p.last = 3;
  EXPECT_TRUE(run(p, {}).empty());
}

TEST(RetentionPolicy, DescribeNamesEveryRule) {
  Policy p;
  EXPECT_EQ(describe(p), "no keep rule; keep-min 1; tz UTC");
  p.daily = 7;
  p.yearly = -1;
  p.within = dur("7d");
  p.within_daily = dur("30d");
  p.keep_min = 2;
  p.tz = "Europe/Berlin";
  p.prune_failed = PruneFailed::kYes;
  EXPECT_EQ(describe(p),
            "keep 7 daily, all yearly snapshots; daily snapshots within 30d; all snapshots within "
            "7d of the newest; keep-min 2; tz Europe/Berlin; prune failed");
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
  EXPECT_EQ(
      kept(run(p, snaps({"2026-01-03T20:00:00Z", "2026-01-02T23:59:59Z", "2026-01-02T00:00:00Z"}))),
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
      {&Policy::within_hourly,
       "hourly",
       {"2026-01-10T12:30:00Z", "2026-01-10T12:10:00Z", "2026-01-10T11:59:00Z",
        "2026-01-10T09:00:00Z", "2026-01-10T08:00:00Z"},
       2},
      {&Policy::within_daily,
       "daily",
       {"2026-01-10T12:00:00Z", "2026-01-10T01:00:00Z", "2026-01-09T12:00:00Z",
        "2026-01-07T13:00:00Z", "2026-01-07T12:00:00Z"},
       3},
      {&Policy::within_weekly,
       "weekly",
       {"2026-01-10T12:00:00Z", "2026-01-05T00:00:00Z", "2026-01-04T23:00:00Z",
        "2025-12-01T00:00:00Z", "2025-11-30T00:00:00Z"},
       2},
      {&Policy::within_monthly,
       "monthly",
       {"2026-01-10T12:00:00Z", "2026-01-01T00:00:00Z", "2025-12-31T00:00:00Z",
        "2025-09-01T00:00:00Z", "2025-08-01T00:00:00Z"},
       2},
      {&Policy::within_yearly,
       "yearly",
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
                                      "within-daily 7d 2026-11-30", "newest successful snapshot"}));
  EXPECT_EQ(ds[1].reasons, std::vector<std::string>{"within-daily 7d 2026-11-29"});
}

}  // namespace
}  // namespace essnap::retention
