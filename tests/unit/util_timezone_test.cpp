// util/timezone: TZif parsing (untrusted bytes), offsets and DST changes, the POSIX TZ footer,
// ISO weeks, Go's local -> UTC rule, and glibc's localtime_r as an oracle over 130 years.
#include <gtest/gtest.h>

#include <ctime>
#include <fstream>
#include <sstream>
#include <string>

#include "essnap/util/civil.hpp"
#include "essnap/util/posix_tz.hpp"
#include "essnap/util/timezone.hpp"

namespace essnap::util {
namespace {

std::int64_t at(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

TimeZone zone(const std::string& name) {
  auto tz = TimeZone::load(name);
  EXPECT_TRUE(tz.ok()) << name << ": " << (tz.ok() ? "" : tz.error().message);
  return tz.ok() ? *tz : TimeZone::utc();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(UtilCivil, IsoWeeksAtYearBoundaries) {
  const auto week = [](int y, int m, int d) {
    const IsoWeek w = iso_week(days_from_civil(y, m, d));
    return std::to_string(w.year) + "-W" + std::to_string(w.week);
  };
  EXPECT_EQ(week(2020, 12, 31), "2020-W53");
  EXPECT_EQ(week(2021, 1, 1), "2020-W53");
  EXPECT_EQ(week(2021, 1, 3), "2020-W53");
  EXPECT_EQ(week(2021, 1, 4), "2021-W1");
  EXPECT_EQ(week(2024, 12, 29), "2024-W52");
  EXPECT_EQ(week(2024, 12, 30), "2025-W1");
  EXPECT_EQ(week(2026, 12, 31), "2026-W53");
  EXPECT_EQ(week(2027, 1, 3), "2026-W53");
  EXPECT_EQ(week(1969, 12, 31), "1970-W1");
  EXPECT_EQ(iso_weekday(days_from_civil(2026, 11, 30)), 1);  // a Monday
}

TEST(UtilCivil, DaysRoundTrip) {
  for (std::int64_t d = -800000; d < 800000; d += 997) {
    const CivilDate c = civil_from_days(d);
    ASSERT_EQ(days_from_civil(c.year, c.month, c.day), d);
  }
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(2000, 3, 1) - days_from_civil(2000, 2, 28), 2);  // leap year
  EXPECT_EQ(days_from_civil(1900, 3, 1) - days_from_civil(1900, 2, 28), 1);  // not leap
}

TEST(UtilTimeZone, UtcNeedsNoFile) {
  auto tz = TimeZone::load("UTC", "/nonexistent");
  ASSERT_TRUE(tz.ok());
  const LocalTime t = tz->to_local(at(2026, 11, 30, 2, 3, 4));
  EXPECT_EQ(t.year, 2026);
  EXPECT_EQ(t.month, 11);
  EXPECT_EQ(t.day, 30);
  EXPECT_EQ(t.hour, 2);
  EXPECT_EQ(t.minute, 3);
  EXPECT_EQ(t.second, 4);
  EXPECT_EQ(t.iso_week, 49);
  EXPECT_EQ(t.utc_offset, 0);
  EXPECT_EQ(tz->to_local(-1).year, 1969);
}

TEST(UtilTimeZone, BadNamesAreRefusedBeforeAnyFileIsOpened) {
  for (const char* name : {"", "../../etc/passwd", "/etc/localtime", "Europe/../../etc/passwd",
                           "Europe/Berlin;rm", "Europe/Berlin\n", "a b"}) {
    auto tz = TimeZone::load(name);
    ASSERT_FALSE(tz.ok()) << name;
    EXPECT_EQ(tz.error().code, ErrorCode::kInvalidArgument) << name;
  }
  for (const char* not_a_zone : {"zone.tab", "Europe"}) {  // files and folders beside the zones
    auto z = TimeZone::load(not_a_zone);
    ASSERT_FALSE(z.ok()) << not_a_zone;
    EXPECT_EQ(z.error().code, ErrorCode::kInvalidArgument) << not_a_zone;
  }
  auto tz = TimeZone::load("Europe/Atlantis");
  ASSERT_FALSE(tz.ok());
  EXPECT_EQ(tz.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(tz.error().message.find("Europe/Atlantis"), std::string::npos);
}

TEST(UtilTimeZone, BerlinChangesAtOneUtc) {
  const TimeZone tz = zone("Europe/Berlin");
  EXPECT_EQ(tz.to_local(at(2026, 3, 29, 0, 59, 59)).utc_offset, 3600);
  EXPECT_EQ(tz.to_local(at(2026, 3, 29, 1, 0, 0)).utc_offset, 7200);
  EXPECT_TRUE(tz.to_local(at(2026, 3, 29, 1, 0, 0)).dst);
  EXPECT_EQ(tz.to_local(at(2026, 3, 29, 1, 0, 0)).hour, 3);  // 02:00 does not exist
  EXPECT_EQ(tz.to_local(at(2026, 10, 25, 0, 30)).hour, 2);   // 02:30 CEST
  EXPECT_EQ(tz.to_local(at(2026, 10, 25, 1, 30)).hour, 2);   // 02:30 CET
  EXPECT_EQ(tz.to_local(at(2026, 10, 25, 1, 30)).utc_offset, 3600);
  EXPECT_EQ(tz.to_local(at(2026, 12, 31, 23, 30)).year, 2027);  // local new year
}

TEST(UtilTimeZone, NewYorkChangesAtTwoLocal) {
  const TimeZone tz = zone("America/New_York");
  EXPECT_EQ(tz.to_local(at(2026, 3, 8, 6, 59, 59)).utc_offset, -5 * 3600);
  EXPECT_EQ(tz.to_local(at(2026, 3, 8, 7, 0, 0)).utc_offset, -4 * 3600);
  EXPECT_EQ(tz.to_local(at(2026, 11, 1, 5, 59, 59)).utc_offset, -4 * 3600);
  EXPECT_EQ(tz.to_local(at(2026, 11, 1, 6, 0, 0)).utc_offset, -5 * 3600);
  EXPECT_EQ(tz.to_local(at(2026, 11, 1, 6, 30)).hour, 1);  // 01:30 EST, the second 01:30
  EXPECT_EQ(tz.to_local(at(2026, 11, 1, 5, 30)).hour, 1);  // 01:30 EDT, the first
}

TEST(UtilTimeZone, FromLocalResolvesGapsAndOverlapsAsGo) {
  const TimeZone tz = zone("Europe/Berlin");
  // Gap: 02:30 on 2026-03-29 does not exist; Go's time.Date gives 03:30 CEST = 01:30Z.
  EXPECT_EQ(tz.from_local(at(2026, 3, 29, 2, 30)), at(2026, 3, 29, 1, 30));
  // Overlap: 02:30 on 2026-10-25 happens twice; Go's time.Date gives the CET one = 01:30Z.
  EXPECT_EQ(tz.from_local(at(2026, 10, 25, 2, 30)), at(2026, 10, 25, 1, 30));
  EXPECT_EQ(tz.from_local(at(2026, 7, 1, 12, 0)), at(2026, 7, 1, 10, 0));
  EXPECT_EQ(TimeZone::utc().from_local(12345), 12345);
}

TEST(UtilTimeZone, FooterRuleAppliesAfterTheLastTransition) {
  const TimeZone tz = zone("Europe/Berlin");
  EXPECT_EQ(tz.to_local(at(2100, 7, 1)).utc_offset, 7200);
  EXPECT_EQ(tz.to_local(at(2100, 1, 1)).utc_offset, 3600);
  // 2100-03-28 is the last Sunday of March 2100
  EXPECT_EQ(tz.to_local(at(2100, 3, 28, 0, 59, 59)).utc_offset, 3600);
  EXPECT_EQ(tz.to_local(at(2100, 3, 28, 1, 0, 0)).utc_offset, 7200);
}

// glibc reads the same files; every 7 hours and 13 minutes from 1970 to 2100 must agree.
TEST(UtilTimeZone, AgreesWithGlibcLocaltime) {
  for (const char* name : {"Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata",
                           "America/Sao_Paulo", "Pacific/Chatham"}) {
    const TimeZone tz = zone(name);
    setenv("TZ", name, 1);
    tzset();
    int checked = 0;
    for (std::int64_t t = 0; t < at(2100, 1, 1); t += 7 * 3600 + 13 * 60) {
      const std::time_t tt = static_cast<std::time_t>(t);
      std::tm tm{};
      localtime_r(&tt, &tm);
      const LocalTime lt = tz.to_local(t);
      ASSERT_EQ(lt.utc_offset, tm.tm_gmtoff) << name << " at " << t;
      ASSERT_EQ(lt.hour, tm.tm_hour) << name << " at " << t;
      ASSERT_EQ(lt.day, tm.tm_mday) << name << " at " << t;
      ++checked;
    }
    EXPECT_GT(checked, 150000);
  }
  unsetenv("TZ");
  tzset();
}

TEST(UtilPosixTz, ParsesTheCommonForm) {
  auto ny = parse_posix_tz("EST5EDT,M3.2.0,M11.1.0");
  ASSERT_TRUE(ny.has_value());
  EXPECT_EQ(ny->std_offset, -5 * 3600);
  EXPECT_EQ(ny->dst_offset, -4 * 3600);
  EXPECT_EQ(posix_lookup(*ny, at(2200, 7, 1)).utc_offset, -4 * 3600);
  auto fixed = parse_posix_tz("<+0330>-3:30");
  ASSERT_TRUE(fixed.has_value());
  EXPECT_EQ(posix_lookup(*fixed, 0).utc_offset, 3 * 3600 + 1800);
  auto sydney = parse_posix_tz("AEST-10AEDT,M10.1.0,M4.1.0/3");  // southern: DST over new year
  ASSERT_TRUE(sydney.has_value());
  EXPECT_EQ(posix_lookup(*sydney, at(2200, 1, 15)).utc_offset, 11 * 3600);
  EXPECT_EQ(posix_lookup(*sydney, at(2200, 7, 15)).utc_offset, 10 * 3600);
  EXPECT_TRUE(parse_posix_tz("<-03>3<-02>,M3.5.0/-2,M10.5.0/-1").has_value());
  EXPECT_TRUE(parse_posix_tz("IST-2IDT,M3.4.4/26,M10.5.0").has_value());
}

TEST(UtilPosixTz, RefusesWhatItDoesNotUnderstand) {
  for (const char* bad :
       {"", "E5", "EST", "EST5EDT", "EST5EDT,J60,J300", "EST5EDT,60,300", "EST5EDT,M13.1.0,M11.1.0",
        "EST5EDT,M3.6.0,M11.1.0", "EST5EDT,M3.2.7,M11.1.0", "<+03", "EST5EDT,M3.2.0,M11.1.0x"}) {
    EXPECT_FALSE(parse_posix_tz(bad).has_value()) << bad;
  }
}

// ---- untrusted TZif bytes ------------------------------------------------------------------

std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

std::string tzif_header(char version, std::uint32_t timecnt, std::uint32_t typecnt,
                        std::uint32_t charcnt) {
  return std::string("TZif") + version + std::string(15, '\0') + be32(0) + be32(0) + be32(0) +
         be32(timecnt) + be32(typecnt) + be32(charcnt);
}

TEST(UtilTimeZone, ParsesAMinimalV1File) {
  // one transition at 1000 s to type 1 (+1 h, dst), type 0 is UTC
  const std::string f = tzif_header('\0', 1, 2, 4) + be32(1000) + std::string(1, '\1') + be32(0) +
                        std::string("\0\0", 2) + be32(3600) + std::string("\1\0", 2) +
                        std::string("UTC\0", 4);
  auto tz = TimeZone::parse("Test/Min", f);
  ASSERT_TRUE(tz.ok()) << tz.error().message;
  EXPECT_EQ(tz->to_local(999).utc_offset, 0);
  EXPECT_EQ(tz->to_local(1000).utc_offset, 3600);
  EXPECT_TRUE(tz->to_local(5000000000).dst);  // no footer in v1: the last type stays
}

TEST(UtilTimeZone, MalformedFilesAreParseErrorsNotCrashes) {
  const std::string ok_types = be32(0) + std::string("\0\0", 2);
  const std::vector<std::pair<const char*, std::string>> bad{
      {"empty", ""},
      {"no magic", "TZix" + std::string(40, '\0')},
      {"short header", tzif_header('2', 0, 1, 1).substr(0, 30)},
      {"zero types", tzif_header('\0', 0, 0, 1) + "x"},
      {"zero chars", tzif_header('\0', 0, 1, 0) + ok_types},
      {"huge timecnt", tzif_header('\0', 0xFFFFFFFFu, 1, 1) + ok_types + "x"},
      {"huge typecnt", tzif_header('\0', 0, 0xFFFFFFFFu, 1) + ok_types + "x"},
      {"truncated block", tzif_header('\0', 2, 1, 1) + be32(1)},
      {"index out of range", tzif_header('\0', 1, 1, 1) + be32(5) + "\x07" + ok_types + "x"},
      {"times not ascending",
       tzif_header('\0', 2, 1, 1) + be32(9) + be32(5) + std::string(2, '\0') + ok_types + "x"},
      {"designation out of range",
       tzif_header('\0', 0, 1, 1) + be32(0) + std::string("\0\5", 2) + "x"},
      {"v2 without second header", tzif_header('2', 0, 1, 1) + ok_types + "x"},
  };
  for (const auto& [what, bytes] : bad) {
    auto tz = TimeZone::parse("Test/Bad", bytes);
    ASSERT_FALSE(tz.ok()) << what;
    EXPECT_EQ(tz.error().code, ErrorCode::kParse) << what;
  }
}

TEST(UtilTimeZone, EveryTruncationOfARealFileIsHandled) {
  const std::string f = read_file("/usr/share/zoneinfo/America/New_York");
  ASSERT_GT(f.size(), 1000U);
  ASSERT_TRUE(TimeZone::parse("America/New_York", f).ok());
  for (std::size_t n = 0; n < f.size(); ++n) {
    auto tz = TimeZone::parse("cut", std::string_view(f).substr(0, n));
    if (tz.ok()) (void)tz->to_local(at(2026, 1, 1));  // a cut footer may still parse
  }
  // flipped bytes: never a crash, sometimes an error
  for (std::size_t i = 0; i < f.size(); i += 3) {
    std::string g = f;
    g[i] = static_cast<char>(g[i] ^ 0xA5);
    auto tz = TimeZone::parse("flip", g);
    if (tz.ok()) (void)tz->to_local(at(2026, 1, 1));
  }
}

}  // namespace
}  // namespace essnap::util
