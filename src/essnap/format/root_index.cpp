#include "essnap/format/root_index.hpp"

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>

#include "essnap/format/json_fields.hpp"

namespace essnap::format {

using detail::field_error;
// Ordered, so the writer can put every key back where it was read.
using ojson = nlohmann::ordered_json;

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
constexpr int kMaxRootDepth = 64;

// The keys each object's parser models; everything else is kept in `extra`.
const std::vector<std::string_view> kRootFields = {
    "min_version", "uuid", "cluster_id", "snapshots", "indices", "index_metadata_identifiers"};
const std::vector<std::string_view> kSnapshotFields = {"name",
                                                       "uuid",
                                                       "state",
                                                       "index_metadata_lookup",
                                                       "version",
                                                       "index_version",
                                                       "start_time_millis",
                                                       "end_time_millis",
                                                       "slm_policy"};
const std::vector<std::string_view> kIndexFields = {"id", "shard_path_type", "snapshots",
                                                    "shard_generations"};

bool is_one_of(std::string_view k, const std::vector<std::string_view>& keys) {
  return std::find(keys.begin(), keys.end(), k) != keys.end();
}

// Records the object's key order and the fields outside `known`.
void keep_layout(const ojson& obj, const std::vector<std::string_view>& known,
                 std::vector<std::string>& order, nlohmann::ordered_json& extra) {
  for (const auto& [k, v] : obj.items()) {
    order.push_back(k);
    if (!is_one_of(k, known)) extra[k] = v;
  }
}

// "version" / "min_version": a version string before 8.9/8.10, an int id after.
Status read_version(const ojson& v, const std::string& where, const char* field, std::string& text,
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

Result<RepoSnapshot> parse_snapshot(const ojson& s, std::size_t i) {
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
      out.index_metadata_lookup_order.push_back(k);
    }
  }
  keep_layout(s, kSnapshotFields, out.field_order, out.extra);
  return out;
}

Result<ShardGen> parse_shard_gen(const ojson& g, const std::string& where) {
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

Result<RepoIndex> parse_index(const std::string& name, const ojson& v,
                              const std::set<std::string>& uuids) {
  const std::string where = std::string(kWhere) + " indices." + name;
  if (!v.is_object()) return Error(ErrorCode::kParse, where + " is not an object");
  RepoIndex out;
  out.name = name;
  ESSNAP_TRY(out.id, detail::req_string(v, where, "id"));
  if (auto it = v.find("snapshots"); it != v.end() && !it->is_null()) {
    if (!it->is_array()) return field_error(where, "snapshots", "is not an array");
    for (std::size_t i = 0; i < it->size(); ++i) {
      const ojson& e = (*it)[i];
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
  keep_layout(v, kIndexFields, out.field_order, out.extra);
  return out;
}

}  // namespace

Result<RepositoryData> parse_repository_data(std::span<const std::uint8_t> bytes) {
  // Unknown fields are kept (and copied, and written back, recursively), so nesting is bounded:
  // a root nests 4 levels; anything past kMaxRootDepth is dropped while parsing and refused.
  bool too_deep = false;
  const ojson::parser_callback_t depth_guard = [&too_deep](int depth, ojson::parse_event_t ev,
                                                           ojson&) {
    if ((ev == ojson::parse_event_t::object_start || ev == ojson::parse_event_t::array_start) &&
        depth > kMaxRootDepth) {
      too_deep = true;
      return false;
    }
    return true;
  };
  ojson doc = ojson::parse(bytes.begin(), bytes.end(), depth_guard, false);
  if (doc.is_discarded())
    return Error(ErrorCode::kParse, std::string(kWhere) + " is not valid JSON");
  if (!doc.is_object())
    return Error(ErrorCode::kParse, std::string(kWhere) + " is not a JSON object");
  if (too_deep)
    return Error(ErrorCode::kParse, std::string(kWhere) + " nests deeper than " +
                                        std::to_string(kMaxRootDepth) + " levels");
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
      out.index_metadata_identifiers_order.push_back(k);
    }
  }
  if (auto it = doc.find("min_version"); it != doc.end() && !it->is_null()) {
    std::string text;
    std::optional<std::int64_t> id;
    ESSNAP_TRY_STATUS(read_version(*it, kWhere, "min_version", text, id));
    out.min_version = text;
    out.min_version_id = id;
  }
  ESSNAP_TRY(out.uuid, detail::opt_string(doc, kWhere, "uuid"));
  ESSNAP_TRY(out.cluster_id, detail::opt_string(doc, kWhere, "cluster_id"));
  keep_layout(doc, kRootFields, out.field_order, out.extra);
  out.layout_read = true;
  return out;
}

