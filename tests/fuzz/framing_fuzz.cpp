// libFuzzer target: the blob frame (Lucene header/footer, CRC-32, deflate/zstd, SMILE/JSON) on
// arbitrary bytes. To get past the CRC check, the fuzzer's input is also tried with its footer
// rewritten to the correct checksum, so mutations reach the decompressors and the decoder.
// Whatever reads is framed again (same codec, same compression) and must read back equal; a
// shard index-<gen> ("snapshots") that parses is written with write_shard_snapshots and must
// parse back equal.
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "essnap/format/framing.hpp"
#include "essnap/format/lucene_footer.hpp"
#include "essnap/format/shard_snapshot.hpp"

namespace {

constexpr std::size_t kMax = std::size_t{16} << 20;

void check(std::span<const std::uint8_t> blob) {
  auto r = essnap::format::read_framed_blob(blob, "", kMax);
  if (!r.ok()) {
    if (r.error().code != essnap::ErrorCode::kParse) __builtin_trap();
    return;
  }
  auto info = essnap::format::check_framed_blob(blob, "");
  if (!info.ok()) __builtin_trap();
  const auto rewritten = essnap::format::write_framed_blob(*r, info->codec, info->compression);
  auto back = essnap::format::read_framed_blob(rewritten, info->codec, kMax);
  if (!back.ok() || *back != *r) __builtin_trap();

  if (info->codec != essnap::format::kCodecShardSnapshots) return;
  // sorted (read_framed_blob + parse) and in key order (read_shard_snapshots)
  if (auto s = essnap::format::parse_shard_snapshots(*r); s.ok()) {
    auto doc = essnap::format::read_framed_blob(
        essnap::format::write_shard_snapshots(*s, info->compression), info->codec, kMax);
    if (!doc.ok()) __builtin_trap();
    auto s2 = essnap::format::parse_shard_snapshots(*doc);
    if (!s2.ok() || *s2 != *s) __builtin_trap();
  }
  if (auto s = essnap::format::read_shard_snapshots(blob, kMax); s.ok()) {
    auto s2 = essnap::format::read_shard_snapshots(
        essnap::format::write_shard_snapshots(*s, info->compression), kMax);
    if (!s2.ok() || *s2 != *s) __builtin_trap();
  }
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
