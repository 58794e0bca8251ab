// Cron and @every schedules: fields, names, steps, the Vixie dom/dow OR rule, intervals, errors,
// and the DST rules (a gap runs once at its end, an overlap once at the first occurrence).
#include <gtest/gtest.h>

#include "essnap/schedule/cron.hpp"
#include "essnap/schedule/log.hpp"

namespace essnap::schedule {
namespace {

using namespace std::chrono;

SysSeconds utc(int y, int mo, int d, int h, int mi, int s = 0) {
  return sys_days{year{y} / mo / d} + hours(h) + minutes(mi) + seconds(s);
}

std::string iso(SysSeconds t) {
  return iso8601(Clock::time_point(t));
}

std::string next(const std::string& text, SysSeconds after,
                 std::shared_ptr<const TimeZone> zone = utc_zone()) {
  auto s = Schedule::parse(text, zone);
  if (!s.ok()) return "error: " + s.error().message;
  auto n = s->next_after(after);
  return n ? iso(*n) : "never";
}

// Central European time with the EU rule of 2026: CEST from 2026-03-29 01:00 UTC to
// 2026-10-25 01:00 UTC (a stand-in for the IANA zone until util/timezone lands).
class FakeBerlin final : public TimeZone {
 public:
  Seconds offset_at(SysSeconds t) const override {
    return t >= utc(2026, 3, 29, 1, 0) && t < utc(2026, 10, 25, 1, 0) ? hours(2) : hours(1);
  }
  std::string name() const override { return "Fake/Berlin"; }
};

TEST(ScheduleCron, FieldsListsRangesStepsAndNames) {
  EXPECT_EQ(next("0 2 * * *", utc(2026, 1, 1, 0, 0)), "2026-01-01T02:00:00.000Z");
  EXPECT_EQ(next("0 2 * * *", utc(2026, 1, 1, 2, 0)),
            "2026-01-02T02:00:00.000Z");  // strictly after
  EXPECT_EQ(next("*/15 * * * *", utc(2026, 1, 1, 10, 7)), "2026-01-01T10:15:00.000Z");
  EXPECT_EQ(next("5,35 */6 * * *", utc(2026, 1, 1, 6, 36)), "2026-01-01T12:05:00.000Z");
  EXPECT_EQ(next("10-20/5 * * * *", utc(2026, 1, 1, 0, 16)), "2026-01-01T00:20:00.000Z");
  EXPECT_EQ(next("5/20 * * * *", utc(2026, 1, 1, 0, 26)), "2026-01-01T00:45:00.000Z");
  // 2026-01-03 is a Saturday.
  EXPECT_EQ(next("0 9 * JAN-mar mon-fri", utc(2026, 1, 3, 0, 0)), "2026-01-05T09:00:00.000Z");
  EXPECT_EQ(next("0 9 * * 7", utc(2026, 1, 3, 0, 0)), "2026-01-04T09:00:00.000Z");  // 7 = Sunday
  EXPECT_EQ(next("0 0 1 1 *", utc(2026, 6, 1, 0, 0)), "2027-01-01T00:00:00.000Z");
  EXPECT_EQ(next("0 0 29 2 *", utc(2026, 3, 1, 0, 0)), "2028-02-29T00:00:00.000Z");
}

TEST(ScheduleCron, DayOfMonthAndDayOfWeekCombineWithOrWhenBothAreRestricted) {
  // 2026-01-02 is a Friday: "the 13th or any Friday" fires then.
  EXPECT_EQ(next("0 0 13 * fri", utc(2026, 1, 1, 0, 0)), "2026-01-02T00:00:00.000Z");
  EXPECT_EQ(next("0 0 13 * *", utc(2026, 1, 1, 0, 0)), "2026-01-13T00:00:00.000Z");
  EXPECT_EQ(next("0 0 * * fri", utc(2026, 1, 2, 0, 0)), "2026-01-09T00:00:00.000Z");
  // A '*'-led day-of-week field with a step counts as unrestricted (Vixie): AND.
  EXPECT_EQ(next("0 0 13 * */2", utc(2026, 1, 1, 0, 0)), "2026-01-13T00:00:00.000Z");
}

TEST(ScheduleCron, MacrosAndEvery) {
  EXPECT_EQ(next("@hourly", utc(2026, 1, 1, 10, 7)), "2026-01-01T11:00:00.000Z");
  EXPECT_EQ(next("@daily", utc(2026, 1, 1, 10, 7)), "2026-01-02T00:00:00.000Z");
  EXPECT_EQ(next("@every 30s", utc(2026, 1, 1, 10, 0, 10)), "2026-01-01T10:00:30.000Z");
  EXPECT_EQ(next("@every 5m", utc(2026, 1, 1, 10, 7)), "2026-01-01T10:10:00.000Z");
  EXPECT_EQ(next("@every 1h30m", utc(2026, 1, 1, 0, 0)), "2026-01-01T01:30:00.000Z");
  EXPECT_EQ(next("CRON_TZ=UTC 0 2 * * *", utc(2026, 1, 1, 0, 0)), "2026-01-01T02:00:00.000Z");
}

TEST(ScheduleCron, ErrorsSayWhichFieldIsWrong) {
  EXPECT_NE(next("0 24 * * *", {}).find("hour '24' is out of range 0-23"), std::string::npos);
  EXPECT_NE(next("* * * *", {}).find("expected 5 fields, found 4"), std::string::npos);
  EXPECT_NE(next("61 * * * *", {}).find("minute '61'"), std::string::npos);
  EXPECT_NE(next("0 0 * foo *", {}).find("month 'foo'"), std::string::npos);
  EXPECT_NE(next("*/0 * * * *", {}).find("step"), std::string::npos);
  EXPECT_NE(next("@every 5x", {}).find("unknown unit 'x'"), std::string::npos);
  EXPECT_NE(next("@every", {}).find("error"), std::string::npos);
  EXPECT_NE(next("@fortnightly", {}).find("unknown macro"), std::string::npos);
  EXPECT_NE(next("CRON_TZ=Mars/Olympus 0 2 * * *", {}).find("Mars/Olympus"), std::string::npos);
  EXPECT_NE(next("CRON_TZ=../etc/passwd 0 2 * * *", {}).find("error"), std::string::npos);
  EXPECT_NE(next("@every 99999999999999999999s", {}).find("too long"), std::string::npos);
  // Issue 21: a schedule that can never fire is an error, not a policy that silently never runs.
  EXPECT_EQ(next("0 0 30 2 *", utc(2026, 1, 1, 0, 0)),
            "error: bad schedule '0 0 30 2 *': it never fires: day 30 does not exist in February");
  EXPECT_NE(next("0 0 31 4,6,9,11 *", {}).find("day 31 does not exist in any of its months"),
            std::string::npos);
  EXPECT_NE(next("@every 999999999d", {}).find("too long"), std::string::npos);
  EXPECT_NE(next("@every 367d", {}).find("at most 366d"), std::string::npos);
  EXPECT_EQ(next("0 0 29 2 *", utc(2026, 1, 1, 0, 0)), "2028-02-29T00:00:00.000Z");
  EXPECT_EQ(next("@every 366d", utc(2026, 1, 1, 0, 0)), "2026-02-12T00:00:00.000Z");
}

// Real IANA zones come from the system's zone files (tzdata): 02:00 in Berlin is 01:00 UTC in
// winter and 00:00 UTC in summer.
TEST(ScheduleCron, IanaZonesFromTheZoneFiles) {
  EXPECT_EQ(next("CRON_TZ=Europe/Berlin 0 2 * * *", utc(2026, 1, 1, 0, 0)),
            "2026-01-01T01:00:00.000Z");
  EXPECT_EQ(next("CRON_TZ=Europe/Berlin 0 2 * * *", utc(2026, 7, 1, 0, 30)),
            "2026-07-02T00:00:00.000Z");
  EXPECT_EQ(next("CRON_TZ=America/New_York 0 2 * * *", utc(2026, 1, 1, 0, 0)),
            "2026-01-01T07:00:00.000Z");
}

TEST(ScheduleCron, SpringForwardGapRunsOnceAtTheEndOfTheGap) {
  auto berlin = std::make_shared<FakeBerlin>();
  // 02:30 does not exist on 2026-03-29 (02:00 CET -> 03:00 CEST = 01:00 UTC).
  EXPECT_EQ(next("30 2 * * *", utc(2026, 3, 28, 12, 0), berlin), "2026-03-29T01:00:00.000Z");
  EXPECT_EQ(next("30 2 * * *", utc(2026, 3, 29, 1, 0), berlin), "2026-03-30T00:30:00.000Z");
  // Every 30 minutes through the gap: 02:00 and 02:30 collapse into one run at 03:00 CEST.
  auto s = Schedule::parse("*/30 * * * *", berlin);
  ASSERT_TRUE(s.ok());
  std::vector<std::string> runs;
  SysSeconds t = utc(2026, 3, 29, 0, 10);  // 01:10 CET
  for (int i = 0; i < 4; ++i) runs.push_back(iso(t = *s->next_after(t)));
  EXPECT_EQ(runs,
            (std::vector<std::string>{"2026-03-29T00:30:00.000Z", "2026-03-29T01:00:00.000Z",
                                      "2026-03-29T01:30:00.000Z", "2026-03-29T02:00:00.000Z"}));
  // Outside the gap the zone shifts the run: 02:00 local is 01:00 UTC in winter.
  EXPECT_EQ(next("0 2 * * *", utc(2026, 1, 10, 0, 0), berlin), "2026-01-10T01:00:00.000Z");
}

TEST(ScheduleCron, FallBackOverlapRunsOnceAtTheFirstOccurrence) {
  auto berlin = std::make_shared<FakeBerlin>();
  // 02:30 happens twice on 2026-10-25: 00:30 UTC (CEST) and 01:30 UTC (CET).
  EXPECT_EQ(next("30 2 * * *", utc(2026, 10, 24, 12, 0), berlin), "2026-10-25T00:30:00.000Z");
  EXPECT_EQ(next("30 2 * * *", utc(2026, 10, 25, 0, 30), berlin), "2026-10-26T01:30:00.000Z");
}

TEST(ScheduleCron, IntervalsParseAndFormat) {
  EXPECT_EQ(parse_interval("26h").value(), hours(26));
  EXPECT_EQ(parse_interval("1h30m").value(), minutes(90));
  EXPECT_FALSE(parse_interval("0s").ok());
  EXPECT_FALSE(parse_interval("5").ok());
  EXPECT_EQ(format_interval(minutes(90)), "1h30m");
  EXPECT_EQ(format_interval(seconds(45)), "45s");
}

}  // namespace
}  // namespace essnap::schedule
