#include "essnap/snapshot/documents_metadata.hpp"

#include <algorithm>

#include "essnap/cluster/search.hpp"
#include "essnap/cluster/snapshots.hpp"
#include "essnap/snapshot/selection.hpp"

namespace essnap::snapshot {
namespace {

using json = nlohmann::json;

std::size_t size_of(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace).size();
}

}  // namespace

json with_document_counts(json metadata, const std::map<std::string, std::int64_t>& counts) {
  if (counts.empty()) return metadata;
  if (metadata.is_null()) metadata = json::object();
  if (!metadata.is_object()) return metadata;
  if (metadata.contains("essnap") && !metadata["essnap"].is_object()) return metadata;
  json out = metadata;
  out["essnap"]["documents"] = json::object();
  if (size_of(out) > kMetadataBudget) return metadata;
  for (const auto& [index, n] : counts) {
    json next = out;
    next["essnap"]["documents"][index] = n;
    if (size_of(next) > kMetadataBudget) break;  // in name order: the rest do not fit either
    out = std::move(next);
  }
  if (out["essnap"]["documents"].empty()) return metadata;
  return out;
}

std::map<std::string, std::int64_t> recorded_document_counts(const json& metadata) {
  std::map<std::string, std::int64_t> out;
  if (!metadata.is_object()) return out;
  auto e = metadata.find("essnap");
  if (e == metadata.end() || !e->is_object()) return out;
  auto d = e->find("documents");
  if (d == e->end() || !d->is_object()) return out;
  for (const auto& [k, v] : d->items())
    if (v.is_number_integer() && v.get<std::int64_t>() >= 0) out[k] = v.get<std::int64_t>();
  return out;
}

Result<std::map<std::string, std::int64_t>> count_for_metadata(
    cluster::Client& c, const std::vector<std::string>& patterns, const json& metadata) {
  std::map<std::string, std::int64_t> out;
  if (!(metadata.is_null() || metadata.is_object()) ||
      (metadata.is_object() && metadata.contains("essnap") && !metadata["essnap"].is_object()))
    return out;  // nowhere to record them
  ESSNAP_TRY(auto listed, cluster::list_indices(c));
  std::vector<std::string> open;
  for (const auto& e : listed)
    if (e.status == cluster::IndexStatusKind::kOpen && !e.name.starts_with(".") &&
        !is_system_index(e.name))
      open.push_back(e.name);
  auto selected = patterns.empty() ? open : select_names(open, patterns);
  std::sort(selected.begin(), selected.end());
  for (const auto& name : selected) {
    // Would one more entry (a count of up to 12 digits) still fit? Then count it.
    auto probe = out;
    probe[name] = 999999999999;
    if (recorded_document_counts(with_document_counts(metadata, probe)).size() != probe.size())
      break;
    auto n = cluster::count_documents(c, name, cluster::Refresh::kYes);
    if (n.ok()) out[name] = *n;
  }
  return out;
}

}  // namespace essnap::snapshot
