// Elasticsearch / OpenSearch documents from a segment's stored fields: `_id`, `_routing` and
// the `_source` bytes exactly as stored, for the root documents only.
//
// Stored metadata fields (IdFieldMapper, RoutingFieldMapper, SourceFieldMapper, UidFieldMapper):
//   _id      bytes: Uid.encodeId(id)                    -- indices created by ES 6.0+ / all OS
//            first byte 0xFE: numeric, two decimal digits a byte (high nibble first), a low
//              nibble 0xF ends an odd count ("007" -> FE 00 7F)
//            first byte 0xFF: UTF-8 bytes follow
//            first byte 0xFD: escape, base64url (no padding) of the bytes after it
//            otherwise: base64url (no padding) of all the bytes (auto-generated ids)
//   _uid     string "type#id"                           -- indices created by ES 5.x (read by 6.x)
//   _routing string                                      -- only when the document had one
//   _source  bytes: the source as sent (JSON, or SMILE/CBOR/YAML when so sent), possibly filtered
//            by _source.includes/excludes; absent with _source.enabled: false, synthetic source
//            (ES 8.4+ / logsdb / TSDB) or derived source (OpenSearch 3 k-NN): then ES may keep a
//            transient `_recovery_source`, which is NOT the document and is never used here.
// Nested documents: each nested object is a Lucene document of its own, written just before its
// root document (block join); ES gives it `_id` indexed but not stored (IdFieldMapper's nested
// field type; since ES 8.0 only `_nested_path`), and no `_source` (the root's holds it). So the
// rule: a document without a stored `_id` (nor `_uid`) is not a root document and is skipped.
// Upstream read: elasticsearch server/.../index/mapper/Uid.java, IdFieldMapper.java,
// DocumentParser.java (nested documents), SourceFieldMapper.java; OpenSearch's forks of them.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "essnap/lucene/stored_fields.hpp"
#include "essnap/util/result.hpp"

namespace essnap::lucene {

// Uid.decodeId: the `_id` string from its stored bytes. kParse when empty, or the UTF-8 form is
// not UTF-8.
Result<std::string> decode_es_id(std::span<const std::uint8_t> stored);

// A field number -> its name (from the segment's .fnm); nullopt for an unknown number.
using FieldNameOf = std::function<std::optional<std::string_view>(std::int32_t number)>;

// One root document. `source` points into the chunk being decoded: valid during the call.
struct EsDocument {
  std::int32_t doc = 0;  // Lucene doc id in the segment
  std::string id;
  std::optional<std::string> routing;
  bool has_source = false;
  std::span<const std::uint8_t> source;
};

enum class MissingSource {
  kRefuse,   // a root document without stored _source is an error (kConflict): the default
  kDeliver,  // delivered with has_source false (for a caller that reports it itself)
};

struct EsVisitCounts {
  std::int64_t root = 0;            // root documents delivered
  std::int64_t nested = 0;          // live documents without _id / _uid: skipped
  std::int64_t without_source = 0;  // root documents without a stored _source
};

// Whether a segment stores `_source` at all, from its field names alone (cheap: no chunk is
// read): false for _source.enabled: false and synthetic/derived source. `has_field` answers
// "is there a field of this name".
bool segment_stores_source(const std::function<bool(std::string_view name)>& has_field);

// Walks the live documents of `reader` in order and calls `on_document` for each root document.
// With MissingSource::kRefuse, the first root document without `_source` stops the walk with a
// kConflict error naming it ("document <_id> has no stored _source: ...").
Status visit_es_documents(const StoredFieldsReader& reader, const FieldNameOf& name_of,
                          const StoredFieldsReader::LiveDocs& live,
                          const std::function<Status(const EsDocument&)>& on_document,
                          MissingSource missing = MissingSource::kRefuse,
                          EsVisitCounts* counts = nullptr);

}  // namespace essnap::lucene
