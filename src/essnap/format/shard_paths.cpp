#include "essnap/format/shard_paths.hpp"

#include <algorithm>
#include <cctype>
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

std::string write_shard_paths(const SnapshotShardPaths& p) {
  nlohmann::ordered_json doc;
  doc["indexId"] = p.index_id;
  doc["indexName"] = p.index_name;
  doc["number_of_shards"] = p.number_of_shards;
  doc["shard_path_type"] = p.shard_path_type;
  doc["shard_path_hash_algorithm"] = p.hash_algorithm;
  doc["paths"] = p.paths;
  return doc.dump();
}

std::optional<ShardPathType> parse_shard_path_type(std::string_view word) {
  std::string w(word);
  for (auto& c : w) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (w == "fixed") return ShardPathType::kFixed;
  if (w == "hashed_prefix") return ShardPathType::kHashedPrefix;
  if (w == "hashed_infix") return ShardPathType::kHashedInfix;
  return std::nullopt;
}

std::string_view shard_path_type_name(ShardPathType type) {
  switch (type) {
    case ShardPathType::kFixed:
      return "fixed";
    case ShardPathType::kHashedPrefix:
      return "hashed_prefix";
    case ShardPathType::kHashedInfix:
      return "hashed_infix";
  }
  return "fixed";
}

