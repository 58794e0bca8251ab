#include "essnap/util/timezone.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "essnap/util/civil.hpp"

namespace essnap::util {
namespace {

constexpr std::uintmax_t kMaxZoneFile = 1 << 20;

// A bounds-checked big-endian reader over untrusted bytes.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : b_(bytes) {}
  bool has(std::uint64_t n) const { return n <= b_.size() - pos_; }
  std::size_t pos() const { return pos_; }
  std::string_view take(std::size_t n) {
    auto s = b_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  std::uint64_t be(int width) {
    std::uint64_t v = 0;
    for (int i = 0; i < width; ++i) v = (v << 8) | static_cast<unsigned char>(b_[pos_++]);
    return v;
  }
  std::string_view rest() const { return b_.substr(pos_); }

 private:
  std::string_view b_;
  std::size_t pos_ = 0;
};

struct Header {
  char version = 0;
  std::uint64_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;

  // Bytes of the data block that follows, for times of `width` bytes (4 in v1, 8 in v2+).
  std::uint64_t block_size(int width) const {
    return timecnt * (width + 1) + typecnt * 6 + charcnt + leapcnt * (width + 4) + isstdcnt +
           isutcnt;
  }
};

Error tz_error(const std::string& name, const std::string& why) {
  return make_error(ErrorCode::kParse, "time zone file for " + name + " is malformed: " + why,
                    "reinstall the tzdata package");
}

Result<Header> read_header(Reader& r, const std::string& name) {
  if (!r.has(44)) return tz_error(name, "shorter than a TZif header");
  if (r.take(4) != "TZif") return tz_error(name, "no TZif magic");
  Header h;
  h.version = r.take(1)[0];
  r.take(15);
  h.isutcnt = r.be(4);
  h.isstdcnt = r.be(4);
  h.leapcnt = r.be(4);
  h.timecnt = r.be(4);
  h.typecnt = r.be(4);
  h.charcnt = r.be(4);
  if (h.typecnt == 0 || h.typecnt > 256) return tz_error(name, "typecnt out of range");
  if (h.charcnt == 0) return tz_error(name, "charcnt is zero");
  if (h.isutcnt != 0 && h.isutcnt != h.typecnt) return tz_error(name, "isutcnt != typecnt");
  if (h.isstdcnt != 0 && h.isstdcnt != h.typecnt) return tz_error(name, "isstdcnt != typecnt");
  return h;
}

}  // namespace

TimeZone TimeZone::utc() {
  TimeZone tz;
  tz.name_ = "UTC";
  return tz;
}

Result<TimeZone> TimeZone::parse(std::string name, std::string_view tzif) {
  Reader r(tzif);
  ESSNAP_TRY(Header h, read_header(r, name));
  int width = 4;
  if (h.version >= '2') {
    // Skip the v1 block: the 64-bit block after the second header supersedes it.
    if (!r.has(h.block_size(4))) return tz_error(name, "v1 data block truncated");
    r.take(static_cast<std::size_t>(h.block_size(4)));
    ESSNAP_TRY(h, read_header(r, name));
    width = 8;
  }
  if (!r.has(h.block_size(width))) return tz_error(name, "data block truncated");
  TimeZone tz;
  tz.name_ = std::move(name);
  tz.times_.reserve(h.timecnt);
  for (std::uint64_t i = 0; i < h.timecnt; ++i) {
    const std::uint64_t raw = r.be(width);
    const auto t = width == 4 ? static_cast<std::int64_t>(static_cast<std::int32_t>(raw))
                              : static_cast<std::int64_t>(raw);
    if (!tz.times_.empty() && t <= tz.times_.back())
      return tz_error(tz.name_, "times not ascending");
    tz.times_.push_back(t);
  }
  for (std::uint64_t i = 0; i < h.timecnt; ++i) {
    const auto idx = static_cast<std::uint8_t>(r.be(1));
    if (idx >= h.typecnt) return tz_error(tz.name_, "type index out of range");
    tz.indices_.push_back(idx);
  }
  tz.types_.clear();
  for (std::uint64_t i = 0; i < h.typecnt; ++i) {
    const auto off = static_cast<std::int32_t>(static_cast<std::uint32_t>(r.be(4)));
    const bool dst = r.be(1) != 0;
    const auto desig = r.be(1);
    if (off == INT32_MIN || off < -25 * 3600 || off > 26 * 3600)
      return tz_error(tz.name_, "UT offset out of range");
    if (desig >= h.charcnt) return tz_error(tz.name_, "designation index out of range");
    tz.types_.push_back(Type{off, dst});
  }
  r.take(static_cast<std::size_t>(h.charcnt + h.leapcnt * (width + 4) + h.isstdcnt + h.isutcnt));
  if (width == 8) {
    const std::string_view rest = r.rest();
    if (rest.size() >= 2 && rest.front() == '\n') {
      const auto close = rest.find('\n', 1);
      if (close == std::string_view::npos) return tz_error(tz.name_, "footer not terminated");
      tz.footer_ = std::string(rest.substr(1, close - 1));
      tz.footer_rule_ = parse_posix_tz(tz.footer_);
    }
  }
  return tz;
}

Result<TimeZone> TimeZone::load(std::string_view name, std::string_view zoneinfo_dir) {
  if (name == "UTC") return utc();
  const bool odd_char = std::any_of(name.begin(), name.end(), [](char c) {
    return !(std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '/' || c == '_' || c == '-' ||
             c == '+');
  });
  if (name.empty() || name.size() > 255 || name.front() == '/' ||
      name.find("..") != std::string_view::npos || odd_char) {
    return make_error(ErrorCode::kInvalidArgument,
                      "time zone \"" + std::string(name) + "\" is not an IANA zone name",
                      "use a name like UTC, Europe/Berlin or America/New_York");
  }
  const std::string path = std::string(zoneinfo_dir) + "/" + std::string(name);
  std::error_code ec;
  // Not a regular file (a folder such as "Europe", or missing): no zone of that name. Real zone
  // files are a few KiB; a cap keeps an odd file from being read whole.
  if (!std::filesystem::is_regular_file(path, ec) ||
      std::filesystem::file_size(path, ec) > kMaxZoneFile || ec) {
    return make_error(ErrorCode::kInvalidArgument,
                      "unknown time zone \"" + std::string(name) + "\" (no zone file " + path + ")",
                      "use an IANA zone name (see /usr/share/zoneinfo; install tzdata)");
  }
  std::ifstream in(path, std::ios::binary);
  std::string bytes(static_cast<std::size_t>(std::filesystem::file_size(path, ec)), '\0');
  if (!in || !in.read(bytes.data(), static_cast<std::streamsize>(bytes.size())) || ec) {
    return make_error(ErrorCode::kIo, "cannot read " + path);
  }
  if (bytes.rfind("TZif", 0) != 0) {  // zone.tab, iso3166.tab, leapseconds, ...
    return make_error(
        ErrorCode::kInvalidArgument,
        "unknown time zone \"" + std::string(name) + "\" (" + path + " is not a TZif file)",
        "use an IANA zone name such as Europe/Berlin");
  }
  return parse(std::string(name), bytes);
}

OffsetSpan TimeZone::lookup(std::int64_t unix_seconds) const {
  // Before the first transition (or with none) the first type holds (RFC 8536 section 3.2).
  const auto it = std::upper_bound(times_.begin(), times_.end(), unix_seconds);
  if (it == times_.begin()) {
    const Type& t = types_.front();
    return OffsetSpan{t.utc_offset, t.dst, INT64_MIN, times_.empty() ? INT64_MAX : times_[0]};
  }
  const auto i = static_cast<std::size_t>(std::distance(times_.begin(), it) - 1);
  if (i + 1 == times_.size() && footer_rule_) {
    OffsetSpan span = posix_lookup(*footer_rule_, unix_seconds);
    span.start = std::max(span.start, times_[i]);
    return span;
  }
  const Type& t = types_[indices_[i]];
  return OffsetSpan{t.utc_offset, t.dst, times_[i],
                    i + 1 < times_.size() ? times_[i + 1] : INT64_MAX};
}

LocalTime TimeZone::to_local(std::int64_t unix_seconds) const {
  const OffsetSpan span = lookup(unix_seconds);
  const std::int64_t local = unix_seconds + span.utc_offset;
  const std::int64_t days = floor_div(local, 86400);
  const std::int64_t secs = local - days * 86400;
  const CivilDate d = civil_from_days(days);
  const IsoWeek w = iso_week(days);
  LocalTime t;
  t.year = d.year;
  t.month = d.month;
  t.day = d.day;
  t.hour = static_cast<int>(secs / 3600);
  t.minute = static_cast<int>(secs / 60 % 60);
  t.second = static_cast<int>(secs % 60);
  t.iso_year = w.year;
  t.iso_week = w.week;
  t.utc_offset = span.utc_offset;
  t.dst = span.dst;
  return t;
}

std::int64_t TimeZone::from_local(std::int64_t local_seconds) const {
  const OffsetSpan guess = lookup(local_seconds);
  const std::int64_t utc = local_seconds - guess.utc_offset;
  if (utc >= guess.start && utc < guess.end) return utc;
  return local_seconds - lookup(utc).utc_offset;
}

}  // namespace essnap::util
