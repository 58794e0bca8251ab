// The bytes of a logical copy, parsed without re-serialising a document: a search page's hits
// (their `_id`, `_routing` and `_source` as raw JSON, copied byte for byte), a chunk line, a bulk
// body built from chunk lines, and a bulk answer's items. simdjson stays inside the .cpp.
//
// Chunk line grammar (one document per line, UTF-8, '\n' terminated; written in this order):
//   line    = "{" "\"_id\":" STRING [ ",\"_routing\":" STRING ] ",\"_source\":" OBJECT "}" "\n"
// The reader accepts the three members in any order, refuses any other member, a missing `_id`
// or `_source`, a non-string `_id`/`_routing` and a `_source` that is not an object.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "essnap/util/result.hpp"

namespace essnap::transfer {

// simdjson reads up to this many bytes past the end of its input.
inline constexpr std::size_t kJsonPadding = 64;
// Gives `s` the capacity simdjson needs past its size (no copy when it has it already).
void ensure_padding(std::string& s);

struct Hit {
  std::string_view id;       // raw JSON string token, quotes included
  std::string_view routing;  // raw JSON string token; empty when the hit has none
  std::string_view source;   // raw JSON object
  std::string_view sort;     // raw JSON array (search_after); empty when absent
};

struct SearchPage {
  std::vector<Hit> hits;  // views into the body that was parsed: valid while it lives
  std::string pit_id;     // Elasticsearch: the point in time id to use next
  std::string scroll_id;  // scroll: the id of the next page
};

// Parses a search answer. kParse for a malformed body, kIncomplete when shards failed or the
// search timed out (a page with missing shards would silently lose documents), kConflict for a
// hit without `_source` (the index stores none: it cannot be exported).
class PageParser {
 public:
  PageParser();
  ~PageParser();
  PageParser(const PageParser&) = delete;
  PageParser& operator=(const PageParser&) = delete;

  // `body` gets padding (see ensure_padding); the page's views point into it.
  Result<SearchPage> parse(std::string& body);

  // One chunk line (without its '\n'); `line` must be followed by kJsonPadding readable bytes
  // (the rest of a padded chunk buffer is).
  struct DocLine {
    std::string_view id, routing, source;
  };
  Result<DocLine> parse_line(std::string_view line);

  // A bulk answer (filter_path=errors,took,items.*.status,items.*.error).
  struct BulkItem {
    int status = 0;
    std::string error_type;  // "" when the item succeeded
    std::string error_json;  // the item's error object, raw
  };
  struct BulkResult {
    bool errors = false;
    std::vector<BulkItem> items;  // filled only when errors is true
  };
  Result<BulkResult> parse_bulk(std::string& body);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Appends one chunk line for a hit. A `_source` holding raw line breaks (a pretty-printed
// document) is minified first: inside JSON strings line breaks are always escaped, so the
// document is the same and the line stays one line.
void append_doc_line(std::string& out, const Hit& hit);

// Appends the bulk action + source lines of one document to an NDJSON bulk body: "index" (an
// index: the document replaces one of the same id) or "create" (a data stream, which accepts
// nothing else).
enum class BulkOp { kIndex, kCreate };
void append_bulk_index(std::string& out, const PageParser::DocLine& doc,
                       BulkOp op = BulkOp::kIndex);

}  // namespace essnap::transfer
