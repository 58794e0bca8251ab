// The retry loop with a scripted inner transport and a fake clock: what is retried, how long
// it waits, and where the budgets stop it.
#include <gtest/gtest.h>

#include <deque>

#include "essnap/http/factory.hpp"
#include "support/loopback_server.hpp"

namespace essnap::http {
namespace {

using namespace std::chrono_literals;

// Plays back a script of outcomes; records what it was asked.
class ScriptedTransport : public Transport {
 public:
  struct Step {
    Result<Response> outcome;
    bool sent = true;  // whether the "request reached the server"
    std::uint64_t sunk = 0;
  };
  ScriptedTransport(std::deque<Step>* steps, int* calls,
                    std::vector<const std::string*>* bodies = nullptr)
      : steps_(steps), calls_(calls), bodies_(bodies) {}
  Result<Response> send(Request req) override {
    ++*calls_;
    if (bodies_) bodies_->push_back(req.body.bytes.get());
    EXPECT_TRUE(req.attempt) << "retry layer must attach AttemptInfo";
    Step s = std::move(steps_->front());
    steps_->pop_front();
    if (req.attempt) {
      req.attempt->request_may_have_been_sent = s.sent;
      req.attempt->body_bytes_to_sink = s.sunk;
    }
    return std::move(s.outcome);
  }

 private:
  std::deque<Step>* steps_;
  int* calls_;
  std::vector<const std::string*>* bodies_;
};

Response resp(int status, std::string body = {}, Headers headers = {}) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

struct Harness {
  std::deque<ScriptedTransport::Step> steps;
  int calls = 0;
  std::vector<const std::string*> bodies;  // the body bytes each attempt was given
  std::vector<std::chrono::milliseconds> sleeps;
  std::chrono::steady_clock::time_point now{};
  double random = 1.0 - 1e-9;  // the top of the jitter range
  RetryPolicy policy;

  std::unique_ptr<Transport> make() {
    RetryHooks hooks;
    hooks.sleep = [this](std::chrono::milliseconds d) {
      sleeps.push_back(d);
      now += d;
    };
    hooks.now = [this] { return now; };
    hooks.random = [this] { return random; };
    hooks.wall_now = [] {
      return std::chrono::system_clock::from_time_t(1445412480);  // Wed, 21 Oct 2015 07:28:00 GMT
    };
    return make_retry_transport(std::make_unique<ScriptedTransport>(&steps, &calls, &bodies),
                                policy, hooks);
  }
  void add(Result<Response> r, bool sent = true, std::uint64_t sunk = 0) {
    steps.push_back({std::move(r), sent, sunk});
  }
};

Error net() {
  return Error(ErrorCode::kNetwork, "connection reset");
}

// Each attempt is a copy of the request; its body's bytes are the caller's, shared, not copied
// (a multi-MiB PUT or _bulk body was copied once per attempt and once per layer).
TEST(Retry, EveryAttemptSendsTheCallersBodyBytesNotACopy) {
  Harness h;
  h.add(resp(503));
  h.add(net(), /*sent=*/false);
  h.add(resp(200));
  auto t = h.make();
  Request r;
  r.method = "PUT";
  r.url = "http://127.0.0.1:9/x";
  r.body = Body::from_string(std::string(1 << 20, 'x'));
  const std::string* original = r.body.bytes.get();
  auto out = t->send(r);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(h.calls, 3);
  ASSERT_EQ(h.bodies.size(), 3u);
  for (const std::string* b : h.bodies) EXPECT_EQ(b, original);
  EXPECT_EQ(r.body.data().size(), std::size_t{1} << 20);  // the caller's request is intact
}

TEST(Retry, TransientStatusesAreRetriedUntilSuccess) {
  for (int status : {429, 500, 502, 503, 504}) {
    Harness h;
    h.add(resp(status));
    h.add(resp(status));
    h.add(resp(200, "ok"));
    auto r = h.make()->send(Request{});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200) << status;
    EXPECT_EQ(r->attempts, 3);
    EXPECT_EQ(h.calls, 3);
  }
}

TEST(Retry, PermanentStatusesAreReturnedAtOnce) {
  for (int status : {400, 401, 403, 404, 409, 501}) {
    Harness h;
    h.add(resp(status));
    auto r = h.make()->send(Request{});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, status);
    EXPECT_EQ(h.calls, 1);
    EXPECT_TRUE(h.sleeps.empty());
  }
}

