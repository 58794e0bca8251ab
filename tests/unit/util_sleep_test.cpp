// The one interruptible sleep (util/sleep.hpp): slept in steps, ended within one step of an
// interruption, with an injected step function and for real.
#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "essnap/util/sleep.hpp"

namespace essnap::util {
namespace {

using Ms = std::chrono::milliseconds;

TEST(UtilSleep, SleepsTheWholeSpanInSteps) {
  std::vector<Ms> steps;
  const SleepStep record = [&](Ms d) { steps.push_back(d); };
  const auto never = [] { return false; };
  EXPECT_TRUE(sleep_for(Ms(120), never, record));
  EXPECT_EQ(steps, (std::vector<Ms>{Ms(50), Ms(50), Ms(20)}));
  steps.clear();
  EXPECT_TRUE(sleep_for(Ms(250), {}, record, Ms(100)));
  EXPECT_EQ(steps, (std::vector<Ms>{Ms(100), Ms(100), Ms(50)}));
  steps.clear();
  EXPECT_TRUE(sleep_for(Ms(0), {}, record));
  EXPECT_TRUE(steps.empty());
}

TEST(UtilSleep, ReturnsEarlyWhenInterrupted) {
  Ms slept{0};
  const SleepStep step = [&](Ms d) { slept += d; };
  // The interruption arrives during the third step: no fourth.
  const auto after_120 = [&] { return slept >= Ms(120); };
  EXPECT_FALSE(sleep_for(Ms(10'000), after_120, step));
  EXPECT_EQ(slept, Ms(150));
  // Already interrupted: not a single step.
  slept = Ms(0);
  const auto always = [] { return true; };
  EXPECT_FALSE(sleep_for(Ms(10'000), always, step));
  EXPECT_EQ(slept, Ms(0));
}

TEST(UtilSleep, ForRealItEndsWithinAStepOfTheInterruption) {
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::steady_clock::now() - start; };
  EXPECT_FALSE(sleep_for(Ms(10'000), [&] { return elapsed() >= Ms(100); }));
  EXPECT_LT(elapsed(), Ms(2'000)) << "a ten-second sleep cut short";
  EXPECT_GE(elapsed(), Ms(100));
}

}  // namespace
}  // namespace essnap::util
