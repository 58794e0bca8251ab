// Man pages (roff, section 1) rendered from the command tree (command_tree.hpp): essnap(1) and
// one page per command and subcommand, essnap-CMD(1) and essnap-CMD-SUB(1), from the same
// definitions as --help — descriptions, arguments, options with their enumerated values, and
// the footers' examples and exit status.
#pragma once

#include <string>
#include <vector>

#include "essnap/cli/command_tree.hpp"

namespace essnap::cli {

struct ManPage {
  std::string file_name;  // "essnap.1", "essnap-snapshot-create.1"
  std::string text;       // roff
};

// One page per node of the tree, parents first. `version` goes in the footer ("essnap 0.1.0").
std::vector<ManPage> man_pages(const CommandNode& root, const std::string& version);

// Text made safe for roff: backslashes and hyphens escaped, a leading '.' or '\'' neutralized,
// characters beyond ASCII written as \[uXXXX] (so no page depends on the locale it renders in).
std::string roff_escape(const std::string& text);

}  // namespace essnap::cli
