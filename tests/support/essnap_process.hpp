// The essnap binary run as a user would from a terminal-less shell: a clean environment holding
// PATH, a HOME with no config, the metadata lookup off, plus whatever the test adds. For suites
// whose target defines ESSNAP_BINARY (the unit and integration binaries).
#pragma once

#include <map>
#include <string>

#include "support/process.hpp"

namespace essnap::test {

inline ProcessResult run_essnap_clean(const std::string& args,
                                      const std::map<std::string, std::string>& env = {}) {
  Command c;
  c.clear_env = true;
  c.env = {
      {"PATH", "/usr/bin:/bin"}, {"HOME", "/nonexistent"}, {"AWS_EC2_METADATA_DISABLED", "true"}};
  for (const auto& [k, v] : env) c.env[k] = v;
  c.argv = argv({ESSNAP_BINARY}, args);
  return run(c);
}

// As run_essnap_clean, with PATH and HOME alone in the environment (the metadata lookup as the
// binary defaults it).
inline ProcessResult run_essnap_bare(const std::string& args) {
  Command c;
  c.clear_env = true;
  c.env = {{"PATH", "/usr/bin:/bin"}, {"HOME", "/nonexistent"}};
  c.argv = argv({ESSNAP_BINARY}, args);
  return run(c);
}

}  // namespace essnap::test
