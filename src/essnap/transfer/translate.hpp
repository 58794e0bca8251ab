// Index definitions across versions and engines, as pure functions: the export removes what only
// describes one index's creation (uuid, creation date, version, provided name, ...); the import
// turns the exported settings, mappings and aliases into a create-index body the target accepts
// and lists every change it made, each one line a user can read ("removed setting X: why").
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
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

}  // namespace essnap::transfer
