// The libcurl base transport against a loopback server: methods, bodies, sinks, connection
// reuse, named timeouts, proxies and error mapping.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "essnap/http/factory.hpp"
#include "support/loopback_server.hpp"

namespace essnap::http {
namespace {

using test::LoopbackServer;
using test::ServerRequest;
using test::ServerResponse;
using namespace std::chrono_literals;

ServerResponse echo(const ServerRequest& r) {
  ServerResponse resp = ServerResponse::json(200, r.body);
  resp.headers.emplace_back("X-Method", r.method);
  resp.headers.emplace_back("X-Target", r.target);
  return resp;
}

std::unique_ptr<Transport> curl() {
  return make_curl_transport(TransportOptions{});
}

TEST(CurlTransport, GetReturnsStatusHeadersAndBody) {
  LoopbackServer server(
      [](const ServerRequest&) { return ServerResponse::json(200, R"({"ok":true})"); });
  auto r = curl()->send(Request{.url = server.url() + "/_cluster/health?pretty"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"ok":true})");
  ASSERT_NE(find_header(r->headers, "content-type"), nullptr);
  EXPECT_EQ(*find_header(r->headers, "CONTENT-TYPE"), "application/json");
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].method, "GET");
  EXPECT_EQ(server.requests()[0].target, "/_cluster/health?pretty");
}

TEST(CurlTransport, SendsMethodHeadersAndBodyAsGiven) {
  LoopbackServer server(echo);
  auto t = curl();
  for (std::string method : {"PUT", "POST", "DELETE", "GET", "PATCH"}) {
    Request req{.method = method, .url = server.url() + "/idx/_doc/1"};
    req.headers = {{"Content-Type", "application/json"}, {"X-Custom", "a  b"}};
    req.body = Body::from_string(R"({"f":1})");
    auto r = t->send(req);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->body, R"({"f":1})") << method;
    EXPECT_EQ(*find_header(r->headers, "X-Method"), method);
  }
  for (const auto& req : server.requests()) {
    EXPECT_EQ(*req.header("X-Custom"), "a  b");
    EXPECT_EQ(*req.header("Content-Length"), "7");
    EXPECT_EQ(req.header("Expect"), nullptr) << "no 100-continue round trip";
    EXPECT_EQ(req.header("Transfer-Encoding"), nullptr);
  }
}

