// util/durations: the clock-span grammar (s, sec, min, h, d, w, mo, y; a bare "m" refused as
// ambiguous, naming both spellings), restic's calendar grammar (m = months, mo too) sharing its
// tokenizer, and the describers that spell either out in words.
#include <gtest/gtest.h>

#include <string>

#include "essnap/util/durations.hpp"

namespace essnap::util {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr std::int64_t kDay = 86400;

seconds span(const std::string& text) {
  auto r = parse_span(text, "--max-age");
  EXPECT_TRUE(r.ok()) << '"' << text << "\": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : seconds(-1);
}

CalendarDuration calendar(const std::string& text) {
  auto r = parse_calendar_duration(text, "keep_within");
  EXPECT_TRUE(r.ok()) << '"' << text << "\": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : CalendarDuration{-1, -1, -1, -1};
}

// ---- spans -------------------------------------------------------------------------------

TEST(UtilSpan, AcceptsClockUnitsAndCombinations) {
  EXPECT_EQ(span("30min"), minutes(30));
  EXPECT_EQ(span("30min").count(), 1800);
  EXPECT_EQ(span("90s"), seconds(90));
  EXPECT_EQ(span("45sec"), seconds(45));
  EXPECT_EQ(span("12h"), hours(12));
  EXPECT_EQ(span("1h30min"), minutes(90));
  EXPECT_EQ(span("30min1h"), minutes(90));  // any order
  EXPECT_EQ(span("1d2h3min4s"), seconds(kDay + 2 * 3600 + 3 * 60 + 4));
  EXPECT_EQ(span("2w"), seconds(14 * kDay));
  EXPECT_EQ(span("30mo"), seconds(30 * 30 * kDay));  // a month is 30 days in a span
  EXPECT_EQ(span("1y"), seconds(365 * kDay));        // a year 365
  EXPECT_EQ(span("  7d "), seconds(7 * kDay));
  EXPECT_EQ(span("0"), seconds(0));
  EXPECT_EQ(span("0s"), seconds(0));
  EXPECT_EQ(span("100y"), seconds(100 * 365 * kDay));
}

TEST(UtilSpan, BareMIsRefusedNamingMinutesAndMonths) {
  for (const auto& [text, n] : {std::pair{"30m", "30"}, {"1h30m", "30"}, {" 5m ", "5"}}) {
    auto r = parse_span(text, "jitter");
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    const std::string& m = r.error().message;
    EXPECT_NE(m.find("ambiguous"), std::string::npos) << m;
    EXPECT_NE(m.find(std::string(n) + "min for minutes"), std::string::npos) << m;
    EXPECT_NE(m.find(std::string(n) + "mo for months"), std::string::npos) << m;
    EXPECT_EQ(m.rfind("jitter '", 0), 0u) << "starts with what and the text: " << m;
  }
  EXPECT_EQ(parse_span("30m", "--max-age").error().message,
            "--max-age '30m' is ambiguous: write 30min for minutes or 30mo for months");
}

TEST(UtilSpan, RefusesGarbage) {
  for (const char* bad :
       {"", "   ", "30", "min", "h1", "1.5h", "-1h", "+1h", "1x", "1 h", "1h1h", "1s2sec", "30M",
        "1week", "1000000s", "101y", "1h30", "1h,30min", "99999999999999999999s"}) {
    auto r = parse_span(bad, "--max-age");
    ASSERT_FALSE(r.ok()) << '"' << bad << '"';
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << bad;
    EXPECT_EQ(r.error().message.rfind("--max-age '", 0), 0u) << r.error().message;
    EXPECT_FALSE(r.error().hint.empty()) << bad;
  }
  EXPECT_NE(parse_span("1week", "jitter").error().message.find("unknown unit 'week'"),
            std::string::npos);
  EXPECT_NE(parse_span("1h1h", "jitter").error().message.find("twice"), std::string::npos);
}

TEST(UtilSpan, DescribesInWords) {
  EXPECT_EQ(describe_span(seconds(1800)), "30 minutes");
  EXPECT_EQ(describe_span(minutes(90)), "1 hour 30 minutes");
  EXPECT_EQ(describe_span(seconds(1)), "1 second");
  EXPECT_EQ(describe_span(seconds(0)), "0 seconds");
  EXPECT_EQ(describe_span(seconds(kDay + 2 * 3600 + 1)), "1 day 2 hours 1 second");
  EXPECT_EQ(describe_span(hours(26)), "1 day 2 hours");
  EXPECT_EQ(describe_span(span("2w")), "14 days");
  EXPECT_EQ(describe_span(span("1h30min")), "1 hour 30 minutes");
}

// ---- calendar durations (retention, restic's grammar) -------------------------------------

TEST(UtilCalendarDuration, MIsMonthsAndMoToo) {
  const CalendarDuration d = calendar("1y2m3d4h");
  EXPECT_EQ(d.years, 1);
  EXPECT_EQ(d.months, 2);
  EXPECT_EQ(d.days, 3);
  EXPECT_EQ(d.hours, 4);
  EXPECT_EQ(calendar("30m").months, 30);
  EXPECT_EQ(calendar("30mo").months, 30);
  EXPECT_EQ(calendar("1y6mo").years, 1);
  EXPECT_EQ(calendar("1y6mo").months, 6);
  EXPECT_EQ(calendar("4h1y").years, 1);
  EXPECT_EQ(calendar("0d").days, 0);
}

TEST(UtilCalendarDuration, RefusesWhatIsNotRestics) {
  for (const char* bad :
       {"", "7", "30min", "90s", "2w", "1m1mo", "1d1d", "1.5d", "d", "1d2", "1000000d"}) {
    auto r = parse_calendar_duration(bad, "duration");
    ASSERT_FALSE(r.ok()) << '"' << bad << '"';
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << bad;
    EXPECT_EQ(r.error().message.rfind("duration '", 0), 0u) << r.error().message;
  }
  EXPECT_NE(parse_calendar_duration("30min", "duration").error().message.find("unknown unit 'min'"),
            std::string::npos);
}

TEST(UtilCalendarDuration, DescribesInWords) {
  EXPECT_EQ(describe_calendar_duration(calendar("30m")), "30 months");
  EXPECT_EQ(describe_calendar_duration(calendar("1y2m3d")), "1 year 2 months 3 days");
  EXPECT_EQ(describe_calendar_duration(calendar("1y1m1d1h")), "1 year 1 month 1 day 1 hour");
  EXPECT_EQ(describe_calendar_duration(calendar("36h")), "36 hours");
  EXPECT_EQ(describe_calendar_duration(calendar("0d")), "0 hours");
}

}  // namespace
}  // namespace essnap::util
