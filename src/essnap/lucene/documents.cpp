#include "essnap/lucene/documents.hpp"

#include <string>

namespace essnap::lucene {
namespace {

bool stores_source(const Segment& seg) {
  return segment_stores_source(
      [&](std::string_view name) { return seg.field_infos.by_name(std::string(name)) != nullptr; });
}

Result<StoredFieldsSegment> stored_fields_of(const Segment& seg) {
  StoredFieldsSegment s;
  s.name = seg.name();
  s.id = seg.id();
  s.max_doc = seg.max_doc();
  s.attributes = seg.info.attributes;
  ESSNAP_TRY(s.fdt, seg.open(seg.name() + ".fdt"));
  ESSNAP_TRY(s.fdx, seg.open(seg.name() + ".fdx"));
  // The stored fields' .fdm (meta) exists from Lucene 8.5 (Lucene50 format version 2) on; a
  // segment written before has none (its .fdx holds the index).
  if (seg.info.version >= LuceneVersion{8, 5, 0}) {
    ESSNAP_TRY(s.fdm, seg.open(seg.name() + ".fdm"));
  }
  return s;
}

}  // namespace

bool shard_stores_source(const Shard& shard) {
  for (const Segment& seg : shard.segments)
    if (seg.max_doc() > 0 && !stores_source(seg)) return false;
  return true;
}

Status visit_shard_documents(const Shard& shard,
                             const std::function<Status(const EsDocument&)>& on_document,
                             const ShardDocumentsOptions& options, ShardDocumentCounts* counts) {
  for (const Segment& seg : shard.segments) {
    if (seg.live_count() == 0) continue;
    if (options.missing == MissingSource::kRefuse && !stores_source(seg))
      return Error(ErrorCode::kConflict,
                   "segment " + seg.name() +
                       " stores no _source (_source disabled, or synthetic/derived source): its "
                       "documents cannot be read from the snapshot");
    ESSNAP_TRY(StoredFieldsSegment sfs, stored_fields_of(seg));
    ESSNAP_TRY(StoredFieldsReader reader,
               StoredFieldsReader::open(std::move(sfs), options.integrity));
    const FieldNameOf name_of = [&seg](std::int32_t n) -> std::optional<std::string_view> {
      const FieldInfo* f = seg.field_infos.by_number(n);
      if (!f) return std::nullopt;
      return std::string_view(f->name);
    };
    const StoredFieldsReader::LiveDocs live = [&seg](std::int32_t d) {
      return d >= 0 && seg.live.get(static_cast<std::uint32_t>(d));
    };
    EsVisitCounts c;
    ESSNAP_TRY_STATUS(visit_es_documents(reader, name_of, live, on_document, options.missing, &c));
    if (counts) {
      counts->documents += c.root;
      counts->nested += c.nested;
      counts->segments += 1;
    }
  }
  return Ok{};
}

}  // namespace essnap::lucene
