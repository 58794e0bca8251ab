// Re-attaching on every stack engine (issue 20, item 4): a snapshot started with --no-wait prints
// the command that follows it, and that command (`snapshot status -r REPO NAME --wait`) waits for
// the snapshot and exits as `snapshot create` would; a restore started with --no-wait is followed
// by the `restore status ... --wait` it prints. Without a terminal, as cron runs it. Names
// `waitwt-<pid>`. Absent stack: FAIL when CI=true, else skip.
#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "essnap/cluster/client.hpp"
#include "support/cluster_fixture.hpp"
#include "support/essnap_cli.hpp"
#include "support/process.hpp"
#include "support/stack_engines.hpp"
#include "support/stack_env.hpp"

namespace essnap {
namespace {

using test::stack_var;

// The command after "follow it with: essnap " on stdout, as words (shell quoting).
std::string follow_args(const std::string& out) {
  const std::string mark = "follow it with: essnap ";
  const auto at = out.find(mark);
  if (at == std::string::npos) return "";
  const auto from = at + mark.size();
  return out.substr(from, out.find('\n', from) - from);
}

class WaitCluster : public ::testing::TestWithParam<test::StackEngine> {
 protected:
  void SetUp() override {
    ESSNAP_REQUIRE_STACK(GetParam().url_var, GetParam().repo_var);
    url_ = stack_var(GetParam().url_var);
    const std::string id = std::to_string(::getpid());
    repo_ = "waitwt-repo-" + id;
    index_ = "waitwt-index-" + id;
    client_ = test::test_client(url_);
    ASSERT_TRUE(test::register_fs_repository(*client_, repo_,
                                             stack_var(GetParam().repo_var) + "/" + repo_));
    ASSERT_TRUE(
        client_
            ->json("PUT", "/" + index_, nlohmann::json{{"settings", {{"number_of_replicas", 0}}}})
            .ok());
    for (int i = 0; i < 5; ++i)
      ASSERT_TRUE(client_
                      ->json("PUT", "/" + index_ + "/_doc/" + std::to_string(i) + "?refresh=true",
                             nlohmann::json{{"n", i}})
                      .ok());
  }
  void TearDown() override {
    if (!client_) return;
    (void)client_->json("DELETE", "/_snapshot/" + repo_ + "/waitwt-s");
    (void)client_->json("DELETE", "/_snapshot/" + repo_);
    (void)client_->json("DELETE", "/" + index_);
    (void)client_->json("DELETE", "/" + index_ + "-back");
  }
  test::ProcessResult essnap(const std::string& args) {
    return test::run(test::essnap_command(url_, args));
  }
  std::string url_, repo_, index_;
  std::unique_ptr<cluster::Client> client_;
};

TEST_P(WaitCluster, StatusWaitReattachesToASnapshotStartedWithoutWaiting) {
  auto started = essnap("snapshot create waitwt-s -r " + repo_ + " -i " + index_ + " --no-wait");
  ASSERT_EQ(started.exit_code, 0) << started.err;
  EXPECT_NE(started.out.find("snapshot waitwt-s started in repository " + repo_ + "; not waiting"),
            std::string::npos)
      << started.out;
  const std::string follow = follow_args(started.out);
  ASSERT_EQ(follow, "snapshot status -r " + repo_ + " waitwt-s --wait") << started.out;

  // The printed command, run as printed: it waits for the snapshot and reports its outcome.
  auto followed = essnap(follow);
  EXPECT_EQ(followed.exit_code, 0) << followed.err;
  EXPECT_NE(followed.out.find("snapshot waitwt-s SUCCESS: 1 indices"), std::string::npos)
      << followed.out;

  // Once it has finished, re-attaching answers at once with the same outcome.
  auto again = essnap("-o json snapshot status waitwt-s -r " + repo_ + " --wait");
  EXPECT_EQ(again.exit_code, 0) << again.err;
  auto j = nlohmann::json::parse(again.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << again.out;
  EXPECT_EQ(j["snapshot"].value("state", ""), "SUCCESS") << again.out;

  auto missing = essnap("snapshot status waitwt-nope -r " + repo_ + " --wait");
  EXPECT_EQ(missing.exit_code, 6) << missing.err;

  // A restore started without waiting, followed by the command it prints.
  auto restore =
      essnap("restore waitwt-s -r " + repo_ + " -i " + index_ + " --rename-suffix -back --no-wait");
  ASSERT_EQ(restore.exit_code, 0) << restore.err;
  const std::string follow_restore = follow_args(restore.out);
  ASSERT_EQ(follow_restore, "restore status -i " + index_ + "-back --wait") << restore.out;
  auto restored = essnap(follow_restore);
  EXPECT_EQ(restored.exit_code, 0) << restored.err;
  EXPECT_NE(restored.out.find(index_ + "-back: 5 documents"), std::string::npos) << restored.out;
}

INSTANTIATE_TEST_SUITE_P(Engines, WaitCluster, test::stack_engines(), test::stack_engine_name);

}  // namespace
}  // namespace essnap
