// Runs a program for a test (the essnap binary, python3, bash) without a shell: an argv vector,
// optional stdin, environment overrides and a timeout; returns exit code, stdout and stderr.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace essnap::test {

struct Command {
  // argv[0] without a '/' is looked up in the child's PATH (the parent's when the child has none).
  std::vector<std::string> argv;
  std::optional<std::string> stdin_text;   // nullopt: stdin is /dev/null
  bool clear_env = false;                  // start from an empty environment, like `env -i`
  std::map<std::string, std::string> env;  // set on top of the inherited (or empty) environment
  std::chrono::milliseconds timeout = std::chrono::minutes(5);
};

struct ProcessResult {
  int exit_code = -1;  // the exit status; 128+N when killed by signal N; -1 when it timed out
  std::string out;
  std::string err;
  bool timed_out = false;  // killed (with its process group) at the timeout
};

ProcessResult run(const Command& command);
inline ProcessResult run(std::vector<std::string> argv) {
  Command c;
  c.argv = std::move(argv);
  return run(c);
}

// "A=1 B='x y'" (shell quoting, see shell_words.hpp) as an environment map. Throws
// ShellSyntaxError, and std::invalid_argument for a word that is not NAME=value.
std::map<std::string, std::string> env_words(std::string_view words);

// `prefix` followed by the words of `args` (shell quoting, no expansion), e.g.
// argv({ESSNAP_BINARY, "request"}, "GET '/a?b' --data '{\"x\":1}'").
std::vector<std::string> argv(std::vector<std::string> prefix, std::string_view args);

}  // namespace essnap::test
