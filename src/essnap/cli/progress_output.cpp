#include "essnap/cli/progress_output.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <utility>

namespace essnap::cli {
namespace {

// One lock for every output's drawing: outputs share stderr.
std::mutex& draw_mutex() {
  static std::mutex mu;
  return mu;
}

volatile std::sig_atomic_t g_interrupted = 0;
volatile std::sig_atomic_t g_reload = 0;
struct sigaction g_old_int, g_old_term, g_old_hup;

extern "C" void on_interrupt(int sig) {
  if (sig == SIGHUP) {
    g_reload = 1;
    return;
  }
  if (g_interrupted) {
    // Asked twice: the wait may be inside one slow request; stop now (async-signal-safe calls).
    static const char msg[] = "\nessnap: interrupted again; exiting\n";
    (void)!::write(STDERR_FILENO, msg, sizeof msg - 1);
    ::_exit(130);
  }
  g_interrupted = 1;
}

}  // namespace

InterruptScope::InterruptScope(Hangup hangup) : hangup_(hangup == Hangup::kReload) {
  g_interrupted = 0;
  g_reload = 0;
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, &g_old_int);
  ::sigaction(SIGTERM, &sa, &g_old_term);
  if (hangup_) ::sigaction(SIGHUP, &sa, &g_old_hup);
}

InterruptScope::~InterruptScope() {
  ::sigaction(SIGINT, &g_old_int, nullptr);
  ::sigaction(SIGTERM, &g_old_term, nullptr);
  if (hangup_) ::sigaction(SIGHUP, &g_old_hup, nullptr);
}

bool InterruptScope::requested() {
  return g_interrupted != 0;
}

bool InterruptScope::reload_requested() {
  return g_reload != 0;
}

bool InterruptScope::take_reload() {
  if (g_reload == 0) return false;
  g_reload = 0;
  return true;
}

bool stdout_is_terminal() {
  return ::isatty(STDOUT_FILENO) != 0;
}

ProgressStyle progress_style(const GlobalOptions& global, bool quiet) {
  if (global.output == OutputFormat::kJson) return ProgressStyle::kJson;
  if (quiet) return ProgressStyle::kQuiet;
  return ::isatty(STDERR_FILENO) != 0 ? ProgressStyle::kTerminal : ProgressStyle::kLines;
}

ProgressOutput::ProgressOutput(ProgressStyle style, ProgressPace pace, std::ostream* out, Clock now)
    : style_(style), pace_(pace), out_(out ? *out : std::cerr), now_(std::move(now)) {
  if (!now_) now_ = [] { return std::chrono::steady_clock::now(); };
  start_ = now_();
}

ProgressOutput::~ProgressOutput() {
  finish();
}

bool ProgressOutput::due(const util::ProgressEvent& e) {
  const auto t = now_();
  if (t - start_ < pace_.quiet_start) return false;
  const auto gap = style_ == ProgressStyle::kTerminal ? pace_.terminal_gap : pace_.lines_gap;
  if (drawn_ && e.done != e.total && t - last_ < gap) return false;
  last_ = t;
  drawn_ = true;
  return true;
}

void ProgressOutput::draw(const util::ProgressEvent& e) {
  if (style_ == ProgressStyle::kQuiet) return;
  std::lock_guard<std::mutex> lock(draw_mutex());
  const bool notice = e.kind == util::ProgressKind::kNotice;
  if (!notice && !due(e)) return;
  switch (style_) {
    case ProgressStyle::kJson:
      out_ << util::progress_json(e).dump() << "\n";
      break;
    case ProgressStyle::kTerminal:
      if (notice) {
        out_ << "\r\x1b[K" << e.message << "\n";
        line_open_ = false;
      } else {
        out_ << "\r" << util::progress_line(e) << "\x1b[K";
        line_open_ = true;
      }
      break;
    case ProgressStyle::kLines:
      out_ << util::progress_line(e) << "\n";
      break;
    case ProgressStyle::kQuiet:
      break;
  }
  out_ << std::flush;
}

util::ProgressSink ProgressOutput::sink() {
  return [this](const util::ProgressEvent& e) { draw(e); };
}

void ProgressOutput::finish() {
  std::lock_guard<std::mutex> lock(draw_mutex());
  if (line_open_) out_ << "\n" << std::flush;
  line_open_ = false;
}

util::ProgressSink notice_sink(const GlobalOptions& global) {
  // Never destroyed: a watch thread may still hold its sink while the process exits.
  static ProgressOutput* out = new ProgressOutput(progress_style(global, false));
  return out->sink();
}

snapshot::WaitHooks wait_hooks(ProgressOutput& out) {
  snapshot::WaitHooks h;
  h.interrupted = [] { return InterruptScope::requested(); };
  h.progress = out.sink();
  return h;
}

util::Answer terminal_prompt(const std::string& question) {
  if (::isatty(STDIN_FILENO) == 0) return util::Answer::kNoTerminal;
  const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) return util::Answer::kNoTerminal;
  const std::string q = question + " [y/N] ";
  (void)!::write(fd, q.data(), q.size());
  std::string answer;
  char c;
  while (::read(fd, &c, 1) == 1 && c != '\n') answer += c;
  ::close(fd);
  return answer == "y" || answer == "Y" || answer == "yes" ? util::Answer::kYes : util::Answer::kNo;
}

util::ConfirmPolicy confirm_policy(bool yes, bool dry_run) {
  util::ConfirmPolicy p;
  p.assume_yes = yes ? util::AssumeYes::kYes : util::AssumeYes::kNo;
  p.execution = dry_run ? util::Execution::kDryRun : util::Execution::kExecute;
  p.prompt = terminal_prompt;
  return p;
}

void print_plan(const util::Plan& plan, const GlobalOptions& global, PlanRun run) {
  const bool dry = run == PlanRun::kDryRun;
  if (global.output == OutputFormat::kJson) {
    if (dry) json_field("dry_run", true);
    // The plan's members open the command's document (the result is added after them), and
    // the plan is an event too: it is what a prompt on the terminal asks about.
    nlohmann::json j = plan.json.is_object() ? plan.json : nlohmann::json{{"plan", plan.json}};
    for (const auto& [k, v] : j.items()) json_field(k, v);
    j["event"] = "plan";
    json_event(j);
    return;
  }
  if (dry) std::cout << "dry run: nothing is changed; without --dry-run it would do this\n";
  std::cout << plan.summary << ":\n";
  for (const auto& a : plan.actions) std::cout << "  " << a << "\n";
  std::cout << std::flush;
}

}  // namespace essnap::cli
