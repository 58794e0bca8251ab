// What the cluster suites set up around each test on the shared stack: a name unique to the test
// and process, a client that retries little, an fs repository registered under the engine's
// path.repo, and its removal with every snapshot in it.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "essnap/cluster/client.hpp"
#include "essnap/http/factory.hpp"

namespace essnap::test {

// "<prefix>-<test name in lower case, without the parameter>-<pid>".
inline std::string test_id(const std::string& prefix) {
  std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  for (auto& c : test) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return prefix + "-" + test.substr(0, test.find('/')) + "-" + std::to_string(::getpid());
}

inline std::unique_ptr<cluster::Client> test_client(const std::string& url) {
  http::TransportOptions o;
  o.retry.max_attempts = 2;
  return std::make_unique<cluster::Client>(http::make_transport(o), url);
}

inline bool register_fs_repository(cluster::Client& c, const std::string& repo,
                                   const std::string& location) {
  return c
      .json("PUT", "/_snapshot/" + repo,
            nlohmann::json{{"type", "fs"}, {"settings", {{"location", location}}}})
      .ok();
}

// Deletes every snapshot of the repository, then unregisters it; failures are ignored (cleanup).
inline void drop_repository(cluster::Client& c, const std::string& repo) {
  auto snaps = c.json("GET", "/_snapshot/" + repo + "/_all");
  if (snaps.ok() && snaps->contains("snapshots"))
    for (const auto& s : (*snaps)["snapshots"])
      (void)c.json("DELETE", "/_snapshot/" + repo + "/" + s["snapshot"].get<std::string>());
  (void)c.json("DELETE", "/_snapshot/" + repo);
}

}  // namespace essnap::test
