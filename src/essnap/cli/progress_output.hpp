// How running work is shown, stopped and confirmed. The one renderer of the one progress event
// (util/progress.hpp) for waits, transfers and inspect: an updating line on a terminal, one line
// per change otherwise (both on stderr, so stdout keeps only results), or JSON events on stderr
// with --output json (stdout keeps the one document). The one signal handler (SIGINT/SIGTERM, and
// SIGHUP for `essnap run`). The terminal prompt and the plan.
#pragma once

#include <chrono>
#include <functional>
#include <iosfwd>
#include <string>

#include "essnap/cli/command.hpp"
#include "essnap/snapshot/wait.hpp"
#include "essnap/util/confirm.hpp"
#include "essnap/util/progress.hpp"

namespace essnap::cli {

enum class ProgressStyle { kTerminal, kLines, kJson, kQuiet };

// -o json: kJson; --quiet: kQuiet; else kTerminal when stderr is a terminal, kLines when not. The
// same command reports the same events either way: only the drawing differs.
ProgressStyle progress_style(const GlobalOptions& global, bool quiet);

// How often progress is drawn, for work that reports very often (inspect, every blob): nothing
// before `quiet_start` has passed (quick work draws nothing), then at most one redraw every
// `terminal_gap` (kTerminal) or one line or event every `lines_gap` (kLines, kJson); an event with
// every unit done is drawn whatever the gap. Notices are always drawn. The default draws all.
struct ProgressPace {
  std::chrono::milliseconds quiet_start{0};
  std::chrono::milliseconds terminal_gap{0};
  std::chrono::milliseconds lines_gap{0};
};

// The one renderer. kTerminal: "\r<line>\x1b[K" redrawn in place, a notice on a line of its own;
// kLines: "<line>\n" per event, a notice as its text; kJson: one JSON object per line
// (util::progress_json); kQuiet: nothing. Lines are util::progress_line. Thread-safe: workers may
// draw at once. Writes to `out` (default std::cerr); the pace is measured on `now` (default
// steady_clock::now) from the moment this output is made.
class ProgressOutput {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  explicit ProgressOutput(ProgressStyle style, ProgressPace pace = {}, std::ostream* out = nullptr,
                          Clock now = {});
  ~ProgressOutput();  // finish()
  ProgressOutput(const ProgressOutput&) = delete;
  ProgressOutput& operator=(const ProgressOutput&) = delete;

  void draw(const util::ProgressEvent& e);
  // A sink drawing here; valid while this output lives.
  util::ProgressSink sink();
  // Ends an updating line (it stays on the screen) before results are printed; again is a no-op.
  void finish();
  ProgressStyle style() const { return style_; }

 private:
  bool due(const util::ProgressEvent& e);  // the pace allows drawing `e` now

  ProgressStyle style_;
  ProgressPace pace_;
  std::ostream& out_;
  Clock now_;
  std::chrono::steady_clock::time_point start_, last_{};
  bool drawn_ = false;      // a progress event was drawn (the gap counts from it)
  bool line_open_ = false;  // kTerminal: the updating line waits for its end
};

// The sink of the command's notices that belong to no operation (the connection's "no answer
// from HOST for 10 s, still waiting"): one output for the process in progress_style(global,
// false), made at the first call. Thread-safe; every output draws under one lock, so a notice
// from the connection's watch never cuts a command's own line in two.
util::ProgressSink notice_sink(const GlobalOptions& global);

// Wait hooks (snapshot and restore waits, deletes waiting for a busy repository) drawing into
// `out`, interrupted through InterruptScope.
snapshot::WaitHooks wait_hooks(ProgressOutput& out);

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
// command's document and one {"event":"plan",...} line to stderr. A dry run says so in its first
// line ("dry run: ...; nothing is changed") and, in the document, "dry_run": true.
enum class PlanRun { kReal, kDryRun };
void print_plan(const util::Plan& plan, const GlobalOptions& global, PlanRun run = PlanRun::kReal);
inline PlanRun plan_run(bool dry_run) {
  return dry_run ? PlanRun::kDryRun : PlanRun::kReal;
}

bool stdout_is_terminal();

}  // namespace essnap::cli
