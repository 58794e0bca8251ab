// Drives the bash script of `essnap completion bash` as readline would: the script is sourced in
// a clean bash, COMP_WORDS / COMP_CWORD are set to the words typed, the function `complete -p
// essnap` names is called, and COMPREPLY is returned. Used by the completion unit and integration
// tests.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace essnap::test {

// The script, written once per test process to a temporary file named for the process.
inline const std::string& bash_completion_script() {
  static const std::string path = [] {
    auto r = run({ESSNAP_BINARY, "completion", "bash"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const auto file = std::filesystem::temp_directory_path() /
                      ("essnap-completion-" + std::to_string(::getpid()) + ".bash");
    std::ofstream(file) << r.out;
    return file.string();
  }();
  return path;
}

// COMP_WORDS = {ESSNAP_BINARY, words...}: the last word is the one being completed, as bash
// passes it (`--output=j` arrives as `--output`, `=`, `j`). `env` is the whole environment of
// the shell besides PATH and HOME (so ESSNAP_URL & co. come only from the test).
inline std::set<std::string> complete_bash(const std::vector<std::string>& words,
                                           const std::map<std::string, std::string>& env = {}) {
  static const char* harness = R"(
source "$1" || exit 3
shift
fn=$(complete -p essnap | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
[ -n "$fn" ] || exit 4
COMP_WORDS=("$@")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMP_LINE="${COMP_WORDS[*]}"
COMP_POINT=${#COMP_LINE}
"$fn" essnap "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
)";
  Command c;
  c.argv = {
      "bash",       "--norc", "--noprofile", "-c", harness, "harness", bash_completion_script(),
      ESSNAP_BINARY};
  c.argv.insert(c.argv.end(), words.begin(), words.end());
  c.clear_env = true;
  c.env = {{"PATH", "/usr/bin:/bin"}, {"HOME", "/nonexistent"}};
  for (const auto& [k, v] : env) c.env[k] = v;
  c.timeout = std::chrono::seconds(60);
  auto r = run(c);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> out;
  std::string line;
  for (char ch : r.out) {
    if (ch != '\n') {
      line += ch;
    } else if (!line.empty()) {
      out.insert(line);
      line.clear();
    }
  }
  return out;
}

}  // namespace essnap::test
