#include "essnap/snapshot/selection.hpp"

#include <algorithm>
#include <set>

#include "essnap/util/strings.hpp"

namespace essnap::snapshot {

std::vector<std::string> split_patterns(const std::vector<std::string>& args) {
  return util::split_list(args);
}

std::vector<std::string> select_names(const std::vector<std::string>& names,
                                      const std::vector<std::string>& patterns) {
  if (patterns.empty()) return names;
  std::set<std::string> chosen;
  bool first = true;
  for (const auto& p : patterns) {
    if (p.starts_with("-") && p.size() > 1) {
      if (first) chosen.insert(names.begin(), names.end());
      const std::string_view ex = std::string_view(p).substr(1);
      for (auto it = chosen.begin(); it != chosen.end();)
        it = glob_match(ex, *it) ? chosen.erase(it) : std::next(it);
    } else {
      for (const auto& n : names)
        if (glob_match(p, n)) chosen.insert(n);
    }
    first = false;
  }
  std::vector<std::string> out;
  for (const auto& n : names)
    if (chosen.count(n)) out.push_back(n);
  return out;
}

Status check_selection(const std::vector<std::string>& patterns,
                       const std::vector<std::string>& available, const std::string& where,
                       const std::string& hint) {
  const std::set<std::string> have(available.begin(), available.end());
  for (const auto& p : patterns) {
    const bool exact =
        p.find('*') == std::string::npos && !p.starts_with("-") && !p.starts_with("<");
    if (exact && !have.count(p))
      return Error(ErrorCode::kNotFound, "no index named " + p + " " + where, hint);
  }
  // Date math is resolved by the engine only: then what it resolved to is the selection.
  const bool date_math = std::any_of(patterns.begin(), patterns.end(),
                                     [](const std::string& p) { return p.starts_with("<"); });
  if (date_math ? available.empty() : select_names(available, patterns).empty()) {
    std::string list;
    for (const auto& p : patterns) list += (list.empty() ? "" : ",") + p;
    return Error(ErrorCode::kConflict, "no index " + where + " matches " + list, hint);
  }
  return ok_status();
}

bool is_system_index(std::string_view name) {
  static constexpr std::string_view kPrefixes[] = {".kibana",
                                                   ".opendistro",
                                                   ".opensearch",
                                                   ".plugins",
                                                   ".security",
                                                   ".tasks",
                                                   ".geoip_databases",
                                                   ".async-search",
                                                   ".fleet",
                                                   ".apm",
                                                   ".ml-",
                                                   ".transform",
                                                   ".watches",
                                                   ".triggered_watches",
                                                   ".watcher-history",
                                                   ".enrich-",
                                                   ".monitoring-",
                                                   ".reporting-",
                                                   ".ql-",
                                                   ".snapshot-blob-cache",
                                                   ".logstash",
                                                   ".synonyms",
                                                   ".ltrstore",
                                                   ".slm-history",
                                                   ".tasks",
                                                   ".ds-.logs-deprecation",
                                                   ".opensearch-observability",
                                                   ".searchable_snapshots",
                                                   ".scheduled-jobs",
                                                   ".replication-metadata-store"};
  for (auto p : kPrefixes)
    if (name.starts_with(p)) return true;
  return false;
}

}  // namespace essnap::snapshot
