// Index patterns of any number in requests of bounded length. The engines refuse an HTTP initial
// line over 4 KiB (`http.max_initial_line_length`), so 600 `-i` patterns joined into one path are
// a raw 400. Patterns that fit go out as given (one request; the engine applies '-' exclusions
// itself). More are split: the inclusions are resolved in chunks of at most kMaxPathListBytes,
// the answers merged by name, and the exclusions applied here the way the engines apply them —
// in order, each removing what the patterns before it added, a later inclusion adding back.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "essnap/util/glob.hpp"
#include "essnap/util/result.hpp"

namespace essnap::cluster {

inline constexpr std::size_t kMaxPathListBytes = 3000;

// The patterns as comma-list chunks of at most `max_bytes` once path-encoded (as in
// index_list_chunks); inclusions only when there is more than one chunk.
std::vector<std::vector<std::string>> pattern_chunks(const std::vector<std::string>& patterns,
                                                     std::size_t max_bytes = kMaxPathListBytes);

// Whether `name`, which one of the inclusions selected, survives the exclusions: the last
// pattern that matches it (by '*' glob) decides; an inclusion that matched it is assumed when
// no pattern globs it (a date-math or exact pattern the engine resolved).
bool kept_after_exclusions(const std::vector<std::string>& patterns, const std::string& name);

// Calls fetch(chunk) for each chunk and merges the items (first of each name wins, order kept),
// dropping what the exclusions remove when the patterns were split.
template <class Item, class Fetch, class NameOf>
Result<std::vector<Item>> fetch_by_patterns(const std::vector<std::string>& patterns, Fetch fetch,
                                            NameOf name_of,
                                            std::size_t max_bytes = kMaxPathListBytes) {
  const auto chunks = pattern_chunks(patterns, max_bytes);
  if (chunks.size() == 1 && chunks.front() == patterns) return fetch(patterns);
  std::vector<Item> out;
  std::set<std::string> seen;
  for (const auto& chunk : chunks) {
    Result<std::vector<Item>> got = fetch(chunk);
    if (!got.ok()) return std::move(got).error();
    for (auto& item : got.value()) {
      const std::string name = name_of(item);
      if (!kept_after_exclusions(patterns, name) || !seen.insert(name).second) continue;
      out.push_back(std::move(item));
    }
  }
  return out;
}

}  // namespace essnap::cluster
