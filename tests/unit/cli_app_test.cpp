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
  EXPECT_NE(r.err.find("unknown command snapshots; did you mean snapshot?"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("snapshot"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(CliApp, NoCommandAndUnknownFlagAreUsageErrors) {
  EXPECT_EQ(test::run({kBinary}).exit_code, 2);
  auto r = test::run({kBinary, "--no-such-flag", "request", "GET", "/"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--no-such-flag"), std::string::npos) << r.err;
}

// The help's own example, `essnap credentials --output json`, used to exit 2: every command
// accepts the global flags after it, and -o json then makes the error JSON.
TEST(CliApp, GlobalFlagsAfterAnySubcommand) {
  for (const std::vector<std::string> args :
       {std::vector<std::string>{"credentials", "--output", "json"},
        std::vector<std::string>{"whoami", "-o", "json", "-v"},
        std::vector<std::string>{"credentials", "-v", "--region", "eu-west-1", "-o", "json"}}) {
    test::Command c;
    c.clear_env = true;
    // No credentials anywhere, and never the EC2 metadata address: exit 3 with a JSON error.
    c.env = {{"PATH", "/usr/bin:/bin"},
             {"HOME", "/nonexistent"},
             {"AWS_EC2_METADATA_DISABLED", "true"},
             {"AWS_CONFIG_FILE", "/nonexistent"},
             {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"}};
    c.argv = {kBinary};
    c.argv.insert(c.argv.end(), args.begin(), args.end());
    auto r = test::run(c);
    EXPECT_NE(r.exit_code, 2) << args[0] << ": " << r.err;
    EXPECT_EQ(r.exit_code, 3) << args[0] << ": " << r.err;
    EXPECT_EQ(r.out.rfind("{\"error\":", 0), 0u) << args[0] << ": " << r.out << r.err;
  }
}

TEST(CliApp, HelpListsCommandsAndExitStatus) {
  auto r = test::run({kBinary, "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* word : {"sign", "request", "credentials", "whoami", "setup", "doctor",
                           "snapshot", "restore", "repo", "EXIT STATUS", "130"})
    EXPECT_NE(r.out.find(word), std::string::npos) << word;
}

}  // namespace
}  // namespace essnap
