#include "essnap/transfer/translate.hpp"

#include <array>
#include <regex>
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
    "index.uuid",
    "index.creation_date",
    "index.creation_date_string",
    "index.version",
    "index.provided_name",
    "index.history.uuid",
    "index.resize",
    "index.shrink",
    "index.routing.allocation.initial_recovery",
    "index.verified_before_close",
    "index.store.snapshot",
    "index.frozen",
    "index.downsample",
    "index.rollup"};

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
  static constexpr std::array<std::string_view, 14> words = {"properties",
                                                             "dynamic",
                                                             "_source",
                                                             "_routing",
                                                             "_meta",
                                                             "dynamic_templates",
                                                             "date_detection",
                                                             "numeric_detection",
                                                             "dynamic_date_formats",
                                                             "runtime",
                                                             "enabled",
                                                             "_field_names",
                                                             "_all",
                                                             "_data_stream_timestamp"};
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
    if (creation)
      it = flat.erase(it);
    else
      ++it;
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
      t.changes.push_back("removed setting " + it.key() +
                          ": it describes the source index's creation");
      it = settings.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = settings.begin(); it != settings.end();) {
    if (has_prefix(it.key(), "archived")) {
      t.changes.push_back("removed setting " + it.key() +
                          ": archived (unknown to the source itself)");
      it = settings.erase(it);
    } else {
      ++it;
    }
  }
  remove_rules(settings, kAlwaysRemoved, t.changes);
  if (target.distribution == cluster::Distribution::kOpenSearch)
    remove_rules(settings, kNotOnOpenSearch, t.changes);
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
  if (target.distribution == cluster::Distribution::kOpenSearch &&
      mappings.contains("_data_stream_timestamp")) {
    mappings.erase("_data_stream_timestamp");
    t.changes.push_back(
        "removed mapping _data_stream_timestamp: an Elasticsearch data stream field");
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

namespace {

// Calls fn(container, name, path, multi) for every field below `node`: the "properties" of the
// root, objects and nested fields, and the "fields" of multi-fields. fn may erase the field.
template <class Fn>
void for_each_field(nlohmann::json& node, const std::string& prefix, Fn& fn) {
  for (const char* group : {"properties", "fields"}) {
    auto it = node.find(group);
    if (it == node.end() || !it->is_object()) continue;
    const bool multi = std::string_view(group) == "fields";
    std::vector<std::string> names;
    for (auto f = it->begin(); f != it->end(); ++f) names.push_back(f.key());
    for (const auto& name : names) {
      if (!(*it)[name].is_object()) continue;
      const std::string path = prefix.empty() ? name : prefix + "." + name;
      fn(*it, name, path, multi);
      if (it->contains(name) && (*it)[name].is_object()) for_each_field((*it)[name], path, fn);
    }
  }
}

std::string type_of(const nlohmann::json& field) {
  if (auto t = field.find("type"); t != field.end() && t->is_string()) return t->get<std::string>();
  return field.contains("properties") ? "object" : "";
}

// The nearest type the other engine (or an older version) has, with the parameters that carry
// over; nullopt when there is none.
std::optional<nlohmann::json> equivalent_field(const nlohmann::json& field) {
  const std::string t = type_of(field);
  nlohmann::json out;
  if (t == "flattened")
    out = {{"type", "flat_object"}};
  else if (t == "flat_object")
    out = {{"type", "flattened"}};
  else if (t == "dense_vector" && field.contains("dims"))
    out = {{"type", "knn_vector"}, {"dimension", field["dims"]}};
  else if (t == "knn_vector" && field.contains("dimension"))
    out = {{"type", "dense_vector"}, {"dims", field["dimension"]}};
  else if (t == "point")
    out = {{"type", "xy_point"}};
  else if (t == "xy_point")
    out = {{"type", "point"}};
  else if (t == "shape")
    out = {{"type", "xy_shape"}};
  else if (t == "xy_shape")
    out = {{"type", "shape"}};
  else if (t == "match_only_text" || t == "semantic_text")
    out = {{"type", "text"}};
  else if (t == "wildcard" || t == "constant_keyword" || t == "version" || t == "counted_keyword")
    out = {{"type", "keyword"}};
  else if (t == "unsigned_long")
    out = {{"type", "long"}};
  else
    return std::nullopt;
  for (const char* carried : {"fields", "copy_to"})
    if (field.contains(carried) && (out["type"] == "text" || out["type"] == "keyword"))
      out[carried] = field[carried];
  return out;
}

std::string note_for(const std::string& from, const nlohmann::json& to) {
  const std::string t = to["type"].get<std::string>();
  if (from == "unsigned_long")
    return " (values above 2^63-1 are rejected and listed in the errors file)";
  if (from == "constant_keyword")
    return " (documents without the field no longer match its constant value)";
  if (t == "keyword" || t == "text") return " (searched as " + t + ")";
  return "";
}

std::vector<std::string> bracketed_keys(const std::string& list) {
  // "[runtime : {r={type=keyword}}] [x : 1]": the name before each " : ".
  static const std::regex key(R"(\[([^\[\]\s:]+) : )");
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(list.begin(), list.end(), key); it != std::sregex_iterator();
       ++it)
    out.push_back((*it)[1].str());
  return out;
}

}  // namespace

