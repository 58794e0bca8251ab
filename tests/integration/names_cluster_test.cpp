// Hostile names and empty selections on the stack's real engines: refusals send nothing and
// change nothing, and the percent-encoded paths (lists, '*' as %2A, _resolve/index) still mean
// what they meant to every engine. Names are prefixed nameswt-. Absent stack: FAIL when
// CI=true, else skip.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>

#include "essnap/cluster/client.hpp"
#include "essnap/http/factory.hpp"
#include "support/process.hpp"
#include "support/stack_engines.hpp"
#include "support/stack_env.hpp"

namespace essnap {
namespace {

class NamesCluster : public ::testing::TestWithParam<test::StackEngine> {
 protected:
  void SetUp() override {
    ESSNAP_REQUIRE_STACK(GetParam().url_var, GetParam().repo_var);
    url_ = test::stack_var(GetParam().url_var);
    std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (auto& c : test) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    id_ = "nameswt-" + test.substr(0, test.find('/')) + "-" + std::to_string(::getpid());
    repo_ = id_;
    index_ = id_ + "-orders";
    http::TransportOptions o;
    o.retry.max_attempts = 2;
    client_ = std::make_unique<cluster::Client>(http::make_transport(o), url_);
    const std::string location = test::stack_var(GetParam().repo_var) + "/" + repo_;
    ASSERT_TRUE(client_
                    ->json("PUT", "/_snapshot/" + repo_,
                           nlohmann::json{{"type", "fs"}, {"settings", {{"location", location}}}})
                    .ok());
    ASSERT_TRUE(
        client_
            ->json("PUT", "/" + index_, nlohmann::json{{"settings", {{"number_of_replicas", 0}}}})
            .ok());
    ASSERT_TRUE(
        client_->json("PUT", "/" + index_ + "/_doc/1?refresh=true", nlohmann::json{{"n", 1}}).ok());
  }
  void TearDown() override {
    if (!client_) return;
    for (const auto& s : snapshots())
      (void)client_->json("DELETE", "/_snapshot/" + repo_ + "/" + s);
    (void)client_->json("DELETE", "/_snapshot/" + repo_);
    for (const std::string& i : {index_, index_ + "-copy"}) (void)client_->json("DELETE", "/" + i);
  }

  std::vector<std::string> snapshots() {
    std::vector<std::string> out;
    auto j = client_->json("GET", "/_snapshot/" + repo_ + "/_all");
    if (j.ok() && j->contains("snapshots"))
      for (const auto& s : (*j)["snapshots"]) out.push_back(s["snapshot"].get<std::string>());
    return out;
  }
  bool registered() { return client_->json("GET", "/_snapshot/" + repo_).ok(); }
  bool exists(const std::string& index) {
    return client_->json("GET", "/" + index + "/_count").ok();
  }

  test::ProcessResult essnap(std::vector<std::string> args) {
    test::Command c;
    c.clear_env = true;
    c.env = {{"PATH", "/usr/bin:/bin"}, {"HOME", "/nonexistent"}, {"ESSNAP_URL", url_}};
    c.argv = {ESSNAP_BINARY};
    c.argv.insert(c.argv.end(), args.begin(), args.end());
    return test::run(c);
  }

  std::string url_, id_, repo_, index_;
  std::unique_ptr<cluster::Client> client_;
};

TEST_P(NamesCluster, RepoRemoveDotDotSendsNothing) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"repo", "remove", "..", "--yes"},
        {"repo", "cleanup", "..", "--yes"},
        {"repo", "show", ".."},
        {"repo", "verify", "."}}) {
    const auto& action = args[1];
    auto r = essnap(args);
    EXPECT_EQ(r.exit_code, 2) << action << ": " << r.err;
    EXPECT_NE(r.err.find("'.' or '..'"), std::string::npos) << r.err;
  }
  EXPECT_TRUE(registered());
  EXPECT_TRUE(exists(index_));
}

TEST_P(NamesCluster, EmptySelectionIsAUsageError) {
  for (const char* blank : {"", ",", " "}) {
    auto c = essnap({"snapshot", "create", "s1", "-r", repo_, "-i", blank, "--wait"});
    EXPECT_EQ(c.exit_code, 2) << "'" << blank << "': " << c.err;
    auto r = essnap({"restore", "s1", "-r", repo_, "-i", blank, "--wait"});
    EXPECT_EQ(r.exit_code, 2) << "'" << blank << "': " << r.err;
  }
  EXPECT_TRUE(snapshots().empty());
}

TEST_P(NamesCluster, SelectionMatchingNothingExits8AndCreatesNoSnapshot) {
  auto c = essnap({"snapshot", "create", "s2", "-r", repo_, "-i", id_ + "-nomatch-*", "--wait"});
  EXPECT_EQ(c.exit_code, 8) << c.err;
  EXPECT_NE(c.err.find(id_ + "-nomatch-*"), std::string::npos) << c.err;
  EXPECT_TRUE(snapshots().empty());
  auto m = essnap(
      {"snapshot", "create", "s2", "-r", repo_, "-i", index_ + "," + id_ + "-missing", "--wait"});
  EXPECT_EQ(m.exit_code, 6) << m.err;
  EXPECT_NE(m.err.find("no index named " + id_ + "-missing"), std::string::npos) << m.err;
  EXPECT_TRUE(snapshots().empty());
}

// The encoded paths on the real engine: a pattern list (%2A), a restore of a list with a rename,
// its health and recovery polls, and a snapshot list by name.
TEST_P(NamesCluster, EncodedPathsStillWork) {
  auto c =
      essnap({"snapshot", "create", "s3", "-r", repo_, "-i", id_ + "-ord*," + index_, "--wait"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto s = essnap({"-o", "json", "snapshot", "show", "s3", "-r", repo_});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(nlohmann::json::parse(s.out)["indices"], nlohmann::json::array({index_}));
  auto nomatch = essnap({"restore", "s3", "-r", repo_, "-i", id_ + "-nomatch-*", "--wait"});
  EXPECT_EQ(nomatch.exit_code, 8) << nomatch.err;
  auto r =
      essnap({"restore", "s3", "-r", repo_, "-i", index_, "--rename-suffix", "-copy", "--wait"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(exists(index_ + "-copy"));
}

INSTANTIATE_TEST_SUITE_P(Engines, NamesCluster, test::stack_engines(), test::stack_engine_name);

}  // namespace
}  // namespace essnap
