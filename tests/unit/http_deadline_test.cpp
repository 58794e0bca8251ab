// The command's deadline in the one retry loop (every attempt cut to what is left, nothing
// retried past it, kDeadline naming the bound) and the no-answer watch (notices while a request
// has no answer, none while bytes move).
#include <gtest/gtest.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "essnap/http/factory.hpp"

namespace essnap::http {
namespace {

using namespace std::chrono_literals;
using DeadlineClock = std::chrono::steady_clock;

// Records each attempt's timeouts; plays a script of outcomes, each moving the fake clock.
struct Script {
  struct Step {
    Result<Response> outcome;
    std::chrono::milliseconds takes{0};
  };
  std::deque<Step> steps;
  std::vector<Timeouts> seen;
  DeadlineClock::time_point now{};
};

class ScriptTransport : public Transport {
 public:
  explicit ScriptTransport(Script* s) : s_(s) {}
  Result<Response> send(Request req) override {
    s_->seen.push_back(req.timeouts);
    auto step = std::move(s_->steps.front());
    s_->steps.pop_front();
    s_->now += step.takes;
    return std::move(step.outcome);
  }

 private:
  Script* s_;
};

Response ok200() {
  Response r;
  r.status = 200;
  return r;
}

std::unique_ptr<Transport> with_deadline(Script* s, std::chrono::milliseconds bound) {
  RetryPolicy p;
  p.deadline = Deadline{s->now + bound, "--timeout 3 s"};
  RetryHooks h;
  h.now = [s] { return s->now; };
  h.sleep = [s](std::chrono::milliseconds d) { s->now += d; };
  h.random = [] { return 0.999; };
  return make_retry_transport(std::make_unique<ScriptTransport>(s), p, h);
}

Request get() {
  Request r;
  r.url = "http://user:pw@127.0.0.1:9200/_snapshot/repo/_status?token=x";
  return r;
}

TEST(Deadline, EveryAttemptIsCutToWhatIsLeft) {
  Script s;
  s.steps.push_back({ok200(), 1s});
  s.steps.push_back({ok200(), 0s});
  auto t = with_deadline(&s, 3s);
  ASSERT_TRUE(t->send(get()).ok());
  ASSERT_TRUE(t->send(get()).ok());
  ASSERT_EQ(s.seen.size(), 2u);
  EXPECT_EQ(s.seen[0].connect, 3s);
  EXPECT_EQ(s.seen[0].stall, 3s);
  EXPECT_EQ(s.seen[0].overall, 3s);
  EXPECT_EQ(s.seen[1].overall, 2s);  // one second of the bound is gone
}

TEST(Deadline, PastItNothingIsSentAndNothingRetries) {
  Script s;
  s.steps.push_back({ok200(), 4s});
  auto t = with_deadline(&s, 3s);
  ASSERT_TRUE(t->send(get()).ok());  // an answer is an answer, however late
  auto r = t->send(get());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kDeadline);
  // The request named without its query or user info.
  EXPECT_EQ(r.error().message,
            "GET http://[redacted]@127.0.0.1:9200/_snapshot/repo/_status: gave up: --timeout 3 s "
            "ran out");
  EXPECT_EQ(s.seen.size(), 1u);
  EXPECT_EQ(classify_error(r.error()), Retryable::kNo);
}

TEST(Deadline, AnAttemptCutByItIsNotRepeated) {
  Script s;
  s.steps.push_back({Error(ErrorCode::kTimeout, "overall timeout after 3000 ms"), 3s});
  auto t = with_deadline(&s, 3s);
  auto r = t->send(get());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kDeadline);
  EXPECT_EQ(s.seen.size(), 1u);
}

TEST(Deadline, NoRetryStartsThatItWouldNotAllow) {
  Script s;
  Response busy;
  busy.status = 503;
  s.steps.push_back({busy, 2900ms});
  auto t = with_deadline(&s, 3s);
  auto r = t->send(get());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kDeadline);
  EXPECT_NE(r.error().message.find("(last answer: HTTP 503)"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(s.seen.size(), 1u);

  // Room left: retried as always.
  Script room;
  room.steps.push_back({Error(ErrorCode::kNetwork, "connection reset"), 0ms});
  room.steps.push_back({ok200(), 0ms});
  auto u = with_deadline(&room, 60s);
  EXPECT_TRUE(u->send(get()).ok());
  EXPECT_EQ(room.seen.size(), 2u);
}

// Blocks until released; moves the request's Heard while `chatty`.
class HangingTransport : public Transport {
 public:
  Result<Response> send(Request req) override {
    std::unique_lock<std::mutex> lock(mu);
    while (!released) {
      if (chatty && req.heard) req.heard->now();
      cv.wait_for(lock, 2ms);
    }
    return ok200();
  }
  void release() {
    std::lock_guard<std::mutex> lock(mu);
    released = true;
    cv.notify_all();
  }
  std::mutex mu;
  std::condition_variable cv;
  bool released = false;
  bool chatty = false;
};

struct Notices {
  std::mutex mu;
  std::vector<std::string> messages;
  util::ProgressSink sink() {
    return [this](const util::ProgressEvent& e) {
      std::lock_guard<std::mutex> lock(mu);
      EXPECT_EQ(e.kind, util::ProgressKind::kNotice);
      messages.push_back(e.message);
    };
  }
  std::size_t count() {
    std::lock_guard<std::mutex> lock(mu);
    return messages.size();
  }
};

TEST(NoAnswerWatch, NoticesWhileThereIsNoAnswer) {
  Notices n;
  auto inner = std::make_unique<HangingTransport>();
  auto* hang = inner.get();
  NoAnswerNotice opts{n.sink(), 20ms, 40ms, "--timeout to bound it"};
  auto t = make_watch_transport(std::move(inner), opts);
  std::thread caller([&] { EXPECT_TRUE(t->send(get()).ok()); });
  for (int i = 0; i < 5000 && n.count() < 2; ++i) std::this_thread::sleep_for(1ms);
  hang->release();
  caller.join();
  ASSERT_GE(n.messages.size(), 2u);
  EXPECT_EQ(n.messages[0],
            "no answer from 127.0.0.1:9200 for 20 ms, still waiting; --timeout to bound it");
  EXPECT_EQ(n.messages[1],
            "no answer from 127.0.0.1:9200 for 60 ms, still waiting; --timeout to bound it");
  EXPECT_EQ(no_answer_message("h:1", 40s, "--timeout to bound it"),
            "no answer from h:1 for 40 s, still waiting; --timeout to bound it");
}

TEST(NoAnswerWatch, BytesMovingAreAnAnswer) {
  Notices n;
  auto inner = std::make_unique<HangingTransport>();
  auto* hang = inner.get();
  hang->chatty = true;
  auto t = make_watch_transport(std::move(inner), NoAnswerNotice{n.sink(), 200ms, 200ms, ""});
  std::thread caller([&] { EXPECT_TRUE(t->send(get()).ok()); });
  std::this_thread::sleep_for(600ms);
  hang->release();
  caller.join();
  EXPECT_EQ(n.count(), 0u);
}

TEST(NoAnswerWatch, WithoutASinkThereIsNoWatch) {
  auto inner = std::make_unique<HangingTransport>();
  Transport* raw = inner.get();
  auto t = make_watch_transport(std::move(inner), NoAnswerNotice{});
  EXPECT_EQ(t.get(), raw);
}

}  // namespace
}  // namespace essnap::http
