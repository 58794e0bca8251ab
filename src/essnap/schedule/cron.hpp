// Schedules for `essnap run`: 5-field cron evaluated in a time zone, and fixed intervals.
//
//   schedule := [ "CRON_TZ=" zone " " ] cron | "@every " duration | "@hourly" | "@daily"
//             | "@midnight" | "@weekly" | "@monthly" | "@yearly"
//   cron     := minute " " hour " " day-of-month " " month " " day-of-week
//   field    := item { "," item }
//   item     := ( "*" | value [ "-" value ] ) [ "/" step ]
//   value    := number | name          (month names jan..dec, weekday names sun..sat; 7 = sun)
//   duration := number unit { number unit }, unit s | m | h | d        ("@every 1h30m"),
//               at most 366d
// A cron whose allowed days never occur ("0 0 31 2 *": February has no 31st) is refused.
//
// Day-of-month and day-of-week follow Vixie cron: when both are restricted (neither starts with
// '*'), a day matches when EITHER matches; otherwise both must.
// Daylight saving time, for a wall-clock time that occurs zero or two times on a day:
//   - in a spring-forward gap (02:30 when 02:00 jumps to 03:00) the job runs ONCE, at the first
//     instant after the gap (03:00 local);
//   - in a fall-back overlap (02:30 happens twice) it runs ONCE, at the first occurrence.
// `@every D` slots are counted from the Unix epoch (so they are stable across restarts) and
// ignore the time zone.
#pragma once

#include <array>
#include <bitset>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "essnap/util/result.hpp"

namespace essnap::schedule {

using Clock = std::chrono::system_clock;
using Seconds = std::chrono::seconds;
using SysSeconds = std::chrono::sys_seconds;

// A time zone as the schedules need it: the UTC offset in force at an instant. UTC is built in;
// IANA zones plug in through make_zone (util/timezone's TZif reader; tests also use fixed rules).
class TimeZone {
 public:
  virtual ~TimeZone() = default;
  virtual Seconds offset_at(SysSeconds utc) const = 0;
  virtual std::string name() const = 0;
};

std::shared_ptr<const TimeZone> utc_zone();

// The zone named `name`: "UTC" (also "Etc/UTC", "Z", "GMT") without any file, any other IANA
// name from /usr/share/zoneinfo; kInvalidArgument for an unknown or malformed name.
Result<std::shared_ptr<const TimeZone>> make_zone(std::string_view name);

// "30s", "5m", "1h30m", "2d" -> seconds; kInvalidArgument when malformed or zero.
Result<Seconds> parse_interval(std::string_view text);
std::string format_interval(Seconds s);  // "1h30m", "45s"

class Schedule {
 public:
  // `default_zone` is used unless the text starts with CRON_TZ=.
  static Result<Schedule> parse(std::string_view text,
                                std::shared_ptr<const TimeZone> default_zone = utc_zone());

  // The first run time strictly after `t`. Pure. parse refuses a cron that can never match
  // ("0 0 30 2 *": kInvalidArgument, "it never fires") and @every over kMaxEvery, so nullopt
  // only if a valid cron found no match within 8 years (it cannot happen).
  std::optional<SysSeconds> next_after(SysSeconds t) const;

  // The interval to the following slot after `t` (used to bound jitter).
  Seconds period_near(SysSeconds t) const;

  const std::string& text() const { return text_; }

  // The longest @every interval: slots count from 1970, so a longer one would first fire years
  // from now.
  static constexpr Seconds kMaxEvery{366LL * 86400};

 private:
  struct Fields {
    std::bitset<60> minute;
    std::bitset<24> hour;
    std::bitset<32> dom;    // 1..31
    std::bitset<13> month;  // 1..12
    std::bitset<7> dow;     // 0..6, Sunday = 0
    bool dom_star = false, dow_star = false;
  };
  bool day_matches(int dom, int month, int dow) const;
  std::optional<std::string> never_fires() const;  // why no day can ever match, if none can
  std::optional<SysSeconds> next_cron(SysSeconds t) const;

  std::string text_;
  Seconds every_{0};  // > 0: an @every schedule
  Fields f_;
  std::shared_ptr<const TimeZone> zone_;
};

}  // namespace essnap::schedule
