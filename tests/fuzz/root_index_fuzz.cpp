// libFuzzer target: the root index-N parser (JSON) on arbitrary bytes: a value or a kParse error,
// never a crash. Whatever parses is written with write_repository_data and must parse back to an
// equal RepositoryData (known fields, unknown fields, key order), and writing that again must give
// the same text.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "essnap/format/root_index.hpp"

namespace {

// JSON has no infinity: a number too large for a double (1e999) parses as one and is written as
// null, the one change a write may make to an unknown field.
bool has_non_finite(const nlohmann::ordered_json& v) {
  if (v.is_number_float()) return !std::isfinite(v.get<double>());
  if (v.is_structured())
    for (const auto& e : v)
      if (has_non_finite(e)) return true;
  return false;
}

bool any_non_finite(const essnap::format::RepositoryData& d) {
  if (has_non_finite(d.extra)) return true;
  for (const auto& s : d.snapshots)
    if (has_non_finite(s.extra)) return true;
  for (const auto& i : d.indices)
    if (has_non_finite(i.extra)) return true;
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto r = essnap::format::parse_repository_data(std::span(data, size));
  if (!r.ok()) {
    if (r.error().code != essnap::ErrorCode::kParse) __builtin_trap();
    return 0;
  }
  const std::string written = essnap::format::write_repository_data(*r);
  auto again = essnap::format::parse_repository_data(
      std::span(reinterpret_cast<const std::uint8_t*>(written.data()), written.size()));
  if (!again.ok()) __builtin_trap();
  if (*again != *r && !any_non_finite(*r)) __builtin_trap();
  if (essnap::format::write_repository_data(*again) != written) __builtin_trap();
  return 0;
}
