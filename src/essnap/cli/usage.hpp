// The one command-line grammar's checks before CLI11 parses: every word that starts with '-' must
// be a flag of the command being run (or of a command above it: the global flags), and a word
// where a subcommand is expected must be one. CLI11 alone takes an unknown flag for a positional
// ("NAME: At Most 1 required but received 2"); here it is "unknown flag --indicies; did you mean
// --indices?", with the subcommand's own --help named.
//
// Grammar walked (argv[1..]): `--` ends the flags; `--name[=value]`; `-x`, `-xVALUE`, `-xyz`
// (short flags bundled); a flag that takes a value takes the next word (a vector option takes
// every following word up to the next flag); a bare word is a subcommand of the current command
// when it names one, else a positional (or a value), else, where only subcommands may follow,
// an unknown command.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

namespace essnap::cli {

struct UsageProblem {
  std::string message;  // "unknown flag --indicies; did you mean --indices?"
  std::string hint;     // "run 'essnap snapshot create --help' for usage"
};

struct CommandLineWalk {
  std::vector<std::string> path;        // the subcommands named: {"snapshot", "create"}
  std::optional<UsageProblem> problem;  // the first unknown flag or command
};

CommandLineWalk walk_command_line(CLI::App& app, int argc, char** argv);

// "run 'essnap snapshot create --help' for usage" ("essnap --help" for an empty path).
std::string help_hint(const std::vector<std::string>& path);

// Levenshtein distance (insertions, deletions, substitutions; an adjacent swap counts 1).
std::size_t edit_distance(const std::string& a, const std::string& b);

// The candidate nearest to `word` when it is near enough to be a typo (distance <= 2, and less
// than half of the word); nullopt otherwise.
std::optional<std::string> nearest(const std::string& word,
                                   const std::vector<std::string>& candidates);

}  // namespace essnap::cli
