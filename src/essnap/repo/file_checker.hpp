// Checks one Lucene file as its bytes stream by (across the blob's parts): CRC-32 of every byte
// but the last 8, and the last 16 bytes kept for the CodecUtil footer. Constant memory.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "essnap/repo/crc32.hpp"

namespace essnap::repo {

class FileChecker {
 public:
  void feed(std::span<const std::uint8_t> bytes);
  std::uint64_t bytes() const { return total_; }
  // nullopt when intact: the length, the footer, the CRC-32 and the recorded base-36 checksum
  // all agree; else what is wrong, in words.
  std::optional<std::string> problem(std::uint64_t expected_length,
                                     const std::string& recorded_checksum) const;

 private:
  Crc32 crc_;
  std::array<std::uint8_t, 16> last16_{};
  std::size_t have16_ = 0;
  std::array<std::uint8_t, 8> held_{};
  std::size_t held_n_ = 0;
  std::uint64_t total_ = 0;
};

}  // namespace essnap::repo
