#include "essnap/cli/progress_output.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>

namespace essnap::cli {

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
  switch (style) {
    case ProgressStyle::kQuiet:
      break;
    case ProgressStyle::kJson:
      h.progress = [](const snapshot::Progress& p) {
        std::cout << snapshot::progress_event(p).dump() << "\n" << std::flush;
      };
      h.notice = [](const std::string& s) {
        std::cout << nlohmann::json{{"event", "notice"}, {"message", s}}.dump() << "\n"
                  << std::flush;
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

bool confirm_on_terminal(const std::string& question) {
  if (::isatty(STDIN_FILENO) == 0) return false;
  const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) return false;
  const std::string q = question + " [y/N] ";
  (void)!::write(fd, q.data(), q.size());
  std::string answer;
  char c;
  while (::read(fd, &c, 1) == 1 && c != '\n') answer += c;
  ::close(fd);
  return answer == "y" || answer == "Y" || answer == "yes";
}

}  // namespace essnap::cli
