// `essnap completion bash|zsh|fish` and `essnap __complete`: the generated bash script is sourced
// in bash and driven as readline would (COMP_WORDS / COMP_CWORD, then the completion function),
// and what it puts in COMPREPLY is checked: commands, flags, enumerated values, and repository and
// snapshot names from a loopback cluster. zsh and fish scripts are checked for syntax when those
// shells are installed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/bash_completion.hpp"
#include "support/essnap_cli.hpp"
#include "support/loopback_server.hpp"
#include "support/process.hpp"

namespace essnap {
namespace {

using test::LoopbackServer;

std::string temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("essnap-completion-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir.string();
}

std::string script_file(const std::string& shell) {
  auto r = test::run({ESSNAP_BINARY, "completion", shell});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const std::string path = temp_dir("script") + "/essnap." + shell;
  std::ofstream(path) << r.out;
  return path;
}

using test::complete_bash;
using Words = std::set<std::string>;

TEST(CliCompletion, BashCompletesACommand) {
  EXPECT_EQ(complete_bash({"sna"}), Words({"snapshot"}));
  EXPECT_EQ(complete_bash({"snapshot", "cr"}), Words({"create"}));
  EXPECT_EQ(complete_bash({"repo", "c"}), Words({"cleanup"}));
  // Global flags before the command do not hide it.
  EXPECT_EQ(complete_bash({"-o", "json", "--profile", "p", "sna"}), Words({"snapshot"}));
}

TEST(CliCompletion, BashCompletesEveryTopLevelCommand) {
  auto all = complete_bash({""});
  for (const char* name :
       {"sign", "request", "credentials", "whoami", "setup", "doctor", "snapshot", "restore",
        "repo", "prune", "run", "config", "inspect", "export", "import", "copy", "completion"})
    EXPECT_TRUE(all.count(name)) << name;
  EXPECT_FALSE(all.count("generate-man")) << "hidden, as in --help";
  EXPECT_FALSE(all.count("__complete")) << "hidden, as in --help";
}

TEST(CliCompletion, BashCompletesAFlagOfASubcommand) {
  EXPECT_EQ(complete_bash({"snapshot", "create", "--rep"}), Words({"--repository"}));
  EXPECT_EQ(complete_bash({"snapshot", "list", "--fo"}), Words({"--format"}));
  EXPECT_EQ(complete_bash({"restore", "--delete-e"}), Words({"--delete-existing"}));
  // The global flags fall through: -v is the root's, offered after a subcommand too.
  EXPECT_EQ(complete_bash({"snapshot", "list", "--verb"}), Words({"--verbose"}));
  // A flag of another command is not offered.
  EXPECT_EQ(complete_bash({"snapshot", "list", "--delete-e"}), Words({}));
}

TEST(CliCompletion, BashCompletesEnumeratedValues) {
  EXPECT_EQ(complete_bash({"-o", "j"}), Words({"json"}));
  EXPECT_EQ(complete_bash({"-o", ""}), Words({"text", "json", "yaml"}));
  // After the subcommand, through the parents' flags.
  EXPECT_EQ(complete_bash({"snapshot", "list", "-o", "j"}), Words({"json"}));
  EXPECT_EQ(complete_bash({"snapshot", "list", "--format", "y"}), Words({"yaml"}));
  EXPECT_EQ(complete_bash({"export", "--compress", "z"}), Words({"zstd"}));
  EXPECT_EQ(complete_bash({"completion", "f"}), Words({"fish"}));
  // --flag=value arrives split at '=' (COMP_WORDBREAKS).
  EXPECT_EQ(complete_bash({"snapshot", "list", "--auth", "=", "b"}), Words({"basic"}));
  EXPECT_EQ(complete_bash({"repo", "list", "--auth", "="}),
            Words({"aws", "basic", "apikey", "none"}));
}

TEST(CliCompletion, BashSkipsTheValuesOfFlagsWhenFindingTheCommand) {
  // "snapshot" here is the value of --profile, not the command.
  EXPECT_EQ(complete_bash({"--profile", "snapshot", "rest"}), Words({"restore"}));
  // A flag takes no value: the word after it is the command.
  EXPECT_EQ(complete_bash({"-v", "snapshot", "cr"}), Words({"create"}));
  EXPECT_EQ(complete_bash({"repo", "cleanup", "--yes", "--dry-run", "-o", "t"}), Words({"text"}));
}

// A loopback cluster with repository "repo" holding snapshot "old" (support/essnap_cli.hpp).
TEST(CliCompletion, BashCompletesLiveNamesFromTheCluster) {
  LoopbackServer server(test::scripted_cluster);
  EXPECT_EQ(complete_bash({"restore", "--url", server.url(), "-r", "repo", "o"}), Words({"old"}));
  EXPECT_EQ(complete_bash({"snapshot", "show", "-r", "repo", "--url", server.url(), "o"}),
            Words({"old"}));
  EXPECT_EQ(complete_bash({"snapshot", "list", "--url", server.url(), "-r", "r"}), Words({"repo"}));
  EXPECT_EQ(complete_bash({"repo", "show", "--url", server.url(), ""}), Words({"repo"}));
  // ESSNAP_URL and ESSNAP_REPOSITORY as the commands read them.
  EXPECT_EQ(complete_bash({"snapshot", "delete", ""},
                          {{"ESSNAP_URL", server.url()}, {"ESSNAP_REPOSITORY", "repo"}}),
            Words({"old"}));
  // A new name (snapshot create NAME) is not completed from the cluster.
  EXPECT_EQ(complete_bash({"snapshot", "create", "--url", server.url(), "-r", "repo", ""}),
            Words({}));
}

TEST(CliCompletion, LiveNamesAreSilentWithoutACluster) {
  // No URL at all, and a port nothing listens on: no candidates, no output, exit 0.
  test::Command bare;
  bare.argv = {ESSNAP_BINARY, "__complete", "snapshots", "--", "restore", "-r", "repo"};
  bare.clear_env = true;  // no ESSNAP_URL from the caller's environment
  bare.env = {{"PATH", "/usr/bin:/bin"}, {"HOME", "/nonexistent"}};
  auto none = test::run(bare);
  EXPECT_EQ(none.exit_code, 0);
  EXPECT_EQ(none.out, "");
  EXPECT_EQ(none.err, "");
  test::Command c;
  c.argv = {ESSNAP_BINARY, "__complete", "repositories", "--url", "http://127.0.0.1:1"};
  c.clear_env = true;
  c.env = bare.env;
  c.timeout = std::chrono::seconds(30);
  auto closed = test::run(c);
  EXPECT_EQ(closed.exit_code, 0) << closed.err;
  EXPECT_EQ(closed.out, "");
  EXPECT_EQ(closed.err, "");
  EXPECT_EQ(complete_bash({"restore", "--url", "http://127.0.0.1:1", "-r", "repo", "o"}),
            Words({}));
}

TEST(CliCompletion, LiveNamesNeverPromptForAPassword) {
  LoopbackServer server(test::scripted_cluster);
  // --auth basic with no ESSNAP_PASSWORD: the commands would prompt on the terminal; completion
  // answers nothing instead, and sends nothing.
  test::Command c =
      test::essnap_command(server.url(), "__complete repositories repo list --auth basic --user u");
  c.timeout = std::chrono::seconds(30);
  auto r = test::run(c);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(server.requests().empty());
}

TEST(CliCompletion, UnknownShellIsAUsageError) {
  auto r = test::run({ESSNAP_BINARY, "completion", "tcsh"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
}

// zsh -n / fish -n: the scripts parse. Skipped where the shell is not installed (the stack part
// of scripts/install-deps.sh installs both).
void check_syntax(const std::string& shell) {
  if (test::run({"sh", "-c", "command -v " + shell}).exit_code != 0)
    GTEST_SKIP() << shell << " is not installed";
  const std::string path = script_file(shell);
  auto r = test::run({shell, "-n", path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
}

TEST(CliCompletion, ZshScriptParses) {
  check_syntax("zsh");
}
TEST(CliCompletion, FishScriptParses) {
  check_syntax("fish");
}

// fish completes through its own engine: `complete -C LINE` prints the candidates (a tab, then
// the description) the way the shell would offer them.
TEST(CliCompletion, FishCompletesCommandsFlagsValuesAndLiveNames) {
  if (test::run({"sh", "-c", "command -v fish"}).exit_code != 0)
    GTEST_SKIP() << "fish is not installed";
  const std::string script = script_file("fish");
  const std::string bin = temp_dir("bin");
  std::filesystem::remove(bin + "/essnap");
  std::filesystem::create_symlink(ESSNAP_BINARY, bin + "/essnap");  // `essnap` as typed
  LoopbackServer server(test::scripted_cluster);
  auto complete = [&](const std::string& line) {
    test::Command c;
    c.argv = {"fish", "--no-config", "-c", "source $argv[1]; complete -C $argv[2]", script, line};
    c.clear_env = true;
    c.env = {{"PATH", bin + ":/usr/bin:/bin"}, {"HOME", temp_dir("home")}};
    auto r = test::run(c);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "") << line;
    std::set<std::string> words;
    std::istringstream in(r.out);
    for (std::string l; std::getline(in, l);) words.insert(l.substr(0, l.find('\t')));
    return words;
  };
  EXPECT_EQ(complete("essnap sna"), Words({"snapshot"}));
  EXPECT_EQ(complete("essnap snapshot create --rep"), Words({"--repository"}));
  EXPECT_EQ(complete("essnap -o j"), Words({"json"}));
  EXPECT_EQ(complete("essnap snapshot list --format=y"), Words({"--format=yaml"}));
  EXPECT_EQ(complete("essnap restore --url " + server.url() + " -r repo o"), Words({"old"}));
}

TEST(CliCompletion, BashScriptParses) {
  auto r = test::run({"bash", "-n", script_file("bash")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace essnap
