#include "essnap/format/shard_paths.hpp"

#include <nlohmann/json.hpp>

#include "essnap/format/json_fields.hpp"

namespace essnap::format {

namespace {

std::optional<std::int64_t> small_number(std::string_view s) {
  if (s.empty() || s.size() > 9) return std::nullopt;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace

std::optional<ShardPathsName> parse_shard_paths_name(std::string_view name) {
  constexpr std::string_view prefix = "snapshot_path_";
  if (name.substr(0, prefix.size()) != prefix) return std::nullopt;
  std::string_view rest = name.substr(prefix.size());
  std::int64_t nums[3];
  for (int i = 2; i >= 0; --i) {
    const auto dot = rest.rfind('.');
    if (dot == std::string_view::npos) return std::nullopt;
    auto n = small_number(rest.substr(dot + 1));
    if (!n) return std::nullopt;
    nums[i] = *n;
    rest = rest.substr(0, dot);
  }
  const auto dot = rest.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= rest.size()) return std::nullopt;
  ShardPathsName out;
  out.index_id = std::string(rest.substr(0, dot));
  out.index_name = std::string(rest.substr(dot + 1));
  out.shard_count = nums[0];
  out.path_type = nums[1];
  out.hash_algorithm = nums[2];
  return out;
}

Result<SnapshotShardPaths> parse_shard_paths(std::span<const std::uint8_t> bytes) {
  constexpr const char* where = "snapshot_shard_paths blob";
  auto doc = nlohmann::json::parse(bytes.begin(), bytes.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return Error(ErrorCode::kParse, std::string(where) + " is not a JSON object");
  SnapshotShardPaths out;
  ESSNAP_TRY(out.index_id, detail::req_string(doc, where, "indexId"));
  ESSNAP_TRY(out.index_name, detail::req_string(doc, where, "indexName"));
  ESSNAP_TRY(out.number_of_shards, detail::req_int(doc, where, "number_of_shards"));
  ESSNAP_TRY(out.shard_path_type, detail::req_int(doc, where, "shard_path_type"));
  ESSNAP_TRY(auto algo, detail::opt_int(doc, where, "shard_path_hash_algorithm"));
  out.hash_algorithm = algo.value_or(0);
  auto paths = doc.find("paths");
  if (paths == doc.end() || !paths->is_array())
    return detail::field_error(where, "paths", "is missing or not an array");
  if (out.number_of_shards < 0 || static_cast<std::size_t>(out.number_of_shards) != paths->size())
    return detail::field_error(where, "paths",
                               "has " + std::to_string(paths->size()) + " entries for " +
                                   std::to_string(out.number_of_shards) + " shards");
  for (std::size_t i = 0; i < paths->size(); ++i) {
    const auto& p = (*paths)[i];
    if (!p.is_string()) return detail::field_error(where, "paths", "holds a non-string");
    std::string path = p.get<std::string>();
    const std::string tail = "indices/" + out.index_id + "/" + std::to_string(i) + "/";
    if (path.empty() || path[0] == '/' || path.find("..") != std::string::npos ||
        path.size() < tail.size() ||
        path.compare(path.size() - tail.size(), tail.size(), tail) != 0)
      return detail::field_error(
          where, "paths[" + std::to_string(i) + "]",
          "\"" + path + "\" does not end in " + tail + " or is not relative");
    out.paths.push_back(std::move(path));
  }
  return out;
}

}  // namespace essnap::format
