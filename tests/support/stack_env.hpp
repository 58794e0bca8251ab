// The local stack's .stack/env for tests: where it is, what it exports (read with the shell's
// quoting rules, as `. .stack/env` would), and ESSNAP_REQUIRE_STACK for "skip, or fail in CI".
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "support/ci.hpp"

namespace essnap::test {

// ESSNAP_STACK_ENV if set, else $ESSNAP_SOURCE_DIR/.stack/env (the environment variable, else
// the source tree this was built from).
std::string stack_env_path();

// What `. FILE` followed by `env` would show of FILE's variables: the values of `export NAME=value`
// lines (and of `NAME=value` lines later exported by `export NAME`). Throws ShellSyntaxError for
// anything it cannot read exactly as bash would.
std::map<std::string, std::string> parse_stack_env(std::string_view text);

// The parsed file; nullopt when it does not exist.
std::optional<std::map<std::string, std::string>> read_stack_env(const std::string& path);

// The variable from the environment when set there and non-empty, else from .stack/env (read
// once), else "".
std::string stack_var(const std::string& name);

// Why a test needing `names` cannot run: .stack/env missing (says to run `make stack-up`) or one
// of the names unset; nullopt when all are there.
std::optional<std::string> stack_missing(std::initializer_list<const char*> names);

// For the readers' own tests: what bash exports after `. path` (less PWD, SHLVL and _), and what
// `python3 scripts/stack/stackenv.py --dump path` prints. Throw std::runtime_error on failure.
std::map<std::string, std::string> exported_by_bash(const std::string& path);
std::map<std::string, std::string> parsed_by_python(const std::string& path);

}  // namespace essnap::test

// In a test body or SetUp(): FAIL when CI=true, else skip, unless every named variable is set.
#define ESSNAP_REQUIRE_STACK(...)                                                  \
  do {                                                                             \
    if (auto essnap_missing_ = ::essnap::test::stack_missing({__VA_ARGS__})) {     \
      if (::essnap::test::in_ci())                                                 \
        FAIL() << *essnap_missing_ << " (CI=true: integration tests do not skip)"; \
      GTEST_SKIP() << *essnap_missing_;                                            \
    }                                                                              \
  } while (0)
