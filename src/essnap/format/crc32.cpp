#include "essnap/format/crc32.hpp"

#include <zlib.h>

namespace essnap::format {

void Crc32::update(std::span<const std::uint8_t> bytes) {
  value_ = static_cast<std::uint32_t>(::crc32_z(value_, bytes.data(), bytes.size()));
}

std::uint32_t crc32(std::span<const std::uint8_t> bytes) {
  Crc32 c;
  c.update(bytes);
  return c.value();
}

}  // namespace essnap::format
