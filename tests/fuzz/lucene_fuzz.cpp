// libFuzzer target: the Lucene parsers of lucene/ on arbitrary bytes — segments_N, .si, .cfe,
// .fnm, .liv and doc-values metadata (.dvm). The first byte picks the parser, the rest is the
// file. To get past the CRC check, the footer is rewritten to the correct checksum; the header's
// segment id and suffix are taken from the input so mutations reach the bodies. Every failure
// must be kParse (never a crash, a hang or an allocation sized by an unchecked length).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "essnap/format/crc32.hpp"
#include "essnap/lucene/compound.hpp"
#include "essnap/lucene/doc_values.hpp"
#include "essnap/lucene/field_infos.hpp"
#include "essnap/lucene/live_docs.hpp"
#include "essnap/lucene/segment_info.hpp"
#include "essnap/lucene/segment_infos.hpp"

namespace {

using namespace essnap::lucene;

void fix_footer(std::vector<std::uint8_t>& b) {
  if (b.size() < 16) return;
  const std::size_t at = b.size() - 8;
  essnap::format::Crc32 crc;
  crc.update(std::span<const std::uint8_t>(b.data(), at));
  const std::uint64_t v = crc.value();
  for (int i = 0; i < 8; ++i)
    b[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (8 * (7 - i)));
}

// The index header's id and suffix, when the bytes hold one.
struct HeaderParts {
  SegmentId id{};
  std::string suffix;
};
HeaderParts header_parts(const std::vector<std::uint8_t>& b) {
  HeaderParts h;
  if (b.size() < 5) return h;
  const std::size_t id_at = 4 + 1 + b[4] + 4;
  if (b.size() < id_at + 17) return h;
  std::copy(b.begin() + static_cast<std::ptrdiff_t>(id_at),
            b.begin() + static_cast<std::ptrdiff_t>(id_at + 16), h.id.begin());
  const std::size_t n = b[id_at + 16];
  if (b.size() >= id_at + 17 + n)
    h.suffix.assign(b.begin() + static_cast<std::ptrdiff_t>(id_at + 17),
                    b.begin() + static_cast<std::ptrdiff_t>(id_at + 17 + n));
  return h;
}

template <typename R>
void expect_parse_or_ok(const R& r) {
  if (!r.ok() && r.error().code != essnap::ErrorCode::kParse) __builtin_trap();
}

FieldInfos fuzz_fields(bool skip_index) {
  std::vector<FieldInfo> v;
  for (int i = 0; i < 64; ++i) {
    FieldInfo f;
    f.name = "f" + std::to_string(i);
    f.number = i;
    f.dv_type = static_cast<DocValuesType>(1 + i % 5);
    f.dv_skip_index = skip_index && i % 2 == 0;
    f.attributes["Lucene80DocValuesFormat.mode"] = i % 3 ? "BEST_SPEED" : "BEST_COMPRESSION";
    v.push_back(std::move(f));
  }
  return FieldInfos(std::move(v));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t which = data[0];
  std::vector<std::uint8_t> b(data + 1, data + size);
  if (which & 0x80) fix_footer(b);
  const HeaderParts h = header_parts(b);
  switch (which & 0x7) {
    case 0: {
      auto gen = from_base36(h.suffix);
      const std::string name = "segments_" + (gen ? h.suffix : std::string("1"));
      expect_parse_or_ok(read_segment_infos(memory_file(name, b)));
      break;
    }
    case 1:
      expect_parse_or_ok(read_segment_info(memory_file("_0.si", b), "_0", h.id));
      break;
    case 2:
      expect_parse_or_ok(read_compound_entries(memory_file("_0.cfe", b), "_0", &h.id));
      break;
    case 3:
      expect_parse_or_ok(read_field_infos(memory_file("_0.fnm", b), &h.id, h.suffix));
      break;
    case 4: {
      const std::int32_t max_doc =
          static_cast<std::int32_t>(std::min<std::size_t>(b.size() * 8, 1 << 20));
      auto gen = from_base36(h.suffix);
      expect_parse_or_ok(read_live_docs(memory_file("_0_1.liv", b), max_doc, &h.id, gen ? *gen : 1,
                                        static_cast<std::int32_t>(which >> 3)));
      break;
    }
    default:
      expect_parse_or_ok(check_doc_values_meta(memory_file("_0_Lucene90_0.dvm", b),
                                               fuzz_fields((which & 0x7) == 6)));
      break;
  }
  return 0;
}
