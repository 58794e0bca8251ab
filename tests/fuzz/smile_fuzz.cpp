// libFuzzer target: the SMILE decoder on arbitrary bytes. It must return a value or a kParse
// error, never crash, hang or leak (run under ASan/UBSan by tests/fuzz/run.sh, `make fuzz`).
#include <cstddef>
#include <cstdint>
#include <span>

#include "essnap/repo/smile.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto r = essnap::repo::decode_smile(std::span(data, size));
  if (r.ok()) {
    (void)r->dump();  // the tree must be well formed enough to serialise
  } else if (r.error().code != essnap::ErrorCode::kParse) {
    __builtin_trap();
  }
  return 0;
}
