// Durations as people type them: one grammar, read two ways, so that "m" never silently means
// minutes in one place and months in another (docs/CONFIG.md, "Durations").
//
//   duration := 1*(number unit)    number := 1*DIGIT, at most 999999    unit := 1*ALPHA
//   spaces around it are trimmed; none inside; no sign, no fraction; a unit at most once.
//
// Spans (parse_span) are clock time, a count of seconds: `inspect verify --max-age`, `jitter`,
// `alert_if_no_success_within`, timeouts.
//   units: s | sec, min, h, d, w, mo, y        e.g. 90s, 30min, 1h30min, 7d, 2w, 6mo
//   A bare "m" is refused as ambiguous (minutes or months?); the error names both spellings,
//   "30min" and "30mo". "0" alone is zero; any other number needs a unit. A span is not a
//   calendar step: 1mo counts as 30 days and 1y as 365 days. A span is at most 100 years.
// Calendar durations (parse_calendar_duration) are restic's `forget --keep-within` grammar, the
// steps retention takes on the calendar of the policy's time zone (retention/policy.hpp):
//   units: y (years), m | mo (months; m is months here, as in restic), d (days), h (hours)
//   e.g. 7d, 36h, 1y6m, 1y2m3d4h. "0d" is zero.
// The describers spell either out in words for `essnap config check`: describe_span gives
// "30 minutes", "1 hour 30 minutes", "14 days"; describe_calendar_duration "30 months",
// "1 year 2 months 3 days".
// Errors are kInvalidArgument; the message starts with `what` ("--max-age", "jitter") and the text.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "essnap/util/result.hpp"

namespace essnap::util {

Result<std::chrono::seconds> parse_span(std::string_view text, std::string_view what);

// Days, hours, minutes and seconds, the zero parts left out; "0 seconds" for zero. s >= 0.
std::string describe_span(std::chrono::seconds s);

struct CalendarDuration {
  int years = 0, months = 0, days = 0, hours = 0;
};

Result<CalendarDuration> parse_calendar_duration(std::string_view text, std::string_view what);

// "1 year 2 months 3 days 4 hours", the zero parts left out; "0 hours" for zero.
std::string describe_calendar_duration(const CalendarDuration& d);

// Seconds since t0 on the steady clock (a run's elapsed time in reports and progress).
double seconds_since(std::chrono::steady_clock::time_point t0);

}  // namespace essnap::util
