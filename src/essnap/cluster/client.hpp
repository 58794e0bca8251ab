// A small Elasticsearch / OpenSearch REST client over the shared transport stack: it joins paths
// to the cluster URL, adds the auth headers that are not SigV4 (basic, API key), turns HTTP >= 400
// into an Error with the server's detail, and knows which engine and version it is talking to.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "essnap/http/transport.hpp"
#include "essnap/util/result.hpp"

namespace essnap::cluster {

enum class Distribution { kElasticsearch, kOpenSearch };
const char* to_string(Distribution d);

// "8.19.7", "2.19.6", "7.10.2-SNAPSHOT": numeric parts compare, a suffix is kept for display.
struct Version {
  int major = 0;
  int minor = 0;
  int patch = 0;
  std::string text;

  static Result<Version> parse(std::string_view s);
  friend auto operator<=>(const Version& a, const Version& b) {
    if (a.major != b.major) return a.major <=> b.major;
    if (a.minor != b.minor) return a.minor <=> b.minor;
    return a.patch <=> b.patch;
  }
  friend bool operator==(const Version& a, const Version& b) {
    return a.major == b.major && a.minor == b.minor && a.patch == b.patch;
  }
};

struct ClusterInfo {
  Distribution distribution = Distribution::kElasticsearch;
  Version version;
  std::string cluster_name;
};

// One call. `body` is sent as application/json when set.
struct Call {
  std::string method = "GET";
  std::string path;  // "/_snapshot/repo/snap?wait_for_completion=true"; date math is encoded
  std::optional<std::string> body;
  http::Idempotency idempotency = http::Idempotency::kIdempotent;
  std::optional<http::Timeouts> timeouts;  // default: the client's
};

class Client {
 public:
  // `headers` go on every request (an Authorization for basic / API-key auth; SigV4 lives in the
  // transport). `base_url` is the cluster root, optionally with a path prefix.
  Client(std::unique_ptr<http::Transport> transport, std::string base_url,
         http::Headers headers = {}, http::Timeouts timeouts = {});

  // The raw answer, whatever its status; an Error only when there was no answer.
  Result<http::Response> send(
      Call call);  // by value: a body passed as an rvalue is moved, not copied

  // 2xx -> the parsed body (null for an empty body). >= 400 -> an Error: kNotFound for a 404
  // *_not_found_exception / *_missing_exception, otherwise kRemote, with the RemoteDetail and a
  // hint. An unparseable 2xx body is kParse. The three 404s people meet are named here, once, by
  // their error type: "no such index X", "repository R is not registered", "no snapshot S in R".
  Result<nlohmann::json> json(const Call& call);
  Result<nlohmann::json> json(std::string method, std::string path,
                              std::optional<nlohmann::json> body = std::nullopt,
                              http::Idempotency idempotency = http::Idempotency::kIdempotent);

  // Engine and version. Uses GET /, falling back to GET /_nodes/_local (some builds, like
  // Elasticsearch's integration-test distribution, answer 405 to GET /). Cached after success.
  Result<ClusterInfo> info();

  const std::string& base_url() const { return base_url_; }
  http::Transport& transport() { return *transport_; }

 private:
  std::unique_ptr<http::Transport> transport_;
  std::string base_url_;
  http::Headers headers_;
  http::Timeouts timeouts_;
  std::optional<ClusterInfo> info_;
};

// The Error for an HTTP answer >= 400 as json() makes it (exposed for callers using send()).
// `what` ("PUT /_snapshot/r/s") prefixes the message unless the 404 was named by its type.
Error error_for_status(const http::Response& response, std::string_view what);

}  // namespace essnap::cluster
