// The local stack's AWS emulator (moto) for integration tests: read from the environment or
// from .stack/env. Absent: the test fails when CI=true, else it is skipped.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <string>

namespace essnap::testing {

struct StackAws {
  std::string endpoint, access_key_id, secret_access_key, region, account_id;
};

inline std::map<std::string, std::string> read_stack_env() {
  std::map<std::string, std::string> out;
  std::ifstream in(std::string(ESSNAP_SOURCE_DIR) + "/.stack/env");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("export ", 0) == 0) line = line.substr(7);
    auto eq = line.find('=');
    if (eq == std::string::npos || line.empty() || line[0] == '#') continue;
    std::string v = line.substr(eq + 1);
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'')) v = v.substr(1, v.size() - 2);
    out[line.substr(0, eq)] = v;
  }
  return out;
}

inline std::optional<StackAws> stack_aws() {
  auto file = read_stack_env();
  auto get = [&](const char* k) -> std::string {
    if (const char* v = std::getenv(k); v && *v) return v;
    auto it = file.find(k);
    return it == file.end() ? std::string() : it->second;
  };
  StackAws s{get("ESSNAP_TEST_AWS_ENDPOINT"), get("ESSNAP_TEST_AWS_ACCESS_KEY_ID"),
             get("ESSNAP_TEST_AWS_SECRET_ACCESS_KEY"), get("ESSNAP_TEST_AWS_REGION"),
             get("ESSNAP_TEST_AWS_ACCOUNT_ID")};
  if (s.endpoint.empty() || s.access_key_id.empty() || s.secret_access_key.empty())
    return std::nullopt;
  if (s.region.empty()) s.region = "us-east-1";
  return s;
}

inline bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci && std::string(ci) == "true";
}

#define ESSNAP_REQUIRE_STACK_AWS(var)                                                    \
  auto var##_opt = ::essnap::testing::stack_aws();                                       \
  if (!var##_opt) {                                                                      \
    if (::essnap::testing::in_ci()) FAIL() << "CI=true but the stack's moto is missing"; \
    GTEST_SKIP() << "no ESSNAP_TEST_AWS_* (run scripts/stack.sh up)";                    \
  }                                                                                      \
  const ::essnap::testing::StackAws& var = *var##_opt

struct Captured {
  int exit_code = -1;
  std::string out, err;
};

// Runs `command` under bash with stdout and stderr captured separately.
inline Captured run_captured(const std::string& command) {
  char dir[] = "/tmp/essnap-it-XXXXXX";
  std::string d = ::mkdtemp(dir);
  std::string full = "bash -c '" + command + "' >" + d + "/o 2>" + d + "/e";
  int status = std::system(full.c_str());
  Captured c;
  c.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  auto slurp = [](const std::string& p) {
    std::ifstream f(p);
    return std::string(std::istreambuf_iterator<char>(f), {});
  };
  c.out = slurp(d + "/o");
  c.err = slurp(d + "/e");
  std::remove((d + "/o").c_str());
  std::remove((d + "/e").c_str());
  ::rmdir(d.c_str());
  return c;
}

}  // namespace essnap::testing
