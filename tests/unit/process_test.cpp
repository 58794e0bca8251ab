// The test process runner (tests/support/process.hpp): exit codes, separate stdout and stderr,
// stdin, arguments passed verbatim (no shell), environment overrides, and the timeout.
#include "support/process.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>

namespace essnap {
namespace {

TEST(Process, ExitCodeStdoutAndStderrApart) {
  const auto r = test::run({"bash", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_FALSE(r.timed_out);
}

TEST(Process, ArgumentsReachTheProgramVerbatim) {
  const auto r = test::run({"printf", "%s|", "a  b", "$(id)", "'q'", "*", ""});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "a  b|$(id)|'q'|*||");
}

TEST(Process, StdinIsFedOrDevNull) {
  test::Command c;
  c.argv = {"cat"};
  c.stdin_text = std::string(1 << 20, 'x') + "end";
  const auto r = test::run(c);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, *c.stdin_text);
  EXPECT_EQ(test::run({"cat"}).out, "") << "stdin defaults to /dev/null";
}

TEST(Process, AChildThatStopsReadingStdinDoesNotHurtTheCaller) {
  test::Command c;
  c.argv = {"true"};
  c.stdin_text = std::string(8 << 20, 'x');
  EXPECT_EQ(test::run(c).exit_code, 0);
}

TEST(Process, EnvironmentOverridesAndClearing) {
  ::setenv("ESSNAP_PROCESS_TEST_PARENT", "inherited", 1);
  test::Command c;
  c.argv = {"env"};
  c.env = {{"ESSNAP_PROCESS_TEST_X", "a b"}};
  auto r = test::run(c);
  EXPECT_NE(r.out.find("ESSNAP_PROCESS_TEST_PARENT=inherited\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ESSNAP_PROCESS_TEST_X=a b\n"), std::string::npos) << r.out;
  c.clear_env = true;
  c.env["PATH"] = "/usr/bin:/bin";
  r = test::run(c);
  EXPECT_EQ(r.out, "ESSNAP_PROCESS_TEST_X=a b\nPATH=/usr/bin:/bin\n");
  ::unsetenv("ESSNAP_PROCESS_TEST_PARENT");
}

TEST(Process, TimeoutKillsTheWholeProcessGroup) {
  test::Command c;
  c.argv = {"bash", "-c", "sleep 30 & sleep 30; echo never"};
  c.timeout = std::chrono::milliseconds(300);
  const auto start = std::chrono::steady_clock::now();
  const auto r = test::run(c);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_EQ(r.out, "");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(Process, SignalAndMissingProgram) {
  EXPECT_EQ(test::run({"bash", "-c", "kill -TERM $$"}).exit_code, 128 + 15);
  const auto r = test::run({"essnap-no-such-program"});
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_NE(r.err.find("essnap-no-such-program"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace essnap
