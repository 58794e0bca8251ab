// A small writer of Lucene files for the lucene/ tests and fuzz seeds: CodecUtil index headers
// and footers (CRC-32) and primitives in either byte order, written from the specification
// (CodecUtil.java, DataOutput.java) independently of the readers under test.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "essnap/format/crc32.hpp"
#include "essnap/lucene/file_names.hpp"
#include "essnap/lucene/input.hpp"

namespace essnap::lucene::testing {

struct LuceneWriter {
  ByteOrder order = ByteOrder::kLittle;
  std::vector<std::uint8_t> b;

  void u8(std::uint8_t v) { b.push_back(v); }
  void fixed(std::uint64_t v, int n, ByteOrder o) {
    for (int i = 0; i < n; ++i) {
      const int shift = o == ByteOrder::kLittle ? 8 * i : 8 * (n - 1 - i);
      b.push_back(static_cast<std::uint8_t>(v >> shift));
    }
  }
  void i16(std::int16_t v) { fixed(static_cast<std::uint16_t>(v), 2, order); }
  void i32(std::int32_t v) { fixed(static_cast<std::uint32_t>(v), 4, order); }
  void i64(std::int64_t v) { fixed(static_cast<std::uint64_t>(v), 8, order); }
  void be32(std::int32_t v) { fixed(static_cast<std::uint32_t>(v), 4, ByteOrder::kBig); }
  void be64(std::int64_t v) { fixed(static_cast<std::uint64_t>(v), 8, ByteOrder::kBig); }
  void vint(std::uint32_t v) {
    while (v >= 0x80) {
      b.push_back(static_cast<std::uint8_t>(v | 0x80));
      v >>= 7;
    }
    b.push_back(static_cast<std::uint8_t>(v));
  }
  void str(const std::string& s) {
    vint(static_cast<std::uint32_t>(s.size()));
    b.insert(b.end(), s.begin(), s.end());
  }
  void bytes(std::span<const std::uint8_t> s) { b.insert(b.end(), s.begin(), s.end()); }
  // CodecUtil.writeIndexHeader
  void header(const std::string& codec, std::int32_t version, const SegmentId& id,
              const std::string& suffix) {
    be32(0x3fd76c17);
    str(codec);
    be32(version);
    bytes(id);
    u8(static_cast<std::uint8_t>(suffix.size()));
    b.insert(b.end(), suffix.begin(), suffix.end());
  }
  // CodecUtil.writeFooter: magic, algorithm 0, CRC-32 of every byte before the checksum
  std::vector<std::uint8_t> finish() {
    be32(static_cast<std::int32_t>(0xc02893e8u));
    be32(0);
    format::Crc32 crc;
    crc.update(b);
    be64(crc.value());
    return b;
  }
};

inline SegmentId test_id(std::uint8_t seed) {
  SegmentId id{};
  for (std::size_t i = 0; i < id.size(); ++i) id[i] = static_cast<std::uint8_t>(seed + i);
  return id;
}

}  // namespace essnap::lucene::testing
