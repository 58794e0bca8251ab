// Helpers for the repository-format unit tests: read fixture files from tests/data/repo/, find
// blobs by pattern, and an independent writer of Lucene frames (header + body + CRC footer) and
// SMILE pieces, written from the specification, for crafting hostile and edge-case inputs.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace essnap::format::testing {

using Bytes = std::vector<std::uint8_t>;

inline std::filesystem::path fixture_root() {
  return std::filesystem::path(ESSNAP_TEST_DATA_DIR) / "repo";
}

inline Bytes read_bytes(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

inline Bytes fixture(const std::string& rel) {
  return read_bytes(fixture_root() / rel);
}

// Files under dir (recursive) whose name starts with prefix.
inline std::vector<std::filesystem::path> find_blobs(const std::string& repo,
                                                     const std::string& prefix) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(fixture_root() / repo))
    if (e.is_regular_file() && e.path().filename().string().rfind(prefix, 0) == 0)
      out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

inline Bytes bytes_of(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

inline void put_be32(Bytes& b, std::uint32_t v) {
  for (int i = 3; i >= 0; --i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

// CodecUtil header + body + footer (magic, algorithm 0, CRC-32 of all bytes before the checksum).
inline Bytes lucene_frame(std::string_view codec, std::uint32_t version, const Bytes& body) {
  Bytes b;
  put_be32(b, 0x3FD76C17);
  b.push_back(static_cast<std::uint8_t>(codec.size()));
  b.insert(b.end(), codec.begin(), codec.end());
  put_be32(b, version);
  b.insert(b.end(), body.begin(), body.end());
  put_be32(b, 0xC02893E8);
  put_be32(b, 0);
  const auto crc = static_cast<std::uint32_t>(::crc32(0, b.data(), static_cast<uInt>(b.size())));
  put_be32(b, 0);
  put_be32(b, crc);
  return b;
}

inline Bytes raw_deflate(const Bytes& in) {
  z_stream zs{};
  deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
  Bytes out(deflateBound(&zs, static_cast<uLong>(in.size())) + 16);
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// SMILE pieces, from the specification.
inline Bytes smile_header(std::uint8_t flags) {
  return Bytes{':', ')', '\n', flags};
}

// Unsigned vint: 7-bit groups high first, last byte 0x80 | 6 bits.
inline void smile_vint(Bytes& b, std::uint64_t v) {
  Bytes groups;
  groups.push_back(static_cast<std::uint8_t>(0x80 | (v & 0x3F)));
  v >>= 6;
  while (v) {
    groups.push_back(static_cast<std::uint8_t>(v & 0x7F));
    v >>= 7;
  }
  b.insert(b.end(), groups.rbegin(), groups.rend());
}
inline std::uint64_t zigzag64(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}

// 7-bit "safe" encoding: 7 raw bytes -> 8 bytes of 7 bits; tail of r bytes -> r+1 bytes, last
// right-aligned.
inline void smile_7bit(Bytes& b, const Bytes& raw) {
  std::size_t i = 0;
  for (; i + 7 <= raw.size(); i += 7) {
    std::uint64_t acc = 0;
    for (int k = 0; k < 7; ++k) acc = (acc << 8) | raw[i + k];
    for (int k = 7; k >= 0; --k) b.push_back(static_cast<std::uint8_t>((acc >> (7 * k)) & 0x7F));
  }
  const std::size_t r = raw.size() - i;
  if (r) {
    std::uint64_t acc = 0;
    for (std::size_t k = 0; k < r; ++k) acc = (acc << 8) | raw[i + k];
    // r*8 bits: r groups of 7 bits from the top, then the remaining r bits right-aligned
    const std::size_t bits = r * 8;
    for (std::size_t k = 0; k < r; ++k)
      b.push_back(static_cast<std::uint8_t>((acc >> (bits - 7 * (k + 1))) & 0x7F));
    b.push_back(static_cast<std::uint8_t>(acc & ((1u << r) - 1)));
  }
}

inline void smile_ascii_key(Bytes& b, std::string_view k) {  // 1..64 bytes
  b.push_back(static_cast<std::uint8_t>(0x80 + k.size() - 1));
  b.insert(b.end(), k.begin(), k.end());
}
inline void smile_ascii_value(Bytes& b, std::string_view v) {  // 1..64 bytes
  b.push_back(static_cast<std::uint8_t>(0x40 + v.size() - 1));
  b.insert(b.end(), v.begin(), v.end());
}

}  // namespace essnap::format::testing
