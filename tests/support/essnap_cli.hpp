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

}  // namespace essnap::test
