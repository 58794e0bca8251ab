#include "support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "support/shell_words.hpp"

extern char** environ;

namespace essnap::test {
namespace {

struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

void make_pipe(Fd& r, Fd& w) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe2: " + std::string(std::strerror(errno)));
  r.fd = p[0];
  w.fd = p[1];
}

std::string find_program(const std::string& name, const std::map<std::string, std::string>& env) {
  if (name.find('/') != std::string::npos) return name;
  auto it = env.find("PATH");
  const std::string path = it != env.end() ? it->second : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find(':', start), path.size());
    const std::string dir = end == start ? "." : path.substr(start, end - start);
    const std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return name;  // posix_spawn fails with ENOENT, reported as exit code 127
}

}  // namespace

ProcessResult run(const Command& command) {
  if (command.argv.empty()) throw std::invalid_argument("run: empty argv");
  std::map<std::string, std::string> env;
  if (!command.clear_env)
    for (char** e = environ; *e; ++e) {
      std::string_view kv(*e);
      const auto eq = kv.find('=');
      if (eq != std::string_view::npos) env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
    }
  for (const auto& [k, v] : command.env) env[k] = v;
  const std::string program = find_program(command.argv[0], env);

  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp, args;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = command.argv;
  for (auto& s : argv_copy) args.push_back(s.data());
  args.push_back(nullptr);

  Fd in_r, in_w, out_r, out_w, err_r, err_w;
  if (command.stdin_text) make_pipe(in_r, in_w);
  make_pipe(out_r, out_w);
  make_pipe(err_r, err_w);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (command.stdin_text)
    posix_spawn_file_actions_adddup2(&actions, in_r.fd, 0);
  else
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_w.fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_w.fd, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);  // its own process group, killed whole at the timeout
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, program.c_str(), &actions, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  in_r.reset();
  out_w.reset();
  err_w.reset();
  ProcessResult result;
  if (rc != 0) {
    result.exit_code = 127;
    result.err = "run: cannot start " + program + ": " + std::strerror(rc) + "\n";
    return result;
  }

  // Writing to a child that stopped reading raises SIGPIPE in this thread: keep it blocked here
  // and swallow it afterwards, so the test process is not killed and its disposition is untouched.
  sigset_t pipe_set, old_mask;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);

  const auto deadline = std::chrono::steady_clock::now() + command.timeout;
  auto remaining_ms = [&] {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    return static_cast<int>(std::max<long long>(0, left.count()));
  };
  auto kill_group = [&] {
    if (!result.timed_out) {
      result.timed_out = true;
      ::kill(-pid, SIGKILL);
    }
  };
  std::string_view pending = command.stdin_text ? std::string_view(*command.stdin_text) : "";
  if (in_w.fd >= 0) {
    ::fcntl(in_w.fd, F_SETFL, O_NONBLOCK);
    if (pending.empty()) in_w.reset();
  }
  char buf[65536];
  while (out_r.fd >= 0 || err_r.fd >= 0) {
    pollfd fds[3];
    nfds_t n = 0;
    for (Fd* f : {&out_r, &err_r})
      if (f->fd >= 0) fds[n++] = {f->fd, POLLIN, 0};
    if (in_w.fd >= 0) fds[n++] = {in_w.fd, POLLOUT, 0};
    const int timeout = result.timed_out ? 1000 : remaining_ms();
    const int ready = ::poll(fds, n, timeout);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      if (result.timed_out) break;  // killed, yet something else still holds the pipes
      kill_group();
      continue;
    }
    for (nfds_t i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == in_w.fd) {
        const ssize_t w = ::write(in_w.fd, pending.data(), pending.size());
        if (w > 0) pending.remove_prefix(static_cast<std::size_t>(w));
        if ((w < 0 && errno != EAGAIN) || pending.empty()) in_w.reset();
        continue;
      }
      Fd& f = fds[i].fd == out_r.fd ? out_r : err_r;
      std::string& sink = &f == &out_r ? result.out : result.err;
      const ssize_t r = ::read(f.fd, buf, sizeof buf);
      if (r > 0)
        sink.append(buf, static_cast<std::size_t>(r));
      else if (r == 0 || errno != EINTR)
        f.reset();
    }
  }
  in_w.reset();
  int status = 0;
  while (true) {
    const pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid || (w < 0 && errno != EINTR)) break;
    if (!result.timed_out && remaining_ms() == 0) kill_group();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const timespec zero{0, 0};
  while (sigtimedwait(&pipe_set, nullptr, &zero) == SIGPIPE) {
  }
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);

  if (result.timed_out)
    result.exit_code = -1;
  else if (WIFEXITED(status))
    result.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    result.exit_code = 128 + WTERMSIG(status);
  return result;
}

std::map<std::string, std::string> env_words(std::string_view words) {
  std::map<std::string, std::string> out;
  ShellLexer lexer(words);
  while (auto cmd = lexer.next_command())
    for (const ShellWord& w : *cmd) {
      if (!w.is_assignment()) throw std::invalid_argument("env_words: not NAME=value: " + w.text);
      out[w.name()] = w.value();
    }
  return out;
}

std::vector<std::string> argv(std::vector<std::string> prefix, std::string_view args) {
  for (auto& w : shell_words(args)) prefix.push_back(std::move(w));
  return prefix;
}

}  // namespace essnap::test