std::optional<MappingRefusal> refused_mapping(const Error& error) {
  std::string text = error.message;
  if (error.remote) text = error.remote->reason + "\n" + text;
  static const std::regex no_type(
      R"((?:[Nn]o handler for type|The mapper type) \[([^\]]+)\] declared on field \[([^\]]+)\])");
  static const std::regex unknown_param(
      R"(unknown parameter \[([^\]]+)\] on mapper \[([^\]]+)\] of type \[([^\]]+)\])");
  static const std::regex legacy_params(
      R"(Mapping definition for \[([^\]]+)\] has unsupported parameters:\s*(.*))");
  static const std::regex root_params(
      R"(Root mapping definition has unsupported parameters:\s*(.*))");
  std::smatch m;
  MappingRefusal r;
  if (std::regex_search(text, m, no_type)) {
    r.kind = MappingRefusal::Kind::kFieldType;
    r.type = m[1].str();
    r.field = m[2].str();
  } else if (std::regex_search(text, m, unknown_param)) {
    r.kind = MappingRefusal::Kind::kFieldParameter;
    r.parameters = {m[1].str()};
    r.field = m[2].str();
    r.type = m[3].str();
  } else if (std::regex_search(text, m, root_params)) {
    r.kind = MappingRefusal::Kind::kRootParameter;
    r.parameters = bracketed_keys(m[1].str());
    if (r.parameters.empty()) return std::nullopt;
  } else if (std::regex_search(text, m, legacy_params)) {
    r.kind = MappingRefusal::Kind::kFieldParameter;
    r.field = m[1].str();
    r.parameters = bracketed_keys(m[2].str());
    if (r.parameters.empty()) return std::nullopt;
  } else {
    return std::nullopt;
  }
  r.reason = m[0].str().substr(0, 160);
  return r;
}

bool MappingRepair::apply(const MappingRefusal& r, std::vector<std::string>& changes) {
  if (!mappings_.is_object()) return false;
  bool changed = false;
  if (r.kind == MappingRefusal::Kind::kRootParameter) {
    for (const auto& k : r.parameters) {
      if (!mappings_.contains(k) || k == "properties") continue;
      mappings_.erase(k);
      changes.push_back("removed mapping " + k + ": the target refused it (" + r.reason + ")");
      changed = true;
    }
    return changed;
  }
  auto visit = [&](nlohmann::json& container, const std::string& name, const std::string& path,
                   bool multi) {
    if (name != r.field) return;
    nlohmann::json& field = container[name];
    const std::string type = type_of(field);
    if (r.kind == MappingRefusal::Kind::kFieldParameter) {
      if (!r.type.empty() && type != r.type) return;
      for (const auto& p : r.parameters) {
        if (!field.contains(p) || p == "type") continue;
        field.erase(p);
        changes.push_back("field " + path + ": removed parameter " + p +
                          ": the target refused it (" + r.reason + ")");
        changed = true;
      }
      return;
    }
    if (type != r.type) return;
    const bool again = replaced_.count(path) > 0;
    auto eq = again ? std::nullopt : equivalent_field(field);
    if (eq) {
      changes.push_back("field " + path + ": type " + type +
                        " is unknown to the target, mapped as " + (*eq)["type"].get<std::string>() +
                        note_for(type, *eq));
      field = *eq;
      replaced_.insert(path);
    } else if (multi) {
      changes.push_back("field " + path + ": removed the multi-field of type " + type +
                        ", unknown to the target (the values are still indexed by the main field)");
      container.erase(name);
    } else {
      changes.push_back(
          "field " + path + ": type " + type +
          " is unknown to the target, mapped as a disabled object (its values stay in _source, "
          "not searchable)");
      field = {{"type", "object"}, {"enabled", false}};
    }
    changed = true;
  };
  for_each_field(mappings_, "", visit);
  // Metadata fields (_source, _routing, ...) are root entries, not properties.
  if (r.kind == MappingRefusal::Kind::kFieldParameter && mappings_.contains(r.field) &&
      mappings_[r.field].is_object()) {
    for (const auto& p : r.parameters) {
      if (!mappings_[r.field].contains(p)) continue;
      mappings_[r.field].erase(p);
      changes.push_back("mapping " + r.field + ": removed parameter " + p +
                        ": the target refused it (" + r.reason + ")");
      changed = true;
    }
  }
  return changed;
}

}  // namespace essnap::transfer
