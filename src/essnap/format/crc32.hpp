// CRC-32 (ISO-HDLC: polynomial 0x04C11DB7 reflected, init and xorout 0xFFFFFFFF —
// java.util.zip.CRC32, the checksum of Lucene's CodecUtil footer). Incremental, so a data blob is
// checksummed while it streams; zlib's crc32_z does the work (Debian zlib1g; measured in
// bench/crc32_bench.cpp).
#pragma once

#include <cstdint>
#include <span>

namespace essnap::format {

class Crc32 {
 public:
  void update(std::span<const std::uint8_t> bytes);
  std::uint32_t value() const { return value_; }
  void reset() { value_ = 0; }

 private:
  std::uint32_t value_ = 0;
};

std::uint32_t crc32(std::span<const std::uint8_t> bytes);

}  // namespace essnap::format