TEST(CurlTransport, EmptyPostSendsContentLengthZero) {
  LoopbackServer server(echo);
  auto r = curl()->send(Request{.method = "POST", .url = server.url() + "/_refresh"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*server.requests()[0].header("Content-Length"), "0");
}

TEST(CurlTransport, HeadHasNoBody) {
  LoopbackServer server([](const ServerRequest&) { return ServerResponse::json(404, "{}"); });
  auto r = curl()->send(Request{.method = "HEAD", .url = server.url() + "/missing"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 404);
  EXPECT_TRUE(r->body.empty());
}

TEST(CurlTransport, StreamsFileBodyAndSinksResponse) {
  const auto path = std::filesystem::temp_directory_path() / "essnap_curl_body.bin";
  std::string content;
  for (int i = 0; i < 3 * 1024 * 1024; ++i) content += static_cast<char>(i * 7 % 251);
  std::ofstream(path, std::ios::binary) << content;

  LoopbackServer server(echo);
  Request req{.method = "PUT", .url = server.url() + "/blob"};
  req.body = Body::from_file(path.string());
  std::string sunk;
  int chunks = 0;
  req.body_sink = [&](std::string_view c) {
    sunk.append(c);
    ++chunks;
    return ok_status();
  };
  auto r = curl()->send(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(server.requests()[0].body.size(), content.size());
  EXPECT_TRUE(server.requests()[0].body == content);
  EXPECT_TRUE(r->body.empty()) << "a 2xx body goes to the sink only";
  EXPECT_TRUE(sunk == content);
  EXPECT_GT(chunks, 1);
  std::filesystem::remove(path);
}

TEST(CurlTransport, ErrorBodiesAreCollectedEvenWithASink) {
  LoopbackServer server(
      [](const ServerRequest&) { return ServerResponse::json(404, R"({"error":{"type":"x"}})"); });
  Request req{.url = server.url() + "/"};
  std::string sunk;
  req.body_sink = [&](std::string_view c) {
    sunk.append(c);
    return ok_status();
  };
  auto r = curl()->send(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->body, R"({"error":{"type":"x"}})");
  EXPECT_TRUE(sunk.empty());
}

TEST(CurlTransport, SinkErrorAbortsAndIsReturned) {
  LoopbackServer server(
      [](const ServerRequest&) { return ServerResponse::json(200, std::string(200000, 'x')); });
  Request req{.url = server.url() + "/"};
  req.body_sink = [](std::string_view) { return Status(Error(ErrorCode::kIo, "disk full")); };
  auto r = curl()->send(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kIo);
  EXPECT_EQ(r.error().message, "disk full");
}

TEST(CurlTransport, ReusesOneConnection) {
  LoopbackServer server(echo);
  auto t = curl();
  for (int i = 0; i < 5; ++i) {
    auto r = t->send(Request{.url = server.url() + "/" + std::to_string(i)});
    ASSERT_TRUE(r.ok());
  }
  auto r = t->send(
      Request{.method = "PUT", .url = server.url() + "/x", .body = Body::from_string("{}")});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(server.requests().size(), 6u);
  EXPECT_EQ(server.connections(), 1);
}

TEST(CurlTransport, ConnectionRefusedIsANetworkErrorWithAHint) {
  int port;
  {
    LoopbackServer gone(echo);
    port = gone.port();
  }
  auto r = curl()->send(Request{.url = "http://127.0.0.1:" + std::to_string(port) + "/"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNetwork);
  EXPECT_NE(r.error().message.find("could not connect"), std::string::npos) << r.error().message;
  EXPECT_FALSE(r.error().hint.empty());
}

TEST(CurlTransport, StallTimeoutFires) {
  LoopbackServer server([](const ServerRequest&) {
    ServerResponse r = ServerResponse::json(200, std::string(1000, 'x'));
    r.stall_mid_body = 5s;
    return r;
  });
  Request req{.url = server.url() + "/"};
  req.timeouts.stall = 1s;
  const auto t0 = std::chrono::steady_clock::now();
  auto r = curl()->send(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTimeout);
  EXPECT_NE(r.error().message.find("stalled"), std::string::npos) << r.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 4s);
}

TEST(CurlTransport, OverallTimeoutFires) {
  LoopbackServer server([](const ServerRequest&) {
    ServerResponse r = ServerResponse::json(200, "{}");
    r.delay = 5s;
    return r;
  });
  Request req{.url = server.url() + "/"};
  req.timeouts.overall = 300ms;
  auto r = curl()->send(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTimeout);
  EXPECT_NE(r.error().message.find("overall timeout"), std::string::npos) << r.error().message;
}

TEST(CurlTransport, DroppedConnectionIsANetworkError) {
  LoopbackServer server([](const ServerRequest&) {
    ServerResponse r;
    r.drop = true;
    return r;
  });
  Request req{.url = server.url() + "/"};
  req.attempt = std::make_shared<AttemptInfo>();
  auto r = curl()->send(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNetwork);
  EXPECT_TRUE(req.attempt->request_may_have_been_sent);
}

TEST(CurlTransport, ConnectFailureMeansNotSent) {
  int port;
  {
    LoopbackServer gone(echo);
    port = gone.port();
  }
  Request req{.method = "POST", .url = "http://127.0.0.1:" + std::to_string(port) + "/"};
  req.body = Body::from_string("{}");
  req.attempt = std::make_shared<AttemptInfo>();
  auto r = curl()->send(req);
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(req.attempt->request_may_have_been_sent);
}

TEST(CurlTransport, MissingBodyFileIsNotFoundAndNothingIsSent) {
  LoopbackServer server(echo);
  Request req{.method = "PUT", .url = server.url() + "/"};
  req.body = Body::from_file("/nonexistent/essnap/body.json");
  auto r = curl()->send(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_NE(r.error().message.find("/nonexistent/essnap/body.json"), std::string::npos);
  EXPECT_TRUE(server.requests().empty());
}

TEST(CurlTransport, MalformedUrlIsInvalidArgument) {
  auto r = curl()->send(Request{.url = "ftp://example.com/"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST(CurlTransport, HeaderInjectionIsRefused) {
  LoopbackServer server(echo);
  Request req{.url = server.url() + "/"};
  req.headers = {{"X-A", "b\r\nX-Evil: 1"}};
  auto r = curl()->send(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

// Scoped environment variable for the proxy tests.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(CurlTransport, ProxyFromEnvironmentIsUsed) {
  // The "proxy" is our loopback server: a proxied request carries the absolute URL.
  LoopbackServer proxy(echo);
  ScopedEnv p("http_proxy", proxy.url().c_str());
  ScopedEnv np("no_proxy", "");
  ScopedEnv np2("NO_PROXY", "");
  auto r = curl()->send(Request{.url = "http://cluster.invalid:9200/_cat/indices"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(proxy.requests().size(), 1u);
  EXPECT_EQ(proxy.requests()[0].target, "http://cluster.invalid:9200/_cat/indices");
}

TEST(CurlTransport, NoProxyBypassesTheProxyFor127001) {
  LoopbackServer proxy(echo);
  LoopbackServer origin(echo);
  ScopedEnv p("http_proxy", proxy.url().c_str());
  ScopedEnv np("NO_PROXY", "localhost,127.0.0.1");
  auto r = curl()->send(Request{.url = origin.url() + "/direct"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(origin.requests().size(), 1u);
  EXPECT_TRUE(proxy.requests().empty());
}

TEST(CurlTransport, TlsIsAttemptedAndItsFailureExplained) {
  // A server that answers plain HTTP on an https:// URL: the handshake fails, and the error
  // is a network error saying the server speaks plain HTTP (not --cacert, which cannot help).
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::thread plain([fd] {
    const int c = ::accept(fd, nullptr, nullptr);
    if (c < 0) return;
    const char reply[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
    ::send(c, reply, sizeof reply - 1, MSG_NOSIGNAL);
    ::shutdown(c, SHUT_RDWR);
    ::close(c);
  });
  auto r = curl()->send(
      Request{.url = "https://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/"});
  plain.join();
  ::close(fd);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNetwork) << r.error().message;
  EXPECT_NE(r.error().hint.find("plain HTTP"), std::string::npos) << r.error().hint;
  EXPECT_NE(r.error().hint.find("http://"), std::string::npos) << r.error().hint;
  EXPECT_EQ(r.error().hint.find("--cacert"), std::string::npos) << r.error().hint;
}

}  // namespace
}  // namespace essnap::http
