#include "essnap/util/utf8.hpp"

#include <cstdint>

namespace essnap::util {

std::size_t utf8_sequence_length(std::string_view s, std::size_t i, std::size_t* bad_at) {
  auto fail = [&](std::size_t at) -> std::size_t {
    if (bad_at) *bad_at = at;
    return 0;
  };
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
    return fail(i);
  }
  if (s.size() - i < len) return fail(i);
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return fail(i + k);
    cp = (cp << 6) | (b & 0x3F);
  }
  if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
      (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
    return fail(i);
  return len;
}

}  // namespace essnap::util
