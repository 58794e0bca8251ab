// libFuzzer target: the SMILE decoder on arbitrary bytes. It must return a value or a kParse
// error, never crash, hang or leak (run under ASan/UBSan by tests/fuzz/run.sh, `make fuzz`).
// Whatever decodes is encoded again (with the document's own header flags) and must decode to
// the same tree, sorted and in key order; a tree that reads as a shard index-<gen> must survive
// parse -> to_json -> parse.
#include <cstddef>
#include <cstdint>
#include <span>

#include "essnap/format/shard_snapshot.hpp"
#include "essnap/format/smile.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  essnap::format::SmileLimits limits;
  limits.max_output_bytes = std::size_t{16}
                            << 20;  // keeps one run's tree small; the cap is tested too
  auto r = essnap::format::decode_smile(std::span(data, size), limits);
  if (!r.ok()) {
    if (r.error().code != essnap::ErrorCode::kParse) __builtin_trap();
    return 0;
  }
  (void)r->dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);  // valid UTF-8 only

  essnap::format::SmileWriteOptions o;
  o.shared_names = (data[3] & 0x01) != 0;
  o.shared_values = (data[3] & 0x02) != 0;
  o.raw_binary = (data[3] & 0x04) != 0;
  auto again = essnap::format::decode_smile(essnap::format::encode_smile(*r, o), limits);
  if (!again.ok() || *again != *r) __builtin_trap();

  auto ordered = essnap::format::decode_smile_ordered(std::span(data, size), limits);
  if (!ordered.ok()) __builtin_trap();
  auto ordered_again =
      essnap::format::decode_smile_ordered(essnap::format::encode_smile(*ordered, o), limits);
  if (!ordered_again.ok() || *ordered_again != *ordered) __builtin_trap();

  if (auto s = essnap::format::parse_shard_snapshots(*r); s.ok()) {
    auto s2 = essnap::format::parse_shard_snapshots(essnap::format::to_json(*s));
    if (!s2.ok() || *s2 != *s) __builtin_trap();
  }
  return 0;
}
