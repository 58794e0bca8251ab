// `essnap inspect docs`: the documents of one index of one snapshot, read from the repository's
// Lucene segments (lucene/documents.hpp) with no cluster — to recover a few without restoring.
// Shard by shard (0..number_of_shards-1), segment by segment, doc-id order within a segment.
//
// Each document is written as a line of the export format's document shape:
//   {"_id":STRING[,"_routing":STRING],"_source":OBJECT}\n
// `_source` as stored when it is one line of JSON; SMILE (Elasticsearch's binary form) and JSON
// with line breaks are re-serialised compactly (same members, same order); CBOR / YAML are
// refused naming the document.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "essnap/inspect/walker.hpp"
#include "essnap/lucene/documents.hpp"

namespace essnap::inspect {

struct DocsRequest {
  std::string snapshot;
  std::string index;
  std::vector<std::string> ids;        // only these _ids (empty: every document)
  std::optional<std::uint64_t> limit;  // stop after this many documents
  lucene::Integrity integrity = lucene::Integrity::kVerifyChecksums;
};

struct DocsSummary {
  std::uint64_t documents = 0;  // lines written
  std::int64_t shards = 0;      // shards read
  std::int64_t nested = 0;      // nested children skipped
  bool limited = false;         // stopped at the limit
};

// A document's stored _source as JSON text: JSON exactly as stored (what a search hit returns),
// SMILE as compact JSON; kParse naming the _id when it is neither.
Result<std::string> stored_source_json(const lucene::EsDocument& doc);

// One document line (with its '\n') from a decoded document; kParse naming the _id when the
// stored _source is not JSON or SMILE.
Result<std::string> document_line(const lucene::EsDocument& doc);
// The same line appended to `out` (a chunk being filled: no line of its own); `out` is left as
// it was on an error.
Status append_document_line(std::string& out, const lucene::EsDocument& doc);

// Reads the documents of request.index in request.snapshot and hands each line to `out`.
// kNotFound names a missing snapshot or index; kConflict an index that stores no `_source`
// (named, with why); kParse damage, naming the blob and the Lucene file.
Result<DocsSummary> read_documents(Repository& repo, const DocsRequest& request,
                                   const std::function<Status(const std::string& line)>& out);

}  // namespace essnap::inspect
