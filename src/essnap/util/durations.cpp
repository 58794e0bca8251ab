#include "essnap/util/durations.hpp"

#include <cctype>
#include <cstdint>
#include <vector>

#include "essnap/util/strings.hpp"

namespace essnap::util {
namespace {

constexpr std::int64_t kMaxNumber = 999999;
constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kMaxSpan = 100 * 365 * kDay;

constexpr const char* kSpanHint =
    "write a number and a unit: s, min, h, d, w, mo (30 days) or y (365 days), e.g. 90s, 30min, "
    "1h30min, 7d";
constexpr const char* kCalendarHint =
    "write a duration like 7d, 1y2m, 36h or 1y2m3d4h: y (years), m or mo (months), d (days), h "
    "(hours)";

struct Term {
  std::int64_t number = 0;
  std::string unit;
};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

Error bad(std::string_view what, std::string_view text, const std::string& why, const char* hint) {
  return make_error(ErrorCode::kInvalidArgument,
                    std::string(what) + " '" + std::string(trim(text)) + "' " + why, hint);
}

// The one tokenizer: "1h30min" -> {1, "h"}, {30, "min"}. Units are checked by the callers.
Result<std::vector<Term>> split(std::string_view text, std::string_view what, const char* hint) {
  std::string_view s = trim(text);
  if (s.empty()) return bad(what, text, "is empty", hint);
  std::vector<Term> out;
  while (!s.empty()) {
    std::size_t n = 0;
    std::int64_t v = 0;
    while (n < s.size() && is_digit(s[n])) {
      v = v * 10 + (s[n] - '0');
      if (v > kMaxNumber) return bad(what, text, "has a number that is too large", hint);
      ++n;
    }
    if (n == 0) return bad(what, text, "has no number before '" + std::string(s) + "'", hint);
    std::size_t u = n;
    while (u < s.size() && is_alpha(s[u])) ++u;
    if (u == n) {
      if (n == s.size()) return bad(what, text, "has no unit after " + std::to_string(v), hint);
      return bad(what, text, "has '" + std::string(1, s[n]) + "' where a unit should be", hint);
    }
    out.push_back(Term{v, std::string(s.substr(n, u - n))});
    s.remove_prefix(u);
  }
  return out;
}

// "1 hour 30 minutes": the nonzero parts, largest first; `zero` when all are zero.
std::string in_words(std::initializer_list<std::pair<std::int64_t, const char*>> parts,
                     const char* zero) {
  std::string out;
  for (const auto& [n, word] : parts) {
    if (n == 0) continue;
    out += (out.empty() ? "" : " ") + std::to_string(n) + " " + word + (n == 1 ? "" : "s");
  }
  return out.empty() ? zero : out;
}

}  // namespace

Result<std::chrono::seconds> parse_span(std::string_view text, std::string_view what) {
  if (trim(text) == "0") return std::chrono::seconds(0);
  ESSNAP_TRY(std::vector<Term> terms, split(text, what, kSpanHint));
  std::vector<std::int64_t> seen;
  std::int64_t total = 0;
  for (const auto& t : terms) {
    if (t.unit == "m") {
      const std::string n = std::to_string(t.number);
      return make_error(ErrorCode::kInvalidArgument,
                        std::string(what) + " '" + std::string(trim(text)) +
                            "' is ambiguous: write " + n + "min for minutes or " + n +
                            "mo for months",
                        "a bare 'm' could mean either; spans take s, min, h, d, w, mo or y");
    }
    const std::int64_t size = t.unit == "s" || t.unit == "sec" ? 1
                              : t.unit == "min"                ? 60
                              : t.unit == "h"                  ? 3600
                              : t.unit == "d"                  ? kDay
                              : t.unit == "w"                  ? 7 * kDay
                              : t.unit == "mo"                 ? 30 * kDay
                              : t.unit == "y"                  ? 365 * kDay
                                                               : 0;
    if (size == 0)
      return bad(what, text,
                 "has the unknown unit '" + t.unit + "' (units: s, min, h, d, w, mo, y)",
                 kSpanHint);
    for (std::int64_t s : seen)
      if (s == size) return bad(what, text, "gives the unit '" + t.unit + "' twice", kSpanHint);
    seen.push_back(size);
    total += t.number * size;  // at most 999999 * 365 days per term: no overflow
  }
  if (total > kMaxSpan) return bad(what, text, "is longer than 100 years", kSpanHint);
  return std::chrono::seconds(total);
}

std::string describe_span(std::chrono::seconds s) {
  const std::int64_t v = s.count();
  return in_words(
      {{v / kDay, "day"}, {v % kDay / 3600, "hour"}, {v % 3600 / 60, "minute"}, {v % 60, "second"}},
      "0 seconds");
}

Result<CalendarDuration> parse_calendar_duration(std::string_view text, std::string_view what) {
  ESSNAP_TRY(std::vector<Term> terms, split(text, what, kCalendarHint));
  CalendarDuration d;
  std::vector<const int*> seen;
  for (const auto& t : terms) {
    int* part = t.unit == "y"                     ? &d.years
                : t.unit == "m" || t.unit == "mo" ? &d.months
                : t.unit == "d"                   ? &d.days
                : t.unit == "h"                   ? &d.hours
                                                  : nullptr;
    if (part == nullptr)
      return bad(what, text, "has the unknown unit '" + t.unit + "' (units: y, m or mo, d, h)",
                 kCalendarHint);
    for (const int* s : seen)
      if (s == part) return bad(what, text, "gives the unit '" + t.unit + "' twice", kCalendarHint);
    seen.push_back(part);
    *part = static_cast<int>(t.number);
  }
  return d;
}

std::string describe_calendar_duration(const CalendarDuration& d) {
  return in_words({{d.years, "year"}, {d.months, "month"}, {d.days, "day"}, {d.hours, "hour"}},
                  "0 hours");
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace essnap::util
