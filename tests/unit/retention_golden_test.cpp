// Retention plans as golden files: tests/data/retention/<case>.golden, one line per snapshot,
// newest first:  <time UTC> <name> <STATE> <keep|remove> <reason>; <reason>...
// after a header naming the policy and `now`. ESSNAP_UPDATE_GOLDEN=1 rewrites the files;
// otherwise every case must match its file exactly. A few facts the goldens show are also
// asserted directly, so a regenerated file with a wrong answer still fails.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>

#include "essnap/retention/policy.hpp"
#include "unit/retention_test_util.hpp"

namespace essnap::retention {
namespace {

using cluster::SnapshotStateKind;
using namespace retention_test;

struct GoldenCase {
  std::string name;
  std::string policy_text;  // what the case is about, for the header
  Policy policy;
  std::string now;
  std::vector<Candidate> snapshots;
};

// Snapshots every `step_minutes` from `from` (inclusive) to `to` (exclusive).
std::vector<Candidate> every(const std::string& from, const std::string& to, int step_minutes) {
  std::vector<Candidate> out;
  for (auto t = T(from); t < T(to); t += std::chrono::minutes(step_minutes)) {
    out.push_back(snap(format(t)));
  }
  return out;
}

std::string render(const GoldenCase& c) {
  std::ostringstream o;
  o << "# " << c.policy_text << "\n# policy: " << describe(c.policy) << "\n# now: " << c.now
    << "\n";
  auto r = apply_policy(c.snapshots, c.policy, T(c.now));
  if (!r.ok()) return o.str() + "error: " + r.error().message + "\n";
  for (const auto& d : *r) {
    o << format(d.snapshot.time) << " " << d.snapshot.name << " " << d.snapshot.state.text << " "
      << to_string(d.action) << " " << join(d.reasons, "; ") << "\n";
  }
  return o.str();
}

Policy golden_policy(const std::function<void(Policy&)>& f) {
  Policy p;
  f(p);
  return p;
}

std::vector<GoldenCase> cases() {
  std::vector<GoldenCase> c;
  c.push_back({"iso_week_year_boundary", "2020-12-31 and 2021-01-01 share ISO week 2020-W53",
               golden_policy([](Policy& p) {
                 p.weekly = 3;
                 p.yearly = 2;
                 p.daily = 2;
               }),
               "2021-02-01T00:00:00Z",
               every("2020-12-24T12:00:00Z", "2021-01-06T00:00:00Z", 1440)});
  c.push_back({"berlin_spring_forward_hourly", "spring forward in Berlin: 2026-03-29 has 23 hours",
               golden_policy([](Policy& p) {
                 p.hourly = -1;
                 p.daily = -1;
                 p.tz = "Europe/Berlin";
               }),
               "2026-04-01T00:00:00Z", every("2026-03-28T22:30:00Z", "2026-03-30T00:00:00Z", 60)});
  c.push_back({"berlin_fall_back_hourly",
               "fall back in Berlin: 02:30 CEST and 02:30 CET share hour 02",
               golden_policy([](Policy& p) {
                 p.hourly = -1;
                 p.tz = "Europe/Berlin";
                 p.keep_min = 0;
               }),
               "2026-11-01T00:00:00Z", every("2026-10-24T22:00:00Z", "2026-10-25T04:00:00Z", 30)});
  c.push_back({"new_york_dst_days", "fall back in New York: 2026-11-01 has 25 hours",
               golden_policy([](Policy& p) {
                 p.daily = -1;
                 p.tz = "America/New_York";
                 p.keep_min = 0;
               }),
               "2026-12-01T00:00:00Z", every("2026-10-31T02:00:00Z", "2026-11-03T08:00:00Z", 150)});
  c.push_back({"new_york_same_utc_day",
               "the same snapshots bucketed in UTC (control for new_york_dst_days)",
               golden_policy([](Policy& p) {
                 p.daily = -1;
                 p.keep_min = 0;
               }),
               "2026-12-01T00:00:00Z", every("2026-10-31T02:00:00Z", "2026-11-03T08:00:00Z", 150)});
  c.push_back({"berlin_within_1d_spring", "within 1d across spring forward is 23 hours",
               golden_policy([](Policy& p) {
                 p.within = dur("1d");
                 p.within_hourly = dur("2d");
                 p.tz = "Europe/Berlin";
               }),
               "2026-04-01T00:00:00Z", every("2026-03-27T08:00:00Z", "2026-03-29T10:01:00Z", 90)});
  c.push_back(
      {"restic_classic", "the classic restic policy over two years", golden_policy([](Policy& p) {
         p.daily = 7;
         p.weekly = 4;
         p.monthly = 6;
         p.yearly = -1;
       }),
       "2026-12-01T00:00:00Z", every("2024-11-01T01:00:00Z", "2026-11-30T02:00:01Z", 60 * 24 * 5)});
  std::vector<Candidate> mixed{
      snap("2026-12-24T00:00:00Z"),  // future
      snap("2026-11-30T03:00:00Z", SnapshotStateKind::kInProgress, "running"),
      snap("2026-11-30T02:00:00Z", SnapshotStateKind::kFailed, "failed-newest"),
      snap("2026-11-29T02:00:00Z"),
      snap("2026-11-28T02:00:00Z", SnapshotStateKind::kPartial, "partial"),
      snap("2026-11-28T01:00:00Z"),
      snap("2026-11-27T02:00:00Z", SnapshotStateKind::kIncompatible, "incompatible"),
      snap("2026-11-26T02:00:00Z"),
      snap("2026-11-25T02:00:00Z"),
      snap("2026-11-24T02:00:00Z"),
      snap("2026-11-20T02:00:00Z")};
  for (auto& s : mixed)
    if (s.state.kind == SnapshotStateKind::kUnknown)
      s.state = cluster::parse_snapshot_state("WEIRD");
  c.push_back({"states_failed_kept", "every state, failed ones kept; the floor",
               golden_policy([](Policy& p) {
                 p.daily = 2;
                 p.keep_min = 3;
               }),
               "2026-12-01T00:00:00Z", mixed});
  c.push_back({"states_prune_failed", "every state, failed ones pruned; the floor",
               golden_policy([](Policy& p) {
                 p.daily = 2;
                 p.keep_min = 3;
                 p.prune_failed = PruneFailed::kYes;
               }),
               "2026-12-01T00:00:00Z", mixed});
  c.push_back(
      {"empty_policy", "an empty policy is refused", Policy{}, "2026-12-01T00:00:00Z", mixed});
  return c;
}

std::string golden_path(const std::string& name) {
  return std::string(ESSNAP_TEST_DATA_DIR) + "/retention/" + name + ".golden";
}

TEST(RetentionGolden, PlansMatchTheirFiles) {
  const char* update = std::getenv("ESSNAP_UPDATE_GOLDEN");
  const bool regenerate = update != nullptr && std::string(update) == "1";
  for (const auto& c : cases()) {
    const std::string got = render(c);
    if (regenerate) {
      std::ofstream(golden_path(c.name), std::ios::binary) << got;
      continue;
    }
    std::ifstream in(golden_path(c.name), std::ios::binary);
    ASSERT_TRUE(in) << golden_path(c.name) << " is missing; run with ESSNAP_UPDATE_GOLDEN=1";
    std::stringstream want;
    want << in.rdbuf();
    EXPECT_EQ(got, want.str()) << c.name << " differs from " << golden_path(c.name)
                               << " (ESSNAP_UPDATE_GOLDEN=1 rewrites it after review)";
  }
}

std::vector<Decision> run_case(const std::string& name) {
  for (const auto& c : cases())
    if (c.name == name) return run(c.policy, c.snapshots, c.now);
  ADD_FAILURE() << name;
  return {};
}

TEST(RetentionGolden, BerlinFallBackPutsBoth0230sInOneHour) {
  auto ds = run_case("berlin_fall_back_hourly");
  // 00:30Z is 02:30 CEST, 01:30Z is 02:30 CET: one local hour bucket; the later one wins.
  EXPECT_EQ(find(ds, "2026-10-25T01:30:00Z").reasons[0], "hourly snapshot 2026-10-25T02");
  EXPECT_EQ(find(ds, "2026-10-25T01:00:00Z").action, Action::kRemove);  // 02:00 CET
  EXPECT_EQ(find(ds, "2026-10-25T00:30:00Z").action, Action::kRemove);  // 02:30 CEST
  EXPECT_EQ(find(ds, "2026-10-25T00:00:00Z").action, Action::kRemove);  // 02:00 CEST
  EXPECT_EQ(find(ds, "2026-10-24T23:30:00Z").reasons[0], "hourly snapshot 2026-10-25T01");
}

TEST(RetentionGolden, BerlinSpringForwardDayHas23Hours) {
  auto ds = run_case("berlin_spring_forward_hourly");
  int day_29 = 0;
  for (const auto& d : ds)
    for (const auto& r : d.reasons)
      if (r.rfind("hourly snapshot 2026-03-29T", 0) == 0) ++day_29;
  EXPECT_EQ(day_29, 23);  // local 00:30 .. 23:30 without 02:30: 2026-03-28T23:30Z .. 03-29T21:30Z
  EXPECT_EQ(find(ds, "2026-03-29T00:30:00Z").reasons[0], "hourly snapshot 2026-03-29T01");
  EXPECT_EQ(find(ds, "2026-03-29T01:30:00Z").reasons[0], "hourly snapshot 2026-03-29T03");
  EXPECT_EQ(find(ds, "2026-03-29T21:30:00Z").reasons[0], "hourly snapshot 2026-03-29T23");
  EXPECT_EQ(find(ds, "2026-03-29T22:30:00Z").reasons[0], "hourly snapshot 2026-03-30T00");
}

TEST(RetentionGolden, NewYorkFallBackDayHas25Hours) {
  auto ds = run_case("new_york_dst_days");
  // Nov 1 2026 local runs 04:00Z .. 05:00Z Nov 2 (EDT -> EST, 25 h): 04:00Z Nov 2 is 23:00 EST.
  EXPECT_EQ(find(ds, "2026-11-02T04:00:00Z").reasons[0], "daily snapshot 2026-11-01");
  EXPECT_EQ(find(ds, "2026-11-02T04:00:00Z").action, Action::kKeep);
  auto utc = run_case("new_york_same_utc_day");
  EXPECT_EQ(find(utc, "2026-11-02T04:00:00Z").action, Action::kRemove);
}

TEST(RetentionGolden, WithinOneDayAcrossSpringForwardIs23Hours) {
  auto ds = run_case("berlin_within_1d_spring");
  // newest 2026-03-29T09:30Z = 11:30 CEST; minus 1 calendar day = 03-28 11:30 CET = 10:30Z
  EXPECT_EQ(find(ds, "2026-03-28T11:00:00Z").reasons[0], "within 1d");
  EXPECT_NE(find(ds, "2026-03-28T09:30:00Z").reasons[0], "within 1d");
}

}  // namespace
}  // namespace essnap::retention
