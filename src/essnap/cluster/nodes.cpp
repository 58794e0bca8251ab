#include "essnap/cluster/nodes.hpp"

#include "essnap/cluster/names.hpp"
#include "essnap/cluster/snapshots.hpp"

namespace essnap::cluster {
namespace {

using json = nlohmann::json;

bool holds_data(const json& node) {
  auto roles = node.find("roles");
  if (roles == node.end() || !roles->is_array()) return true;
  for (const auto& r : *roles)
    if (r.is_string() && r.get<std::string>().rfind("data", 0) == 0) return true;
  return false;
}

std::int64_t number(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

}  // namespace

Result<std::vector<NodeDisk>> data_node_disks(Client& c) {
  ESSNAP_TRY(auto j, c.json("GET", "/_nodes/stats/fs"));
  if (!j.is_object() || !j.contains("nodes") || !j["nodes"].is_object())
    return Error(ErrorCode::kParse, "GET /_nodes/stats/fs: no \"nodes\" object in the answer");
  std::vector<NodeDisk> out;
  for (const auto& [id, node] : j["nodes"].items()) {
    if (!node.is_object() || !holds_data(node)) continue;
    NodeDisk d;
    d.name = node.value("name", id);
    if (auto fs = node.find("fs"); fs != node.end() && fs->is_object())
      if (auto t = fs->find("total"); t != fs->end() && t->is_object()) {
        d.total_bytes = number(*t, "total_in_bytes");
        d.available_bytes = number(*t, "available_in_bytes");
      }
    out.push_back(std::move(d));
  }
  return out;
}

Result<std::string> unassigned_primary_reason(Client& c, const std::string& index, int shard) {
  ESSNAP_TRY_STATUS(names::validate_index_name(index, "index"));
  Call call;
  call.method = "POST";  // GET with a body is refused by some proxies
  call.path = "/_cluster/allocation/explain";
  call.body = json{{"index", index}, {"shard", shard}, {"primary", true}}.dump();
  ESSNAP_TRY(auto j, c.json(call));
  if (!j.is_object()) return std::string();
  std::string out;
  if (auto u = j.find("unassigned_info"); u != j.end() && u->is_object()) {
    out = u->value("reason", "");
    if (auto d = u->find("details"); d != u->end() && d->is_string())
      out += (out.empty() ? "" : ": ") + d->get<std::string>();
  }
  if (out.empty()) out = j.value("allocate_explanation", "");
  return out;
}

Result<std::vector<std::pair<std::string, int>>> inactive_primaries(
    Client& c, const std::vector<std::string>& indices) {
  std::vector<std::pair<std::string, int>> out;
  for (const auto& chunk : index_list_chunks(indices)) {
    ESSNAP_TRY(auto j,
               c.json("GET", "/_cat/shards/" + chunk + "?format=json&h=index,shard,prirep,state"));
    if (!j.is_array()) continue;
    for (const auto& row : j) {
      if (!row.is_object() || row.value("prirep", "") != "p" || row.value("state", "") == "STARTED")
        continue;
      int n = 0;
      try {
        n = std::stoi(row.value("shard", "0"));
      } catch (...) {
      }
      out.emplace_back(row.value("index", ""), n);
    }
  }
  return out;
}

Result<std::map<std::string, std::int64_t>> index_creation_dates(
    Client& c, const std::vector<std::string>& indices) {
  std::map<std::string, std::int64_t> out;
  for (const auto& chunk : index_list_chunks(indices)) {
    ESSNAP_TRY(auto j, c.json("GET", "/" + chunk +
                                         "/_settings/index.creation_date?ignore_unavailable=true"
                                         "&expand_wildcards=all"));
    if (!j.is_object()) continue;
    for (const auto& [name, v] : j.items()) {
      const json* d = &v;
      for (const char* k : {"settings", "index", "creation_date"}) {
        if (!d->is_object() || !d->contains(k)) {
          d = nullptr;
          break;
        }
        d = &(*d)[k];
      }
      if (d == nullptr) continue;
      try {
        out[name] = d->is_string()           ? std::stoll(d->get<std::string>())
                    : d->is_number_integer() ? d->get<std::int64_t>()
                                             : -1;
      } catch (...) {
      }
    }
  }
  return out;
}

}  // namespace essnap::cluster
