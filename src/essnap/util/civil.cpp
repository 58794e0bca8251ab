#include "essnap/util/civil.hpp"

namespace essnap::util {

std::int64_t days_from_civil(std::int64_t year, int month, int day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = floor_div(year, 400);
  const std::int64_t yoe = year - era * 400;                                    // [0, 399]
  const std::int64_t mp = (month + 9) % 12;                                     // March = 0
  const std::int64_t doy = (153 * mp + 2) / 5 + day - 1;                        // [0, 365]
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;               // [0, 146096]
  return era * 146097 + doe - 719468;
}

CivilDate civil_from_days(std::int64_t days) {
  days += 719468;
  const std::int64_t era = floor_div(days, 146097);
  const std::int64_t doe = days - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  CivilDate d;
  d.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  d.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  d.year = yoe + era * 400 + (d.month <= 2 ? 1 : 0);
  return d;
}

int iso_weekday(std::int64_t days) {
  // 1970-01-01 was a Thursday (4).
  const std::int64_t w = (days + 3) % 7;
  return static_cast<int>(w < 0 ? w + 7 : w) + 1;
}

IsoWeek iso_week(std::int64_t days) {
  const std::int64_t thursday = days + (4 - iso_weekday(days));
  const std::int64_t year = civil_from_days(thursday).year;
  const std::int64_t jan1 = days_from_civil(year, 1, 1);
  return IsoWeek{year, static_cast<int>((thursday - jan1) / 7 + 1)};
}

}  // namespace essnap::util