// The engine's verdict in a 500 is the same on every attempt: a repository written by a newer
// engine that it cannot parse, a restore refused on a version rule (bodies as the stack's
// OpenSearch 2.19.6 and Elasticsearch 8.19.7 send them).
TEST(Retry, DeterministicEngine500sAreReturnedAtOnce) {
  for (
      const char* body :
      {R"({"error":{"root_cause":[{"type":"parsing_exception","reason":"Failed to parse object: unknown field [uuid] found"}],"type":"repository_exception","reason":"[r] Unexpected exception when loading repository data"},"status":500})",
       R"({"error":{"root_cause":[{"type":"snapshot_restore_exception","reason":"[r:s/u] the snapshot was created with version [8.19.8-[136408427]] which is higher than the version of this node [8.19.0-8.19.7]"}],"type":"snapshot_restore_exception"},"status":500})",
       "<ErrorResponse><Error><Code>NotImplemented</Code><Message>no</Message></Error></"
       "ErrorResponse>",
       "<p>The SimulatePrincipalPolicy action has not been implemented</p>"}) {
    Harness h;
    h.add(resp(500, body));
    h.add(resp(200));
    auto r = h.make()->send(Request{});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 500);
    EXPECT_EQ(h.calls, 1) << body;
  }
  Harness h;  // any other 500 is still transient
  h.add(resp(500, R"({"error":{"type":"repository_exception","reason":"[r] could not read"}})"));
  h.add(resp(200));
  EXPECT_EQ(h.make()->send(Request{})->status, 200);
}

TEST(Retry, ThrottlingBodiesAreTransient) {
  Harness h;
  h.add(resp(400, "<Error><Code>SlowDown</Code><Message>Please reduce</Message></Error>"));
  h.add(resp(400, R"({"error":{"type":"es_rejected_execution_exception"}})"));
  h.add(resp(200));
  auto r = h.make()->send(Request{});
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(h.calls, 3);
}

