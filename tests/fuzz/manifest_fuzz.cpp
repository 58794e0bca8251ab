// libFuzzer target: the files an export or import leaves behind and reads back on --resume —
// manifest.json, the export checkpoint (state) and the import state — on arbitrary text. Each
// must parse or be refused with kParse; a parsed manifest must serialise again.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "essnap/transfer/import.hpp"
#include "essnap/transfer/manifest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace essnap;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (auto kind : {transfer::ManifestKind::kManifest, transfer::ManifestKind::kState}) {
    auto m = transfer::parse_manifest(text, "fuzz.json", kind);
    if (m.ok())
      (void)transfer::to_json(*m, kind).dump();
    else if (m.error().code != ErrorCode::kParse && m.error().code != ErrorCode::kInvalidArgument)
      __builtin_trap();
  }
  auto s = transfer::parse_import_state(text, "fuzz-state.json");
  if (s.ok())
    (void)transfer::to_json(*s).dump();
  else if (s.error().code != ErrorCode::kParse && s.error().code != ErrorCode::kInvalidArgument)
    __builtin_trap();
  return 0;
}
