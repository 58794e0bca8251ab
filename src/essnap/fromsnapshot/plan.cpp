#include "essnap/fromsnapshot/plan.hpp"

#include <algorithm>
#include <charconv>
#include <map>

#include "essnap/format/snapshot_info.hpp"
#include "essnap/transfer/translate.hpp"

namespace essnap::fromsnapshot {
namespace {

// OpenSearch version ids are Elasticsearch-shaped ids with this bit set (Version.MASK).
constexpr std::int64_t kOpenSearchMask = 0x08000000;
// OpenSearch 3.0.0: the first whose k-NN indices derive vectors by default.
constexpr std::int64_t kOpenSearch3 = 3000099 | kOpenSearchMask;
// Elasticsearch's IndexVersions.EXCLUDE_SOURCE_VECTORS_DEFAULT (the 9.2 line; 9.2.0 creates
// 9_039_0_01): indices created from it leave vectors out of _source unless told otherwise.
constexpr std::int64_t kExcludeSourceVectorsDefault = 9035000;

Result<int> parse_int(std::string_view s, int lo, int hi) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty() || v < lo || v > hi)
    return Error(ErrorCode::kInvalidArgument, "not a number");
  return v;
}

std::string setting(const nlohmann::json& flat, const std::string& key) {
  auto it = flat.find(key);
  if (it == flat.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_boolean()) return it->get<bool>() ? "true" : "false";
  return it->dump();
}

std::optional<std::int64_t> created_version(const nlohmann::json& flat) {
  const std::string v = setting(flat, "index.version.created");
  std::int64_t id = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), id);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size()) return std::nullopt;
  return id;
}

// The field paths of `mappings` whose type is one of `types` ("a.b", in mapping order).
void fields_of_type(const nlohmann::json& props, const std::string& prefix,
                    const std::vector<std::string>& types, std::vector<std::string>& out) {
  if (!props.is_object()) return;
  for (const auto& [name, field] : props.items()) {
    if (!field.is_object()) continue;
    const std::string path = prefix.empty() ? name : prefix + "." + name;
    if (field.contains("type") && field["type"].is_string() &&
        std::find(types.begin(), types.end(), field["type"].get<std::string>()) != types.end())
      out.push_back(path);
    if (field.contains("properties")) fields_of_type(field["properties"], path, types, out);
  }
}

Error refuse(const IndexDefinition& d, const std::string& why) {
  return Error(ErrorCode::kConflict,
               "index " + d.name + " stores no complete _source in the snapshot (" + why +
                   "): its documents cannot be exported from it",
               "leave it out (-i '*,-" + d.name +
                   "'), or restore it to a cluster and use 'essnap export' there");
}

}  // namespace

Result<Share> parse_share(std::string_view text) {
  const auto slash = text.find('/');
  const Error bad(
      ErrorCode::kInvalidArgument,
      "--shards must be i/N with 0 <= i < N <= 10000, e.g. 0/4 (got '" + std::string(text) + "')",
      "a Kubernetes Indexed Job passes --shards $(JOB_COMPLETION_INDEX)/N");
  if (slash == std::string_view::npos) return bad;
  auto i = parse_int(text.substr(0, slash), 0, 9999);
  auto n = parse_int(text.substr(slash + 1), 1, 10000);
  if (!i.ok() || !n.ok() || *i >= *n) return bad;
  return Share{*i, *n};
}

std::string state_file(const std::optional<Share>& share) {
  if (!share) return transfer::kExportStateFile;
  return "export-state-" + std::to_string(share->index) + "-of-" + std::to_string(share->count) +
         ".json";
}

std::vector<ShardUnit> all_units(std::vector<std::pair<std::string, int>> indices) {
  std::sort(indices.begin(), indices.end());
  std::vector<ShardUnit> out;
  for (const auto& [name, shards] : indices)
    for (int s = 0; s < shards; ++s) out.push_back({name, s});
  return out;
}

std::vector<ShardUnit> share_units(const std::vector<ShardUnit>& all, const Share& s) {
  std::vector<ShardUnit> out;
  for (std::size_t p = 0; p < all.size(); ++p)
    if (static_cast<int>(p % static_cast<std::size_t>(s.count)) == s.index) out.push_back(all[p]);
  return out;
}

nlohmann::json IndexDefinition::index_json() const {
  return {{"settings", transfer::export_settings(settings)},
          {"mappings", mappings},
          {"aliases", aliases}};
}

