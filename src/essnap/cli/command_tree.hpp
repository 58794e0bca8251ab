// The command tree as data, read from the same CLI11 definitions that `--help` prints: every
// visible command, subcommand, option (names, value, enumerated values) and positional. The
// completion scripts and the man pages are rendered from it, so neither can drift from --help.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace essnap::cli {

// What a value completes to beyond its enumerated values: names read live from the cluster.
enum class LiveNames { kNone, kRepositories, kSnapshots };

struct OptionNode {
  std::vector<std::string> names;  // "-o", "--output": short names first, then long
  std::string description;
  bool takes_value = false;          // false: a flag
  std::string value_name;            // "TEXT", "INT", ... (CLI11's type name without validators)
  std::vector<std::string> choices;  // enumerated values (CLI::IsMember), in declared order
  LiveNames live = LiveNames::kNone;
  bool required = false;
  bool repeatable = false;
};

struct PositionalNode {
  std::string name;  // "NAME", "SNAPSHOT", "SOURCE TARGET"
  std::string description;
  std::vector<std::string> choices;
  LiveNames live = LiveNames::kNone;
  bool required = false;
  int max = 1;  // values it takes at most; -1: any number
};

struct CommandNode {
  std::vector<std::string> path;  // {} for essnap itself, {"snapshot", "create"}
  std::string name;               // "essnap", "create"
  std::string description;
  std::string footer;  // examples and the exit status, as --help prints them
  std::vector<OptionNode> options;
  std::vector<PositionalNode> positionals;
  std::vector<CommandNode> subcommands;
  bool requires_subcommand = false;

  std::string joined_path() const;  // "snapshot create"; "" for the root
};

// The visible tree under `app` (commands and options in a group named "" are hidden, as in
// --help, and left out). `app` must have every command registered.
CommandNode read_command_tree(const CLI::App& app);

// The enumerated values of an option: the members of its CLI::IsMember validators ("{a,b}").
std::vector<std::string> option_choices(const CLI::Option& option);

// Every node of the tree, parents before their children.
std::vector<const CommandNode*> flatten(const CommandNode& root);

}  // namespace essnap::cli
