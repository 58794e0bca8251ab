// A tiny HTTP/1.1 server on 127.0.0.1 for transport and CLI tests: scripted answers, keep-alive,
// a record of every request and connection, and misbehaviour on demand (delays, stalls, resets).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "essnap/http/transport.hpp"

namespace essnap::test {

struct ServerRequest {
  std::string method;
  std::string target;  // path?query as on the wire
  http::Headers headers;
  std::string body;
  int connection = 0;  // 1-based id of the TCP connection it came on

  const std::string* header(std::string_view name) const {
    return http::find_header(headers, name);
  }
};

struct ServerResponse {
  int status = 200;
  http::Headers headers;
  std::string body;
  std::chrono::milliseconds delay{0};           // before answering at all
  std::chrono::milliseconds stall_mid_body{0};  // send half the body, then go quiet this long
  bool drop = false;                            // close the connection without answering

  static ServerResponse json(int status, std::string body) {
    ServerResponse r;
    r.status = status;
    r.headers = {{"Content-Type", "application/json"}};
    r.body = std::move(body);
    return r;
  }
};

class LoopbackServer {
 public:
  using Handler = std::function<ServerResponse(const ServerRequest&)>;

  explicit LoopbackServer(Handler handler) : handler_(std::move(handler)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 64) != 0)
      throw std::runtime_error("loopback server: bind/listen failed");
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~LoopbackServer() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      for (int fd : client_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    cv_.notify_all();
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    acceptor_.join();
    for (auto& t : workers_) t.join();
  }

  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::vector<ServerRequest> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  int connections() const { return connections_.load(); }

 private:
  void accept_loop() {
    while (true) {
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) {
        ::close(fd);
        return;
      }
      const int id = ++connections_;
      client_fds_.push_back(fd);
      workers_.emplace_back([this, fd, id] { serve(fd, id); });
    }
  }

  // Waits up to d unless the server is stopping; false when stopping.
  bool pause(std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> lock(mu_);
    return !cv_.wait_for(lock, d, [this] { return stopping_; });
  }

  static bool send_all(int fd, std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  void serve(int fd, int id) {
    std::string buf;
    char chunk[65536];
    while (true) {
      // Headers.
      std::size_t end;
      while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) return finish(fd);
        buf.append(chunk, static_cast<std::size_t>(n));
      }
      ServerRequest req;
      req.connection = id;
      std::string_view head(buf.data(), end);
      const auto first_eol = head.find("\r\n");
      std::string_view line = head.substr(0, first_eol);
      const auto sp1 = line.find(' ');
      const auto sp2 = line.rfind(' ');
      req.method = std::string(line.substr(0, sp1));
      req.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
      std::size_t content_length = 0;
      if (first_eol != std::string_view::npos) {
        std::string_view rest = head.substr(first_eol + 2);
        while (!rest.empty()) {
          const auto eol = rest.find("\r\n");
          std::string_view h = rest.substr(0, eol);
          const auto colon = h.find(':');
          if (colon != std::string_view::npos) {
            std::string_view v = h.substr(colon + 1);
            while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
            req.headers.emplace_back(std::string(h.substr(0, colon)), std::string(v));
          }
          if (eol == std::string_view::npos) break;
          rest = rest.substr(eol + 2);
        }
      }
      if (const std::string* cl = req.header("Content-Length")) content_length = std::stoull(*cl);
      buf.erase(0, end + 4);
      while (buf.size() < content_length) {
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) return finish(fd);
        buf.append(chunk, static_cast<std::size_t>(n));
      }
      req.body = buf.substr(0, content_length);
      buf.erase(0, content_length);

      ServerResponse resp = handler_(req);
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(req);
      }
      if (resp.delay.count() > 0 && !pause(resp.delay)) return finish(fd);
      if (resp.drop) return finish(fd);

      std::string out = "HTTP/1.1 " + std::to_string(resp.status) + " X\r\n";
      for (const auto& [k, v] : resp.headers) out += k + ": " + v + "\r\n";
      out += "Content-Length: " + std::to_string(resp.body.size()) + "\r\n\r\n";
      const bool head_only = req.method == "HEAD";
      if (resp.stall_mid_body.count() > 0 && !head_only) {
        const std::size_t half = resp.body.size() / 2;
        if (!send_all(fd, out + resp.body.substr(0, half))) return finish(fd);
        if (!pause(resp.stall_mid_body)) return finish(fd);
        if (!send_all(fd, resp.body.substr(half))) return finish(fd);
      } else if (!send_all(fd, head_only ? out : out + resp.body)) {
        return finish(fd);
      }
    }
  }

  void finish(int fd) {
    std::lock_guard<std::mutex> lock(mu_);
    ::shutdown(fd, SHUT_RDWR);
    ::close(fd);
    std::erase(client_fds_, fd);
  }

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread acceptor_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::vector<int> client_fds_;
  std::vector<std::thread> workers_;
  std::vector<ServerRequest> requests_;
  std::atomic<int> connections_{0};
};

}  // namespace essnap::test
