// Choosing indices the way the engines do: comma-separated patterns with '*' wildcards and
// '-pattern' exclusions applied in order, plus the system and security indices a restore leaves
// alone unless asked.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "essnap/util/glob.hpp"
#include "essnap/util/result.hpp"

namespace essnap::snapshot {

using util::glob_match;  // `*` globs, as the engines read them (util/glob.hpp)

// "a,b*" / {"a","-b*"} -> the flat pattern list.
std::vector<std::string> split_patterns(const std::vector<std::string>& args);

// `names` filtered by `patterns` in order: a pattern adds what it matches, "-pattern" removes
// what it matches from the set so far (a leading exclusion starts from everything). No patterns
// = everything. Order of `names` is kept.
std::vector<std::string> select_names(const std::vector<std::string>& names,
                                      const std::vector<std::string>& patterns);

// Whether `patterns` (split, non-empty) select anything among `available` (what the engine
// resolved them to, or a snapshot's indices): an element without '*' that is not an exclusion
// and is not available -> kNotFound "no index named X <where>"; nothing selected at all ->
// kConflict (exit 8) naming the patterns. `where` reads "in the cluster", "in snapshot S".
Status check_selection(const std::vector<std::string>& patterns,
                       const std::vector<std::string>& available, const std::string& where,
                       const std::string& hint);

// Indices owned by the engine or its plugins (security config, dashboards, tasks, GeoIP, ...):
// restoring them over a live cluster breaks it.
bool is_system_index(std::string_view name);

}  // namespace essnap::snapshot
