#include "essnap/schedule/cron.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

#include "essnap/util/strings.hpp"
#include "essnap/util/timezone.hpp"

namespace essnap::schedule {
namespace {

using std::chrono::days;
using std::chrono::sys_days;

class UtcZone final : public TimeZone {
 public:
  Seconds offset_at(SysSeconds) const override { return Seconds(0); }
  std::string name() const override { return "UTC"; }
};

constexpr Seconds kMaxInterval{100LL * 365 * 86400};

Error bad(std::string_view text, const std::string& why) {
  return Error(ErrorCode::kInvalidArgument, "bad schedule '" + std::string(text) + "': " + why,
               "use 5 cron fields (minute hour day-of-month month day-of-week), e.g. "
               "\"0 2 * * *\", or \"@every 30m\", \"@hourly\", \"@daily\"");
}

std::optional<int> number(std::string_view s) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

struct FieldSpec {
  const char* what;
  int lo, hi;
  const char* const* names;  // nullptr or hi-lo+1 names starting at `names_base`
  int names_base;
};
constexpr const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                   "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr const char* kDays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

std::optional<int> value(std::string_view s, const FieldSpec& spec) {
  if (auto n = number(s)) return n;
  if (!spec.names) return std::nullopt;
  const std::string l = util::to_lower(s);
  const int count = spec.names == kMonths ? 12 : 7;
  for (int i = 0; i < count; ++i)
    if (l == spec.names[i]) return spec.names_base + i;
  return std::nullopt;
}

// One field into a bit set over [lo, hi]; `star` tells whether it starts with '*'.
template <size_t N>
Status parse_field(std::string_view field, const FieldSpec& spec, std::bitset<N>& bits, bool& star,
                   std::string_view text) {
  star = !field.empty() && field[0] == '*';
  for (auto item : util::split(field, ',')) {
    int step = 1;
    if (auto slash = item.find('/'); slash != std::string_view::npos) {
      auto s = number(item.substr(slash + 1));
      if (!s || *s <= 0)
        return bad(text, std::string(spec.what) + " step '" + std::string(item) + "'");
      step = *s;
      item = item.substr(0, slash);
    }
    int a = spec.lo, b = spec.hi;
    if (item != "*") {
      const auto dash = item.find('-');
      auto first = value(item.substr(0, dash), spec);
      if (!first) return bad(text, std::string(spec.what) + " '" + std::string(item) + "'");
      a = *first;
      b = a;
      if (dash != std::string_view::npos) {
        auto last = value(item.substr(dash + 1), spec);
        if (!last) return bad(text, std::string(spec.what) + " '" + std::string(item) + "'");
        b = *last;
      } else if (step > 1) {
        b = spec.hi;  // "5/15": from 5 to the end, every 15
      }
    }
    const int max = spec.hi == 6 ? 7 : spec.hi;  // day-of-week accepts 7 for Sunday
    if (a < spec.lo || b > max || a > b)
      return bad(text, std::string(spec.what) + " '" + std::string(item) + "' is out of range " +
                           std::to_string(spec.lo) + "-" + std::to_string(max));
    for (int v = a; v <= b; v += step) bits.set(static_cast<size_t>(spec.hi == 6 ? v % 7 : v));
  }
  return ok_status();
}

std::string_view macro(std::string_view s) {
  if (s == "@hourly") return "0 * * * *";
  if (s == "@daily" || s == "@midnight") return "0 0 * * *";
  if (s == "@weekly") return "0 0 * * 0";
  if (s == "@monthly") return "0 0 1 * *";
  if (s == "@yearly" || s == "@annually") return "0 0 1 1 *";
  return {};
}

// The UTC instant at which the wall-clock time `local` (seconds, as if UTC) happens in `zone`:
// the earliest when it happens twice, the end of the gap when it does not happen.
SysSeconds resolve_local(const TimeZone& zone, SysSeconds local) {
  const Seconds before = zone.offset_at(local - days(1));
  const Seconds after = zone.offset_at(local + days(1));
  std::optional<SysSeconds> best;
  for (Seconds o : {before, after}) {
    const SysSeconds u = local - o;
    if (zone.offset_at(u) == o && (!best || u < *best)) best = u;
  }
  if (best) return *best;
  SysSeconds lo = std::min(local - before, local - after),
             hi = std::max(local - before, local - after);
  const Seconds lo_offset = zone.offset_at(lo);
  while (hi - lo > Seconds(1)) {  // first instant whose offset differs from lo's
    const SysSeconds mid = lo + (hi - lo) / 2;
    (zone.offset_at(mid) == lo_offset ? lo : hi) = mid;
  }
  return hi;
}

}  // namespace

std::shared_ptr<const TimeZone> utc_zone() {
  static const auto zone = std::make_shared<const UtcZone>();
  return zone;
}

namespace {

// An IANA zone from the system's zone files (util/timezone reads TZif, DST-correct).
class IanaZone final : public TimeZone {
 public:
  explicit IanaZone(util::TimeZone zone) : zone_(std::move(zone)) {}
  Seconds offset_at(SysSeconds utc) const override {
    return Seconds(zone_.lookup(utc.time_since_epoch().count()).utc_offset);
  }
  std::string name() const override { return zone_.name(); }

