// Live completion against the stack's OpenSearch: a uniquely named repository and snapshot are
// made, then the bash script of `essnap completion bash` completes them (repository after -r,
// snapshot after `restore` and `snapshot show`), with --url on the line and with ESSNAP_URL.
// Names are prefixed completionwt-; everything is removed after. Absent stack: FAIL when
// CI=true, else skip.
#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "essnap/cluster/client.hpp"
#include "essnap/http/factory.hpp"
#include "support/bash_completion.hpp"
#include "support/stack_env.hpp"

namespace essnap {
namespace {

using Words = std::set<std::string>;

class CompletionCluster : public ::testing::Test {
 protected:
  void SetUp() override {
    ESSNAP_REQUIRE_STACK("ESSNAP_TEST_OPENSEARCH_URL", "ESSNAP_TEST_S3_REPO_PATH");
    url_ = test::stack_var("ESSNAP_TEST_OPENSEARCH_URL");
    id_ = "completionwt-" + std::to_string(::getpid());
    repo_ = id_ + "-repo";
    index_ = id_ + "-orders";
    snapshot_ = id_ + "-nightly";
    http::TransportOptions o;
    o.retry.max_attempts = 2;
    client_ = std::make_unique<cluster::Client>(http::make_transport(o), url_);
    const std::string location = test::stack_var("ESSNAP_TEST_S3_REPO_PATH") + "/" + repo_;
    ASSERT_TRUE(client_
                    ->json("PUT", "/_snapshot/" + repo_,
                           nlohmann::json{{"type", "fs"}, {"settings", {{"location", location}}}})
                    .ok());
    ASSERT_TRUE(
        client_
            ->json("PUT", "/" + index_, nlohmann::json{{"settings", {{"number_of_replicas", 0}}}})
            .ok());
    auto made =
        client_->json("PUT", "/_snapshot/" + repo_ + "/" + snapshot_ + "?wait_for_completion=true",
                      nlohmann::json{{"indices", index_}, {"include_global_state", false}});
    ASSERT_TRUE(made.ok()) << made.error().message;
  }
  void TearDown() override {
    if (!client_) return;
    (void)client_->json("DELETE", "/_snapshot/" + repo_ + "/" + snapshot_);
    (void)client_->json("DELETE", "/_snapshot/" + repo_);
    (void)client_->json("DELETE", "/" + index_);
  }

  std::string url_, id_, repo_, index_, snapshot_;
  std::unique_ptr<cluster::Client> client_;
};

TEST_F(CompletionCluster, SnapshotAndRepositoryNamesCompleteFromTheCluster) {
  // The snapshot, by a prefix only it has.
  EXPECT_EQ(test::complete_bash({"restore", "--url", url_, "-r", repo_, id_ + "-ni"}),
            Words({snapshot_}));
  EXPECT_EQ(test::complete_bash({"snapshot", "show", "-r", repo_, id_}, {{"ESSNAP_URL", url_}}),
            Words({snapshot_}));
  // The repository after -r / --repository, and as `repo show`'s NAME.
  EXPECT_EQ(test::complete_bash({"snapshot", "list", "--url", url_, "-r", id_}), Words({repo_}));
  EXPECT_EQ(test::complete_bash({"repo", "show", id_}, {{"ESSNAP_URL", url_}}), Words({repo_}));
  // And a flag still completes as a flag there.
  EXPECT_EQ(test::complete_bash({"restore", "--url", url_, "-r", repo_, "--rename-s"}),
            Words({"--rename-suffix"}));
}

}  // namespace
}  // namespace essnap
