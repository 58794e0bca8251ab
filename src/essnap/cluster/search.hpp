// The read and write calls a logical copy needs, one request struct per call: point-in-time
// open/close (Elasticsearch `_pit`), a search page and a scroll page returned as raw bytes (the
// caller parses them: `_source` must be copied byte for byte, never re-serialised), and `_bulk`
// with an NDJSON body. Index metadata (settings, mappings, aliases), counts and index creation.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "essnap/cluster/client.hpp"
#include "essnap/util/result.hpp"

namespace essnap::cluster {

// What a search page is read with.
enum class ReadStrategy {
  kPointInTime,  // Elasticsearch >= 7.16: `_pit` + `search_after` on `_shard_doc`, sliceable
  kScroll,       // everything else: sliced scroll sorted by `_doc`
  // Plain searches sorted by `_id` with `search_after`: no search context is held, so it works
  // where neither scroll nor a point in time is served (Amazon OpenSearch Serverless has no
  // scroll); not a frozen view (documents written meanwhile may or may not be read) and not
  // sliceable. OpenSearch sorts by `_id`; Elasticsearch 8+ refuses to unless
  // indices.id_field_data.enabled is set.
  kSearchAfter,
};
// "auto" (nullopt), "pit", "scroll", "search-after"; kInvalidArgument otherwise.
Result<std::optional<ReadStrategy>> parse_read_strategy(std::string_view text);
std::string to_string(ReadStrategy s);
// Elasticsearch gained slicing of a point in time in 7.16 (elastic/elasticsearch#75162);
// OpenSearch's point in time (2.4+) has no `_shard_doc` tiebreaker, so `search_after` on `_doc`
// would skip documents across shards there: it reads with a sliced scroll.
ReadStrategy read_strategy_for(const ClusterInfo& info);

// POST /INDEX/_pit?keep_alive=K -> the id.
struct OpenPitRequest {
  std::string index;
  std::string keep_alive = "10m";
};
Result<std::string> open_pit(Client& c, const OpenPitRequest& r);
// DELETE /_pit {"id": ...}; a missing point in time is not an error.
Status close_pit(Client& c, const std::string& pit_id);

// POST /_search (with a point in time) or POST /INDEX/_search?scroll=K (first scroll page) or
// POST /_search/scroll: `body` is sent as it is; the answer's bytes come back unparsed.
struct SearchPageRequest {
  std::string index;      // empty with a point in time (the PIT names its indices)
  std::string scroll;     // "5m": open a scroll (first page)
  std::string scroll_id;  // set: continue a scroll (index and body ignored)
  std::string body;       // JSON
};
Result<std::string> search_page(Client& c, const SearchPageRequest& r);
// DELETE /_search/scroll; failures are ignored by callers (the scroll expires anyway).
Status clear_scroll(Client& c, const std::string& scroll_id);

// POST /INDEX/_bulk with an NDJSON body (each line ends with '\n'). The answer is returned raw:
// with filter_path=errors,took,items.*.status,items.*.error the item order stays the request's.
// A bulk of index operations with explicit ids is idempotent (a repeat overwrites with the same
// document), so the transport's retry loop may repeat it after a 5xx or a dropped connection.
struct BulkRequest {
  std::string index;
  std::string body;
};
struct BulkResponse {
  int http_status = 0;
  std::string body;
};
Result<BulkResponse> bulk(Client& c, BulkRequest r);  // the body is moved along, never copied

// GET /INDEX: {"settings":..., "mappings":..., "aliases":...} of one exact index.
struct IndexMetadata {
  nlohmann::json settings = nlohmann::json::object();  // {"index": {...}} as the engine nests it
  nlohmann::json mappings = nlohmann::json::object();
  nlohmann::json aliases = nlohmann::json::object();
};
Result<IndexMetadata> get_index_metadata(Client& c, const std::string& index);

// GET /_cat/indices/PATTERNS?format=json&h=index,pri (open indices, the engine applying the
// patterns and exclusions): name -> primary shard count, sorted by name. An exact name that does
// not exist is kNotFound from the engine.
struct ResolvedIndex {
  std::string name;
  int primaries = 1;
};
Result<std::vector<ResolvedIndex>> resolve_open_indices(Client& c,
                                                        const std::vector<std::string>& patterns);

// GET /INDEX/_count -> documents (after a refresh when asked).
enum class Refresh { kNo, kYes };
Result<std::int64_t> count_documents(Client& c, const std::string& index,
                                     Refresh refresh = Refresh::kNo);

// HEAD /INDEX: whether an index (or alias) of that name exists.
Result<bool> index_exists(Client& c, const std::string& index);

// GET /NAME/_settings/index.uuid: the uuid of the index NAME, or for a data stream (or an alias)
// the uuid of its first backing index by name; kNotFound when nothing of that name exists. It
// tells an index essnap created from a namesake made later.
Result<std::string> index_uuid(Client& c, const std::string& name);

// PUT /INDEX with the body; an Error carries the engine's detail (the caller reads
// "unknown setting [...]" out of it).
Status create_index(Client& c, const std::string& index, const nlohmann::json& body);

// GET /_resolve/index/PATTERNS?expand_wildcards=all (Elasticsearch 7.9+, OpenSearch 1.0+, and
// Amazon OpenSearch Serverless; in the engines' core, unlike GET /_data_stream, which
// Elasticsearch builds without x-pack lack): the data streams the patterns name, with timestamp
// field and backing indices, oldest first. Empty on engines without data streams.
struct DataStream {
  std::string name;
  std::string timestamp_field = "@timestamp";
  std::vector<std::string> indices;
};
Result<std::vector<DataStream>> list_data_streams(Client& c,
                                                  const std::vector<std::string>& patterns);
bool has_data_streams(const ClusterInfo& info);
// Backing index -> its data stream, for the data streams PATTERNS name (none on engines without
// them).
Result<std::map<std::string, DataStream>> data_streams_by_backing_index(
    Client& c, const ClusterInfo& info, const std::vector<std::string>& patterns);

// PUT /_data_stream/NAME: the engine creates it from the index template matching NAME (an
// Error when none does: "no matching index template found for data stream [NAME]"). false when
// the engine has no such API (Elasticsearch without x-pack answers 405): there a data stream is
// made by the first document indexed into a name its template matches.
Result<bool> create_data_stream(Client& c, const std::string& name);
// Whether an Error from create_data_stream says no index template matches.
bool is_missing_template(const Error& e);

// GET /_index_template: the composable template that applies to a new index or data stream
// NAME (the highest priority among those whose patterns match), nullopt when none does.
struct TemplateMatch {
  std::string name;
  long long priority = 0;
  bool data_stream = false;
};
Result<std::optional<TemplateMatch>> matching_index_template(Client& c, const std::string& name);

// PUT /_index_template/NAME (composable templates: Elasticsearch 7.8+, OpenSearch 1.0+).
Status put_index_template(Client& c, const std::string& name, const nlohmann::json& body);

// PUT /INDEX/_settings (e.g. restoring refresh_interval after a load).
Status put_index_settings(Client& c, const std::string& index, const nlohmann::json& settings);

}  // namespace essnap::cluster
