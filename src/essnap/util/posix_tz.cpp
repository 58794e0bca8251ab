#include "essnap/util/posix_tz.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "essnap/util/civil.hpp"

namespace essnap::util {
namespace {

bool parse_name(std::string_view& s) {
  if (!s.empty() && s.front() == '<') {
    const auto close = s.find('>');
    if (close == std::string_view::npos || close < 2) return false;
    s.remove_prefix(close + 1);
    return true;
  }
  std::size_t n = 0;
  while (n < s.size() && std::isalpha(static_cast<unsigned char>(s[n])) != 0) ++n;
  if (n < 3) return false;
  s.remove_prefix(n);
  return true;
}

std::optional<int> parse_number(std::string_view& s, int max) {
  int v = 0;
  std::size_t n = 0;
  while (n < s.size() && n < 3 && std::isdigit(static_cast<unsigned char>(s[n])) != 0) {
    v = v * 10 + (s[n] - '0');
    ++n;
  }
  if (n == 0 || v > max) return std::nullopt;
  s.remove_prefix(n);
  return v;
}

// [+-]h[h][:mm[:ss]] -> seconds (sign as written)
std::optional<int> parse_hms(std::string_view& s, int max_hours) {
  int sign = 1;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    sign = s.front() == '-' ? -1 : 1;
    s.remove_prefix(1);
  }
  auto h = parse_number(s, max_hours);
  if (!h) return std::nullopt;
  int total = *h * 3600;
  for (int unit : {60, 1}) {
    if (s.empty() || s.front() != ':') break;
    s.remove_prefix(1);
    auto part = parse_number(s, 59);
    if (!part) return std::nullopt;
    total += *part * unit;
  }
  return sign * total;
}

std::optional<PosixRule> parse_rule(std::string_view& s) {
  if (s.empty() || s.front() != ',') return std::nullopt;
  s.remove_prefix(1);
  if (s.empty() || s.front() != 'M') return std::nullopt;  // Jn and n: not the simple form
  s.remove_prefix(1);
  PosixRule r;
  auto m = parse_number(s, 12);
  if (!m || *m < 1 || s.empty() || s.front() != '.') return std::nullopt;
  s.remove_prefix(1);
  auto w = parse_number(s, 5);
  if (!w || *w < 1 || s.empty() || s.front() != '.') return std::nullopt;
  s.remove_prefix(1);
  auto d = parse_number(s, 6);
  if (!d) return std::nullopt;
  r.month = *m;
  r.week = *w;
  r.weekday = *d;
  if (!s.empty() && s.front() == '/') {
    s.remove_prefix(1);
    auto t = parse_hms(s, 167);
    if (!t) return std::nullopt;
    r.time = *t;
  }
  return r;
}

int days_in_month(std::int64_t year, int month) {
  const std::int64_t next = month == 12 ? days_from_civil(year + 1, 1, 1)
                                        : days_from_civil(year, month + 1, 1);
  return static_cast<int>(next - days_from_civil(year, month, 1));
}

// Local wall-clock seconds (as if UTC) at which `r` fires in `year`.
std::int64_t rule_local(const PosixRule& r, std::int64_t year) {
  const std::int64_t first = days_from_civil(year, r.month, 1);
  const int first_weekday = iso_weekday(first) % 7;  // Sunday = 0
  int day = 1 + (r.weekday - first_weekday + 7) % 7 + (r.week - 1) * 7;
  const int dim = days_in_month(year, r.month);
  while (day > dim) day -= 7;
  return (first + day - 1) * 86400 + r.time;
}

}  // namespace

std::optional<PosixTz> parse_posix_tz(std::string_view s) {
  PosixTz tz;
  if (!parse_name(s)) return std::nullopt;
  auto off = parse_hms(s, 24);
  if (!off) return std::nullopt;
  tz.std_offset = -*off;
  if (s.empty()) return tz;
  if (!parse_name(s)) return std::nullopt;
  tz.has_dst = true;
  tz.dst_offset = tz.std_offset + 3600;
  if (!s.empty() && s.front() != ',') {
    auto d = parse_hms(s, 24);
    if (!d) return std::nullopt;
    tz.dst_offset = -*d;
  }
  auto start = parse_rule(s);
  if (!start) return std::nullopt;
  auto end = parse_rule(s);
  if (!end || !s.empty()) return std::nullopt;
  tz.start = *start;
  tz.end = *end;
  return tz;
}

OffsetSpan posix_lookup(const PosixTz& tz, std::int64_t unix_seconds) {
  if (!tz.has_dst) return OffsetSpan{tz.std_offset, false};
  const std::int64_t year = civil_from_days(floor_div(unix_seconds, 86400)).year;
  struct Change {
    std::int64_t at;
    bool dst;
  };
  std::array<Change, 6> changes{};
  std::size_t n = 0;
  for (std::int64_t y = year - 1; y <= year + 1; ++y) {
    // DST starts at a standard-time wall clock, ends at a daylight-time one.
    changes[n++] = {rule_local(tz.start, y) - tz.std_offset, true};
    changes[n++] = {rule_local(tz.end, y) - tz.dst_offset, false};
  }
  std::sort(changes.begin(), changes.end(),
            [](const Change& a, const Change& b) { return a.at < b.at; });
  OffsetSpan span{tz.std_offset, false, INT64_MIN, changes[0].at};
  for (std::size_t i = 0; i < changes.size() && changes[i].at <= unix_seconds; ++i) {
    span.dst = changes[i].dst;
    span.utc_offset = span.dst ? tz.dst_offset : tz.std_offset;
    span.start = changes[i].at;
    span.end = i + 1 < changes.size() ? changes[i + 1].at : INT64_MAX;
  }
  return span;
}

}  // namespace essnap::util
