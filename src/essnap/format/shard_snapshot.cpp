#include "essnap/format/shard_snapshot.hpp"

#include <limits>

#include "essnap/format/json_fields.hpp"
#include "essnap/format/root_index.hpp"

namespace essnap::format {

using detail::field_error;
using nlohmann::json;

std::uint64_t number_of_parts(std::uint64_t length, std::optional<std::uint64_t> part_size) {
  if (!part_size || *part_size == 0 || length == 0) return 1;
  return 1 + (length - 1) / *part_size;
}

std::string part_name(std::string_view blob_name, std::uint64_t part, std::uint64_t parts) {
  if (parts <= 1) return std::string(blob_name);
  return std::string(blob_name) + ".part" + std::to_string(part);
}

std::uint64_t FileInfo::number_of_parts() const {
  return format::number_of_parts(length, part_size);
}

std::string FileInfo::part_name(std::uint64_t i) const {
  return format::part_name(name, i, number_of_parts());
}

std::uint64_t FileInfo::part_length(std::uint64_t i) const {
  const std::uint64_t n = number_of_parts();
  if (n <= 1) return length;
  if (i + 1 < n) return *part_size;
  return length - *part_size * (n - 1);
}

namespace {

// Base64 (RFC 4648, padding optional) for meta_hash in JSON-encoded blobs.
bool base64_decode(const std::string& s, std::vector<std::uint8_t>& out) {
  out.clear();
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : s) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+' || c == '-')
      v = 62;
    else if (c == '/' || c == '_')
      v = 63;
    else if (c == '=')
      break;
    else
      return false;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(acc >> bits));
    }
  }
  return true;
}

template <class Json>
Result<FileInfo> file_info_impl(const Json& f);

template <class Json>
Result<std::vector<FileInfo>> file_list(const Json& obj, const std::string& where) {
  std::vector<FileInfo> out;
  auto it = obj.find("files");
  if (it == obj.end() || it->is_null()) return out;
  if (!it->is_array()) return field_error(where, "files", "is not an array");
  for (std::size_t i = 0; i < it->size(); ++i) {
    auto fi = file_info_impl((*it)[i]);
    if (!fi.ok())
      return Error(ErrorCode::kParse,
                   where + " files[" + std::to_string(i) + "]: " + fi.error().message);
    out.push_back(std::move(fi).value());
  }
  return out;
}

template <class Json>
Result<FileInfo> file_info_impl(const Json& f) {
  constexpr const char* where = "file info";
  if (!f.is_object()) return Error(ErrorCode::kParse, "file info is not an object");
  FileInfo out;
  ESSNAP_TRY(out.name, detail::req_string(f, where, "name"));
  ESSNAP_TRY(out.physical_name, detail::req_string(f, where, "physical_name"));
  ESSNAP_TRY(std::int64_t length, detail::req_int(f, where, "length"));
  if (length < 0) return field_error(where, "length", "is negative");
  out.length = static_cast<std::uint64_t>(length);
  ESSNAP_TRY(out.checksum, detail::req_string(f, where, "checksum"));
  ESSNAP_TRY(auto part, detail::opt_int(f, where, "part_size"));
  if (part) {
    if (*part <= 0) return field_error(where, "part_size", "is not positive");
    // Long.MAX_VALUE stands for "not split" in some writers.
    if (*part != std::numeric_limits<std::int64_t>::max())
      out.part_size = static_cast<std::uint64_t>(*part);
    else
      out.part_size_is_max = true;
  }
  ESSNAP_TRY(auto written_by, detail::opt_string(f, where, "written_by"));
  out.written_by = written_by.value_or("");
  if (auto it = f.find("meta_hash"); it != f.end() && !it->is_null()) {
    if (it->is_binary())
      out.meta_hash = it->get_binary();
    else if (it->is_string()) {
      if (!base64_decode(it->template get<std::string>(), out.meta_hash))
        return field_error(where, "meta_hash", "is not base64");
    } else
      return field_error(where, "meta_hash", "is neither binary nor base64");
    out.has_meta_hash = true;
  }
  for (const auto& [k, v] : f.items())
    if (k != "name" && k != "physical_name" && k != "length" && k != "checksum" &&
        k != "part_size" && k != "written_by" && k != "meta_hash")
      out.extra[k] = v;
  if (out.name.rfind("__", 0) != 0 && out.name.rfind("v__", 0) != 0)
    return field_error(where, "name", "\"" + out.name + "\" is neither __<id> nor v__<id>");
  if (out.name.find('/') != std::string::npos || out.name.find("..") != std::string::npos)
    return field_error(where, "name", "holds a path separator");
  return out;
}

