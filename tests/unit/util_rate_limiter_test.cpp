// The --limit-download token bucket (util/rate_limiter.hpp): no burst beyond the configured rate
// (not even after a pause), and a wait that SIGINT/SIGTERM ends (through util::sleep_for).
#include <gtest/gtest.h>

#include <chrono>

#include "essnap/util/rate_limiter.hpp"

namespace essnap::util {
namespace {

using Ms = std::chrono::milliseconds;
using TimePoint = std::chrono::steady_clock::time_point;

struct LimiterFakeTime {
  TimePoint now{std::chrono::hours(1000)};
  RateLimiter::Clock clock() {
    return [this] { return now; };
  }
  SleepStep step() {
    return [this](Ms d) { now += d; };
  }
};

TEST(UtilRateLimiter, NeverLetsMoreThanTheRateThrough) {
  LimiterFakeTime t;
  const TimePoint start = t.now;
  RateLimiter limiter(1000.0, t.clock(), t.step());  // 1000 bytes/s
  // Ten acquisitions of 500 bytes: 5000 bytes may not pass before 5 s have elapsed (the old
  // bucket let a whole second's worth through at once).
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(limiter.acquire(500));
    const double elapsed = std::chrono::duration<double>(t.now - start).count();
    EXPECT_GE(elapsed + 1e-9, 0.5 * (i + 1)) << "after " << (i + 1) * 500 << " bytes";
  }
}

TEST(UtilRateLimiter, APauseEarnsNoBurst) {
  LimiterFakeTime t;
  RateLimiter limiter(1000.0, t.clock(), t.step());
  ASSERT_TRUE(limiter.acquire(1000));
  t.now += std::chrono::seconds(60);  // idle for a minute
  const TimePoint resumed = t.now;
  ASSERT_TRUE(limiter.acquire(1000));
  ASSERT_TRUE(limiter.acquire(1000));
  EXPECT_GE(t.now - resumed, Ms(2000));
}

TEST(UtilRateLimiter, AWaitEndsWhenInterrupted) {
  LimiterFakeTime t;
  const TimePoint start = t.now;
  RateLimiter limiter(1.0, t.clock(), t.step());  // 1 byte/s: 1 MiB is twelve days
  int asked = 0;
  const auto stop_soon = [&] { return ++asked > 3; };
  EXPECT_FALSE(limiter.acquire(1 << 20, stop_soon));
  EXPECT_LE(t.now - start, Ms(1000));
  // Already interrupted: no wait at all, and the bytes do not pass.
  const auto always = [] { return true; };
  EXPECT_FALSE(limiter.acquire(1, always));
}

TEST(UtilRateLimiter, UnlimitedNeverWaits) {
  LimiterFakeTime t;
  const TimePoint start = t.now;
  RateLimiter limiter(0, t.clock(), t.step());
  EXPECT_FALSE(limiter.enabled());
  EXPECT_TRUE(limiter.acquire(1 << 30));
  EXPECT_EQ(t.now, start);
}

}  // namespace
}  // namespace essnap::util
