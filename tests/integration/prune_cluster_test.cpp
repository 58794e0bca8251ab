// essnap prune end to end on every engine of the stack (OpenSearch 2 and 3 with repositories on
// the S3 mount, Elasticsearch 8 with an fs repository): snapshots created for real with the
// metadata of two policies, pruning one, --match adoption, --dry-run, a running snapshot left
// alone, and the DELETE count equal to the batches. Absent stack: FAIL when CI=true, else skip.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "essnap/cluster/client.hpp"
#include "essnap/http/factory.hpp"
#include "support/cluster_fixture.hpp"
#include "support/process.hpp"
#include "support/stack_engines.hpp"
#include "support/stack_env.hpp"

namespace essnap {
namespace {

using test::stack_var;

using Engine = test::StackEngine;

int count_lines(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  int n = 0;
  for (std::string line; std::getline(in, line);) n += line.starts_with(prefix) ? 1 : 0;
  return n;
}

class PruneCluster : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    ESSNAP_REQUIRE_STACK(GetParam().url_var, GetParam().repo_var);
    url_ = stack_var(GetParam().url_var);
    id_ = test::test_id("prunewt");
    repo_ = id_;
    location_ = stack_var(GetParam().repo_var) + "/" + repo_;
    client_ = test::test_client(url_);
    register_repo({});
    ASSERT_TRUE(
        client_->json("PUT", "/" + index() + "/_doc/1?refresh=true", nlohmann::json{{"n", 1}})
            .ok());
  }
  void TearDown() override {
    if (!client_) return;
    for (const auto& s : names()) (void)client_->json("DELETE", "/_snapshot/" + repo_ + "/" + s);
    (void)client_->json("DELETE", "/_snapshot/" + repo_);
    (void)client_->json("DELETE", "/" + index());
  }
  void register_repo(nlohmann::json extra) {
    nlohmann::json settings{{"location", location_}};
    for (auto& [k, v] : extra.items()) settings[k] = v;
    ASSERT_TRUE(client_
                    ->json("PUT", "/_snapshot/" + repo_,
                           nlohmann::json{{"type", "fs"}, {"settings", settings}})
                    .ok());
  }
  std::string index() const { return id_ + "-idx"; }
  void snapshot(const std::string& name, const std::string& policy, bool wait = true) {
    nlohmann::json body{{"indices", index()}, {"include_global_state", false}};
    if (!policy.empty())
      body["metadata"] = {{"essnap", {{"policy", policy}, {"version", "0.1.0"}}}};
    auto r = client_->json(
        "PUT", "/_snapshot/" + repo_ + "/" + name + (wait ? "?wait_for_completion=true" : ""), body,
        http::Idempotency::kNonIdempotent);
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  std::set<std::string> names() {
    std::set<std::string> out;
    auto j = client_->json("GET", "/_snapshot/" + repo_ + "/_all?verbose=false");
    if (j.ok() && j->contains("snapshots"))
      for (const auto& s : (*j)["snapshots"]) out.insert(s["snapshot"].get<std::string>());
    return out;
  }
  test::ProcessResult essnap(const std::string& args) {
    test::Command c;
    c.clear_env = true;
    c.env = {{"PATH", "/usr/bin:/bin"}, {"HOME", "/nonexistent"}, {"ESSNAP_URL", url_}};
    c.argv = test::argv({ESSNAP_BINARY}, args);
    return test::run(c);
  }
  std::string url_, id_, repo_, location_;
  std::unique_ptr<cluster::Client> client_;
};

TEST_P(PruneCluster, PrunesOnlyItsPolicyInOneBatch) {
  for (const char* n : {"a-1", "b-1", "a-2", "b-2", "a-3", "a-4"})
    snapshot(n, std::string(n).substr(0, 1));
  snapshot("hand-1", "");
  auto r = essnap("-v prune -r " + repo_ + " --policy a --keep-last 1 --yes");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(names(), (std::set<std::string>{"a-4", "b-1", "b-2", "hand-1"}));
  EXPECT_EQ(count_lines(r.err, "> DELETE"), 1) << r.err;
  EXPECT_NE(r.out.find("deleted 3 snapshot(s) in 1 request(s)"), std::string::npos) << r.out;
}

TEST_P(PruneCluster, DryRunDeletesNothingThenMatchAdopts) {
  for (const char* n : {"hand-1", "hand-2", "hand-3"}) snapshot(n, "");
  snapshot("a-1", "a");
  auto dry = essnap("-o json prune -r " + repo_ + " --match 'hand-*' --keep-last 1 --dry-run");
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  auto j = nlohmann::json::parse(dry.out);
  EXPECT_EQ(j["remove"], nlohmann::json::array({"hand-2", "hand-1"}));
  EXPECT_EQ(j["snapshots"].size(), 3u);
  EXPECT_EQ(names().size(), 4u);
  auto refused = essnap("prune -r " + repo_ + " --match 'hand-*' --keep-last 1");
  EXPECT_EQ(refused.exit_code, 8) << refused.err;
  EXPECT_EQ(names().size(), 4u);
  auto r = essnap("prune -r " + repo_ + " --match 'hand-*' --keep-last 1 --yes");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(names(), (std::set<std::string>{"hand-3", "a-1"}));
}

TEST_P(PruneCluster, BatchesCountAsOneDeleteEach) {
  for (int i = 0; i < 55; ++i) snapshot("s-" + std::to_string(100 + i), "p");
  // 54 to remove, 50 names a batch: two DELETEs.
  auto r = essnap("-v prune -r " + repo_ + " --policy p --keep-last 1 --yes");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count_lines(r.err, "> DELETE"), 2) << r.err;
  EXPECT_EQ(names(), (std::set<std::string>{"s-154"}));
}

TEST_P(PruneCluster, ARunningSnapshotIsLeftAlone) {
  snapshot("p-1", "p");
  snapshot("p-2", "p");
  // A slow repository and some data keep the next snapshot running for a while.
  register_repo({{"max_snapshot_bytes_per_sec", "2kb"}});
  std::string bulk;
  const std::string pad(2000, 'x');
  for (int i = 0; i < 100; ++i)
    bulk += R"({"index":{"_index":")" + index() +
            R"("}})"
            "\n" +
            R"({"pad":")" + pad + "\"}\n";
  cluster::Call call;
  call.method = "POST";
  call.path = "/_bulk?refresh=true";
  call.body = bulk;
  ASSERT_TRUE(client_->send(call).ok());
  snapshot("p-3-running", "p", false);
  auto r = essnap("prune -r " + repo_ + " --policy p --keep-last 1 --yes");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("IN_PROGRESS"), std::string::npos) << r.out;
  const auto left = names();
  EXPECT_TRUE(left.count("p-3-running")) << "the running snapshot was deleted";
  EXPECT_TRUE(left.count("p-2"));  // newest SUCCESS
  EXPECT_FALSE(left.count("p-1"));
  register_repo({});
}

INSTANTIATE_TEST_SUITE_P(Engines, PruneCluster, test::stack_engines(), test::stack_engine_name);

}  // namespace
}  // namespace essnap
