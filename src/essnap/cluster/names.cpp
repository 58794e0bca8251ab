#include "essnap/cluster/names.hpp"

#include "essnap/util/url.hpp"

namespace essnap::cluster::names {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF).
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k)
    if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
  return n;
}

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

// The name as it may be printed (and put in a JSON error): bytes that are not valid UTF-8, and
// control bytes, as \xNN.
std::string printable(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_length(s, i);
    const auto c = static_cast<unsigned char>(s[i]);
    if (n == 0 || c < 0x20 || c == 0x7F) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
      ++i;
      continue;
    }
    out.append(s.substr(i, n));
    i += n;
  }
  return out;
}

enum class Wildcard { kRefuse, kAllow };
enum class Case { kLower, kAny };
enum class Colon { kRefuse, kAllow };

struct Rules {
  const char* kind;  // "repository name", "snapshot name", "index name"
  Wildcard wildcard;
  Case letter_case;
  Colon colon;
  const char* leading;  // characters a name must not start with
  const char* hint;
};

constexpr Rules kRepository{"repository name",
                            Wildcard::kRefuse,
                            Case::kAny,
                            Colon::kAllow,
                            "_",
                            "repository names have no spaces or any of \\ / * ? \" < > | , # "
                            "and do not start with '_'; 'essnap repo list' shows them"};
constexpr Rules kSnapshot{"snapshot name",
                          Wildcard::kRefuse,
                          Case::kLower,
                          Colon::kRefuse,
                          "_-",
                          "snapshot names are lower case, without spaces or any of "
                          "\\ / * ? \" < > | , # :, and do not start with '_' or '-'"};
constexpr Rules kSnapshotPattern{"snapshot pattern",
                                 Wildcard::kAllow,
                                 Case::kLower,
                                 Colon::kRefuse,
                                 "_-",
                                 "snapshot names are lower case, without spaces or any of "
                                 "\\ / ? \" < > | , # :; '*' is a wildcard, a leading '-' "
                                 "excludes; use '*' for all"};
constexpr Rules kIndex{"index name",
                       Wildcard::kRefuse,
                       Case::kLower,
                       Colon::kRefuse,
                       "_-+",
                       "index names are lower case, without spaces or any of "
                       "\\ / * ? \" < > | , # :, and do not start with '_', '-' or '+'"};
constexpr Rules kIndexPattern{"index pattern",
                              Wildcard::kAllow,
                              Case::kLower,
                              Colon::kRefuse,
                              "_-+",
                              "index names are lower case, without spaces or any of "
                              "\\ / ? \" < > | , # :; '*' is a wildcard, a leading '-' excludes; "
                              "'*' alone selects every index"};

Error bad(std::string_view what, std::string_view name, const Rules& r, const std::string& why) {
  std::string msg = "invalid " + std::string(what);
  if (what != r.kind) msg += " (" + std::string(r.kind) + ")";
  msg += " '" + printable(name) + "': " + why;
  return Error(ErrorCode::kInvalidArgument, std::move(msg), r.hint);
}

std::string quoted(char c) {
  if (c == ' ') return "a space";
  if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return "a control character";
  return std::string("'") + c + "'";
}

Status check(std::string_view name, std::string_view what, const Rules& r) {
  if (name.empty()) return bad(what, name, r, "it is empty");
  if (!valid_utf8(name)) return bad(what, name, r, "it is not valid UTF-8");
  if (name.size() > kMaxNameBytes)
    return bad(what, name, r,
               "it is " + std::to_string(name.size()) + " bytes long; the limit is " +
                   std::to_string(kMaxNameBytes));
  if (name == "." || name == "..") return bad(what, name, r, "it must not be '.' or '..'");
  if (std::string_view(r.leading).find(name.front()) != std::string_view::npos)
    return bad(what, name, r, "it must not start with " + quoted(name.front()));
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F || c == ' ' || c == '\t')
      return bad(what, name, r, "it must not contain " + quoted(c));
    if (c == '*' && r.wildcard == Wildcard::kAllow) continue;
    if (c == ':' && r.colon == Colon::kAllow) continue;
    if (std::string_view("\\/*?\"<>|,#:").find(c) != std::string_view::npos) {
      if (c == '*') return bad(what, name, r, "it must not contain '*' (no wildcard here)");
      if (c == ',') return bad(what, name, r, "it must not contain ',' (one name, not a list)");
      return bad(what, name, r, "it must not contain " + quoted(c));
    }
    if (r.letter_case == Case::kLower && c >= 'A' && c <= 'Z')
      return bad(what, name, r, "it must be lower case");
  }
  return ok_status();
}

