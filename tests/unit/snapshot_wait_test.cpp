// The one wait loop (snapshot/wait.hpp) with an injected clock and sleep: outages waited through
// and announced, the outage budget, interruption, and the fast poll while finalizing.
#include <gtest/gtest.h>

#include <vector>

#include "essnap/snapshot/wait.hpp"

namespace essnap::snapshot {
namespace {

using Ms = std::chrono::milliseconds;

// A fake clock that only sleeping advances, recording every sleep.
struct FakeTime {
  WaitClock::time_point now{};
  std::vector<Ms> sleeps;
  std::vector<std::string> notices;
  int polls = 0;

  WaitHooks hooks() {
    WaitHooks h;
    h.sleep = [this](Ms d) {
      sleeps.push_back(d);
      now += d;
    };
    h.now = [this] { return now; };
    h.progress = [this](const util::ProgressEvent& e) {
      if (e.kind == util::ProgressKind::kNotice) notices.push_back(e.message);
    };
    return h;
  }
  Ms slept() const {
    Ms total{0};
    for (auto d : sleeps) total += d;
    return total;
  }
};

Error gateway_timeout() {
  Error e(ErrorCode::kRemote, "HTTP 504 Gateway Time-out");
  e.remote = RemoteDetail{504, "", "", ""};
  return e;
}

const WaitSubject kSubject{"snapshot s1", "essnap snapshot status -r repo"};

TEST(SnapshotWait, OutageThenRecoveryIsWaitedThroughAndAnnouncedOnce) {
  FakeTime t;
  auto poll = [&]() -> Result<PollState> {
    ++t.polls;
    if (t.polls <= 3) return gateway_timeout();
    if (t.polls <= 6) return Error(ErrorCode::kNetwork, "connection reset by peer");
    return t.polls < 8 ? PollState::kRunning : PollState::kDone;
  };
  auto st = wait_until_done(poll, kSubject, PollPolicy{}, t.hooks());
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(t.polls, 8);
  ASSERT_EQ(t.notices.size(), 2u);
  EXPECT_NE(t.notices[0].find("cluster not answering"), std::string::npos) << t.notices[0];
  EXPECT_NE(t.notices[0].find("snapshot s1"), std::string::npos);
  EXPECT_EQ(t.notices[1], "cluster answering again");
}

TEST(SnapshotWait, OutageBacksOffExponentiallyUpToTheCap) {
  FakeTime t;
  PollPolicy p;
  p.initial = Ms(100);
  p.outage_max = Ms(1000);
  std::vector<Ms> gaps;  // clock time between consecutive polls
  WaitClock::time_point last{};
  auto poll = [&]() -> Result<PollState> {
    if (t.polls++ > 0) gaps.push_back(std::chrono::duration_cast<Ms>(t.now - last));
    last = t.now;
    return t.polls <= 6 ? Result<PollState>(gateway_timeout()) : PollState::kDone;
  };
  ASSERT_TRUE(wait_until_done(poll, kSubject, p, t.hooks()).ok());
  EXPECT_EQ(gaps, (std::vector<Ms>{Ms(200), Ms(400), Ms(800), Ms(1000), Ms(1000), Ms(1000)}));
}

TEST(SnapshotWait, OutageBudgetExhaustedGivesUpNamingWhatToCheck) {
  FakeTime t;
  PollPolicy p;
  p.outage_budget = Ms(10'000);
  auto poll = [&]() -> Result<PollState> {
    ++t.polls;
    return gateway_timeout();
  };
  auto st = wait_until_done(poll, kSubject, p, t.hooks());
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kRemote) << "the last transient error's category";
  EXPECT_NE(st.error().message.find("gave up waiting for snapshot s1"), std::string::npos)
      << st.error().message;
  EXPECT_NE(st.error().hint.find("essnap snapshot status -r repo"), std::string::npos);
  EXPECT_GE(t.slept(), Ms(10'000));
  EXPECT_LT(t.slept(), Ms(10'000) + p.outage_max + Ms(100)) << "no wait beyond the budget";
}

TEST(SnapshotWait, PermanentErrorIsReturnedAtOnce) {
  FakeTime t;
  auto poll = [&]() -> Result<PollState> {
    ++t.polls;
    return Error(ErrorCode::kNotFound, "repository gone");
  };
  auto st = wait_until_done(poll, kSubject, PollPolicy{}, t.hooks());
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(t.polls, 1);
  EXPECT_TRUE(t.sleeps.empty());
}

TEST(SnapshotWait, InterruptionStopsPromptlyAndSaysItKeepsRunning) {
  FakeTime t;
  bool interrupted = false;
  auto h = t.hooks();
  h.interrupted = [&] { return interrupted; };
  auto poll = [&]() -> Result<PollState> {
    if (++t.polls == 3) interrupted = true;  // the signal arrives during the third poll
    return PollState::kRunning;
  };
  auto st = wait_until_done(poll, kSubject, PollPolicy{}, h);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInterrupted);
  EXPECT_EQ(t.polls, 3) << "no poll after the interruption";
  EXPECT_NE(st.error().message.find("keeps running in the cluster"), std::string::npos)
      << st.error().message;
  EXPECT_NE(st.error().hint.find("essnap snapshot status -r repo"), std::string::npos);
}

TEST(SnapshotWait, InterruptionCutsALongOutageSleepShort) {
  FakeTime t;
  bool interrupted = false;
  auto h = t.hooks();
  h.interrupted = [&] { return interrupted; };
  h.sleep = [&](Ms d) {
    t.sleeps.push_back(d);
    t.now += d;
    if (t.now >= WaitClock::time_point{} + Ms(120)) interrupted = true;
  };
  PollPolicy p;
  p.initial = Ms(5000);  // a first outage sleep of 10 s
  p.outage_max = Ms(10'000);
  auto poll = [&]() -> Result<PollState> {
    ++t.polls;
    return gateway_timeout();
  };
  auto st = wait_until_done(poll, kSubject, p, h);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInterrupted);
  EXPECT_LE(t.slept(), Ms(200)) << "slept in slices and noticed the signal within one";
  EXPECT_EQ(t.polls, 1);
}

TEST(SnapshotWait, FinalizingPollsFastWhileRunningBacksOff) {
  FakeTime t;
  PollPolicy p;  // 100 ms, x1.5, cap 450 ms
  std::vector<PollState> script{PollState::kRunning,    PollState::kRunning, PollState::kRunning,
                                PollState::kRunning,    PollState::kRunning, PollState::kFinalizing,
                                PollState::kFinalizing, PollState::kDone};
  auto poll = [&]() -> Result<PollState> { return script[t.polls++]; };
  ASSERT_TRUE(wait_until_done(poll, kSubject, p, t.hooks()).ok());
  // Running: 100, 150, 225, 337, 450 (capped; slept in 50 ms slices). Finalizing: 50 each.
  Ms acc{0};
  for (auto d : t.sleeps) acc += d;
  EXPECT_EQ(acc, Ms(100 + 150 + 225 + 337 + 450 + 50 + 50));
  for (auto d : t.sleeps) EXPECT_LE(d, Ms(50)) << "sleeps are sliced";
  EXPECT_EQ(t.polls, 8);
}

TEST(SnapshotWait, TransientClassification) {
  EXPECT_TRUE(is_transient(Error(ErrorCode::kNetwork, "reset")));
  EXPECT_TRUE(is_transient(Error(ErrorCode::kTimeout, "stall")));
  EXPECT_TRUE(is_transient(gateway_timeout()));
  Error busy(ErrorCode::kRemote, "too many");
  busy.remote = RemoteDetail{429, "", "", ""};
  EXPECT_TRUE(is_transient(busy));
  Error bad(ErrorCode::kRemote, "bad request");
  bad.remote = RemoteDetail{400, "", "", ""};
  EXPECT_FALSE(is_transient(bad));
  EXPECT_FALSE(is_transient(Error(ErrorCode::kParse, "garbage")));
}

}  // namespace
}  // namespace essnap::snapshot
