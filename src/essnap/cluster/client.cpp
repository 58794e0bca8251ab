#include "essnap/cluster/client.hpp"

#include <charconv>

#include "essnap/cluster/error.hpp"
#include "essnap/http/request_target.hpp"

namespace essnap::cluster {

const char* to_string(Distribution d) {
  return d == Distribution::kOpenSearch ? "opensearch" : "elasticsearch";
}

namespace {

// obj[key] when obj is an object holding a string there, else "". json::value(key, "") throws
// when obj is not an object or the member is not a string, and info() reads a server's JSON.
std::string string_member(const nlohmann::json& obj, const char* key) {
  if (!obj.is_object()) return {};
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Result<Version> Version::parse(std::string_view s) {
  Version v;
  v.text = std::string(s);
  int* parts[] = {&v.major, &v.minor, &v.patch};
  const char* p = s.data();
  const char* end = s.data() + s.size();
  for (int i = 0; i < 3; ++i) {
    auto [next, ec] = std::from_chars(p, end, *parts[i]);
    if (ec != std::errc() || next == p) {
      // An excerpt only: the text is whatever the server sent.
      if (i == 0)
        return Error(ErrorCode::kParse, "not a version number: '" + v.text.substr(0, 64) +
                                            (v.text.size() > 64 ? "...'" : "'"));
      break;
    }
    p = next;
    if (p == end || *p != '.') break;
    ++p;
  }
  return v;
}

Client::Client(std::unique_ptr<http::Transport> transport, std::string base_url,
               http::Headers headers, http::Timeouts timeouts)
    : transport_(std::move(transport)),
      base_url_(std::move(base_url)),
      headers_(std::move(headers)),
      timeouts_(timeouts) {}

Result<http::Response> Client::send(Call call) {
  ESSNAP_TRY(std::string url, http::join_url(base_url_, call.path));
  http::Request req;
  req.method = call.method;
  req.url = std::move(url);
  req.headers = headers_;
  if (call.body) {
    req.body = http::Body::from_string(std::move(*call.body));
    req.headers.emplace_back("Content-Type", "application/json");
  }
  req.timeouts = call.timeouts.value_or(timeouts_);
  req.idempotency = call.idempotency;
  return transport_->send(std::move(req));
}

namespace {

// The text between the first '[' and the next ']' of an engine's reason: "[repo:snap] is
// missing" -> "repo:snap", "no such index [logs]" -> "logs".
std::string bracketed(const std::string& reason) {
  const auto open = reason.find('[');
  if (open == std::string::npos) return {};
  const auto close = reason.find(']', open + 1);
  if (close == std::string::npos) return {};
  return reason.substr(open + 1, close - open - 1);
}

// error.<key> of an engine's error body, when it is a string.
std::string error_member(const http::Response& response, const char* key) {
  auto j = nlohmann::json::parse(response.body, nullptr, false);
  if (!j.is_object() || !j.contains("error")) return {};
  return string_member(j["error"], key);
}

}  // namespace

Error error_for_status(const http::Response& response, std::string_view what) {
  Error e = error_from_response(response);
  const bool typed_404 = e.remote && response.status == 404 &&
                         (e.remote->error_type.ends_with("_not_found_exception") ||
                          e.remote->error_type.ends_with("_missing_exception"));
  if (!typed_404) {
    if (!what.empty()) e.message = std::string(what) + ": " + e.message;
    return e;
  }
  // A 404 is named by what the engine says is missing, never by what the caller guesses: a
  // snapshot PUT answers 404 for a missing index as well as for a missing repository.
  e.code = ErrorCode::kNotFound;
  const std::string& type = e.remote->error_type;
  const std::string named = bracketed(e.remote->reason);
  if (type == "index_not_found_exception" &&
      !(named.empty() && error_member(response, "index").empty() &&
        error_member(response, "resource.id").empty())) {
    std::string index = error_member(response, "index");
    if (index.empty()) index = error_member(response, "resource.id");
    if (index.empty()) index = named;
    e.message = "no such index " + index;
    e.hint =
        "check the index names; list the cluster's indices with "
        "'essnap request GET /_cat/indices?v'";
  } else if (type == "repository_missing_exception" && !named.empty()) {
    e.message = "repository " + named + " is not registered";
    e.hint = "list the repositories with 'essnap repo list'";
  } else if (type == "snapshot_missing_exception" && !named.empty()) {
    // "[repo:snap] is missing"; repository names cannot hold ':', snapshot names can.
    const auto colon = named.find(':');
    const std::string repo = colon == std::string::npos ? "" : named.substr(0, colon);
    const std::string snap = colon == std::string::npos ? named : named.substr(colon + 1);
    e.message = "no snapshot " + snap + (repo.empty() ? "" : " in " + repo);
    e.hint = "list the snapshots with 'essnap snapshot list" +
             (repo.empty() ? std::string() : " -r " + repo) + "'";
  } else if (!what.empty()) {
    e.message = std::string(what) + ": " + e.message;
  }
  return e;
}

Result<nlohmann::json> Client::json(const Call& call) {
  ESSNAP_TRY(http::Response resp, send(call));
  if (resp.status >= 400) return error_for_status(resp, call.method + " " + call.path);
  if (resp.body.empty()) return nlohmann::json();
  auto j = nlohmann::json::parse(resp.body, nullptr, false);
  if (j.is_discarded())
    return Error(ErrorCode::kParse,
                 call.method + " " + call.path + ": the answer is not JSON (HTTP " +
                     std::to_string(resp.status) + ")",
                 "check --url: it should point at the cluster's REST endpoint");
  return j;
}

Result<nlohmann::json> Client::json(std::string method, std::string path,
                                    std::optional<nlohmann::json> body,
                                    http::Idempotency idempotency) {
  Call c;
  c.method = std::move(method);
  c.path = std::move(path);
  if (body) c.body = body->dump();
  c.idempotency = idempotency;
  return json(c);
}

Result<ClusterInfo> Client::info() {
  if (info_) return *info_;
  ClusterInfo info;
  Call root_call;
  root_call.path = "/";
  ESSNAP_TRY(http::Response root, send(root_call));
  if (root.status < 400) {
    auto j = nlohmann::json::parse(root.body, nullptr, false);
    const nlohmann::json* version =
        j.is_object() && j.contains("version") ? &j["version"] : nullptr;
    // OpenSearch 1.x/2.x with compatibility.override_main_response_version (set for old
    // Elasticsearch clients, common on managed domains) answer "7.10.2" here, without a
    // distribution or build_flavor: the nodes-info API below still tells the truth.
    const bool masked = version && string_member(*version, "number") == "7.10.2" &&
                        string_member(*version, "distribution").empty() &&
                        string_member(*version, "build_flavor").empty();
    if (version && !string_member(*version, "number").empty() && !masked) {
      ESSNAP_TRY(info.version, Version::parse(string_member(*version, "number")));
      info.distribution = string_member(*version, "distribution") == "opensearch"
                              ? Distribution::kOpenSearch
                              : Distribution::kElasticsearch;
      info.cluster_name = string_member(j, "cluster_name");
      info_ = info;
      return info;
    }
  } else if (root.status != 404 && root.status != 405) {
    return error_for_status(root, "GET /");
  }
  // Builds that do not serve GET / still answer the nodes-info API. Only Elasticsearch reports
  // a build_flavor there.
  ESSNAP_TRY(
      nlohmann::json nodes,
      json("GET", "/_nodes/_local?filter_path=cluster_name,nodes.*.version,nodes.*.build_flavor"));
  if (!nodes.contains("nodes") || !nodes["nodes"].is_object() || nodes["nodes"].empty())
    return Error(ErrorCode::kParse, "the cluster did not report its version",
                 "check --url: it should point at the cluster's REST endpoint");
  const auto& node = nodes["nodes"].begin().value();
  if (!node.is_object() || string_member(node, "version").empty())
    return Error(ErrorCode::kParse, "the cluster's nodes info holds no version string",
                 "check --url: it should point at the cluster's REST endpoint");
  ESSNAP_TRY(info.version, Version::parse(string_member(node, "version")));
  info.distribution =
      node.contains("build_flavor") ? Distribution::kElasticsearch : Distribution::kOpenSearch;
  // A "7.10.2" from GET / that nodes info does not contradict stays Elasticsearch 7.10.2 (a
  // front end may strip build_flavor); OpenSearch reports its own version there.
  if (info.version == Version{7, 10, 2, ""} && info.distribution == Distribution::kOpenSearch)
    info.distribution = Distribution::kElasticsearch;
  info.cluster_name = string_member(nodes, "cluster_name");
  info_ = info;
  return info;
}

}  // namespace essnap::cluster
