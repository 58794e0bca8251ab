#include "essnap/format/lucene_footer.hpp"

#include <cstdio>

#include "essnap/format/crc32.hpp"

namespace essnap::format {
namespace {

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         p[3];
}

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", v);
  return buf;
}

Error parse_error(const std::string& what) {
  return Error(ErrorCode::kParse, "Lucene " + what);
}

}  // namespace

Result<Header> parse_header(std::span<const std::uint8_t> b) {
  if (b.size() < 4)
    return parse_error("header: truncated (" + std::to_string(b.size()) + " bytes)");
  const std::uint32_t magic = be32(b.data());
  if (magic != kCodecMagic)
    return parse_error("header: magic " + hex32(magic) + " at byte 0, expected " +
                       hex32(kCodecMagic));
  // Lucene vint, low group first; CodecUtil only writes names < 128 bytes, so one byte.
  std::size_t pos = 4;
  std::uint32_t len = 0;
  int shift = 0;
  for (;;) {
    if (pos >= b.size())
      return parse_error("header: truncated codec name length at byte " + std::to_string(pos));
    const std::uint8_t c = b[pos++];
    len |= std::uint32_t{c & 0x7Fu} << shift;
    if (!(c & 0x80)) break;
    shift += 7;
    if (shift > 28) return parse_error("header: codec name length is not a vint at byte 4");
  }
  if (len > kMaxCodecNameLength)
    return parse_error("header: codec name of " + std::to_string(len) +
                       " bytes at byte 4 (at most " + std::to_string(kMaxCodecNameLength) + ")");
  if (b.size() - pos < len + 4u)
    return parse_error("header: truncated codec name at byte " + std::to_string(pos));
  Header h;
  h.codec.assign(reinterpret_cast<const char*>(b.data() + pos), len);
  pos += len;
  h.version = static_cast<std::int32_t>(be32(b.data() + pos));
  pos += 4;
  h.length = pos;
  return h;
}

Result<Header> parse_index_header(std::span<const std::uint8_t> b) {
  ESSNAP_TRY(Header h, parse_header(b));
  std::size_t pos = h.length;
  if (b.size() - pos < 17)
    return parse_error("index header: truncated object id at byte " + std::to_string(pos));
  std::array<std::uint8_t, 16> id{};
  for (std::size_t i = 0; i < 16; ++i) id[i] = b[pos + i];
  pos += 16;
  const std::size_t slen = b[pos++];
  if (b.size() - pos < slen)
    return parse_error("index header: truncated suffix at byte " + std::to_string(pos));
  h.object_id = id;
  h.suffix.assign(reinterpret_cast<const char*>(b.data() + pos), slen);
  pos += slen;
  h.length = pos;
  return h;
}

Result<Footer> parse_footer(std::span<const std::uint8_t> b) {
  if (b.size() != kFooterLength)
    return parse_error("footer: " + std::to_string(b.size()) + " bytes, expected " +
                       std::to_string(kFooterLength));
  const std::uint32_t magic = be32(b.data());
  if (magic != kFooterMagic)
    return parse_error("footer: magic " + hex32(magic) + ", expected " + hex32(kFooterMagic));
  const std::uint32_t algorithm = be32(b.data() + 4);
  if (algorithm != 0)
    return parse_error("footer: checksum algorithm " + std::to_string(algorithm) + ", expected 0");
  const std::uint32_t high = be32(b.data() + 8);
  if (high != 0)
    return parse_error("footer: checksum has high bits set (" + hex32(high) + "): not a CRC-32");
  return Footer{be32(b.data() + 12)};
}

std::string checksum_to_base36(std::uint32_t v) {
  if (v == 0) return "0";
  std::string out;
  while (v) {
    const unsigned d = v % 36;
    out.insert(out.begin(), static_cast<char>(d < 10 ? '0' + d : 'a' + (d - 10)));
    v /= 36;
  }
  return out;
}

std::optional<std::uint32_t> checksum_from_base36(std::string_view s) {
  if (s.empty() || s.size() > 7) return std::nullopt;  // 36^7 > 2^32
  std::uint64_t v = 0;
  for (char c : s) {
    unsigned d;
    if (c >= '0' && c <= '9')
      d = static_cast<unsigned>(c - '0');
    else if (c >= 'a' && c <= 'z')
      d = static_cast<unsigned>(c - 'a') + 10;
    else
      return std::nullopt;
    v = v * 36 + d;
  }
  if (v > 0xFFFFFFFFull) return std::nullopt;
  return static_cast<std::uint32_t>(v);
}

Result<Footer> verify_footer(std::span<const std::uint8_t> file) {
  if (file.size() < kFooterLength)
    return parse_error("file of " + std::to_string(file.size()) +
                       " bytes is shorter than a footer");
  ESSNAP_TRY(Footer f, parse_footer(file.subspan(file.size() - kFooterLength)));
  const std::uint32_t actual = crc32(file.first(file.size() - 8));
  if (actual != f.checksum)
    return parse_error("footer: checksum mismatch: stored " + hex32(f.checksum) + ", computed " +
                       hex32(actual));
  return f;
}

}  // namespace essnap::format
