// libFuzzer target: the blob frame (Lucene header/footer, CRC-32, deflate/zstd, SMILE/JSON) on
// arbitrary bytes. To get past the CRC check, the fuzzer's input is also tried with its footer
// rewritten to the correct checksum, so mutations reach the decompressors and the decoder.
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "essnap/format/framing.hpp"
#include "essnap/format/lucene_footer.hpp"

namespace {

void check(std::span<const std::uint8_t> blob) {
  auto r = essnap::format::read_framed_blob(blob, "", std::size_t{16} << 20);
  if (!r.ok() && r.error().code != essnap::ErrorCode::kParse) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  check(std::span(data, size));
  if (size >= essnap::format::kFooterLength + 8) {
    std::vector<std::uint8_t> fixed(data, data + size);
    const std::size_t n = size - 8;
    const std::uint8_t magic[8] = {0xC0, 0x28, 0x93, 0xE8, 0, 0, 0, 0};
    for (int i = 0; i < 8; ++i) fixed[size - 16 + i] = magic[i];
    const auto crc = static_cast<std::uint32_t>(::crc32(0, fixed.data(), static_cast<uInt>(n)));
    for (int i = 0; i < 4; ++i) fixed[n + i] = 0;
    for (int i = 0; i < 4; ++i) fixed[n + 4 + i] = static_cast<std::uint8_t>(crc >> (24 - 8 * i));
    check(fixed);
  }
  return 0;
}
