#include "essnap/format/snapshot_info.hpp"

#include "essnap/format/json_fields.hpp"

namespace essnap::format {

using detail::field_error;
using nlohmann::json;

namespace {

constexpr const char* kSnapWhere = "snap-*.dat";

Result<std::vector<std::string>> string_list(const json& obj, const char* field) {
  std::vector<std::string> out;
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return out;
  if (!it->is_array()) return field_error(kSnapWhere, field, "is not an array");
  for (const auto& v : *it) {
    if (!v.is_string()) return field_error(kSnapWhere, field, "holds a non-string");
    out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace

std::string version_id_to_string(std::int64_t id) {
  constexpr std::int64_t kOpenSearchMask = 0x08000000;
  if (id <= 0) return {};
  const bool opensearch = (id & kOpenSearchMask) != 0;
  if (opensearch) id ^= kOpenSearchMask;
  // Elasticsearch >= 8.9 writes IndexVersion ids (8_500_000 .. 9_039_0_01 ...), which are not
  // release numbers; from 8.0 on only a GA release id (build 99) is decoded.
  if (!opensearch && id >= 8000000 && id % 100 != 99) return {};
  const std::int64_t major = id / 1000000, minor = (id / 10000) % 100, revision = (id / 100) % 100;
  if (major < 1 || major > 99) return {};
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(revision);
}

Result<SnapshotInfo> parse_snapshot_info(const json& doc) {
  if (!doc.is_object())
    return Error(ErrorCode::kParse, std::string(kSnapWhere) + " is not an object");
  const json* inner = &doc;
  if (auto it = doc.find("snapshot"); it != doc.end()) {
    if (!it->is_object()) return field_error(kSnapWhere, "snapshot", "is not an object");
    inner = &*it;
  }
  const json& s = *inner;
  SnapshotInfo out;
  ESSNAP_TRY(out.name, detail::req_string(s, kSnapWhere, "name"));
  ESSNAP_TRY(auto uuid, detail::opt_string(s, kSnapWhere, "uuid"));  // absent in 1.x/2.x-era blobs
  out.uuid = uuid.value_or(out.name);
  ESSNAP_TRY(out.version_id, detail::opt_int(s, kSnapWhere, "version_id"));
  ESSNAP_TRY(out.indices, string_list(s, "indices"));
  ESSNAP_TRY(out.data_streams, string_list(s, "data_streams"));
  ESSNAP_TRY(auto state, detail::opt_string(s, kSnapWhere, "state"));
  out.state = state.value_or("");
  ESSNAP_TRY(auto reason, detail::opt_string(s, kSnapWhere, "reason"));
  out.reason = reason.value_or("");
  if (auto it = s.find("include_global_state"); it != s.end() && !it->is_null()) {
    if (!it->is_boolean())
      return field_error(kSnapWhere, "include_global_state", "is not a boolean");
    out.include_global_state = it->get<bool>();
  }
  if (auto it = s.find("metadata"); it != s.end() && !it->is_null()) {
    if (!it->is_object()) return field_error(kSnapWhere, "metadata", "is not an object");
    out.metadata = *it;
  }
  ESSNAP_TRY(auto start, detail::opt_int(s, kSnapWhere, "start_time"));
  ESSNAP_TRY(auto end, detail::opt_int(s, kSnapWhere, "end_time"));
  ESSNAP_TRY(auto total, detail::opt_int(s, kSnapWhere, "total_shards"));
  ESSNAP_TRY(auto ok, detail::opt_int(s, kSnapWhere, "successful_shards"));
  out.start_time = start.value_or(0);
  out.end_time = end.value_or(0);
  out.total_shards = total.value_or(0);
  out.successful_shards = ok.value_or(0);
  if (auto it = s.find("failures"); it != s.end() && !it->is_null()) {
    if (!it->is_array()) return field_error(kSnapWhere, "failures", "is not an array");
    for (std::size_t i = 0; i < it->size(); ++i) {
      const json& f = (*it)[i];
      const std::string where = std::string(kSnapWhere) + " failures[" + std::to_string(i) + "]";
      if (!f.is_object()) return Error(ErrorCode::kParse, where + " is not an object");
      SnapshotShardFailureInfo fi;
      ESSNAP_TRY(auto index, detail::opt_string(f, where, "index"));
      ESSNAP_TRY(auto index_uuid, detail::opt_string(f, where, "index_uuid"));
      ESSNAP_TRY(auto shard, detail::opt_int(f, where, "shard_id"));
      ESSNAP_TRY(auto fr, detail::opt_string(f, where, "reason"));
      ESSNAP_TRY(auto node, detail::opt_string(f, where, "node_id"));
      ESSNAP_TRY(auto status, detail::opt_string(f, where, "status"));
      fi.index = index.value_or("");
      fi.index_uuid = index_uuid.value_or("");
      fi.shard_id = shard.value_or(-1);
      fi.reason = fr.value_or("");
      fi.node_id = node.value_or("");
      fi.status = status.value_or("");
      out.failures.push_back(std::move(fi));
    }
  }
  if (auto it = s.find("remote_store_index_shallow_copy"); it != s.end() && !it->is_null()) {
    if (!it->is_boolean())
      return field_error(kSnapWhere, "remote_store_index_shallow_copy", "is not a boolean");
    out.remote_store_index_shallow_copy = it->get<bool>();
  }
  ESSNAP_TRY(out.pinned_timestamp, detail::opt_int(s, kSnapWhere, "pinned_timestamp"));
  return out;
}

}  // namespace essnap::format
