// The one rename grammar of `restore`, `import` and `copy`:
//   --rename FROM=TO                   an exact index name (repeatable)
//   --rename PATTERN:REPLACEMENT       restore's original regex form, still accepted everywhere:
//                                      index names cannot hold ':', so a ':' means this form
//   --rename-regex PATTERN=REPLACEMENT a regex ("$1" for a group); split at the last '='
//   --rename-suffix SUFFIX             every index as NAME+SUFFIX
// One regex at most (either spelling).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <utility>
#include <vector>

#include "essnap/util/result.hpp"

namespace essnap::cli {

struct RenameFlags {
  std::vector<std::string> renames;  // --rename (each FROM=TO or PATTERN:REPLACEMENT)
  std::string regex;                 // --rename-regex
  std::string suffix;                // --rename-suffix
};

struct Renames {
  std::vector<std::pair<std::string, std::string>> exact;
  std::string regex_pattern;  // empty: none
  std::string regex_replacement;
  std::string suffix;
};

struct RenameFlagOptions {
  CLI::Option* rename;
  CLI::Option* regex;
  CLI::Option* suffix;
};

// Declares the three flags on `cmd`; `what` completes the help ("Restore", "Import", "Copy").
RenameFlagOptions add_rename_flags(CLI::App* cmd, RenameFlags* flags, const std::string& what);

// The flags checked (names, regex syntax) and sorted by form; kInvalidArgument (exit 2) naming
// the flag otherwise.
Result<Renames> parse_renames(const RenameFlags& flags);

// An exact FROM -> TO as one regex and replacement (restore's request carries a single pair):
// "^FROM$" with its metacharacters escaped.
std::pair<std::string, std::string> exact_as_regex(const std::string& from, const std::string& to);

}  // namespace essnap::cli
