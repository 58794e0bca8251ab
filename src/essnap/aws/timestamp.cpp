#include "essnap/aws/timestamp.hpp"

#include <cctype>
#include <cstdio>

namespace essnap::aws {
namespace {

bool digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

Result<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text) {
  auto bad = [&] {
    return make_error(ErrorCode::kParse,
                      "not an ISO 8601 timestamp: '" + std::string(text.substr(0, 64)) + "'",
                      "expected e.g. 2024-05-01T12:00:00Z");
  };
  int y, mo, d, h, mi, s;
  if (!digits(text, 0, 4, &y) || text.size() < 19 || text[4] != '-' || !digits(text, 5, 2, &mo) ||
      text[7] != '-' || !digits(text, 8, 2, &d) ||
      (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || !digits(text, 11, 2, &h) ||
      text[13] != ':' || !digits(text, 14, 2, &mi) || text[16] != ':' || !digits(text, 17, 2, &s))
    return bad();
  size_t pos = 19;
  std::chrono::nanoseconds frac{0};
  if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
    ++pos;
    long long scale = 100'000'000;
    size_t start = pos;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
      frac += std::chrono::nanoseconds((text[pos] - '0') * scale);
      scale /= 10;
      ++pos;
    }
    if (pos == start) return bad();
  }
  int offset_minutes = 0;
  if (pos == text.size()) {
    // No zone designator: AWS services always mean UTC.
  } else if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    int sign = text[pos] == '-' ? -1 : 1;
    int oh, om;
    if (!digits(text, pos + 1, 2, &oh)) return bad();
    size_t mpos = pos + 3;
    if (mpos < text.size() && text[mpos] == ':') ++mpos;
    if (!digits(text, mpos, 2, &om)) return bad();
    pos = mpos + 2;
    offset_minutes = sign * (oh * 60 + om);
  } else {
    return bad();
  }
  if (pos != text.size()) return bad();
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 60) return bad();
  using namespace std::chrono;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return bad();
  auto secs = sys_days(ymd) + hours(h) + minutes(mi) + seconds(s) - minutes(offset_minutes);
  // system_clock counts nanoseconds on Linux and ends in 2262; "never expires" dates go past it.
  const auto max_secs = floor<seconds>(system_clock::time_point::max());
  if (secs >= max_secs) return system_clock::time_point::max();
  return time_point_cast<system_clock::duration>(secs) +
         duration_cast<system_clock::duration>(frac);
}

std::string format_iso8601(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  auto secs = floor<seconds>(t);
  auto days = floor<std::chrono::days>(secs);
  year_month_day ymd{days};
  hh_mm_ss hms{secs - days};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

}  // namespace essnap::aws
