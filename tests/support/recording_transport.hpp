// A Transport for unit tests: every request is recorded, and a handler (or a queue of canned
// answers) decides the response. Lets tests assert exactly which calls a workflow made.
#pragma once

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "essnap/http/transport.hpp"

namespace essnap::testing {

class RecordingTransport : public http::Transport {
 public:
  using Handler = std::function<Result<http::Response>(const http::Request&)>;

  explicit RecordingTransport(Handler handler = {}) : handler_(std::move(handler)) {}

  void set_handler(Handler h) { handler_ = std::move(h); }
  void push(int status, std::string body = {}, http::Headers headers = {}) {
    queue_.push_back(http::Response{status, std::move(headers), std::move(body), 1});
  }

  Result<http::Response> send(http::Request request) override {
    requests.push_back(request);
    if (!queue_.empty()) {
      auto r = queue_.front();
      queue_.pop_front();
      return r;
    }
    if (handler_) {
      auto r = handler_(requests.back());
      if (r.ok() && request.body_sink && r->status < 300) {
        auto s = request.body_sink(r->body);
        if (!s.ok()) return std::move(s).error();
        r->body.clear();
      }
      return r;
    }
    return http::Response{599, {}, "no canned answer", 1};
  }

  // Requests whose method changes state (anything but GET and HEAD), excluding POSTs to
  // paths in `read_posts` (query-protocol reads and _verify are POSTs that change nothing).
  std::vector<http::Request> mutating(
      const std::function<bool(const http::Request&)>& is_read = {}) const {
    std::vector<http::Request> out;
    for (const auto& r : requests) {
      if (r.method == "GET" || r.method == "HEAD") continue;
      if (is_read && is_read(r)) continue;
      out.push_back(r);
    }
    return out;
  }

  std::vector<http::Request> requests;

 private:
  Handler handler_;
  std::deque<http::Response> queue_;
};

}  // namespace essnap::testing
