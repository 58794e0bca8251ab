// Running the essnap binary against a scripted loopback cluster: a clean environment (no AWS
// files, no credentials, ESSNAP_URL set) and the root document of an OpenSearch 2 node.
#pragma once

#include <string>

#include "support/loopback_server.hpp"
#include "support/process.hpp"

namespace essnap::test {

inline Command essnap_command(const std::string& url, const std::string& args) {
  Command c;  // stdin: /dev/null
  c.clear_env = true;
  c.env = {{"PATH", "/usr/bin:/bin"}, {"HOME", "/nonexistent"}, {"ESSNAP_URL", url}};
  c.argv = argv({ESSNAP_BINARY}, args);
  return c;
}

inline ServerResponse os2_root() {
  return ServerResponse::json(
      200, R"({"cluster_name":"c","version":{"distribution":"opensearch","number":"2.19.6"}})");
}

// A loopback cluster with repository "repo" holding snapshot "old" and an open index "orders";
// it records every request so the refusals can be shown to have changed nothing.
inline ServerResponse scripted_cluster(const ServerRequest& r) {
  if (r.target == "/") return os2_root();
  if (r.method == "GET" && (r.target == "/_snapshot" || r.target == "/_snapshot/_all"))
    return ServerResponse::json(200, R"({"repo":{"type":"fs","settings":{"location":"/x"}}})");
  if (r.method == "GET" && (r.target.starts_with("/_snapshot/_status") ||
                            r.target.starts_with("/_snapshot/repo/_status")))
    return ServerResponse::json(200, R"({"snapshots":[]})");
  if (r.method == "GET" && r.target == "/_snapshot/repo")
    return ServerResponse::json(200, R"({"repo":{"type":"fs","settings":{"location":"/x"}}})");
  if (r.method == "GET" && r.target.starts_with("/_snapshot/repo/"))
    return ServerResponse::json(
        200, R"({"snapshots":[{"snapshot":"old","state":"SUCCESS","version":"2.19.6",)"
             R"("version_id":136407827,"indices":["orders"]}]})");
  if (r.target.starts_with("/_cat/indices"))
    return ServerResponse::json(200, R"([{"index":"orders","status":"open","docs.count":"3"}])");
  return ServerResponse::json(200, R"({"acknowledged":true})");
}

inline bool changed_anything(const LoopbackServer& server) {
  for (const auto& q : server.requests())
    if (q.method != "GET" && q.method != "HEAD") return true;
  return false;
}

}  // namespace essnap::test