namespace {

// How a known field comes to be written: its key was in the object read (kListed: an empty map or
// list is written as read), the object was built in code (kFresh: the engine's full layout), or
// the key was not in the object read (kAdded: only a value the model really holds, so parse ->
// write -> parse adds no key).
enum class Emit { kListed, kFresh, kAdded };
// The value of a known field; nullopt = nothing to write (null when kListed).
using Getter = std::function<std::optional<ojson>(std::string_view key, Emit how)>;

// Keys in the order read (known ones from the model, unknown ones from extra), then known fields
// the order lacks in `canonical` order, then extra fields the order lacks.
ojson emit_object(const std::vector<std::string>& order, bool layout_read,
                  const std::vector<std::string_view>& known,
                  const std::vector<std::string_view>& canonical, const ojson& extra,
                  const Getter& get) {
  ojson o = ojson::object();
  for (const auto& k : order) {
    if (o.contains(k)) continue;
    if (is_one_of(k, known)) {
      auto v = get(k, Emit::kListed);
      o[k] = v ? std::move(*v) : ojson(nullptr);
    } else if (auto it = extra.find(k); it != extra.end()) {
      o[k] = *it;
    }
  }
  const Emit how = (order.empty() && !layout_read) ? Emit::kFresh : Emit::kAdded;
  for (std::string_view k : canonical) {
    const std::string key(k);
    if (o.contains(key)) continue;
    if (auto v = get(k, how)) o[key] = std::move(*v);
  }
  for (const auto& [k, v] : extra.items())
    if (!o.contains(k)) o[k] = v;
  return o;
}

ojson ordered_map(const std::map<std::string, std::string>& m,
                  const std::vector<std::string>& order) {
  ojson o = ojson::object();
  for (const auto& k : order)
    if (auto it = m.find(k); it != m.end()) o[k] = it->second;
  for (const auto& [k, v] : m)
    if (!o.contains(k)) o[k] = v;
  return o;
}

ojson snapshot_json(const RepoSnapshot& s) {
  return emit_object(s.field_order, false, kSnapshotFields, kSnapshotFields, s.extra,
                     [&](std::string_view k, Emit how) -> std::optional<ojson> {
                       if (k == "name") return ojson(s.name);
                       if (k == "uuid") return ojson(s.uuid);
                       if (k == "state") {
                         if (!s.state) return std::nullopt;
                         return ojson(static_cast<int>(*s.state));
                       }
                       if (k == "index_metadata_lookup") {
                         if (how != Emit::kListed && s.index_metadata_lookup.empty())
                           return std::nullopt;
                         return ordered_map(s.index_metadata_lookup, s.index_metadata_lookup_order);
                       }
                       if (k == "version") {
                         if (s.version_id) return ojson(*s.version_id);
                         if (s.version.empty()) return std::nullopt;
                         return ojson(s.version);
                       }
                       if (k == "index_version") {
                         if (!s.index_version) return std::nullopt;
                         return ojson(*s.index_version);
                       }
                       if (k == "start_time_millis") {
                         if (!s.start_time_millis) return std::nullopt;
                         return ojson(*s.start_time_millis);
                       }
                       if (k == "end_time_millis") {
                         if (!s.end_time_millis) return std::nullopt;
                         return ojson(*s.end_time_millis);
                       }
                       if (k == "slm_policy") {
                         if (!s.slm_policy) return std::nullopt;
                         return ojson(*s.slm_policy);
                       }
                       return std::nullopt;
                     });
}

ojson shard_gen_json(const ShardGen& g) {
  if (g.kind == ShardGen::Kind::kNull) return ojson(nullptr);
  // A numeric generation read from a JSON integer that is not all digits ("-1") stays a number,
  // so it reads back as the same kNumeric; everything else is written as the text it was.
  if (g.kind == ShardGen::Kind::kNumeric &&
      g.value.find_first_not_of("0123456789") != std::string::npos) {
    ojson n = ojson::parse(g.value, nullptr, false);
    if (n.is_number_integer()) return n;
  }
  return ojson(g.value);
}

ojson index_json(const RepoIndex& i) {
  return emit_object(i.field_order, false, kIndexFields, kIndexFields, i.extra,
                     [&](std::string_view k, Emit how) -> std::optional<ojson> {
                       if (k == "id") return ojson(i.id);
                       if (k == "shard_path_type") {
                         if (!i.shard_path_type) return std::nullopt;
                         return ojson(*i.shard_path_type);
                       }
                       if (k == "snapshots") {
                         if (how == Emit::kAdded && i.snapshots.empty()) return std::nullopt;
                         ojson a = ojson::array();
                         for (const auto& u : i.snapshots) a.push_back(u);
                         return a;
                       }
                       if (k == "shard_generations") {
                         if (!i.has_shard_generations) return std::nullopt;
                         ojson a = ojson::array();
                         for (const auto& g : i.shard_generations) a.push_back(shard_gen_json(g));
                         return a;
                       }
                       return std::nullopt;
                     });
}

}  // namespace

