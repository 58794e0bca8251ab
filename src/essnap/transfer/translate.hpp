// Index definitions across versions and engines, as pure functions: the export removes what only
// describes one index's creation (uuid, creation date, version, provided name, ...); the import
// turns the exported settings, mappings and aliases into a create-index body the target accepts
// and lists every change it made, each one line a user can read ("removed setting X: why").
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "essnap/cluster/client.hpp"
#include "essnap/util/result.hpp"

namespace essnap::transfer {

// {"index": {"routing": {"allocation": ...}}} -> {"index.routing.allocation...": "..."}; values
// kept as the engine gave them (strings, or arrays for list settings).
nlohmann::json flatten_settings(const nlohmann::json& nested);

// The settings of an export: flattened, without the creation-only ones.
nlohmann::json export_settings(const nlohmann::json& nested_settings);

struct Translation {
  nlohmann::json body;               // {"settings": {...}, "mappings": {...}, "aliases": {...}}
  std::vector<std::string> changes;  // one line per change, in the order made
};

struct EngineVersion {
  cluster::Distribution distribution = cluster::Distribution::kElasticsearch;
  int major = 0;
  int minor = 0;
};

// `meta` is an exported index.json ({"settings", "mappings", "aliases"}).
Translation translate_index(const nlohmann::json& meta, const EngineVersion& source,
                            const EngineVersion& target);

// The setting an engine refused in a create-index answer ("unknown setting [index.x] please
// check that any required plugins are installed", "... [index.x] is not allowed"), if any.
std::optional<std::string> refused_setting(const Error& error);

// What a create-index answer says the target cannot map, as the engines word it:
//   kFieldType      "No handler for type [T] declared on field [F]" (OpenSearch, Elasticsearch
//                   <= 7), "The mapper type [T] declared on field [F] does not exist" (8+)
//   kFieldParameter "unknown parameter [P] on mapper [F] of type [T]" (7.9+, OpenSearch),
//                   "Mapping definition for [F] has unsupported parameters:  [P : V]" (older)
//   kRootParameter  "Root mapping definition has unsupported parameters:  [K : V] ..."
// Field names are the engines' simple names (the last part of a path).
struct MappingRefusal {
  enum class Kind { kFieldType, kFieldParameter, kRootParameter };
  Kind kind = Kind::kFieldType;
  std::string field;
  std::string type;                     // kFieldType; kFieldParameter when the engine names it
  std::vector<std::string> parameters;  // kFieldParameter, kRootParameter
  std::string reason;                   // the engine's words, for the report
};
std::optional<MappingRefusal> refused_mapping(const Error& error);

// Mends a mapping the target refused, one refusal at a time, so it is not refused again: a field
// type the target lacks becomes its nearest equivalent there (flattened <-> flat_object,
// dense_vector <-> knn_vector, point <-> xy_point, shape <-> xy_shape, match_only_text -> text,
// wildcard / constant_keyword / version / counted_keyword -> keyword, unsigned_long -> long,
// semantic_text -> text); a type without one, or whose equivalent is refused too, becomes a
// disabled object (the values stay in _source, unindexed), or is removed when it is a
// multi-field. Refused parameters are removed. Each change is one line in `changes`.
class MappingRepair {
 public:
  explicit MappingRepair(nlohmann::json& mappings) : mappings_(mappings) {}
  // False when nothing in the mapping matches the refusal (the caller gives up).
  bool apply(const MappingRefusal& refusal, std::vector<std::string>& changes);

 private:
  nlohmann::json& mappings_;
  std::set<std::string> replaced_;  // paths given an equivalent type once already
};

}  // namespace essnap::transfer
