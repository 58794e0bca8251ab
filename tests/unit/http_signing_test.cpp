// The signing decorator: every attempt is signed afresh, inside the retry loop.
#include <gtest/gtest.h>

#include <fstream>

#include "essnap/aws/signing_transport.hpp"
#include "essnap/aws/sigv4.hpp"
#include "essnap/http/factory.hpp"
#include "support/loopback_server.hpp"

namespace essnap::http {
namespace {

using aws::make_signed_transport;
using aws::make_signing_transport;
using aws::SigningOptions;

using namespace std::chrono_literals;

aws::Credentials creds(std::string token = {}) {
  aws::Credentials c;
  c.access_key_id = "AKIDEXAMPLE";
  c.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  c.session_token = std::move(token);
  c.provider = "test";
  return c;
}

// Counts calls and hands out a new key id on each, like a refreshing provider.
class CountingProvider : public aws::CredentialsProvider {
 public:
  Result<aws::Credentials> credentials() override {
    aws::Credentials c = creds("token-" + std::to_string(++calls));
    return c;
  }
  int calls = 0;
};

TEST(Signing, AddsSigV4HeadersMatchingTheSigner) {
  test::LoopbackServer server(
      [](const test::ServerRequest&) { return test::ServerResponse::json(200, "{}"); });
  SigningOptions so;
  so.credentials = aws::make_static_provider(creds());
  so.region = "us-east-1";
  so.service = "es";
  const auto t0 = std::chrono::system_clock::from_time_t(1440938160);  // 20150830T123600Z
  so.clock = [t0] { return t0; };
  auto t = make_signing_transport(make_curl_transport({}), so);
  Request req{.method = "POST", .url = server.url() + "/idx/_search"};
  req.headers = {{"Content-Type", "application/json"}};
  req.body = Body::from_string(R"({"query":{"match_all":{}}})");
  ASSERT_TRUE(t->send(req).ok());

  const auto reqs = server.requests();
  const auto& got = reqs.at(0);
  ASSERT_NE(got.header("Authorization"), nullptr);
  EXPECT_EQ(*got.header("X-Amz-Date"), "20150830T123600Z");

  aws::SigningRequest sr{
      .method = "POST", .url = req.url, .headers = req.headers, .body = req.body.data()};
  auto expect = aws::sign(sr, creds(), {.region = "us-east-1", .service = "es", .time = t0});
  ASSERT_TRUE(expect.ok());
  EXPECT_EQ(*got.header("Authorization"), *find_header(expect->headers_to_add, "Authorization"));
}

TEST(Signing, StreamedFileBodyIsHashedNotLoaded) {
  test::LoopbackServer server(
      [](const test::ServerRequest&) { return test::ServerResponse::json(200, "{}"); });
  const std::string path = ::testing::TempDir() + "/essnap_sign_body.json";
  {
    std::ofstream f(path);
    f << R"({"a":1})";
  }
  SigningOptions so{
      .credentials = aws::make_static_provider(creds()), .region = "us-east-1", .service = "aoss"};
  auto t = make_signing_transport(make_curl_transport({}), so);
  Request req{.method = "PUT", .url = server.url() + "/i/_doc/1"};
  req.body = Body::from_file(path);
  ASSERT_TRUE(t->send(req).ok());
  // aoss sends the payload hash; it must be the hash of the file's bytes.
  const auto reqs = server.requests();
  const auto& got = reqs.at(0);
  ASSERT_NE(got.header("X-Amz-Content-SHA256"), nullptr);
  EXPECT_EQ(*got.header("X-Amz-Content-SHA256"),
            "015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862");
}

TEST(Signing, EachRetryIsResignedWithAFreshDateAndRefreshedCredentials) {
  std::atomic<int> n{0};
  test::LoopbackServer server([&](const test::ServerRequest&) {
    return ++n < 3 ? test::ServerResponse::json(503, "{}") : test::ServerResponse::json(200, "{}");
  });
  auto provider = std::make_shared<CountingProvider>();
  auto clock_base = std::chrono::system_clock::from_time_t(1440938160);
  auto ticks = std::make_shared<int>(0);
  TransportOptions opts;
  opts.retry.initial_backoff = 1ms;
  SigningOptions so{.credentials = provider, .region = "eu-west-1", .service = "es", .clock = [=] {
                      return clock_base + (*ticks)++ * 1s;
                    }};
  auto r = make_signed_transport(opts, so)->send(Request{.url = server.url() + "/"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->attempts, 3);
  EXPECT_EQ(provider->calls, 3);
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(*reqs[0].header("X-Amz-Date"), "20150830T123600Z");
  EXPECT_EQ(*reqs[1].header("X-Amz-Date"), "20150830T123601Z");
  EXPECT_EQ(*reqs[2].header("X-Amz-Date"), "20150830T123602Z");
  EXPECT_EQ(*reqs[2].header("X-Amz-Security-Token"), "token-3");
  for (const auto& q : reqs) {
    int auth = 0;
    for (const auto& h : q.headers) auth += h.first == "Authorization";
    EXPECT_EQ(auth, 1) << "one signature per attempt, never stacked";
  }
}

TEST(Signing, CredentialFailureIsReturnedNotRetried) {
  class Failing : public aws::CredentialsProvider {
   public:
    Result<aws::Credentials> credentials() override {
      ++calls;
      return Error(ErrorCode::kNoCredentials, "no credentials: tried environment");
    }
    int calls = 0;
  };
  auto provider = std::make_shared<Failing>();
  TransportOptions opts;
  SigningOptions so{.credentials = provider, .region = "us-east-1", .service = "es"};
  auto r = make_signed_transport(opts, so)->send(Request{.url = "http://127.0.0.1:1/"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNoCredentials);
  EXPECT_EQ(provider->calls, 1);
}

}  // namespace
}  // namespace essnap::http
