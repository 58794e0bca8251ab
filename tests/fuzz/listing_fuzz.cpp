// libFuzzer target: a `prune --plan-from FILE` listing (a saved GET _snapshot/REPO/_all answer)
// on arbitrary text: snapshots or kParse, never a crash or an uncaught JSON type error.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "essnap/cluster/snapshots.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = essnap::cluster::parse_snapshot_listing(text, "fuzz.json");
  if (r.ok()) {
    for (const auto& s : *r) (void)s.to_json().dump();
  } else if (r.error().code != essnap::ErrorCode::kParse) {
    __builtin_trap();
  }
  return 0;
}
