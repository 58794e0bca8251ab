#include "essnap/format/shallow_snapshot.hpp"

#include "essnap/format/json_fields.hpp"

namespace essnap::format {

Result<ShallowShardSnapshot> parse_shallow_shard_snapshot(const nlohmann::json& doc) {
  constexpr const char* where = "shallow-snap-*.dat";
  if (!doc.is_object()) return Error(ErrorCode::kParse, std::string(where) + " is not an object");
  ShallowShardSnapshot out;
  // "version" is written as a string; accept a number as its text too.
  if (auto it = doc.find("version"); it != doc.end() && it->is_number_integer())
    out.version = it->dump();
  else {
    ESSNAP_TRY(out.version, detail::req_string(doc, where, "version"));
  }
  ESSNAP_TRY(out.name, detail::req_string(doc, where, "name"));
  const char* iv_field = doc.contains("index_version") ? "index_version" : "index-version";
  ESSNAP_TRY(out.index_version, detail::req_int(doc, where, iv_field));
  ESSNAP_TRY_STATUS(detail::read_shard_stats(doc, where, out));
  ESSNAP_TRY(out.primary_term, detail::req_int(doc, where, "primary_term"));
  ESSNAP_TRY(out.commit_generation, detail::req_int(doc, where, "commit_generation"));
  ESSNAP_TRY(out.index_uuid, detail::req_string(doc, where, "index_uuid"));
  ESSNAP_TRY(out.remote_store_repository,
             detail::req_string(doc, where, "remote_store_repository"));
  ESSNAP_TRY(out.repository_base_path,
             detail::req_string(doc, where, "remote_store_repository_base_path"));
  if (out.index_version < 0) return detail::field_error(where, iv_field, "is negative");
  if (out.primary_term < 0) return detail::field_error(where, "primary_term", "is negative");
  if (out.commit_generation < 0)
    return detail::field_error(where, "commit_generation", "is negative");
  if (auto it = doc.find("file_names"); it != doc.end() && !it->is_null()) {
    if (!it->is_array()) return detail::field_error(where, "file_names", "is not an array");
    for (const auto& n : *it) {
      if (!n.is_string()) return detail::field_error(where, "file_names", "holds a non-string");
      out.file_names.push_back(n.get<std::string>());
    }
  }
  return out;
}

}  // namespace essnap::format
