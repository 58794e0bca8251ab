// libFuzzer target: the SMILE decoder on arbitrary bytes. It must return a value or a kParse
// error, never crash, hang or leak (run under ASan/UBSan by tests/fuzz/run.sh, `make fuzz`).
#include <cstddef>
#include <cstdint>
#include <span>

#include "essnap/format/smile.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  essnap::format::SmileLimits limits;
  limits.max_output_bytes = std::size_t{16}
                            << 20;  // keeps one run's tree small; the cap is tested too
  auto r = essnap::format::decode_smile(std::span(data, size), limits);
  if (r.ok()) {
    (void)r->dump();  // the tree must be well formed enough to serialise
  } else if (r.error().code != essnap::ErrorCode::kParse) {
    __builtin_trap();
  }
  return 0;
}
