#include "essnap/util/escape.hpp"

#include <cstdint>

#include "essnap/util/utf8.hpp"

namespace essnap::util {
namespace {

void hex(std::string& out, unsigned char c) {
  static const char* d = "0123456789abcdef";
  out += "\\x";
  out.push_back(d[c >> 4]);
  out.push_back(d[c & 15]);
}

// Length of the well-formed UTF-8 sequence at s[i] (1 for ASCII), 0 when it is not one or is a
// C1 control (U+0080-U+009F: C2 80..C2 9F), which is escaped byte by byte.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const std::size_t len = utf8_sequence_length(s, i);
  if (len == 2 && static_cast<unsigned char>(s[i]) == 0xC2 &&
      static_cast<unsigned char>(s[i + 1]) <= 0x9F)
    return 0;
  return len;
}

}  // namespace

std::string escape_control(std::string_view s, KeepNewlines keep) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const std::size_t n = utf8_length(s, i);
      if (n == 0) {
        hex(out, c);
        ++i;
      } else {
        out.append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    ++i;
    if (keep == KeepNewlines::kYes && (c == '\n' || c == '\t')) {
      out.push_back(static_cast<char>(c));
    } else if (c == '\\' && keep == KeepNewlines::kNo) {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == 0x1B) {
      out += "\\e";
    } else if (c < 0x20 || c == 0x7F) {
      hex(out, c);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

bool needs_escape(std::string_view s) {
  return escape_control(s) != s;
}

}  // namespace essnap::util
