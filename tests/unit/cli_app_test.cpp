// The top-level command line: unknown commands and flags are usage errors (exit 2) that say what
// was wrong; --help documents the exit codes.
#include <gtest/gtest.h>

#include "support/process.hpp"

namespace essnap {
namespace {

const std::string kBinary = ESSNAP_BINARY;

TEST(CliApp, UnknownCommandIsNamedWithTheCommandList) {
  auto r = test::run({kBinary, "snapshots", "list"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown command 'snapshots'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("snapshot"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(CliApp, NoCommandAndUnknownFlagAreUsageErrors) {
  EXPECT_EQ(test::run({kBinary}).exit_code, 2);
  auto r = test::run({kBinary, "--no-such-flag", "request", "GET", "/"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--no-such-flag"), std::string::npos) << r.err;
}

TEST(CliApp, HelpListsCommandsAndExitStatus) {
  auto r = test::run({kBinary, "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* word : {"sign", "request", "credentials", "whoami", "setup", "snapshot",
                           "restore", "repo", "EXIT STATUS", "130"})
    EXPECT_NE(r.out.find(word), std::string::npos) << word;
}

}  // namespace
}  // namespace essnap
