#include "essnap/format/index_metadata.hpp"

#include "essnap/format/json_fields.hpp"
#include "essnap/format/snapshot_info.hpp"

namespace essnap::format {

using nlohmann::json;

namespace {

// settings["index.<key>"] (flat) or settings["index"]["<key>"] (nested).
const json* setting(const json& settings, const std::string& key) {
  if (auto it = settings.find("index." + key); it != settings.end()) return &*it;
  if (auto idx = settings.find("index"); idx != settings.end() && idx->is_object()) {
    // nested keys such as version.created: walk the dots
    const json* cur = &*idx;
    std::size_t start = 0;
    while (start <= key.size()) {
      const std::size_t dot = key.find('.', start);
      const std::string part =
          key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      if (!cur->is_object()) return nullptr;
      auto it = cur->find(part);
      if (it == cur->end()) return nullptr;
      cur = &*it;
      if (dot == std::string::npos) return cur;
      start = dot + 1;
    }
  }
  return nullptr;
}

}  // namespace

Result<IndexMetadataInfo> parse_index_metadata(const json& doc) {
  constexpr const char* where = "index meta-*.dat";
  if (!doc.is_object() || doc.size() != 1)
    return Error(ErrorCode::kParse, std::string(where) + " is not an object with one index");
  const auto first = doc.begin();
  const std::string& name = first.key();
  const json& body = first.value();
  if (!body.is_object())
    return Error(ErrorCode::kParse, std::string(where) + " index " + name + " is not an object");
  IndexMetadataInfo out;
  out.name = name;
  ESSNAP_TRY(auto state, detail::opt_string(body, where, "state"));
  out.state = state.value_or("");
  auto settings = body.find("settings");
  if (settings == body.end() || !settings->is_object())
    return detail::field_error(where, "settings", "is missing or not an object");
  const json* shards = setting(*settings, "number_of_shards");
  auto n = shards ? detail::as_int(*shards) : std::nullopt;
  if (!n || *n <= 0)
    return detail::field_error(where, "settings.index.number_of_shards",
                               "is missing or not positive");
  out.number_of_shards = *n;
  if (const json* r = setting(*settings, "number_of_replicas"))
    out.number_of_replicas = detail::as_int(*r);
  if (const json* u = setting(*settings, "uuid"); u && u->is_string())
    out.uuid = u->get<std::string>();
  if (const json* v = setting(*settings, "version.created")) {
    out.created_version = detail::as_int(*v);
    if (out.created_version) out.created_version_text = version_id_to_string(*out.created_version);
  }
  return out;
}

}  // namespace essnap::format
