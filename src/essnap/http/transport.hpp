// The HTTP transport interface every remote call goes through. Behaviour (retry, signing,
// logging with redaction, dry-run) is stacked as decorators over a libcurl base transport,
// chosen by make_transport(); tests swap in their own Transport.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
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

// A request body: in memory, or a file streamed from disk (never read whole). The bytes in
// memory are shared, never copied, by the copies of a request (one per attempt of the retry
// layer, the region redirect of S3): a multi-MiB PUT or _bulk body was copied three or four
// times per send, each copy fresh pages for the kernel to fault in.
struct Body {
  std::shared_ptr<const std::string> bytes;  // used when file_path is empty; null = empty
  std::string file_path;                     // stream this file instead
  static Body from_string(std::string s) {
    return Body{std::make_shared<const std::string>(std::move(s)), {}};
  }
  static Body from_file(std::string path) { return Body{nullptr, std::move(path)}; }
  std::string_view data() const { return bytes ? std::string_view(*bytes) : std::string_view(); }
};

enum class Idempotency { kIdempotent, kNonIdempotent };

// Filled in by the base transport during one attempt. The retry layer reads it to decide
// whether a failed non-idempotent request is safe to repeat: only if it never left us.
struct AttemptInfo {
  bool request_may_have_been_sent = false;
  std::uint64_t body_bytes_to_sink = 0;  // bytes already handed to Request::body_sink
};

// When a byte of this request last moved (sent or received), shared by every attempt of one
// request: the no-answer watch (make_watch_transport) starts it and reads it, the base transport
// moves it forward. A transport that never touches it reads as silent until it returns.
struct Heard {
  std::atomic<std::chrono::steady_clock::rep> at{0};  // steady_clock ticks since its epoch
  void now() { at.store(std::chrono::steady_clock::now().time_since_epoch().count()); }
  std::chrono::steady_clock::time_point when() const {
    return std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(at.load()));
  }
};

struct Request {
  std::string method = "GET";
  std::string url;  // absolute
  Headers headers;
  Body body;
  Timeouts timeouts;
  Idempotency idempotency = Idempotency::kIdempotent;
  // When set, the response body is streamed here instead of collected in Response::body.
  // Only 2xx bodies go to the sink; error bodies are still collected in Response::body so
  // they can be parsed and classified.
  std::function<Status(std::string_view chunk)> body_sink;
  // Set by the retry layer for each attempt; decorators pass it through untouched.
  std::shared_ptr<AttemptInfo> attempt;
  // Set by the no-answer watch for the whole request (all its attempts); may be null.
  std::shared_ptr<Heard> heard;
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