// "-pattern" excludes; the rest is checked as a pattern.
Status check_pattern(std::string_view pattern, std::string_view what, const Rules& r) {
  if (pattern.size() > 1 && pattern.front() == '-') {
    ESSNAP_TRY_STATUS(validate_utf8(pattern, what));
    return check(pattern.substr(1), what, r);
  }
  return check(pattern, what, r);
}

}  // namespace

Status validate_utf8(std::string_view value, std::string_view what) {
  if (valid_utf8(value)) return ok_status();
  return Error(ErrorCode::kInvalidArgument,
               std::string(what) + " '" + printable(value) + "' is not valid UTF-8",
               "the engines read names, patterns and metadata as UTF-8; check the terminal's "
               "or the script's encoding");
}

Status validate_repository_name(std::string_view name, std::string_view what) {
  return check(name, what, kRepository);
}

Status validate_snapshot_name(std::string_view name, std::string_view what) {
  return check(name, what, kSnapshot);
}

Status validate_snapshot_pattern(std::string_view pattern, std::string_view what) {
  return check_pattern(pattern, what, kSnapshotPattern);
}

Status validate_index_name(std::string_view name, std::string_view what) {
  return check(name, what, kIndex);
}

Status validate_index_pattern(std::string_view pattern, std::string_view what) {
  // Date math, resolved by the engine: "<logs-{now/d}>", "<logs-{now/d{yyyy.MM.dd|+12:00}}>".
  if (pattern.size() > 2 && pattern.front() == '<' && pattern.back() == '>') {
    if (!valid_utf8(pattern)) return bad(what, pattern, kIndexPattern, "it is not valid UTF-8");
    if (pattern.size() > kMaxNameBytes)
      return bad(what, pattern, kIndexPattern, "it is longer than 255 bytes");
    for (const char c : pattern.substr(1, pattern.size() - 2)) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7F || c == ' ' ||
          std::string_view("\\\",#?<>").find(c) != std::string_view::npos)
        return bad(what, pattern, kIndexPattern,
                   "a date-math expression must not contain " + quoted(c));
    }
    return ok_status();
  }
  return check_pattern(pattern, what, kIndexPattern);
}

Status validate_index_arguments(const std::vector<std::string>& args, std::string_view what) {
  for (const auto& a : args) {
    ESSNAP_TRY_STATUS(validate_utf8(a, what));
    bool any = false;
    std::size_t start = 0;
    for (;;) {
      const std::size_t comma = a.find(',', start);
      std::string_view part = std::string_view(a).substr(
          start, comma == std::string::npos ? std::string::npos : comma - start);
      while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
      while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
      if (!part.empty()) {
        any = true;
        ESSNAP_TRY_STATUS(validate_index_pattern(part, what));
      }
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (!any)
      return Error(ErrorCode::kInvalidArgument,
                   std::string(what) + " '" + printable(a) + "' names no index",
                   "an empty selection would mean every index; write '*' to select all, or "
                   "name the indices: -i 'logs-*,orders'");
  }
  return ok_status();
}

std::string segment(std::string_view raw) {
  if (raw == ".") return "%2E";
  if (raw == "..") return "%2E%2E";
  return util::uri_encode(raw);
}

std::string list_segment(const std::vector<std::string>& elements) {
  std::string out;
  for (const auto& e : elements) {
    if (!out.empty()) out += ',';
    out += segment(e);
  }
  return out;
}

std::string path(std::initializer_list<Segment> segments) {
  std::string out;
  for (const auto& s : segments) {
    out += '/';
    out += s.encoded();
  }
  return out.empty() ? "/" : out;
}

std::vector<std::string> decode_path(std::string_view p) {
  if (const auto q = p.find('?'); q != std::string_view::npos) p = p.substr(0, q);
  std::vector<std::string> out;
  if (p.starts_with('/')) p.remove_prefix(1);
  for (;;) {
    const auto slash = p.find('/');
    auto decoded = util::percent_decode(p.substr(0, slash));
    if (!decoded.ok()) return {};
    out.push_back(std::move(*decoded));
    if (slash == std::string_view::npos) break;
    p.remove_prefix(slash + 1);
  }
  return out;
}

}  // namespace essnap::cluster::names
