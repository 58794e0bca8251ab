// The shell's word rules without a shell: quotes, backslashes and $'...' turned into words the way
// bash would, for reading .stack/env and for writing test command lines. Expansions are refused.
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace essnap::test {

// Text bash would expand or treat as an operator ($VAR, $(...), `...`, ~, globs, braces, ;, |,
// <, >, &, parentheses) or that it could not read (an unterminated quote). Refused rather than
// read differently from bash.
class ShellSyntaxError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ShellWord {
  std::string text;
  // Offset in `text` of the '=' that ends an unquoted NAME= prefix (an assignment), else npos.
  std::size_t assign_eq = std::string::npos;

  bool is_assignment() const { return assign_eq != std::string::npos; }
  std::string name() const { return text.substr(0, assign_eq); }
  std::string value() const { return text.substr(assign_eq + 1); }
};

// Reads simple commands (words up to an unquoted newline) from shell text. '#' comments, blank
// lines and backslash-newline continuations are skipped as bash skips them.
class ShellLexer {
 public:
  explicit ShellLexer(std::string_view src) : src_(src) {}
  // The next command's words; nullopt at the end. Throws ShellSyntaxError.
  std::optional<std::vector<ShellWord>> next_command();

 private:
  ShellWord read_word();
  void read_single_quoted(std::string& out);
  void read_double_quoted(std::string& out);
  void read_ansi_c(std::string& out);
  [[noreturn]] void fail(const std::string& what) const;

  std::string_view src_;
  std::size_t pos_ = 0;
};

// Every word of `s` (newlines count as blanks), e.g. "GET '/a b' --data '{\"x\":1}'" gives
// {"GET", "/a b", "--data", "{\"x\":1}"}. Throws ShellSyntaxError.
std::vector<std::string> shell_words(std::string_view s);

}  // namespace essnap::test
