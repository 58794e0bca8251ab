// Proleptic Gregorian calendar arithmetic on plain integers (no time zones): days since
// 1970-01-01 <-> year/month/day, weekdays and ISO 8601 week numbers. Valid for any int64 day.
#pragma once

#include <cstdint>

namespace essnap::util {

struct CivilDate {
  std::int64_t year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
};

// Howard Hinnant's days_from_civil / civil_from_days. `month` and `day` may be out of range in
// days_from_civil only as far as the caller normalised them (see add_months).
std::int64_t days_from_civil(std::int64_t year, int month, int day);
CivilDate civil_from_days(std::int64_t days);

int iso_weekday(std::int64_t days);  // Monday = 1 ... Sunday = 7

// ISO 8601 week: the week (Monday..Sunday) belongs to the year holding its Thursday.
struct IsoWeek {
  std::int64_t year = 1970;
  int week = 1;  // 1..53
};
IsoWeek iso_week(std::int64_t days);

// floor division, for negative seconds before 1970
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

}  // namespace essnap::util
