// Time zones from the system's IANA database (TZif files), without std::chrono::tzdb (absent in
// libstdc++ 12): UTC instants -> local civil time (with ISO week), and local -> UTC as Go does.
//
// TZif (RFC 8536, https://www.rfc-editor.org/rfc/rfc8536), all integers big-endian:
//   header (44 bytes): "TZif" version('\0'|'2'|'3'|'4') reserved[15]
//                      isutcnt isstdcnt leapcnt timecnt typecnt charcnt   (6 x uint32)
//   v1 data block:     timecnt x int32 transition time | timecnt x uint8 type index |
//                      typecnt x {int32 utoff, uint8 isdst, uint8 desigidx} | charcnt x char |
//                      leapcnt x {int32 occur, int32 corr} | isstdcnt x uint8 | isutcnt x uint8
//   v2+ only:          a second header, the same block with int64 times (and int64 leap
//                      occurrences, 12-byte leap records), then the footer "\n" POSIX-TZ "\n".
// The file is untrusted input: every count is checked against the bytes that are there, every
// type index against typecnt, every designation against charcnt, and times must ascend.
// After the last transition the footer's POSIX TZ rule applies when it is of the common form
// (see posix_tz.hpp); otherwise the last transition's type stays in force.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "essnap/util/posix_tz.hpp"
#include "essnap/util/result.hpp"

namespace essnap::util {

// A UTC instant seen on a wall clock.
struct LocalTime {
  std::int64_t year = 1970;
  int month = 1, day = 1, hour = 0, minute = 0, second = 0;
  std::int64_t iso_year = 1970;
  int iso_week = 1;
  int utc_offset = 0;  // seconds east of UTC
  bool dst = false;
};

class TimeZone {
 public:
  static TimeZone utc();
  // `name` is an IANA name ("Europe/Berlin"); "UTC" needs no file. kInvalidArgument for a name
  // with "..", a leading '/', or odd characters, or one with no file; kParse for a bad file.
  static Result<TimeZone> load(std::string_view name,
                               std::string_view zoneinfo_dir = "/usr/share/zoneinfo");
  // Parse TZif bytes (the unit tests and fuzzers feed this directly).
  static Result<TimeZone> parse(std::string name, std::string_view tzif);

  const std::string& name() const { return name_; }
  OffsetSpan lookup(std::int64_t unix_seconds) const;
  LocalTime to_local(std::int64_t unix_seconds) const;
  // Local wall-clock seconds (as if UTC) -> UTC, resolving gaps and overlaps as Go's time.Date
  // does: take the offset in force at `local` read as UTC; if `local - offset` falls outside that
  // offset's span, take the offset in force there instead.
  std::int64_t from_local(std::int64_t local_seconds) const;

 private:
  struct Type {
    int utc_offset = 0;
    bool dst = false;
  };
  std::string name_;
  std::vector<std::int64_t> times_;
  std::vector<std::uint8_t> indices_;
  std::vector<Type> types_{Type{}};
  std::string footer_;             // POSIX TZ string, may be empty
  std::optional<PosixTz> footer_rule_;  // when footer_ is of the simple form
};

}  // namespace essnap::util
