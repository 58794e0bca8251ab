// Shell completion scripts rendered from the command tree (command_tree.hpp): commands,
// subcommands, flags and enumerated values are written into the script as data; repository and
// snapshot names are asked of the cluster at completion time through the hidden
// `essnap __complete repositories|snapshots -- WORDS...` (cmd_completion.cpp).
//
// The three scripts share one design: data functions generated per command path (its
// subcommands, its options, which options take a value, enumerated values, which positionals name
// live things), and one small engine that walks the words before the cursor like the parser does
// (a flag a command does not know falls through to its parents) and prints the candidates. The
// engine is written once in sh (bash and zsh source it) and once in fish.
#pragma once

#include <optional>
#include <string>

#include "essnap/cli/command_tree.hpp"

namespace essnap::cli {

enum class Shell { kBash, kZsh, kFish };

// "bash" | "zsh" | "fish".
std::optional<Shell> parse_shell(const std::string& name);

// The whole script for `shell`, completing the command `essnap`.
std::string completion_script(const CommandNode& root, Shell shell);

}  // namespace essnap::cli
