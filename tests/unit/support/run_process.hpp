// Runs the essnap binary (or any shell command) and captures exit code, stdout and stderr.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace essnap::test {

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Single-quote for bash.
inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

// `command` is a bash command line; `env` is prepended as-is (e.g. "env -i PATH=/usr/bin X=1").
inline ProcessResult run_shell(const std::string& command, const std::string& stdin_text = "") {
  char dir_template[] = "/tmp/essnap-test-XXXXXX";
  const std::string dir = ::mkdtemp(dir_template);
  const std::string in = dir + "/in", out = dir + "/out", err = dir + "/err";
  {
    std::ofstream f(in, std::ios::binary);
    f << stdin_text;
  }
  const std::string full = "bash -c " + shell_quote(command) + " <" + in + " >" + out + " 2>" + err;
  const int status = std::system(full.c_str());
  ProcessResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(out);
  r.err = read_file(err);
  std::remove(in.c_str());
  std::remove(out.c_str());
  std::remove(err.c_str());
  ::rmdir(dir.c_str());
  return r;
}

}  // namespace essnap::test
