#include "essnap/cli/progress_output.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>

namespace essnap::cli {
namespace {

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

bool InterruptScope::requested() { return g_interrupted != 0; }

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

snapshot::WaitHooks progress_hooks(ProgressStyle style) {
  snapshot::WaitHooks h;
  h.interrupted = [] { return InterruptScope::requested(); };
  switch (style) {
    case ProgressStyle::kQuiet:
      break;
    case ProgressStyle::kJson:
      h.progress = [](const snapshot::Progress& p) { json_event(snapshot::progress_event(p)); };
      h.notice = [](const std::string& s) {
        json_event(nlohmann::json{{"event", "notice"}, {"message", s}});
      };
      break;
    case ProgressStyle::kTerminal:
      h.progress = [](const snapshot::Progress& p) {
        std::cerr << "\r" << snapshot::format_progress(p) << "\x1b[K" << std::flush;
      };
      h.notice = [](const std::string& s) { std::cerr << "\r\x1b[K" << s << "\n" << std::flush; };
      break;
    case ProgressStyle::kLines:
      h.progress = [](const snapshot::Progress& p) {
        std::cerr << snapshot::format_progress(p) << "\n" << std::flush;
      };
      h.notice = [](const std::string& s) { std::cerr << s << "\n" << std::flush; };
      break;
  }
  return h;
}

void finish_progress(ProgressStyle style) {
  if (style == ProgressStyle::kTerminal) std::cerr << "\n" << std::flush;
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
  return answer == "y" || answer == "Y" || answer == "yes" ? util::Answer::kYes
                                                           : util::Answer::kNo;
}

util::ConfirmPolicy confirm_policy(bool yes, bool dry_run) {
  util::ConfirmPolicy p;
  p.assume_yes = yes ? util::AssumeYes::kYes : util::AssumeYes::kNo;
  p.execution = dry_run ? util::Execution::kDryRun : util::Execution::kExecute;
  p.prompt = terminal_prompt;
  return p;
}

void print_plan(const util::Plan& plan, const GlobalOptions& global) {
  if (global.output == OutputFormat::kJson) {
    // The plan's members open the command's document (the result is added after them), and
    // the plan is an event too: it is what a prompt on the terminal asks about.
    nlohmann::json j = plan.json.is_object() ? plan.json : nlohmann::json{{"plan", plan.json}};
    for (const auto& [k, v] : j.items()) json_field(k, v);
    j["event"] = "plan";
    json_event(j);
    return;
  }
  std::cout << plan.summary << ":\n";
  for (const auto& a : plan.actions) std::cout << "  " << a << "\n";
  std::cout << std::flush;
}

}  // namespace essnap::cli
