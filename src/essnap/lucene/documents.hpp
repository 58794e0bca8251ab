// The root documents of a shard's commit, as a snapshot holds it: the shard reader (shard.hpp:
// segments, field infos, live and top-level documents) joined to the stored-fields reader
// (stored_fields.hpp, stored_document.hpp). Segments in commit order, documents in doc-id order
// within one; nested children and deleted documents (hard or soft) are skipped.
//
// A segment that stores no `_source` at all (`_source.enabled: false`, synthetic or derived
// source) is refused before any chunk is read: kConflict "stores no _source", so the caller can
// name the index. Damage is kParse naming the Lucene file (and its blob), never a wrong document.
#pragma once

#include <cstdint>
#include <functional>

#include "essnap/lucene/shard.hpp"
#include "essnap/lucene/stored_document.hpp"
#include "essnap/lucene/stored_fields.hpp"

namespace essnap::lucene {

struct ShardDocumentsOptions {
  Integrity integrity = Integrity::kVerifyChecksums;
  MissingSource missing = MissingSource::kRefuse;
};

struct ShardDocumentCounts {
  std::int64_t documents = 0;  // root documents delivered
  std::int64_t nested = 0;     // live nested children skipped
  std::int64_t segments = 0;   // segments read
};

// Whether every segment of the shard stores `_source` (from field names alone).
bool shard_stores_source(const Shard& shard);

// Calls `on_document` for each live root document; a non-ok Status from it stops the walk and is
// returned (a caller's "enough": return a Status of its own choosing and recognise it).
Status visit_shard_documents(const Shard& shard,
                             const std::function<Status(const EsDocument&)>& on_document,
                             const ShardDocumentsOptions& options = {},
                             ShardDocumentCounts* counts = nullptr);

}  // namespace essnap::lucene
