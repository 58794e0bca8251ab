// libFuzzer target: the scheduler's YAML config (`essnap run`, `config check`) on arbitrary text.
// It must return a config or a usage/parse error naming the file, never crash or throw.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "essnap/schedule/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = essnap::schedule::parse_config(text, "fuzz.yaml");
  if (!r.ok() && r.error().code != essnap::ErrorCode::kInvalidArgument &&
      r.error().code != essnap::ErrorCode::kParse)
    __builtin_trap();
  return 0;
}
