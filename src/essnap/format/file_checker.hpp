// Checks one Lucene file as its bytes stream by (across the blob's parts): CRC-32 of every byte
// but the last 8, and the last 16 bytes kept for the CodecUtil footer. Constant memory.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "essnap/format/crc32.hpp"

namespace essnap::format {

class FileChecker {
 public:
  void feed(std::span<const std::uint8_t> bytes);
  std::uint64_t bytes() const { return total_; }
  // nullopt when intact: the length, the footer, the CRC-32 and the recorded base-36 checksum
  // all agree; else what is wrong, in words.
  std::optional<std::string> problem(std::uint64_t expected_length,
                                     const std::string& recorded_checksum) const;

  // The same judgement from parts computed elsewhere (a file read in ranges by several
  // workers): `total` bytes seen, `crc` of every byte but the last 8, the last 16 bytes.
  static std::optional<std::string> judge(std::uint64_t total, std::uint32_t crc,
                                          std::span<const std::uint8_t> last16,
                                          std::uint64_t expected_length,
                                          const std::string& recorded_checksum);
  // CRC-32 of A then B from crc(A), crc(B) and B's length (zlib's crc32_combine).
  static std::uint32_t combine(std::uint32_t crc_a, std::uint32_t crc_b, std::uint64_t length_b);

 private:
  Crc32 crc_;
  std::array<std::uint8_t, 16> last16_{};
  std::size_t have16_ = 0;
  std::array<std::uint8_t, 8> held_{};
  std::size_t held_n_ = 0;
  std::uint64_t total_ = 0;
};

}  // namespace essnap::format
