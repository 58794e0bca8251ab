// Issue 20, item 3 (contexts) against the stack: a command run with only `--context X` — no
// --url, no ESSNAP_URL — reaches the engine the context names, and takes the context's default
// repository. Absent stack: FAIL when CI=true, else skip.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "support/process.hpp"
#include "support/stack_env.hpp"

namespace essnap {
namespace {

using test::stack_var;

class ContextCluster : public ::testing::Test {
 protected:
  void SetUp() override {
    ESSNAP_REQUIRE_STACK("ESSNAP_TEST_OPENSEARCH_URL");
    dir_ = ::testing::TempDir() + "essnap-contexts-it-" + std::to_string(::getpid());
    std::filesystem::create_directories(dir_);
    repository_ = "essnap-contexts-it-" + std::to_string(::getpid());  // never registered
    std::ofstream(dir_ + "/config.yaml")
        << "contexts:\n  - name: elsewhere\n    url: http://127.0.0.1:9\n"
        << "  - name: stack-os\n    url: " << stack_var("ESSNAP_TEST_OPENSEARCH_URL")
        << "\n    auth: none\n    repository: " << repository_ << "\ncurrent_context: elsewhere\n";
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  test::ProcessResult essnap(const std::string& args) {
    test::Command c;  // stdin: /dev/null; no ESSNAP_URL, no AWS files
    c.clear_env = true;
    c.env = {{"PATH", "/usr/bin:/bin"},
             {"HOME", "/nonexistent"},
             {"AWS_EC2_METADATA_DISABLED", "true"},
             {"ESSNAP_CONFIG", dir_ + "/config.yaml"}};
    c.argv = test::argv({ESSNAP_BINARY}, args);
    return test::run(c);
  }

  std::string dir_, repository_;
};

TEST_F(ContextCluster, OnlyContextReachesTheCluster) {
  auto health = essnap("--context stack-os request GET /_cluster/health");
  ASSERT_EQ(health.exit_code, 0) << health.err;
  EXPECT_TRUE(nlohmann::json::parse(health.out).contains("cluster_name")) << health.out;

  auto repos = essnap("-o json repo list --context stack-os");
  ASSERT_EQ(repos.exit_code, 0) << repos.err;
  EXPECT_TRUE(nlohmann::json::parse(repos.out).is_array()) << repos.out;

  // The default repository is the context's: the engine answers that it is not registered.
  auto snaps = essnap("--context stack-os snapshot list");
  EXPECT_EQ(snaps.exit_code, 6) << snaps.err;
  EXPECT_NE(snaps.err.find(repository_), std::string::npos) << snaps.err;

  // Without --context, the file's current_context (a closed port) is the one used.
  auto current = essnap("request GET /_cluster/health --connect-timeout 2");
  EXPECT_EQ(current.exit_code, 4) << current.err;
}

}  // namespace
}  // namespace essnap
