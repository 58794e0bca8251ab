#include "essnap/util/escape.hpp"

#include <cstdint>

namespace essnap::util {
namespace {

void hex(std::string& out, unsigned char c) {
  static const char* d = "0123456789abcdef";
  out += "\\x";
  out.push_back(d[c >> 4]);
  out.push_back(d[c & 15]);
}

// Length of the well-formed UTF-8 sequence at s[i] (1 for ASCII), 0 when it is not one.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  std::size_t len;
  std::uint32_t cp;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (s.size() - i < len) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
      (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
    return 0;
  if (len == 2 && cp >= 0x80 && cp <= 0x9F) return 0;  // C1 controls: escaped byte by byte
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
