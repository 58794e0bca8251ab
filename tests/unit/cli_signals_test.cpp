// The one signal handler (cli/progress_output.hpp, InterruptScope): SIGINT/SIGTERM raise the
// flag every wait, transfer, inspect and `essnap run` polls; with Hangup::kReload SIGHUP asks for
// a reload, once, instead of ending the process.
#include <gtest/gtest.h>

#include <csignal>

#include "essnap/cli/progress_output.hpp"

namespace essnap {
namespace {

TEST(InterruptScope, StopsOnSigtermAndReloadsOnSighupWithoutDying) {
  {
    cli::InterruptScope scope(cli::InterruptScope::Hangup::kReload);
    EXPECT_FALSE(cli::InterruptScope::requested());
    ::raise(SIGHUP);
    EXPECT_TRUE(cli::InterruptScope::reload_requested());
    EXPECT_TRUE(cli::InterruptScope::take_reload());
    EXPECT_FALSE(cli::InterruptScope::take_reload()) << "once per SIGHUP";
    EXPECT_FALSE(cli::InterruptScope::requested());
    ::raise(SIGTERM);
    EXPECT_TRUE(cli::InterruptScope::requested());
  }
  cli::InterruptScope next;
  EXPECT_FALSE(cli::InterruptScope::requested()) << "a new scope starts clear";
}

}  // namespace
}  // namespace essnap
