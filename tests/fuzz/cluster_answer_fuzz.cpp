// libFuzzer target: the cluster's JSON answers essnap reads — an error body (any status), a
// snapshot (GET _snapshot), a snapshot's progress (_status) — on arbitrary bytes. The first byte
// picks the HTTP status; the rest is the body. Never a crash or an uncaught exception.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "essnap/cluster/error.hpp"
#include "essnap/cluster/snapshots.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace essnap;
  if (size == 0) return 0;
  const int status = 400 + data[0] % 200;
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  (void)cluster::describe(cluster::parse_error_body(status, body));
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded()) return 0;
  const nlohmann::json* items[] = {&j, nullptr};
  if (j.is_object() && j.contains("snapshots") && j["snapshots"].is_array() &&
      !j["snapshots"].empty())
    items[1] = &j["snapshots"][0];
  for (const auto* item : items) {
    if (!item) continue;
    auto info = cluster::SnapshotInfo::from_json(*item);
    if (info.ok()) (void)info->to_json().dump();
    auto progress = cluster::SnapshotProgress::from_json(*item);
    (void)progress;
  }
  return 0;
}
