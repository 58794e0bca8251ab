// indices/<index id>/meta-<blob id>.dat (framed, codec "index-metadata"): IndexMetadata.
//
//   { <index name>: { "version": int, "mapping_version"?, "settings_version"?, "state":
//   "open"|"close",
//                     "settings": { "index.number_of_shards": "N", "index.uuid",
//                                   "index.version.created": "id", ... }   (flat, or nested
//                                   {"index": {"number_of_shards": ...}} ),
//                     "mappings": .., "aliases": .., "primary_terms": .., "in_sync_allocations": ..
//                     } }
//
// Follows Elasticsearch server/.../cluster/metadata/IndexMetadata.java (toXContent/fromXContent,
// SETTING_NUMBER_OF_SHARDS, SETTING_INDEX_UUID, SETTING_VERSION_CREATED).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "essnap/util/result.hpp"

namespace essnap::format {

struct IndexMetadataInfo {
  std::string name;
  std::string uuid;
  std::int64_t number_of_shards = 0;
  std::optional<std::int64_t> number_of_replicas;
  std::optional<std::int64_t> created_version;  // index.version.created
  std::string created_version_text;             // version_id_to_string of it, when it decodes
  std::string state;                            // "open" / "close" when present
};

Result<IndexMetadataInfo> parse_index_metadata(const nlohmann::json& doc);

}  // namespace essnap::format