TEST(Retry, NetworkErrorsAndTimeoutsAreRetriedOthersAreNot) {
  Harness h;
  h.add(net());
  h.add(Error(ErrorCode::kTimeout, "stalled"));
  h.add(resp(200));
  EXPECT_TRUE(h.make()->send(Request{}).ok());
  EXPECT_EQ(h.calls, 3);

  Harness p;
  p.add(Error(ErrorCode::kIo, "cannot read body file"));
  auto r = p.make()->send(Request{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kIo);
  EXPECT_EQ(p.calls, 1);
}

TEST(Retry, BackoffIsTruncatedExponentialWithFullJitter) {
  Harness h;
  h.policy.max_attempts = 8;
  h.policy.initial_backoff = 100ms;
  h.policy.max_backoff = 1000ms;
  h.policy.max_elapsed = 1h;
  for (int i = 0; i < 7; ++i) h.add(resp(503));
  h.add(resp(200));
  EXPECT_TRUE(h.make()->send(Request{}).ok());
  // random() at the top of [0,1): the ceiling of each window.
  const std::vector<std::chrono::milliseconds> want = {99ms,  199ms, 399ms, 799ms,
                                                       999ms, 999ms, 999ms};
  EXPECT_EQ(h.sleeps, want);

  Harness low;
  low.random = 0.0;
  low.add(resp(503));
  low.add(resp(200));
  EXPECT_TRUE(low.make()->send(Request{}).ok());
  EXPECT_EQ(low.sleeps, std::vector<std::chrono::milliseconds>{0ms});
}

TEST(Retry, BudgetByCount) {
  Harness h;
  h.policy.max_attempts = 3;
  for (int i = 0; i < 5; ++i) h.add(net());
  auto r = h.make()->send(Request{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(h.calls, 3);
  EXPECT_NE(r.error().message.find("gave up after 3 attempts"), std::string::npos)
      << r.error().message;

  Harness s;
  s.policy.max_attempts = 2;
  s.add(resp(503));
  s.add(resp(503));
  auto last = s.make()->send(Request{});
  ASSERT_TRUE(last.ok()) << "an HTTP answer is returned as the response";
  EXPECT_EQ(last->status, 503);
  EXPECT_EQ(last->attempts, 2);
}

TEST(Retry, BudgetByTime) {
  Harness h;
  h.policy.max_attempts = 100;
  h.policy.initial_backoff = 1000ms;
  h.policy.max_backoff = 1000ms;
  h.policy.max_elapsed = 3500ms;
  for (int i = 0; i < 100; ++i) h.add(resp(503));
  auto r = h.make()->send(Request{});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(h.calls, 4);  // waits of 999ms x3 fit in 3.5s, a fourth would not
}

TEST(Retry, RetryAfterSecondsIsHonoured) {
  Harness h;
  h.add(resp(429, "", {{"Retry-After", "3"}}));
  h.add(resp(200));
  EXPECT_TRUE(h.make()->send(Request{}).ok());
  EXPECT_EQ(h.sleeps, std::vector<std::chrono::milliseconds>{3000ms});
}

TEST(Retry, RetryAfterHttpDateIsHonoured) {
  Harness h;
  h.add(resp(503, "", {{"retry-after", "Wed, 21 Oct 2015 07:28:05 GMT"}}));
  h.add(resp(200));
  EXPECT_TRUE(h.make()->send(Request{}).ok());
  EXPECT_EQ(h.sleeps, std::vector<std::chrono::milliseconds>{5000ms});
}

TEST(Retry, RetryAfterBeyondTheTimeBudgetStopsAtOnce) {
  Harness h;
  h.policy.max_elapsed = 10s;
  h.add(resp(503, "", {{"Retry-After", "3600"}}));
  auto r = h.make()->send(Request{});
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(h.calls, 1);
  EXPECT_TRUE(h.sleeps.empty());
}

TEST(Retry, ParseRetryAfter) {
  const auto now = std::chrono::system_clock::from_time_t(1445412480);
  EXPECT_EQ(parse_retry_after({{"Retry-After", "0"}}, now), 0ms);
  EXPECT_EQ(parse_retry_after({{"Retry-After", "120"}}, now), 120000ms);
  EXPECT_EQ(parse_retry_after({{"Retry-After", "Wed, 21 Oct 2015 07:27:00 GMT"}}, now), 0ms);
  EXPECT_EQ(parse_retry_after({{"Retry-After", "soon"}}, now), std::nullopt);
  EXPECT_EQ(parse_retry_after({}, now), std::nullopt);
}

TEST(Retry, NonIdempotentRequestIsNotRepeatedOnceItMayHaveArrived) {
  Harness h;
  h.add(net(), /*sent=*/true);
  Request req;
  req.idempotency = Idempotency::kNonIdempotent;
  auto r = h.make()->send(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(h.calls, 1);

  Harness five;
  five.add(resp(502));
  EXPECT_EQ(five.make()->send(req)->status, 502);
  EXPECT_EQ(five.calls, 1);
}

TEST(Retry, NonIdempotentRequestIsRepeatedWhenItNeverLeftOrWasThrottled) {
  Harness h;
  h.add(net(), /*sent=*/false);
  h.add(resp(429));
  h.add(resp(201));
  Request req;
  req.idempotency = Idempotency::kNonIdempotent;
  auto r = h.make()->send(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(h.calls, 3);
}

TEST(Retry, NothingIsRepeatedAfterBytesReachedTheSink) {
  Harness h;
  h.add(net(), true, /*sunk=*/100);
  auto r = h.make()->send(Request{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(h.calls, 1);
}

TEST(Retry, EndToEndOverCurl) {
  std::atomic<int> n{0};
  test::LoopbackServer server([&](const test::ServerRequest&) {
    return ++n < 3 ? test::ServerResponse::json(503, "{}")
                   : test::ServerResponse::json(200, R"({"ok":1})");
  });
  TransportOptions opts;
  opts.retry.initial_backoff = 1ms;
  auto t = make_transport(opts);
  auto r = t->send(Request{.url = server.url() + "/"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->attempts, 3);
}

}  // namespace
}  // namespace essnap::http
