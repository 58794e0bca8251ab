// libFuzzer target: the stored-fields decoders of lucene/ on arbitrary bytes — Lucene's LZ4
// block decoder, each chunk compression mode, and a whole segment's .fdt/.fdm/.fdx. Each must
// decode or be refused with kParse (never crash, hang or allocate past what the input allows).
//
// Input: selector:byte then
//   0       out_len:u16le dict_len:u8 block...            -> lz4_decompress
//   1..7    n:u16le unit...                               -> ChunkDecompressor(mode selector-1)
//   8       max_doc:u8 fdt_len:u32le fdm_len:u32le fdt fdm fdx -> StoredFieldsReader::visit
// Seeds (tests/fuzz/seeds/stored_fields/) are whole segments from tests/data/lucene/stored.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "essnap/lucene/codec_lz4.hpp"
#include "essnap/lucene/codec_modes.hpp"
#include "essnap/lucene/stored_fields.hpp"

namespace {
std::uint32_t le(const std::uint8_t* p, int n) {
  std::uint32_t v = 0;
  for (int i = n; i-- > 0;) v = (v << 8) | p[i];
  return v;
}
void must_be_parse(const essnap::Error& e) {
  if (e.code != essnap::ErrorCode::kParse) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace essnap;
  using namespace essnap::lucene;
  if (size < 1) return 0;
  const std::uint8_t selector = data[0];
  if (selector == 0) {
    if (size < 4) return 0;
    const std::size_t out_len = le(data + 1, 2);
    const std::size_t dict = std::min<std::size_t>(data[3], out_len);
    std::vector<std::uint8_t> out(out_len, 0x42);
    auto r = lz4_decompress(std::span<const std::uint8_t>(data + 4, size - 4), out, dict);
    if (!r)
      must_be_parse(r.error());
    else if (*r > size - 4)
      __builtin_trap();
    return 0;
  }
  if (selector <= 7) {
    if (size < 3) return 0;
    const std::uint32_t n = le(data + 1, 2);
    auto f = memory_file("_0.fdt", std::vector<std::uint8_t>(data + 3, data + size));
    StreamReader in(f, 0, f->length());
    ChunkDecompressor d(static_cast<ChunkCompression>(selector - 1));
    std::vector<std::uint8_t> out;
    Status st = d.decompress(in, n, out);
    if (!st)
      must_be_parse(st.error());
    else if (out.size() != n)
      __builtin_trap();
    return 0;
  }
  if (selector == 8) {
    if (size < 10) return 0;
    const std::int32_t max_doc = data[1];
    const std::size_t fdt_len = le(data + 2, 4), fdm_len = le(data + 6, 4);
    const std::size_t rest = size - 10;
    if (fdt_len > rest || fdm_len > rest - fdt_len) return 0;
    const std::uint8_t* p = data + 10;
    StoredFieldsSegment seg;
    seg.name = "_0";
    seg.max_doc = max_doc;
    seg.fdt = memory_file("_0.fdt", std::vector<std::uint8_t>(p, p + fdt_len));
    if (fdm_len)
      seg.fdm =
          memory_file("_0.fdm", std::vector<std::uint8_t>(p + fdt_len, p + fdt_len + fdm_len));
    seg.fdx = memory_file("_0.fdx", std::vector<std::uint8_t>(p + fdt_len + fdm_len, data + size));
    // Take the segment id from the .fdt header so the fuzzer reaches past it.
    if (fdt_len > 40) {
      const std::size_t name_len = p[4];
      if (9 + name_len + 16 <= fdt_len) std::memcpy(seg.id.data(), p + 9 + name_len, 16);
    }
    auto r = StoredFieldsReader::open(seg, Integrity::kStructureOnly);
    if (!r) {
      must_be_parse(r.error());
      return 0;
    }
    Status st = r->visit(nullptr, [](std::int32_t, std::span<const StoredValue> values) {
      for (const auto& v : values) (void)v.bytes.size();
      return Status(Ok{});
    });
    if (!st) must_be_parse(st.error());
  }
  return 0;
}