template <class Json>
Result<ShardSnapshots> shard_snapshots_impl(const Json& doc) {
  constexpr const char* where = "shard index-<gen>";
  if (!doc.is_object()) return Error(ErrorCode::kParse, std::string(where) + " is not an object");
  ShardSnapshots out;
  ESSNAP_TRY(out.files, file_list(doc, where));
  if (auto it = doc.find("snapshots"); it != doc.end() && !it->is_null()) {
    if (!it->is_object()) return field_error(where, "snapshots", "is not an object");
    for (const auto& [name, v] : it->items()) {
      const std::string w = std::string(where) + " snapshots." + name;
      if (!v.is_object()) return Error(ErrorCode::kParse, w + " is not an object");
      ShardSnapshotsEntry e;
      e.snapshot = name;
      if (auto f = v.find("files"); f != v.end() && !f->is_null()) {
        if (!f->is_array()) return field_error(w, "files", "is not an array");
        for (const auto& n : *f) {
          if (!n.is_string()) return field_error(w, "files", "holds a non-string");
          e.files.push_back(n.template get<std::string>());
        }
      }
      ESSNAP_TRY(e.shard_state_id, detail::opt_string(v, w, "shard_state_id"));
      for (const auto& [k, x] : v.items())
        if (k != "files" && k != "shard_state_id") e.extra[k] = x;
      out.snapshots.push_back(std::move(e));
    }
  }
  for (const auto& [k, v] : doc.items())
    if (k != "files" && k != "snapshots") out.extra[k] = v;
  return out;
}

}  // namespace

Result<FileInfo> parse_file_info(const json& f) {
  return file_info_impl(f);
}

Result<ShardSnapshot> parse_shard_snapshot(const json& doc) {
  constexpr const char* where = "shard snap-*.dat";
  if (!doc.is_object()) return Error(ErrorCode::kParse, std::string(where) + " is not an object");
  ShardSnapshot out;
  ESSNAP_TRY(out.name, detail::req_string(doc, where, "name"));
  ESSNAP_TRY(auto iv, detail::opt_int(doc, where, "index_version"));
  out.index_version = iv.value_or(0);
  ESSNAP_TRY_STATUS(detail::read_shard_stats(doc, where, out));
  ESSNAP_TRY(out.files, file_list(doc, where));
  return out;
}

Result<ShardSnapshots> parse_shard_snapshots(const json& doc) {
  return shard_snapshots_impl(doc);
}

Result<ShardSnapshots> parse_shard_snapshots(const nlohmann::ordered_json& doc) {
  return shard_snapshots_impl(doc);
}

Result<ShardSnapshots> read_shard_snapshots(std::span<const std::uint8_t> blob,
                                            std::size_t max_bytes) {
  ESSNAP_TRY(std::vector<std::uint8_t> content,
             unframe_blob(blob, kCodecShardSnapshots, max_bytes));
  if (!is_smile(content)) return decode_xcontent(content).error();  // the reader's wording
  ESSNAP_TRY(nlohmann::ordered_json doc, decode_smile_ordered(content));
  return shard_snapshots_impl(doc);
}

nlohmann::ordered_json to_ordered_json(const FileInfo& f) {
  nlohmann::ordered_json o = nlohmann::ordered_json::object();
  o["name"] = f.name;
  o["physical_name"] = f.physical_name;
  o["length"] = f.length;
  o["checksum"] = f.checksum;
  if (f.part_size)
    o["part_size"] = *f.part_size;
  else if (f.part_size_is_max)
    o["part_size"] = std::numeric_limits<std::int64_t>::max();
  // Absent written_by cannot be told from an empty one; the engines require it, so it is there.
  if (!f.written_by.empty()) o["written_by"] = f.written_by;
  if (f.has_meta_hash) o["meta_hash"] = nlohmann::ordered_json::binary(f.meta_hash);
  for (const auto& [k, v] : f.extra.items())
    if (!o.contains(k)) o[k] = v;
  return o;
}

nlohmann::ordered_json to_ordered_json(const ShardSnapshots& s) {
  nlohmann::ordered_json o = nlohmann::ordered_json::object();
  auto& files = o["files"] = nlohmann::ordered_json::array();
  for (const auto& f : s.files) files.push_back(to_ordered_json(f));
  auto& snaps = o["snapshots"] = nlohmann::ordered_json::object();
  for (const auto& e : s.snapshots) {
    nlohmann::ordered_json x = nlohmann::ordered_json::object();
    x["files"] = e.files;
    if (e.shard_state_id) x["shard_state_id"] = *e.shard_state_id;
    for (const auto& [k, v] : e.extra.items())
      if (!x.contains(k)) x[k] = v;
    snaps[e.snapshot] = std::move(x);
  }
  for (const auto& [k, v] : s.extra.items())
    if (!o.contains(k)) o[k] = v;
  return o;
}

nlohmann::json to_json(const FileInfo& f) {
  return nlohmann::json(to_ordered_json(f));
}

nlohmann::json to_json(const ShardSnapshots& s) {
  return nlohmann::json(to_ordered_json(s));
}

std::vector<std::uint8_t> write_shard_snapshots(const ShardSnapshots& s, Compression compression) {
  return write_framed_blob(to_ordered_json(s), kCodecShardSnapshots, compression);
}

std::optional<std::uint64_t> shard_generation_from_name(std::string_view name) {
  return root_generation_from_name(name);  // the same "index-N" naming as the root
}

}  // namespace essnap::format