Result<IndexDefinition> definition_from_metadata(const nlohmann::json& doc, std::string_view what) {
  auto bad = [&](const std::string& why) {
    return Error(ErrorCode::kParse, std::string(what) + ": " + why);
  };
  ESSNAP_TRY(format::IndexMetadataInfo info, format::parse_index_metadata(doc));
  IndexDefinition d;
  d.name = info.name;
  d.uuid = info.uuid;
  if (info.number_of_shards < 1 || info.number_of_shards > 100000)
    return bad("number_of_shards out of range");
  d.shards = static_cast<int>(info.number_of_shards);
  const nlohmann::json* body = &doc;
  if (doc.is_object() && doc.size() == 1 && doc.begin().value().is_object())
    body = &doc.begin().value();
  d.settings = body->contains("settings") && (*body)["settings"].is_object()
                   ? transfer::flatten_settings((*body)["settings"])
                   : nlohmann::json::object();
  d.mappings = nlohmann::json::object();
  if (body->contains("mappings")) {
    const nlohmann::json& m = (*body)["mappings"];
    // The snapshot form: an array of {"<type>": mapping} (the engines' CONTEXT_MODE_SNAPSHOT);
    // the API form is already the mapping.
    const nlohmann::json* one = nullptr;
    if (m.is_array()) {
      if (m.size() > 1) return bad("more than one mapping type");
      if (!m.empty()) one = &m[0];
    } else if (m.is_object()) {
      one = &m;
    } else if (!m.is_null()) {
      return bad("'mappings' is neither a list nor an object");
    }
    if (one) {
      if (!one->is_object())
        return bad("its mapping is stored compressed (binary), which is not read");
      if (one->size() == 1 && one->begin().value().is_object() && !one->contains("properties") &&
          !one->contains("_source"))
        d.mappings = one->begin().value();
      else
        d.mappings = *one;
    }
  }
  d.aliases = body->contains("aliases") && (*body)["aliases"].is_object()
                  ? (*body)["aliases"]
                  : nlohmann::json::object();
  return d;
}

Status check_source_stored(const IndexDefinition& d) {
  const nlohmann::json& m = d.mappings;
  const nlohmann::json src =
      m.contains("_source") && m["_source"].is_object() ? m["_source"] : nlohmann::json::object();
  if (src.contains("enabled") && (src["enabled"] == false || src["enabled"] == "false"))
    return refuse(d, "_source.enabled: false");
  if (src.contains("mode") && src["mode"] == "synthetic")
    return refuse(d, "_source.mode: synthetic");
  const std::string mode = setting(d.settings, "index.mapping.source.mode");
  if (mode == "synthetic") return refuse(d, "index.mapping.source.mode: synthetic");
  const std::string index_mode = setting(d.settings, "index.mode");
  if ((index_mode == "logsdb" || index_mode == "time_series") && mode != "stored" &&
      !(src.contains("mode") && src["mode"] == "stored"))
    return refuse(d, "index.mode: " + index_mode + ", whose source is synthetic by default");

  const auto created = created_version(d.settings);
  const bool opensearch = created && (*created & kOpenSearchMask) != 0;
  const nlohmann::json props = m.contains("properties") ? m["properties"] : nlohmann::json();
  if (!opensearch) {
    std::vector<std::string> vectors;
    fields_of_type(props, "", {"dense_vector", "sparse_vector", "rank_vectors"}, vectors);
    const std::string ex = setting(d.settings, "index.mapping.exclude_source_vectors");
    const bool excluded =
        ex == "true" || (ex.empty() && created && *created >= kExcludeSourceVectorsDefault);
    if (excluded && !vectors.empty())
      return refuse(
          d, "index.mapping.exclude_source_vectors" +
                 std::string(ex.empty() ? " (its default on indices of 9.2 and later)" : ": true") +
                 " leaves vector field " + vectors.front() + " out of _source");
  } else {
    std::vector<std::string> vectors;
    fields_of_type(props, "", {"knn_vector"}, vectors);
    const std::string derived = setting(d.settings, "index.knn.derived_source.enabled");
    const bool knn = setting(d.settings, "index.knn") == "true";
    const bool is_derived =
        derived == "true" || (derived.empty() && knn && created && *created >= kOpenSearch3);
    if (is_derived && !vectors.empty())
      return refuse(d, "k-NN derived source (index.knn.derived_source.enabled" +
                           std::string(derived.empty() ? ", the default of k-NN indices of 3.0 "
                                                         "and later"
                                                       : ": true") +
                           ") leaves knn_vector field " + vectors.front() + " out of _source");
  }
  return ok_status();
}

