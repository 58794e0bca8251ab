#include "essnap/cluster/pattern_chunks.hpp"

#include "essnap/cluster/snapshots.hpp"

namespace essnap::cluster {

std::vector<std::vector<std::string>> pattern_chunks(const std::vector<std::string>& patterns,
                                                     std::size_t max_bytes) {
  if (index_list_chunks(patterns, max_bytes).size() <= 1) return {patterns};
  std::vector<std::string> inclusions;
  // A leading exclusion starts from everything (as select_names and the engines read it).
  if (patterns.front().starts_with("-")) inclusions.push_back("*");
  for (const auto& p : patterns)
    if (!p.starts_with("-")) inclusions.push_back(p);
  std::vector<std::vector<std::string>> out;
  std::size_t bytes = 0;
  for (const auto& p : inclusions) {
    const std::size_t size = path_segment(p).size();
    if (out.empty() || bytes + 1 + size > max_bytes) {
      out.emplace_back();
      bytes = 0;
    }
    bytes += (out.back().empty() ? 0 : 1) + size;
    out.back().push_back(p);
  }
  return out;
}

bool kept_after_exclusions(const std::vector<std::string>& patterns, const std::string& name) {
  bool kept = true;  // an inclusion selected it
  for (const auto& p : patterns) {
    if (p.starts_with("-")) {
      if (util::glob_match(std::string_view(p).substr(1), name)) kept = false;
    } else if (util::glob_match(p, name)) {
      kept = true;
    }
  }
  return kept;
}

}  // namespace essnap::cluster
