// The POSIX TZ rule in a TZif footer (RFC 8536 section 3.3), for instants after the last
// transition. Only the common form is understood:
//   std offset [dst [offset] ,Mm.w.d[/time],Mm.w.d[/time]]
//   std, dst:  3+ letters, or <[+-A-Za-z0-9]+>;   offset, time: [+-]h[h][:mm[:ss]]
//   (offset is west of UTC, as in POSIX: "CET-1" is UTC+1; time may be negative or > 24 h)
// The Julian forms (Jn, n) are not: parse_posix_tz answers nullopt and the caller keeps the last
// transition's offset.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace essnap::util {

// The offset in force at an instant and the UTC interval [start, end) it holds for.
struct OffsetSpan {
  int utc_offset = 0;
  bool dst = false;
  std::int64_t start = INT64_MIN;
  std::int64_t end = INT64_MAX;
};

struct PosixRule {
  int month = 3, week = 5, weekday = 0;  // Mm.w.d: week 5 = last, weekday 0 = Sunday
  int time = 7200;                       // seconds after local midnight
};

struct PosixTz {
  int std_offset = 0;  // seconds east of UTC
  int dst_offset = 0;
  bool has_dst = false;
  PosixRule start, end;
};

std::optional<PosixTz> parse_posix_tz(std::string_view text);
OffsetSpan posix_lookup(const PosixTz& tz, std::int64_t unix_seconds);

}  // namespace essnap::util