std::string state_text(const ShareState& s) {
  nlohmann::json j = transfer::to_json(s.manifest, transfer::ManifestKind::kState);
  j["from_snapshot"] = {{"snapshot", s.snapshot},
                        {"snapshot_uuid", s.snapshot_uuid},
                        {"share", s.share},
                        {"shares", s.shares},
                        {"done", s.done}};
  return j.dump(1);
}

Result<ShareState> parse_state(std::string_view text, std::string_view what) {
  ShareState s;
  ESSNAP_TRY(s.manifest, transfer::parse_manifest(text, what, transfer::ManifestKind::kState));
  auto j = nlohmann::json::parse(text, nullptr, false);
  auto bad = [&](const std::string& why) {
    return Error(ErrorCode::kParse, std::string(what) + ": " + why);
  };
  if (j.is_discarded() || !j.contains("from_snapshot") || !j["from_snapshot"].is_object())
    return bad("not the checkpoint of an export --from-snapshot ('from_snapshot' is missing)");
  const auto& f = j["from_snapshot"];
  if (!f.contains("snapshot") || !f["snapshot"].is_string() || !f.contains("snapshot_uuid") ||
      !f["snapshot_uuid"].is_string() || !f.contains("share") || !f["share"].is_number_integer() ||
      !f.contains("shares") || !f["shares"].is_number_integer() || !f.contains("done") ||
      !f["done"].is_boolean())
    return bad("'from_snapshot' is malformed");
  s.snapshot = f["snapshot"];
  s.snapshot_uuid = f["snapshot_uuid"];
  s.share = f["share"];
  s.shares = f["shares"];
  s.done = f["done"];
  if (s.shares < 1 || s.shares > 10000 || s.share < 0 || s.share >= s.shares)
    return bad("'from_snapshot' names share " + std::to_string(s.share) + " of " +
               std::to_string(s.shares));
  for (const auto& e : s.manifest.indices)
    if (static_cast<int>(e.slices_done.size()) != e.slices)
      return bad("index " + e.name + ": slices_done does not match slices");
  return s;
}

Result<transfer::Manifest> merge_states(const std::vector<ShareState>& states) {
  if (states.empty()) return Error(ErrorCode::kConflict, "no share state to merge");
  const ShareState& first = states.front();
  const int n = first.shares;
  std::vector<const ShareState*> by_share(static_cast<std::size_t>(n), nullptr);
  for (const auto& s : states) {
    auto conflict = [&](const std::string& what) {
      return Error(ErrorCode::kConflict, "share " + std::to_string(s.share) + " of " +
                                             std::to_string(s.shares) + " differs from share " +
                                             std::to_string(first.share) + ": " + what);
    };
    if (s.shares != n) return conflict("another number of shares");
    if (s.snapshot_uuid != first.snapshot_uuid) return conflict("another snapshot");
    const transfer::Manifest& a = first.manifest;
    const transfer::Manifest& b = s.manifest;
    if (a.source_engine != b.source_engine || a.source_version != b.source_version)
      return conflict("another source");
    if (a.compression != b.compression || a.chunk_docs != b.chunk_docs)
      return conflict("another --compress or --chunk-docs");
    if (a.patterns != b.patterns) return conflict("other --indices");
    if (a.indices.size() != b.indices.size()) return conflict("other indices");
    for (std::size_t i = 0; i < a.indices.size(); ++i)
      if (a.indices[i].name != b.indices[i].name || a.indices[i].slices != b.indices[i].slices)
        return conflict("other indices");
    if (by_share[static_cast<std::size_t>(s.share)]) return conflict("share listed twice");
    by_share[static_cast<std::size_t>(s.share)] = &s;
  }
  for (int k = 0; k < n; ++k) {
    const ShareState* s = by_share[static_cast<std::size_t>(k)];
    if (!s || !s->done)
      return Error(ErrorCode::kConflict,
                   "share " + std::to_string(k) + " of " + std::to_string(n) + " is not done");
  }

  transfer::Manifest m = first.manifest;
  m.patterns.clear();
  for (auto& e : m.indices) {
    e.chunks.clear();
    e.slices_done.clear();
  }
  std::vector<std::pair<std::string, int>> shards;
  for (const auto& e : first.manifest.indices) shards.push_back({e.name, e.slices});
  const auto units = all_units(shards);
  for (const ShareState* s : by_share) {
    m.chunk_bytes = std::max(m.chunk_bytes, s->manifest.chunk_bytes);
    if (!s->manifest.created.empty() && (m.created.empty() || s->manifest.created < m.created))
      m.created = s->manifest.created;
    // Each share contributes the chunks of its own units only.
    for (const ShardUnit& u : share_units(units, Share{s->share, n})) {
      const transfer::IndexEntry* from = s->manifest.find(u.index);
      transfer::IndexEntry* to = m.find(u.index);
      if (!from->slices_done[static_cast<std::size_t>(u.shard)])
        return Error(ErrorCode::kConflict, "share " + std::to_string(s->share) + " of " +
                                               std::to_string(n) + " did not finish " + u.index +
                                               " shard " + std::to_string(u.shard));
      const transfer::SlicePrefix p = transfer::completed_prefix(*from, u.shard);
      for (const auto& c : from->chunks)
        if (c.slice == u.shard && c.seq < p.chunks) to->chunks.push_back(c);
      if (!from->metadata_sha256.empty()) to->metadata_sha256 = from->metadata_sha256;
    }
  }
  for (auto& e : m.indices) {
    std::sort(e.chunks.begin(), e.chunks.end(),
              [](const transfer::ChunkEntry& a, const transfer::ChunkEntry& b) {
                return std::tie(a.slice, a.seq) < std::tie(b.slice, b.seq);
              });
    e.documents = 0;
    for (const auto& c : e.chunks) e.documents += c.documents;
    e.source_count = e.documents;  // a snapshot does not change: what was read is all there is
    if (e.metadata_sha256.empty())
      return Error(ErrorCode::kConflict, "no share wrote " + e.name + "'s index.json");
  }
  return m;
}

