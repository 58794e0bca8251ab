// How waits look: an updating line on a terminal, one line per change otherwise (both on
// stderr, so stdout keeps only results), or JSON events on stdout with --output json.
#pragma once

#include <string>

#include "essnap/cli/command.hpp"
#include "essnap/snapshot/create.hpp"

namespace essnap::cli {

enum class ProgressStyle { kTerminal, kLines, kJson, kQuiet };

ProgressStyle progress_style(const GlobalOptions& global, bool quiet);

// Hooks that draw progress and notices in `style`. finish_progress() ends an updating line.
snapshot::WaitHooks progress_hooks(ProgressStyle style);
void finish_progress(ProgressStyle style);

// Asks "question [y/N]" on the terminal. False without a terminal.
bool confirm_on_terminal(const std::string& question);

bool stdout_is_terminal();

}  // namespace essnap::cli
