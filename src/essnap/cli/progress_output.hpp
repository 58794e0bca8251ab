// How waits and plans look and how they are stopped or confirmed: progress as an updating line on
// a terminal, one line per change otherwise (both on stderr, so stdout keeps only results), or
// JSON events on stderr with --output json (stdout keeps the one document); the terminal prompt and SIGINT/SIGTERM handling.
#pragma once

#include <string>

#include "essnap/cli/command.hpp"
#include "essnap/snapshot/wait.hpp"
#include "essnap/util/confirm.hpp"

namespace essnap::cli {

enum class ProgressStyle { kTerminal, kLines, kJson, kQuiet };

ProgressStyle progress_style(const GlobalOptions& global, bool quiet);

// Hooks that draw progress and notices in `style` and report interruption (see
// InterruptScope). finish_progress() ends an updating line.
snapshot::WaitHooks progress_hooks(ProgressStyle style);
void finish_progress(ProgressStyle style);

// The one signal handler. While alive, SIGINT and SIGTERM do not kill the process: they raise a
// flag that waits, transfers, inspect and `essnap run` poll (util::sleep_for's steps), so the work
// stops within a moment and says what keeps running. A second signal exits 130 at once (a wait
// stuck inside one slow request still ends when asked twice). With Hangup::kReload (`essnap run`)
// SIGHUP asks for a reload instead of ending the process.
class InterruptScope {
 public:
  enum class Hangup { kDefault, kReload };
  explicit InterruptScope(Hangup hangup = Hangup::kDefault);
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;
  static bool requested();
  // A SIGHUP arrived (Hangup::kReload) since the last take_reload(); take_reload() also clears it.
  static bool reload_requested();
  static bool take_reload();

 private:
  bool hangup_ = false;
};

// Asks "question [y/N]" on /dev/tty; kNoTerminal when stdin is not a terminal.
util::Answer terminal_prompt(const std::string& question);

// The policy for --yes / --dry-run, asking on the terminal.
util::ConfirmPolicy confirm_policy(bool yes, bool dry_run);

// "summary:" and one indented line per action; with --output json the plan's members go into the
// command's document and one {"event":"plan",...} line to stderr.
void print_plan(const util::Plan& plan, const GlobalOptions& global);

bool stdout_is_terminal();

}  // namespace essnap::cli
