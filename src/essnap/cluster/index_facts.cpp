#include "essnap/cluster/index_facts.hpp"

#include <charconv>

#include "essnap/cluster/snapshots.hpp"

namespace essnap::cluster {
namespace {

using nlohmann::json;

Error bad_shape(const std::string& what, const std::string& why) {
  return Error(ErrorCode::kParse, what + ": unexpected answer (" + why + ")");
}

// _cat answers numbers as strings; a number is accepted too.
bool to_int(const json& v, int& out) {
  if (v.is_number_integer()) {
    out = v.get<int>();
    return true;
  }
  if (!v.is_string()) return false;
  const auto& s = v.get_ref<const std::string&>();
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

Result<std::map<std::string, int>> live_primary_shards(Client& c) {
  const std::string path = "/_cat/indices?format=json&h=index,pri&expand_wildcards=all";
  ESSNAP_TRY(auto j, c.json("GET", path));
  std::map<std::string, int> out;
  if (j.is_null()) return out;
  if (!j.is_array()) return bad_shape("GET " + path, "not a JSON array");
  for (const auto& row : j) {
    if (!row.is_object() || !row.contains("index") || !row["index"].is_string())
      return bad_shape("GET " + path, "a row without an index name");
    int pri = 0;
    // A closed index may answer no count on some versions: leave it out (unknown).
    if (row.contains("pri") && to_int(row["pri"], pri)) out[row["index"].get<std::string>()] = pri;
  }
  return out;
}

Result<std::vector<AliasEntry>> list_aliases(Client& c) {
  const std::string path = "/_alias?expand_wildcards=all";
  ESSNAP_TRY(auto j, c.json("GET", path));
  std::vector<AliasEntry> out;
  if (j.is_null()) return out;
  if (!j.is_object()) return bad_shape("GET " + path, "not a JSON object");
  for (const auto& [index, body] : j.items()) {
    if (!body.is_object()) return bad_shape("GET " + path, "index " + index + " is not an object");
    if (!body.contains("aliases")) continue;
    const auto& aliases = body["aliases"];
    if (!aliases.is_object()) return bad_shape("GET " + path, "aliases of " + index);
    for (const auto& [alias, meta] : aliases.items()) {
      bool write = false;
      if (meta.is_object() && meta.contains("is_write_index") &&
          meta["is_write_index"].is_boolean())
        write = meta["is_write_index"].get<bool>();
      out.push_back({alias, index, write});
    }
  }
  return out;
}

Result<std::map<std::string, int>> snapshot_index_shards(Client& c,
                                                         const SnapshotShardsRequest& r) {
  const std::string path =
      "/_snapshot/" + path_segment(r.repository) + "/" + path_segment(r.snapshot) + "/_status";
  ESSNAP_TRY(auto j, c.json("GET", path));
  std::map<std::string, int> out;
  if (!j.is_object() || !j.contains("snapshots") || !j["snapshots"].is_array())
    return bad_shape("GET " + path, "no \"snapshots\" array");
  for (const auto& s : j["snapshots"]) {
    if (!s.is_object() || !s.contains("indices") || !s["indices"].is_object()) continue;
    for (const auto& [name, idx] : s["indices"].items()) {
      int total = 0;
      if (idx.is_object() && idx.contains("shards_stats") && idx["shards_stats"].is_object() &&
          idx["shards_stats"].contains("total") && to_int(idx["shards_stats"]["total"], total))
        out[name] = total;
    }
  }
  return out;
}

Result<Ok> open_index(Client& c, const std::string& index) {
  ESSNAP_TRY(auto j, c.json("POST", "/" + path_segment(index) + "/_open"));
  (void)j;
  return Ok{};
}

}  // namespace essnap::cluster
