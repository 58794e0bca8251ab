#include "essnap/cluster/search.hpp"

#include <algorithm>

#include "essnap/cluster/names.hpp"
#include "essnap/cluster/pattern_chunks.hpp"
#include "essnap/util/glob.hpp"

namespace essnap::cluster {
namespace {

Result<std::string> raw_ok(Client& c, Call call) {
  const std::string what = call.method + " " + call.path.substr(0, call.path.find('?'));
  ESSNAP_TRY(http::Response resp, c.send(call));
  if (resp.status >= 400) return error_for_status(resp, what);
  return std::move(resp.body);
}

}  // namespace

Result<std::optional<ReadStrategy>> parse_read_strategy(std::string_view text) {
  if (text == "auto") return std::optional<ReadStrategy>{};
  if (text == "pit") return std::optional<ReadStrategy>{ReadStrategy::kPointInTime};
  if (text == "scroll") return std::optional<ReadStrategy>{ReadStrategy::kScroll};
  if (text == "search-after") return std::optional<ReadStrategy>{ReadStrategy::kSearchAfter};
  return Error(ErrorCode::kInvalidArgument,
               "unknown read strategy '" + std::string(text.substr(0, 40)) + "'",
               "use auto, pit, scroll or search-after");
}

std::string to_string(ReadStrategy s) {
  switch (s) {
    case ReadStrategy::kPointInTime:
      return "pit";
    case ReadStrategy::kScroll:
      return "scroll";
    case ReadStrategy::kSearchAfter:
      return "search-after";
  }
  return "scroll";
}

ReadStrategy read_strategy_for(const ClusterInfo& info) {
  if (info.distribution == Distribution::kElasticsearch &&
      (info.version.major > 7 || (info.version.major == 7 && info.version.minor >= 16)))
    return ReadStrategy::kPointInTime;
  return ReadStrategy::kScroll;
}

Result<std::string> open_pit(Client& c, const OpenPitRequest& r) {
  ESSNAP_TRY_STATUS(names::validate_index_name(r.index));
  ESSNAP_TRY(nlohmann::json j,
             c.json("POST", names::path({r.index, "_pit"}) + "?keep_alive=" + r.keep_alive,
                    std::nullopt, http::Idempotency::kIdempotent));
  if (!j.is_object() || !j.contains("id") || !j["id"].is_string())
    return Error(ErrorCode::kParse, "POST /" + r.index + "/_pit: the answer holds no id");
  return j["id"].get<std::string>();
}

Status close_pit(Client& c, const std::string& pit_id) {
  Call call;
  call.method = "DELETE";
  call.path = "/_pit";
  call.body = nlohmann::json{{"id", pit_id}}.dump();
  ESSNAP_TRY(http::Response resp, c.send(call));
  if (resp.status >= 400 && resp.status != 404) return error_for_status(resp, "DELETE /_pit");
  return ok_status();
}

Result<std::string> search_page(Client& c, const SearchPageRequest& r) {
  Call call;
  call.method = "POST";
  // Searches change nothing: repeating one after a dropped answer is safe. A scroll page is the
  // exception (a repeat would skip a page), so it is not repeated once it may have been sent.
  if (!r.scroll_id.empty()) {
    call.path = "/_search/scroll";
    call.body =
        nlohmann::json{{"scroll", r.scroll.empty() ? "5m" : r.scroll}, {"scroll_id", r.scroll_id}}
            .dump();
    call.idempotency = http::Idempotency::kNonIdempotent;
  } else if (!r.index.empty()) {
    ESSNAP_TRY_STATUS(names::validate_index_name(r.index));
    call.path = names::path({r.index, "_search"});
    if (!r.scroll.empty()) {
      call.path += "?scroll=" + r.scroll;
      call.idempotency = http::Idempotency::kNonIdempotent;
    }
    call.body = r.body;
  } else {
    call.path = "/_search";
    call.body = r.body;
  }
  return raw_ok(c, std::move(call));
}

Status clear_scroll(Client& c, const std::string& scroll_id) {
  Call call;
  call.method = "DELETE";
  call.path = "/_search/scroll";
  call.body = nlohmann::json{{"scroll_id", nlohmann::json::array({scroll_id})}}.dump();
  ESSNAP_TRY(http::Response resp, c.send(call));
  if (resp.status >= 400 && resp.status != 404)
    return error_for_status(resp, "DELETE /_search/scroll");
  return ok_status();
}

Result<BulkResponse> bulk(Client& c, BulkRequest r) {
  ESSNAP_TRY_STATUS(names::validate_index_name(r.index));
  Call call;
  call.method = "POST";
  call.path =
      names::path({r.index, "_bulk"}) + "?filter_path=errors,took,items.*.status,items.*.error";
  call.body = std::move(r.body);
  call.idempotency = http::Idempotency::kIdempotent;  // explicit ids: see the header
  ESSNAP_TRY(http::Response resp, c.send(std::move(call)));
  BulkResponse out;
  out.http_status = resp.status;
  out.body = std::move(resp.body);
  return out;
}

Result<IndexMetadata> get_index_metadata(Client& c, const std::string& index) {
  ESSNAP_TRY_STATUS(names::validate_index_name(index));
  ESSNAP_TRY(nlohmann::json j, c.json("GET", names::path({index})));
  if (!j.is_object() || !j.contains(index) || !j[index].is_object())
    return Error(ErrorCode::kParse, "GET /" + index + ": the answer does not describe the index");
  const auto& o = j[index];
  IndexMetadata m;
  if (o.contains("settings") && o["settings"].is_object()) m.settings = o["settings"];
  if (o.contains("mappings") && o["mappings"].is_object()) m.mappings = o["mappings"];
  if (o.contains("aliases") && o["aliases"].is_object()) m.aliases = o["aliases"];
  return m;
}

Result<std::vector<ResolvedIndex>> resolve_open_indices(Client& c,
                                                        const std::vector<std::string>& patterns) {
  for (const auto& p : patterns) ESSNAP_TRY_STATUS(names::validate_index_pattern(p));
  auto fetch = [&](const std::vector<std::string>& chunk) -> Result<std::vector<ResolvedIndex>> {
    const std::string path = names::path({"_cat", "indices", names::Segment::list(chunk)}) +
                             "?format=json&h=index,pri&expand_wildcards=open&s=index";
    ESSNAP_TRY(nlohmann::json j, c.json("GET", path));
    if (!j.is_array()) return Error(ErrorCode::kParse, "GET /_cat/indices: not a JSON array");
    std::vector<ResolvedIndex> out;
    for (const auto& row : j) {
      if (!row.is_object() || !row.contains("index") || !row["index"].is_string()) continue;
      ResolvedIndex r;
      r.name = row["index"].get<std::string>();
      if (row.contains("pri") && row["pri"].is_string()) {
        try {
          r.primaries = std::max(1, std::stoi(row["pri"].get<std::string>()));
        } catch (...) {
          r.primaries = 1;
        }
      }
      out.push_back(std::move(r));
    }
    return out;
  };
  ESSNAP_TRY(std::vector<ResolvedIndex> out,
             fetch_by_patterns<ResolvedIndex>(patterns, fetch,
                                              [](const ResolvedIndex& r) { return r.name; }));
  // One request answers sorted by name (s=index); chunks merged keep that order.
  std::stable_sort(out.begin(), out.end(),
                   [](const ResolvedIndex& a, const ResolvedIndex& b) { return a.name < b.name; });
  return out;
}

Result<std::int64_t> count_documents(Client& c, const std::string& index, Refresh refresh) {
  ESSNAP_TRY_STATUS(names::validate_index_name(index));
  if (refresh == Refresh::kYes) {
    ESSNAP_TRY(nlohmann::json ignored, c.json("POST", names::path({index, "_refresh"})));
    (void)ignored;
  }
  ESSNAP_TRY(nlohmann::json j, c.json("GET", names::path({index, "_count"})));
  if (!j.is_object() || !j.contains("count") || !j["count"].is_number_integer())
    return Error(ErrorCode::kParse, "GET /" + index + "/_count: no count in the answer");
  return j["count"].get<std::int64_t>();
}

Result<bool> index_exists(Client& c, const std::string& index) {
  ESSNAP_TRY_STATUS(names::validate_index_name(index));
  Call call;
  call.method = "HEAD";
  call.path = names::path({index});
  ESSNAP_TRY(http::Response resp, c.send(call));
  if (resp.status == 404) return false;
  if (resp.status >= 400) return error_for_status(resp, "HEAD /" + index);
  return true;
}

Result<std::string> index_uuid(Client& c, const std::string& name) {
  ESSNAP_TRY_STATUS(names::validate_index_name(name));
  ESSNAP_TRY(nlohmann::json j, c.json("GET", names::path({name, "_settings", "index.uuid"}) +
                                                 "?expand_wildcards=all&flat_settings=true"));
  if (!j.is_object() || j.empty()) return Error(ErrorCode::kNotFound, "no index " + name);
  // One index: its own entry; a data stream or an alias: the first of its indices by name.
  auto it = j.contains(name) ? j.find(name) : j.begin();
  const auto& o = it.value();
  if (!o.is_object() || !o.contains("settings") || !o["settings"].is_object() ||
      !o["settings"].contains("index.uuid") || !o["settings"]["index.uuid"].is_string())
    return Error(ErrorCode::kParse, "GET /" + name + "/_settings: no index.uuid in the answer");
  return o["settings"]["index.uuid"].get<std::string>();
}

Status create_index(Client& c, const std::string& index, const nlohmann::json& body) {
  ESSNAP_TRY_STATUS(names::validate_index_name(index));
  // Not repeated blindly: a repeat after a lost answer would say "already exists".
  ESSNAP_TRY(nlohmann::json j,
             c.json("PUT", names::path({index}), body, http::Idempotency::kNonIdempotent));
  (void)j;
  return ok_status();
}

bool has_data_streams(const ClusterInfo& info) {
  if (info.distribution == Distribution::kOpenSearch) return true;
  return info.version.major > 7 || (info.version.major == 7 && info.version.minor >= 9);
}

namespace {

// One GET /_resolve/index/PATTERNS: the data streams it lists, and the streams its indices say
// they back (an index pattern that matches backing indices lists them, not their stream).
struct Resolved {
  std::vector<DataStream> streams;
  std::vector<std::string> backed;
};

Result<Resolved> resolve_streams_of(Client& c, const std::vector<std::string>& patterns) {
  Call call;
  call.path =
      names::path({"_resolve", "index", names::Segment::list(patterns)}) + "?expand_wildcards=all";
  ESSNAP_TRY(http::Response resp, c.send(call));
  Resolved out;
  if (resp.status == 400 || resp.status == 404 || resp.status == 405) return out;
  if (resp.status >= 300) return error_for_status(resp, "GET /_resolve/index");
  auto j = nlohmann::json::parse(resp.body, nullptr, false);
  if (!j.is_object()) return Error(ErrorCode::kParse, "GET /_resolve/index: not a JSON object");
  if (j.contains("data_streams") && j["data_streams"].is_array())
    for (const auto& d : j["data_streams"]) {
      if (!d.is_object() || !d.contains("name") || !d["name"].is_string()) continue;
      DataStream ds;
      ds.name = d["name"].get<std::string>();
      if (d.contains("timestamp_field") && d["timestamp_field"].is_string())
        ds.timestamp_field = d["timestamp_field"].get<std::string>();
      if (d.contains("backing_indices") && d["backing_indices"].is_array())
        for (const auto& i : d["backing_indices"])
          if (i.is_string()) ds.indices.push_back(i.get<std::string>());
      out.streams.push_back(std::move(ds));
    }
  if (j.contains("indices") && j["indices"].is_array())
    for (const auto& i : j["indices"])
      if (i.is_object() && i.contains("data_stream") && i["data_stream"].is_string())
        out.backed.push_back(i["data_stream"].get<std::string>());
  return out;
}

// resolve_streams_of in requests of bounded length (cluster/pattern_chunks.hpp).
Result<Resolved> resolve_streams(Client& c, const std::vector<std::string>& patterns) {
  for (const auto& p : patterns) ESSNAP_TRY_STATUS(names::validate_index_pattern(p));
  Resolved out;
  auto fetch = [&](const std::vector<std::string>& chunk) -> Result<std::vector<DataStream>> {
    ESSNAP_TRY(Resolved got, resolve_streams_of(c, chunk));
    out.backed.insert(out.backed.end(), got.backed.begin(), got.backed.end());
    return std::move(got.streams);
  };
  ESSNAP_TRY(out.streams, fetch_by_patterns<DataStream>(
                              patterns, fetch, [](const DataStream& d) { return d.name; }));
  return out;
}

}  // namespace

Result<std::vector<DataStream>> list_data_streams(Client& c,
                                                  const std::vector<std::string>& patterns) {
  ESSNAP_TRY(Resolved first,
             resolve_streams(c, patterns.empty() ? std::vector<std::string>{"*"} : patterns));
  std::vector<std::string> missing;
  for (const auto& name : first.backed) {
    bool known = std::find(missing.begin(), missing.end(), name) != missing.end();
    for (const auto& ds : first.streams) known = known || ds.name == name;
    if (!known) missing.push_back(name);
  }
  if (!missing.empty()) {
    ESSNAP_TRY(Resolved more, resolve_streams(c, missing));
    for (auto& ds : more.streams) first.streams.push_back(std::move(ds));
  }
  return first.streams;
}

Result<std::map<std::string, DataStream>> data_streams_by_backing_index(
    Client& c, const ClusterInfo& info, const std::vector<std::string>& patterns) {
  std::map<std::string, DataStream> out;
  if (!has_data_streams(info)) return out;
  ESSNAP_TRY(std::vector<DataStream> streams, list_data_streams(c, patterns));
  for (const auto& ds : streams)
    for (const auto& i : ds.indices) out[i] = ds;
  return out;
}

Result<bool> create_data_stream(Client& c, const std::string& name) {
  ESSNAP_TRY_STATUS(names::validate_index_name(name, "the data stream name"));
  Call call;
  call.method = "PUT";
  call.path = names::path({"_data_stream", name});
  call.idempotency = http::Idempotency::kNonIdempotent;
  ESSNAP_TRY(http::Response resp, c.send(call));
  if (resp.status == 405) return false;
  if (resp.status >= 300) return error_for_status(resp, "PUT /_data_stream/" + name);
  return true;
}

Result<std::optional<TemplateMatch>> matching_index_template(Client& c, const std::string& name) {
  Call call;
  call.path = "/_index_template";
  ESSNAP_TRY(http::Response resp, c.send(call));
  if (resp.status == 404) return std::optional<TemplateMatch>{};  // no template at all
  if (resp.status >= 300) return error_for_status(resp, "GET /_index_template");
  auto j = nlohmann::json::parse(resp.body, nullptr, false);
  if (!j.is_object() || !j.contains("index_templates") || !j["index_templates"].is_array())
    return Error(ErrorCode::kParse, "GET /_index_template: no index_templates array in the answer");
  std::optional<TemplateMatch> best;
  for (const auto& t : j["index_templates"]) {
    if (!t.is_object() || !t.contains("name") || !t["name"].is_string() ||
        !t.contains("index_template") || !t["index_template"].is_object())
      continue;
    const auto& it = t["index_template"];
    bool matches = false;
    if (it.contains("index_patterns") && it["index_patterns"].is_array())
      for (const auto& p : it["index_patterns"])
        if (p.is_string() && util::glob_match(p.get<std::string>(), name)) matches = true;
    if (!matches) continue;
    TemplateMatch m;
    m.name = t["name"].get<std::string>();
    if (it.contains("priority") && it["priority"].is_number_integer())
      m.priority = it["priority"].get<long long>();
    m.data_stream = it.contains("data_stream") && it["data_stream"].is_object();
    if (!best || m.priority > best->priority) best = m;
  }
  return best;
}

bool is_missing_template(const Error& e) {
  const std::string text = (e.remote ? e.remote->reason + " " : std::string()) + e.message;
  return text.find("no matching index template found for data stream") != std::string::npos;
}

Status put_index_template(Client& c, const std::string& name, const nlohmann::json& body) {
  ESSNAP_TRY_STATUS(names::validate_index_name(name, "the index template name"));
  ESSNAP_TRY(nlohmann::json j, c.json("PUT", names::path({"_index_template", name}), body));
  (void)j;
  return ok_status();
}

Status put_index_settings(Client& c, const std::string& index, const nlohmann::json& settings) {
  ESSNAP_TRY_STATUS(names::validate_index_name(index));
  ESSNAP_TRY(nlohmann::json j, c.json("PUT", names::path({index, "_settings"}), settings));
  (void)j;
  return ok_status();
}

}  // namespace essnap::cluster