std::map<std::string, std::pair<std::string, std::string>> backing_indices(
    const nlohmann::json& meta, const std::vector<std::string>& streams,
    const std::vector<std::string>& index_names) {
  std::map<std::string, std::pair<std::string, std::string>> out;
  const nlohmann::json* ds = nullptr;
  if (meta.is_object() && meta.contains("meta-data") && meta["meta-data"].is_object()) {
    const auto& md = meta["meta-data"];
    if (md.contains("data_stream") && md["data_stream"].is_object() &&
        md["data_stream"].contains("data_stream") && md["data_stream"]["data_stream"].is_object())
      ds = &md["data_stream"]["data_stream"];
  }
  for (const auto& name : streams) {
    bool described = false;
    if (ds && ds->contains(name) && (*ds)[name].is_object()) {
      const auto& d = (*ds)[name];
      std::string ts = "@timestamp";
      if (d.contains("timestamp_field") && d["timestamp_field"].is_object() &&
          d["timestamp_field"].contains("name") && d["timestamp_field"]["name"].is_string())
        ts = d["timestamp_field"]["name"];
      if (d.contains("indices") && d["indices"].is_array())
        for (const auto& i : d["indices"])
          if (i.is_object() && i.contains("index_name") && i["index_name"].is_string()) {
            out[i["index_name"]] = {name, ts};
            described = true;
          }
    }
    if (described) continue;
    const std::string prefix = ".ds-" + name + "-";
    for (const auto& index : index_names)
      if (index.rfind(prefix, 0) == 0) {
        auto it = out.find(index);
        // The longest stream name wins: ".ds-a-b-…" belongs to "a-b" rather than "a".
        if (it == out.end() || it->second.first.size() < name.size())
          out[index] = {name, "@timestamp"};
      }
  }
  return out;
}

SourceEngine source_engine(std::optional<std::int64_t> id, std::string_view text) {
  SourceEngine out{"elasticsearch", ""};
  if (id && (*id & kOpenSearchMask) != 0) out.engine = "opensearch";
  if (id) out.version = format::version_id_to_string(*id);
  if (out.version.empty() && !text.empty() && std::count(text.begin(), text.end(), '.') == 2 &&
      std::all_of(text.begin(), text.end(),
                  [](char c) { return c == '.' || (c >= '0' && c <= '9'); }))
    out.version = std::string(text);
  if (out.version.empty() && id && *id >= 1000000)
    out.version = std::to_string(*id / 1000000) + ".0.0";
  return out;
}

}  // namespace essnap::fromsnapshot