std::string write_repository_data(const RepositoryData& d) {
  // Elasticsearch 7.12+ writes min_version, uuid and cluster_id first; older writers and
  // OpenSearch put min_version after the indices.
  static const std::vector<std::string_view> kModern = {
      "min_version", "uuid", "cluster_id", "snapshots", "indices", "index_metadata_identifiers"};
  static const std::vector<std::string_view> kLegacy = {"snapshots", "indices", "min_version",
                                                        "index_metadata_identifiers"};
  const bool modern = d.uuid.has_value() || d.cluster_id.has_value();
  ojson root = emit_object(d.field_order, d.layout_read, kRootFields, modern ? kModern : kLegacy,
                           d.extra, [&](std::string_view k, Emit how) -> std::optional<ojson> {
                             if (k == "snapshots") {
                               if (how == Emit::kAdded && d.snapshots.empty()) return std::nullopt;
                               ojson a = ojson::array();
                               for (const auto& s : d.snapshots) a.push_back(snapshot_json(s));
                               return a;
                             }
                             if (k == "indices") {
                               if (how == Emit::kAdded && d.indices.empty()) return std::nullopt;
                               ojson o = ojson::object();
                               for (const auto& i : d.indices) o[i.name] = index_json(i);
                               return o;
                             }
                             if (k == "min_version") {
                               if (d.min_version_id) return ojson(*d.min_version_id);
                               if (!d.min_version) return std::nullopt;
                               return ojson(*d.min_version);
                             }
                             if (k == "uuid") {
                               if (!d.uuid) return std::nullopt;
                               return ojson(*d.uuid);
                             }
                             if (k == "cluster_id") {
                               if (!d.cluster_id) return std::nullopt;
                               return ojson(*d.cluster_id);
                             }
                             if (k == "index_metadata_identifiers") {
                               if (how != Emit::kListed && d.index_metadata_identifiers.empty())
                                 return std::nullopt;
                               return ordered_map(d.index_metadata_identifiers,
                                                  d.index_metadata_identifiers_order);
                             }
                             return std::nullopt;
                           });
  return root.dump(-1, ' ', false, ojson::error_handler_t::replace);
}

std::string write_index_latest(std::uint64_t generation) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(generation >> (8 * (7 - i)));
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
