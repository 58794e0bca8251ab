#include "essnap/format/root_index.hpp"

#include <nlohmann/json.hpp>
#include <set>

#include "essnap/format/json_fields.hpp"

namespace essnap::format {

using detail::field_error;
using nlohmann::json;

const char* to_string(RepoSnapshotState s) {
  switch (s) {
    case RepoSnapshotState::kInProgress:
      return "IN_PROGRESS";
    case RepoSnapshotState::kSuccess:
      return "SUCCESS";
    case RepoSnapshotState::kFailed:
      return "FAILED";
    case RepoSnapshotState::kPartial:
      return "PARTIAL";
    case RepoSnapshotState::kIncompatible:
      return "INCOMPATIBLE";
  }
  return "UNKNOWN";
}

std::optional<RepoSnapshotState> repo_snapshot_state_from_int(std::int64_t v) {
  if (v < 0 || v > 4) return std::nullopt;
  return static_cast<RepoSnapshotState>(v);
}

std::optional<RepoSnapshotState> repo_snapshot_state_from_text(std::string_view s) {
  for (int i = 0; i <= 4; ++i)
    if (s == to_string(static_cast<RepoSnapshotState>(i))) return static_cast<RepoSnapshotState>(i);
  return std::nullopt;
}

const RepoSnapshot* RepositoryData::snapshot_by_uuid(std::string_view u) const {
  for (const auto& s : snapshots)
    if (s.uuid == u) return &s;
  return nullptr;
}
const RepoSnapshot* RepositoryData::snapshot_by_name(std::string_view n) const {
  for (const auto& s : snapshots)
    if (s.name == n) return &s;
  return nullptr;
}
const RepoIndex* RepositoryData::index_by_id(std::string_view id) const {
  for (const auto& i : indices)
    if (i.id == id) return &i;
  return nullptr;
}
const RepoIndex* RepositoryData::index_by_name(std::string_view n) const {
  for (const auto& i : indices)
    if (i.name == n) return &i;
  return nullptr;
}

std::optional<std::string> RepositoryData::index_metadata_blob_id(const RepoSnapshot& snapshot,
                                                                  const RepoIndex& index) const {
  auto it = snapshot.index_metadata_lookup.find(index.id);
  if (it == snapshot.index_metadata_lookup.end()) return snapshot.uuid;  // before 7.9
  auto blob = index_metadata_identifiers.find(it->second);
  if (blob == index_metadata_identifiers.end()) return std::nullopt;
  return blob->second;
}

namespace {

constexpr const char* kWhere = "root index-N";

// "version" / "min_version": a version string before 8.9/8.10, an int id after.
Status read_version(const json& v, const std::string& where, const char* field, std::string& text,
                    std::optional<std::int64_t>& id) {
  if (v.is_string()) {
    text = v.get<std::string>();
    return ok_status();
  }
  if (auto n = detail::as_int(v); n && v.is_number()) {
    id = *n;
    text = std::to_string(*n);
    return ok_status();
  }
  return field_error(where, field, "is neither a version string nor a version id");
}

Result<RepoSnapshot> parse_snapshot(const json& s, std::size_t i) {
  const std::string where = std::string(kWhere) + " snapshots[" + std::to_string(i) + "]";
  if (!s.is_object()) return Error(ErrorCode::kParse, where + " is not an object");
  RepoSnapshot out;
  ESSNAP_TRY(out.name, detail::req_string(s, where, "name"));
  ESSNAP_TRY(out.uuid, detail::req_string(s, where, "uuid"));
  if (auto it = s.find("state"); it != s.end() && !it->is_null()) {
    auto n = detail::as_int(*it);
    if (n && it->is_number())
      out.state = repo_snapshot_state_from_int(*n);
    else if (it->is_string())
      out.state = repo_snapshot_state_from_text(it->get<std::string>());
    if (!out.state) return field_error(where, "state", "is not a snapshot state (0-4)");
  }
  if (auto it = s.find("version"); it != s.end() && !it->is_null())
    ESSNAP_TRY_STATUS(read_version(*it, where, "version", out.version, out.version_id));
  ESSNAP_TRY(out.index_version, detail::opt_int(s, where, "index_version"));
  ESSNAP_TRY(out.start_time_millis, detail::opt_int(s, where, "start_time_millis"));
  ESSNAP_TRY(out.end_time_millis, detail::opt_int(s, where, "end_time_millis"));
  ESSNAP_TRY(out.slm_policy, detail::opt_string(s, where, "slm_policy"));
  if (auto it = s.find("index_metadata_lookup"); it != s.end() && !it->is_null()) {
    if (!it->is_object()) return field_error(where, "index_metadata_lookup", "is not an object");
    for (const auto& [k, v] : it->items()) {
      if (!v.is_string())
        return field_error(where, "index_metadata_lookup." + k, "is not a string");
      out.index_metadata_lookup[k] = v.get<std::string>();
    }
  }
  return out;
}

Result<ShardGen> parse_shard_gen(const json& g, const std::string& where) {
  ShardGen out;
  if (g.is_null()) return out;
  if (g.is_number_integer()) {  // pre-7.6 style numeric generation: unusable, list the shard
                                // instead
    out.kind = ShardGen::Kind::kNumeric;
    out.value = g.dump();
    return out;
  }
  if (!g.is_string()) return Error(ErrorCode::kParse, where + " is neither a string nor null");
  out.value = g.get<std::string>();
  if (out.value == "_new")
    out.kind = ShardGen::Kind::kNew;
  else if (out.value == "_deleted")
    out.kind = ShardGen::Kind::kDeleted;
  else if (!out.value.empty() && out.value.find_first_not_of("0123456789") == std::string::npos)
    out.kind = ShardGen::Kind::kNumeric;
  else if (out.value.empty())
    return Error(ErrorCode::kParse, where + " is an empty string");
  else
    out.kind = ShardGen::Kind::kValue;
  return out;
}

Result<RepoIndex> parse_index(const std::string& name, const json& v,
                              const std::set<std::string>& uuids) {
  const std::string where = std::string(kWhere) + " indices." + name;
  if (!v.is_object()) return Error(ErrorCode::kParse, where + " is not an object");
  RepoIndex out;
  out.name = name;
  ESSNAP_TRY(out.id, detail::req_string(v, where, "id"));
  if (auto it = v.find("snapshots"); it != v.end() && !it->is_null()) {
    if (!it->is_array()) return field_error(where, "snapshots", "is not an array");
    for (std::size_t i = 0; i < it->size(); ++i) {
      const json& e = (*it)[i];
      std::string uuid;
      if (e.is_string())
        uuid = e.get<std::string>();
      else if (e.is_object() && e.contains("uuid") && e["uuid"].is_string())
        uuid = e["uuid"].get<std::string>();  // < 5.4.1
      else
        return field_error(where, "snapshots[" + std::to_string(i) + "]",
                           "is neither a uuid nor {name, uuid}");
      if (!uuids.count(uuid))
        return Error(ErrorCode::kParse, where + " references an unknown snapshot uuid [" + uuid +
                                            "]: the repository is corrupted");
      out.snapshots.push_back(std::move(uuid));
    }
  }
  if (auto it = v.find("shard_generations"); it != v.end() && !it->is_null()) {
    if (!it->is_array()) return field_error(where, "shard_generations", "is not an array");
    out.has_shard_generations = true;
    for (std::size_t i = 0; i < it->size(); ++i) {
      ESSNAP_TRY(ShardGen g, parse_shard_gen((*it)[i], where + ".shard_generations[" +
                                                           std::to_string(i) + "]"));
      out.shard_generations.push_back(std::move(g));
    }
  }
  ESSNAP_TRY(out.shard_path_type, detail::opt_int(v, where, "shard_path_type"));
  return out;
}

}  // namespace

Result<RepositoryData> parse_repository_data(std::span<const std::uint8_t> bytes) {
  json doc = json::parse(bytes.begin(), bytes.end(), nullptr, false);
  if (doc.is_discarded())
    return Error(ErrorCode::kParse, std::string(kWhere) + " is not valid JSON");
  if (!doc.is_object())
    return Error(ErrorCode::kParse, std::string(kWhere) + " is not a JSON object");
  RepositoryData out;
  std::set<std::string> uuids;
  if (auto it = doc.find("snapshots"); it != doc.end() && !it->is_null()) {
    if (!it->is_array()) return field_error(kWhere, "snapshots", "is not an array");
    for (std::size_t i = 0; i < it->size(); ++i) {
      ESSNAP_TRY(RepoSnapshot s, parse_snapshot((*it)[i], i));
      uuids.insert(s.uuid);
      out.snapshots.push_back(std::move(s));
    }
  }
  if (auto it = doc.find("indices"); it != doc.end() && !it->is_null()) {
    if (!it->is_object()) return field_error(kWhere, "indices", "is not an object");
    for (const auto& [name, v] : it->items()) {
      ESSNAP_TRY(RepoIndex idx, parse_index(name, v, uuids));
      out.indices.push_back(std::move(idx));
    }
  }
  if (auto it = doc.find("index_metadata_identifiers"); it != doc.end() && !it->is_null()) {
    if (!it->is_object())
      return field_error(kWhere, "index_metadata_identifiers", "is not an object");
    for (const auto& [k, v] : it->items()) {
      if (!v.is_string())
        return field_error(kWhere, "index_metadata_identifiers." + k, "is not a string");
      out.index_metadata_identifiers[k] = v.get<std::string>();
    }
  }
  if (auto it = doc.find("min_version"); it != doc.end() && !it->is_null()) {
    std::string text;
    std::optional<std::int64_t> id;
    ESSNAP_TRY_STATUS(read_version(*it, kWhere, "min_version", text, id));
    out.min_version = text;
  }
  ESSNAP_TRY(out.uuid, detail::opt_string(doc, kWhere, "uuid"));
  ESSNAP_TRY(out.cluster_id, detail::opt_string(doc, kWhere, "cluster_id"));
  return out;
}

Result<std::uint64_t> parse_index_latest(std::span<const std::uint8_t> b) {
  if (b.size() != 8)
    return Error(ErrorCode::kParse,
                 "index.latest: " + std::to_string(b.size()) + " bytes, expected 8");
  std::uint64_t v = 0;
  for (auto c : b) v = (v << 8) | c;
  if (v > static_cast<std::uint64_t>(INT64_MAX))
    return Error(ErrorCode::kParse, "index.latest: negative generation");
  return v;
}

std::optional<std::uint64_t> root_generation_from_name(std::string_view name) {
  constexpr std::string_view prefix = "index-";
  if (name.substr(0, prefix.size()) != prefix) return std::nullopt;
  const std::string_view digits = name.substr(prefix.size());
  if (digits.empty() || digits.size() > 19) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');  // 19 digits < 2^64: no wrap
  }
  if (v > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
  return v;
}

bool is_out_of_range_generation(std::string_view name) {
  constexpr std::string_view prefix = "index-";
  if (name.substr(0, prefix.size()) != prefix) return false;
  const std::string_view digits = name.substr(prefix.size());
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos)
    return false;
  return !root_generation_from_name(name);
}

}  // namespace essnap::format