 private:
  util::TimeZone zone_;
};

}  // namespace

Result<std::shared_ptr<const TimeZone>> make_zone(std::string_view name) {
  if (name.empty() || name == "UTC" || name == "Etc/UTC" || name == "Z" || name == "GMT")
    return utc_zone();
  ESSNAP_TRY(util::TimeZone zone, util::TimeZone::load(name));
  return std::shared_ptr<const TimeZone>(std::make_shared<IanaZone>(std::move(zone)));
}

Result<Seconds> parse_interval(std::string_view text) {
  const std::string_view t = util::trim(text);
  Seconds total{0};
  size_t i = 0;
  if (t.empty()) return Error(ErrorCode::kInvalidArgument, "empty duration");
  while (i < t.size()) {
    size_t j = i;
    while (j < t.size() && std::isdigit(static_cast<unsigned char>(t[j]))) ++j;
    if (j == i || j == t.size())
      return Error(ErrorCode::kInvalidArgument, "bad duration '" + std::string(text) + "'",
                   "write a number and a unit (s, m, h, d), e.g. 30s, 5m, 26h, 1h30m");
    long long n = 0;
    if (auto [end, ec] = std::from_chars(t.data() + i, t.data() + j, n);
        ec != std::errc() || n > 100LL * 365 * 86400)
      return Error(ErrorCode::kInvalidArgument, "duration '" + std::string(text) + "' is too long",
                   "durations are at most 100 years");
    const char u = t[j];
    const long long mult = u == 's' ? 1 : u == 'm' ? 60 : u == 'h' ? 3600 : u == 'd' ? 86400 : 0;
    if (mult == 0)
      return Error(
          ErrorCode::kInvalidArgument,
          "bad duration '" + std::string(text) + "': unknown unit '" + std::string(1, u) + "'",
          "units are s, m, h and d, e.g. 30s, 5m, 26h, 1h30m");
    total += Seconds(n * mult);  // n <= 100 years of seconds and at most one part per byte:
    if (total > kMaxInterval)    // no overflow before this check
      return Error(ErrorCode::kInvalidArgument, "duration '" + std::string(text) + "' is too long",
                   "durations are at most 100 years");
    i = j + 1;
  }
  if (total <= Seconds(0))
    return Error(ErrorCode::kInvalidArgument, "duration '" + std::string(text) + "' is zero");
  return total;
}

std::string format_interval(Seconds s) {
  long long v = s.count();
  std::string out;
  for (auto [unit, size] : {std::pair{'d', 86400LL}, {'h', 3600LL}, {'m', 60LL}, {'s', 1LL}}) {
    if (v >= size) {
      out += std::to_string(v / size) + unit;
      v %= size;
    }
  }
  return out.empty() ? "0s" : out;
}

Result<Schedule> Schedule::parse(std::string_view text, std::shared_ptr<const TimeZone> zone) {
  Schedule s;
  s.text_ = std::string(util::trim(text));
  s.zone_ = zone ? std::move(zone) : utc_zone();
  std::string_view rest = s.text_;
  if (rest.starts_with("CRON_TZ=") || rest.starts_with("TZ=")) {
    const auto eq = rest.find('=');
    const auto sp = rest.find(' ');
    if (sp == std::string_view::npos) return bad(text, "nothing after the time zone");
    ESSNAP_TRY(s.zone_, make_zone(rest.substr(eq + 1, sp - eq - 1)));
    rest = util::trim(rest.substr(sp));
  }
  if (rest.starts_with("@every")) {
    auto d = parse_interval(util::trim(rest.substr(6)));
    if (!d.ok()) return bad(text, d.error().message);
    // Slots are multiples of D since 1970: a D of years would first fire decades from now.
    if (*d > kMaxEvery)
      return bad(text, "an @every interval is at most " + format_interval(kMaxEvery) +
                           " (slots are counted from 1970, so a longer one may not fire for "
                           "years); use a cron schedule such as @yearly or \"0 3 1 */2 *\"");
    s.every_ = *d;
    return s;
  }
  if (rest.starts_with("@")) {
    rest = macro(rest);
    if (rest.empty()) return bad(text, "unknown macro");
  }
  std::vector<std::string_view> fields;
  for (auto w : util::split(rest, ' '))
    if (!w.empty()) fields.push_back(w);
  if (fields.size() != 5)
    return bad(text, "expected 5 fields, found " + std::to_string(fields.size()));
  static const FieldSpec kSpecs[] = {{"minute", 0, 59, nullptr, 0},
                                     {"hour", 0, 23, nullptr, 0},
                                     {"day-of-month", 1, 31, nullptr, 0},
                                     {"month", 1, 12, kMonths, 1},
                                     {"day-of-week", 0, 6, kDays, 0}};
  bool star = false;
  ESSNAP_TRY_STATUS(parse_field(fields[0], kSpecs[0], s.f_.minute, star, text));
  ESSNAP_TRY_STATUS(parse_field(fields[1], kSpecs[1], s.f_.hour, star, text));
  ESSNAP_TRY_STATUS(parse_field(fields[2], kSpecs[2], s.f_.dom, s.f_.dom_star, text));
  ESSNAP_TRY_STATUS(parse_field(fields[3], kSpecs[3], s.f_.month, star, text));
  ESSNAP_TRY_STATUS(parse_field(fields[4], kSpecs[4], s.f_.dow, s.f_.dow_star, text));
  if (auto why = s.never_fires()) return bad(text, "it never fires: " + *why);
  return s;
}

// Day-of-month and month together decide whether a day can ever match: when both day fields are
// restricted (the Vixie OR) any weekday does, which every month has; otherwise some allowed
// month must have an allowed day (February has 29 in leap years; every weekday falls on every
// day number within 28 years).
std::optional<std::string> Schedule::never_fires() const {
  if (f_.dow.none()) return "no day of the week is allowed";
  if (!f_.dom_star && !f_.dow_star) return std::nullopt;
  static constexpr int kMaxDays[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int first_month = 0, first_day = 0;
  for (int m = 1; m <= 12; ++m) {
    if (!f_.month.test(static_cast<size_t>(m))) continue;
    if (first_month == 0) first_month = m;
    for (int d = 1; d <= kMaxDays[m]; ++d)
      if (f_.dom.test(static_cast<size_t>(d))) return std::nullopt;
  }
  for (int d = 1; d <= 31 && first_day == 0; ++d)
    if (f_.dom.test(static_cast<size_t>(d))) first_day = d;
  if (first_month == 0 || first_day == 0) return "no day matches";
  static constexpr const char* kMonthNames[13] = {
      "",     "January", "February",  "March",   "April",    "May",     "June",
      "July", "August",  "September", "October", "November", "December"};
  return "day " + std::to_string(first_day) + " does not exist in " +
         (f_.month.count() == 1 ? std::string(kMonthNames[first_month])
                                : std::string("any of its months"));
}

bool Schedule::day_matches(int dom, int month, int dow) const {
  if (!f_.month.test(static_cast<size_t>(month))) return false;
  const bool d = f_.dom.test(static_cast<size_t>(dom));
  const bool w = f_.dow.test(static_cast<size_t>(dow));
  if (!f_.dom_star && !f_.dow_star) return d || w;  // Vixie: either restricted field
  return d && w;
}

std::optional<SysSeconds> Schedule::next_cron(SysSeconds t) const {
  using std::chrono::floor;
  // Walk wall-clock minutes from a little before t's local time: resolve_local is monotonic, so
  // the first candidate that lands after t is the answer.
  const SysSeconds local_t = t + zone_->offset_at(t);
  const SysSeconds start = floor<std::chrono::minutes>(local_t) - std::chrono::hours(3);
  sys_days day = floor<days>(start);
  for (int i = 0; i < 8 * 366 + 2; ++i, day += days(1)) {
    const std::chrono::year_month_day ymd{day};
    const int dow = static_cast<int>(std::chrono::weekday{day}.c_encoding());
    if (!day_matches(static_cast<int>(static_cast<unsigned>(ymd.day())),
                     static_cast<int>(static_cast<unsigned>(ymd.month())), dow))
      continue;
    for (int h = 0; h < 24; ++h) {
      if (!f_.hour.test(static_cast<size_t>(h))) continue;
      for (int m = 0; m < 60; ++m) {
        if (!f_.minute.test(static_cast<size_t>(m))) continue;
        const SysSeconds local = day + std::chrono::hours(h) + std::chrono::minutes(m);
        if (local < start) continue;
        const SysSeconds u = resolve_local(*zone_, local);
        if (u > t) return u;
      }
    }
  }
  return std::nullopt;
}

std::optional<SysSeconds> Schedule::next_after(SysSeconds t) const {
  if (every_.count() > 0) {
    const auto n = t.time_since_epoch().count() / every_.count();
    return SysSeconds(Seconds((n + 1) * every_.count()));
  }
  return next_cron(t);
}

Seconds Schedule::period_near(SysSeconds t) const {
  if (every_.count() > 0) return every_;
  auto a = next_after(t);
  if (!a) return Seconds(0);
  auto b = next_after(*a);
  return b ? *b - *a : Seconds(0);
}

}  // namespace essnap::schedule
