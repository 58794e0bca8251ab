// The HTTP transport interface every remote call goes through. Behaviour (retry, signing,
// logging with redaction, dry-run) is stacked as decorators over a libcurl base transport,
// chosen by make_transport(); tests swap in their own Transport.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "essnap/util/result.hpp"

namespace essnap::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Find a header by case-insensitive name; nullptr when absent.
const std::string* find_header(const Headers& headers, std::string_view name);

struct Timeouts {
  std::chrono::milliseconds connect{10'000};  // TCP + TLS handshake
  std::chrono::milliseconds stall{60'000};    // no byte moved for this long
  std::chrono::milliseconds overall{0};       // whole attempt; 0 = no limit beyond stall
};

// A request body: in memory, or a file streamed from disk (never read whole).
struct Body {
  std::string data;       // used when file_path is empty
  std::string file_path;  // stream this file instead
  static Body from_string(std::string s) { return Body{std::move(s), {}}; }
  static Body from_file(std::string path) { return Body{{}, std::move(path)}; }
};

enum class Idempotency { kIdempotent, kNonIdempotent };

struct Request {
  std::string method = "GET";
  std::string url;  // absolute
  Headers headers;
  Body body;
  Timeouts timeouts;
  Idempotency idempotency = Idempotency::kIdempotent;
  // When set, the response body is streamed here instead of collected in Response::body.
  std::function<Status(std::string_view chunk)> body_sink;
};

struct Response {
  int status = 0;
  Headers headers;
  std::string body;
  int attempts = 1;  // how many tries the retry layer made
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Returns a Response for any HTTP answer (including 4xx/5xx); an Error only when no
  // answer was obtained (network, timeout, bad URL, unreadable body file).
  virtual Result<Response> send(Request request) = 0;
};

}  // namespace essnap::http
