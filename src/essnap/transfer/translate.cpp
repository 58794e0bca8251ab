#include "essnap/transfer/translate.hpp"

#include <array>
#include <string_view>

namespace essnap::transfer {
namespace {

void flatten_into(const nlohmann::json& j, const std::string& prefix, nlohmann::json& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it)
      flatten_into(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), out);
  } else if (!prefix.empty()) {
    out[prefix] = j;
  }
}

bool has_prefix(std::string_view key, std::string_view prefix) {
  return key == prefix || (key.size() > prefix.size() && key.substr(0, prefix.size()) == prefix &&
                           key[prefix.size()] == '.');
}

// Settings that describe how this copy of the index came to be, not what it is.
constexpr std::array<std::string_view, 14> kCreationOnly = {
    "index.uuid",           "index.creation_date",        "index.creation_date_string",
    "index.version",        "index.provided_name",        "index.history.uuid",
    "index.resize",         "index.shrink",               "index.routing.allocation.initial_recovery",
    "index.verified_before_close", "index.store.snapshot", "index.frozen",
    "index.downsample",     "index.rollup"};

struct Rule {
  std::string_view prefix;
  std::string_view why;
};

// Removed for every target: they refer to things of the source cluster, or would change the
// documents a second time.
constexpr std::array<Rule, 7> kAlwaysRemoved = {{
    {"index.blocks", "a write block would refuse the import"},
    {"index.default_pipeline", "the documents were processed by it already"},
    {"index.final_pipeline", "the documents were processed by it already"},
    {"index.lifecycle", "lifecycle policies belong to the source cluster"},
    {"index.plugins.index_state_management", "ISM policies belong to the source cluster"},
    {"index.opendistro.index_state_management", "ISM policies belong to the source cluster"},
    {"index.routing.allocation.require", "node attributes belong to the source cluster"},
}};

// Elasticsearch-only settings an OpenSearch target refuses.
constexpr std::array<Rule, 4> kNotOnOpenSearch = {{
    {"index.routing.allocation.include._tier_preference", "OpenSearch has no data tiers"},
    {"index.mapping.synthetic_source_keep", "OpenSearch has no synthetic _source"},
    {"index.mode", "OpenSearch has no index modes"},
    {"index.time_series", "OpenSearch has no time series indices"},
}};

// OpenSearch-only settings an Elasticsearch target refuses.
constexpr std::array<Rule, 5> kNotOnElasticsearch = {{
    {"index.plugins", "an OpenSearch plugin setting"},
    {"index.opendistro", "an OpenSearch plugin setting"},
    {"index.replication.type", "OpenSearch segment replication"},
    {"index.knn", "the OpenSearch k-NN plugin"},
    {"index.remote_store", "OpenSearch remote-backed storage"},
}};

// Top-level words of a mapping; a mappings object whose only key is none of them is a mapping
// type (6.x and before: {"_doc": {"properties": ...}}).
bool is_mapping_word(const std::string& k) {
  static constexpr std::array<std::string_view, 14> words = {
      "properties", "dynamic", "_source", "_routing", "_meta", "dynamic_templates",
      "date_detection", "numeric_detection", "dynamic_date_formats", "runtime", "enabled",
      "_field_names", "_all", "_data_stream_timestamp"};
  for (auto w : words)
    if (k == w) return true;
  return false;
}

template <std::size_t N>
void remove_rules(nlohmann::json& settings, const std::array<Rule, N>& rules,
                  std::vector<std::string>& changes) {
  for (auto it = settings.begin(); it != settings.end();) {
    const Rule* hit = nullptr;
    for (const auto& r : rules)
      if (has_prefix(it.key(), r.prefix)) hit = &r;
    if (hit) {
      changes.push_back("removed setting " + it.key() + ": " + std::string(hit->why));
      it = settings.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace

nlohmann::json flatten_settings(const nlohmann::json& nested) {
  nlohmann::json out = nlohmann::json::object();
  flatten_into(nested, "", out);
  return out;
}

nlohmann::json export_settings(const nlohmann::json& nested_settings) {
  nlohmann::json flat = flatten_settings(nested_settings);
  for (auto it = flat.begin(); it != flat.end();) {
    bool creation = false;
    for (auto p : kCreationOnly) creation = creation || has_prefix(it.key(), p);
    if (creation) it = flat.erase(it);
    else ++it;
  }
  return flat;
}

Translation translate_index(const nlohmann::json& meta, const EngineVersion& source,
                            const EngineVersion& target) {
  Translation t;
  nlohmann::json settings = meta.contains("settings") && meta["settings"].is_object()
                                ? flatten_settings(meta["settings"])
                                : nlohmann::json::object();
  // An export written by another tool may still carry them.
  for (auto it = settings.begin(); it != settings.end();) {
    bool creation = false;
    for (auto p : kCreationOnly) creation = creation || has_prefix(it.key(), p);
    if (creation) {
      t.changes.push_back("removed setting " + it.key() + ": it describes the source index's creation");
      it = settings.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = settings.begin(); it != settings.end();) {
    if (has_prefix(it.key(), "archived")) {
      t.changes.push_back("removed setting " + it.key() + ": archived (unknown to the source itself)");
      it = settings.erase(it);
    } else {
      ++it;
    }
  }
  remove_rules(settings, kAlwaysRemoved, t.changes);
  if (target.distribution == cluster::Distribution::kOpenSearch) remove_rules(settings, kNotOnOpenSearch, t.changes);
  if (target.distribution == cluster::Distribution::kElasticsearch)
    remove_rules(settings, kNotOnElasticsearch, t.changes);

  nlohmann::json mappings = meta.contains("mappings") && meta["mappings"].is_object()
                                ? meta["mappings"]
                                : nlohmann::json::object();
  if (mappings.size() == 1 && !is_mapping_word(mappings.begin().key()) &&
      mappings.begin().value().is_object()) {
    const std::string type = mappings.begin().key();
    nlohmann::json inner = mappings.begin().value();
    mappings = inner;
    t.changes.push_back("removed mapping type " + type + ": indices have one type since 7.0");
  }
  if (mappings.contains("_all")) {
    mappings.erase("_all");
    t.changes.push_back("removed mapping _all: removed from the engines in 7.0");
  }
  if (target.distribution == cluster::Distribution::kOpenSearch && mappings.contains("_data_stream_timestamp")) {
    mappings.erase("_data_stream_timestamp");
    t.changes.push_back("removed mapping _data_stream_timestamp: an Elasticsearch data stream field");
  }
  (void)source;

  t.body = {{"settings", settings}, {"mappings", mappings}};
  if (meta.contains("aliases") && meta["aliases"].is_object() && !meta["aliases"].empty())
    t.body["aliases"] = meta["aliases"];
  return t;
}

std::optional<std::string> refused_setting(const Error& error) {
  if (!error.remote) return std::nullopt;
  const std::string& reason = error.remote->reason.empty() ? error.message : error.remote->reason;
  for (std::string_view marker : {"unknown setting [", "setting [", "Setting ["}) {
    const auto at = reason.find(marker);
    if (at == std::string::npos) continue;
    const auto start = at + marker.size();
    const auto end = reason.find(']', start);
    if (end == std::string::npos || end == start) continue;
    std::string name = reason.substr(start, end - start);
    if (name.rfind("index.", 0) != 0) name = "index." + name;
    return name;
  }
  return std::nullopt;
}

}  // namespace essnap::transfer
