#include "essnap/cluster/search.hpp"

#include "essnap/cluster/names.hpp"

namespace essnap::cluster {
namespace {

Result<std::string> raw_ok(Client& c, Call call) {
  const std::string what = call.method + " " + call.path.substr(0, call.path.find('?'));
  ESSNAP_TRY(http::Response resp, c.send(call));
  if (resp.status >= 400) return error_for_status(resp, what);
  return std::move(resp.body);
}

}  // namespace

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
    call.body = nlohmann::json{{"scroll", r.scroll.empty() ? "5m" : r.scroll},
                               {"scroll_id", r.scroll_id}}
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

Result<BulkResponse> bulk(Client& c, const BulkRequest& r) {
  ESSNAP_TRY_STATUS(names::validate_index_name(r.index));
  Call call;
  call.method = "POST";
  call.path = names::path({r.index, "_bulk"}) + "?filter_path=errors,took,items.*.status,items.*.error";
  call.body = r.body;
  call.idempotency = http::Idempotency::kIdempotent;  // explicit ids: see the header
  ESSNAP_TRY(http::Response resp, c.send(call));
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
  const std::string path = names::path({"_cat", "indices", names::Segment::list(patterns)}) +
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
}

Result<long long> count_documents(Client& c, const std::string& index, Refresh refresh) {
  ESSNAP_TRY_STATUS(names::validate_index_name(index));
  if (refresh == Refresh::kYes) {
    ESSNAP_TRY(nlohmann::json ignored, c.json("POST", names::path({index, "_refresh"})));
    (void)ignored;
  }
  ESSNAP_TRY(nlohmann::json j, c.json("GET", names::path({index, "_count"})));
  if (!j.is_object() || !j.contains("count") || !j["count"].is_number_integer())
    return Error(ErrorCode::kParse, "GET /" + index + "/_count: no count in the answer");
  return j["count"].get<long long>();
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

Status create_index(Client& c, const std::string& index, const nlohmann::json& body) {
  ESSNAP_TRY_STATUS(names::validate_index_name(index));
  // Not repeated blindly: a repeat after a lost answer would say "already exists".
  ESSNAP_TRY(nlohmann::json j,
             c.json("PUT", names::path({index}), body, http::Idempotency::kNonIdempotent));
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