namespace {

constexpr std::string_view kUrlBase64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::uint64_t fnv1a64(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

std::string_view trim_slashes(std::string_view s) {
  while (!s.empty() && s.front() == '/') s.remove_prefix(1);
  while (!s.empty() && s.back() == '/') s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> segments(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find('/', start);
    if (end == std::string_view::npos) end = s.size();
    out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool hash_shaped(std::string_view h, PathHashAlgorithm algorithm) {
  auto b64 = [](char c) { return kUrlBase64.find(c) != std::string_view::npos; };
  if (algorithm == PathHashAlgorithm::kFnv1aBase64)
    return h.size() == 11 && std::all_of(h.begin(), h.end(), b64);
  return h.size() == 15 && b64(h[0]) &&
         std::all_of(h.begin() + 1, h.end(), [](char c) { return c == '0' || c == '1'; });
}

}  // namespace

std::string shard_path_hash(PathHashAlgorithm algorithm, std::string_view index_id,
                            std::int64_t shard) {
  const std::uint64_t h = fnv1a64(std::to_string(shard) + std::string(index_id));
  std::string out;
  if (algorithm == PathHashAlgorithm::kFnv1aBase64) {
    // 64 bits in 6-bit groups from the top; the 11th carries the last 4 bits and two zero bits.
    for (int i = 0; i < 11; ++i) {
      const int shift = 58 - 6 * i;
      const std::uint64_t v = shift >= 0 ? (h >> shift) & 63 : (h << -shift) & 63;
      out += kUrlBase64[v];
    }
    return out;
  }
  out += kUrlBase64[h >> 58];
  for (int bit = 57; bit >= 44; --bit) out += ((h >> bit) & 1) ? '1' : '0';
  return out;
}

std::string shard_folder(ShardPathType type, std::string_view hash, std::string_view base_path,
                         std::string_view index_id, std::int64_t shard) {
  const std::string base(trim_slashes(base_path));
  const std::string tail = "indices/" + std::string(index_id) + "/" + std::to_string(shard) + "/";
  const std::string b = base.empty() ? "" : base + "/";
  switch (type) {
    case ShardPathType::kFixed:
      return b + tail;
    case ShardPathType::kHashedPrefix:
      return std::string(hash) + "/" + b + tail;
    case ShardPathType::kHashedInfix:
      return b + std::string(hash) + "/" + tail;
  }
  return b + tail;
}

std::string engine_shard_folder(ShardPathType type, PathHashAlgorithm algorithm,
                                std::string_view base_path, std::string_view index_id,
                                std::int64_t shard) {
  const std::string hash =
      type == ShardPathType::kFixed ? "" : shard_path_hash(algorithm, index_id, shard);
  return shard_folder(type, hash, base_path, index_id, shard);
}

Result<ShardFolder> parse_shard_folder(std::string_view path, ShardPathType type,
                                       PathHashAlgorithm algorithm, std::string_view index_id,
                                       std::int64_t shard) {
  std::string_view p = path;
  if (!p.empty() && p.back() == '/') p.remove_suffix(1);
  auto refuse = [&](std::string why) -> Error {
    return Error(ErrorCode::kParse, "shard path '" + std::string(path) + "' " + why);
  };
  if (p.empty() || p.front() == '/') return refuse("is empty or absolute");
  const auto seg = segments(p);
  for (auto s : seg)
    if (s.empty() || s == "." || s == ".." || s.find('\0') != std::string_view::npos)
      return refuse("has an empty, '.' or '..' segment");
  // ... "indices" <id> <shard> at the end.
  const std::size_t n = seg.size();
  if (n < 3 || seg[n - 3] != "indices" || seg[n - 2] != index_id ||
      seg[n - 1] != std::to_string(shard))
    return refuse("does not end in indices/" + std::string(index_id) + "/" + std::to_string(shard));
  ShardFolder out;
  out.type = type;
  auto join = [&](std::size_t from, std::size_t to) {
    std::string s;
    for (std::size_t i = from; i < to; ++i) s += (s.empty() ? "" : "/") + std::string(seg[i]);
    return s;
  };
  switch (type) {
    case ShardPathType::kFixed:
      out.base_path = join(0, n - 3);
      return out;
    case ShardPathType::kHashedPrefix:
      if (n < 4) return refuse("has no hash segment");
      out.hash = std::string(seg[0]);
      out.base_path = join(1, n - 3);
      break;
    case ShardPathType::kHashedInfix:
      if (n < 4) return refuse("has no hash segment");
      out.hash = std::string(seg[n - 4]);
      out.base_path = join(0, n - 4);
      break;
    default:
      return refuse("has an unknown shard_path_type");
  }
  if (algorithm != PathHashAlgorithm::kFnv1aBase64 &&
      algorithm != PathHashAlgorithm::kFnv1aComposite1)
    return refuse("names an unknown hash algorithm " +
                  std::to_string(static_cast<std::int64_t>(algorithm)));
  if (!hash_shaped(out.hash, algorithm))
    return refuse(
        "has '" + out.hash + "' where the " +
        (algorithm == PathHashAlgorithm::kFnv1aBase64 ? "FNV_1A_BASE64" : "FNV_1A_COMPOSITE_1") +
        " hash belongs");
  return out;
}

Result<ShardFolderPlace> place_shard_folder(const ShardFolder& f, std::string_view index_id,
                                            std::int64_t shard, std::string_view root) {
  const std::string_view r = trim_slashes(root);
  ShardFolderPlace out;
  if (f.base_path.empty()) {
    out.container = std::string(r);
  } else {
    const bool whole = r == f.base_path;
    const bool suffix = r.size() > f.base_path.size() && r.ends_with(f.base_path) &&
                        r[r.size() - f.base_path.size() - 1] == '/';
    if (!whole && !suffix)
      return Error(ErrorCode::kParse, "shard path names base path '" + f.base_path +
                                          "', but the repository is at '" + std::string(r) +
                                          "' (the blob is another repository's)");
    out.container = whole ? "" : std::string(r.substr(0, r.size() - f.base_path.size() - 1));
  }
  std::string folder = shard_folder(f.type, f.hash, f.base_path, index_id, shard);
  folder.pop_back();
  if (f.type == ShardPathType::kHashedPrefix && !f.base_path.empty()) {
    out.outside = true;
    out.path = std::move(folder);
    return out;
  }
  // Inside: the folder less the base path in front.
  out.path = f.base_path.empty() ? folder : folder.substr(f.base_path.size() + 1);
  return out;
}

}  // namespace essnap::format
