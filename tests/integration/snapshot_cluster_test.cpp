// essnap snapshot / restore / repo end to end on the stack's real engines: OpenSearch 2 and 3 with
// repositories in the S3 bucket (fs on the FUSE mount, docs/TESTING.md) and Elasticsearch 8 with
// an fs repository. Every test uses its own repository and index names so suites run in parallel.
// Waiting through an outage uses a loopback proxy this test starts in front of the real
// cluster (answering 504 and dropping connections for a while); the shared stack is never
// restarted. Absent stack: FAIL when CI=true, else skip.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "essnap/cluster/client.hpp"
#include "essnap/http/factory.hpp"
#include "support/cluster_fixture.hpp"
#include "support/essnap_cli.hpp"
#include "support/loopback_server.hpp"
#include "support/process.hpp"
#include "support/stack_engines.hpp"
#include "support/stack_env.hpp"

namespace essnap {
namespace {

using test::stack_var;

using CmdResult = test::ProcessResult;

CmdResult run_snapshot_essnap(const std::string& url, const std::string& args) {
  return test::run(test::essnap_command(url, args));
}

using Engine = test::StackEngine;

class SnapshotCluster : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    ESSNAP_REQUIRE_STACK(GetParam().url_var, GetParam().repo_var);
    url_ = stack_var(GetParam().url_var);
    repo_path_ = stack_var(GetParam().repo_var);
    id_ = test::test_id("snapwt");
    repo_ = "snap-" + id_;
    client_ = test::test_client(url_);
    ASSERT_TRUE(test::register_fs_repository(*client_, repo_, repo_path_ + "/" + repo_));
  }
  void TearDown() override {
    if (!client_) return;
    test::drop_repository(*client_, repo_);
    // Delete by exact names: Elasticsearch 8 refuses wildcard deletes
    // (action.destructive_requires_name), and a leftover red index would turn the shared
    // cluster red for every later test.
    for (const std::string pattern : {idx("*"), ".kibana_" + id_ + "*"}) {
      auto found = client_->json(
          "GET", "/_cat/indices/" + pattern + "?format=json&h=index&expand_wildcards=all");
      if (!found.ok() || !found->is_array()) continue;
      for (const auto& row : *found)
        if (row.contains("index"))
          (void)client_->json("DELETE", "/" + row["index"].get<std::string>());
    }
  }
  std::string idx(const std::string& suffix) const { return id_ + "-" + suffix; }
  void put_docs(const std::string& index, int n) {
    for (int i = 0; i < n; ++i)
      ASSERT_TRUE(client_
                      ->json("PUT", "/" + index + "/_doc/" + std::to_string(i) + "?refresh=true",
                             nlohmann::json{{"n", i}})
                      .ok());
  }
  long count(const std::string& index) {
    auto j = client_->json("GET", "/" + index + "/_count");
    return j.ok() ? (*j)["count"].get<long>() : -1;
  }
  CmdResult essnap(const std::string& args) { return run_snapshot_essnap(url_, args); }
  CmdResult snap(const std::string& args) { return essnap("snapshot " + args + " -r " + repo_); }

  std::string url_, repo_path_, id_, repo_;
  std::unique_ptr<cluster::Client> client_;
};

TEST_P(SnapshotCluster, WalkThrough) {
  const auto index = idx("new_index");
  put_docs(index, 1);
  auto c = snap("create snapshot_1 --indices " + index + " --wait");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(c.out.find("snapshot snapshot_1 SUCCESS"), std::string::npos) << c.out;
  EXPECT_NE(c.err.find("1/1 shards"), std::string::npos) << "progress lines: " << c.err;
  ASSERT_TRUE(client_->json("DELETE", "/" + index).ok());
  EXPECT_EQ(count(index), -1);
  auto r = essnap("restore snapshot_1 --repository " + repo_ + " --indices " + index + " --wait");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(index + ": 1 documents"), std::string::npos) << r.out;
  EXPECT_EQ(count(index), 1);
  auto l = snap("list");
  EXPECT_EQ(l.exit_code, 0);
  EXPECT_NE(l.out.find("snapshot_1"), std::string::npos);
  auto s = essnap("-o json snapshot show snapshot_1 -r " + repo_);
  ASSERT_EQ(s.exit_code, 0) << s.err;
  auto j = nlohmann::json::parse(s.out);
  EXPECT_EQ(j["state"], "SUCCESS");
  EXPECT_EQ(j["indices"], nlohmann::json::array({index}));
}

TEST_P(SnapshotCluster, SeveralIndicesPatternsAndRename) {
  for (const char* s : {"logs-1", "logs-2", "logs-debug", "orders"}) put_docs(idx(s), 2);
  auto c = snap("create multi --indices '" + idx("logs-*") + ",-" + idx("logs-debug") +
                "' --indices " + idx("orders") + " --wait -o json");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto s = essnap("-o json snapshot show multi -r " + repo_);
  auto indices = nlohmann::json::parse(s.out)["indices"].get<std::vector<std::string>>();
  std::sort(indices.begin(), indices.end());
  EXPECT_EQ(indices, (std::vector<std::string>{idx("logs-1"), idx("logs-2"), idx("orders")}));
  auto r = essnap("restore multi -r " + repo_ + " -i '" + idx("logs-*") +
                  "' --rename-suffix _restored --wait --verify");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(count(idx("logs-1_restored")), 2);
  EXPECT_EQ(count(idx("logs-2_restored")), 2);
  EXPECT_NE(r.out.find("verified"), std::string::npos) << r.out;
  auto rr = essnap("restore multi -r " + repo_ + " -i " + idx("orders") + " --rename '" + id_ +
                   "-(.+):" + id_ + "-copy-$1' --wait");
  ASSERT_EQ(rr.exit_code, 0) << rr.err;
  EXPECT_EQ(count(idx("copy-orders")), 2);
}

TEST_P(SnapshotCluster, ConflictRefusalLeavesTheIndexUntouched) {
  const auto index = idx("orders");
  put_docs(index, 2);
  ASSERT_EQ(snap("create before --indices " + index + " --wait").exit_code, 0);
  put_docs(index, 3);  // now 3 documents
  auto r = essnap("restore before -r " + repo_ + " --wait");
  EXPECT_EQ(r.exit_code, 8) << r.err;
  EXPECT_NE(r.err.find(index), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--rename-suffix _restored"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--close-existing"), std::string::npos);
  EXPECT_NE(r.err.find("--delete-existing --yes"), std::string::npos);
  EXPECT_EQ(count(index), 3) << "the refusal changed nothing";
  auto d = essnap("restore before -r " + repo_ + " --delete-existing --wait");
  EXPECT_EQ(d.exit_code, 8) << "--delete-existing needs --yes";
  EXPECT_EQ(count(index), 3);
  auto ok = essnap("restore before -r " + repo_ + " --close-existing --wait");
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(count(index), 2);
  put_docs(index, 4);
  auto del = essnap("restore before -r " + repo_ + " --delete-existing --yes --wait");
  ASSERT_EQ(del.exit_code, 0) << del.err;
  EXPECT_EQ(count(index), 2);
}

TEST_P(SnapshotCluster, SystemIndicesAreExcludedUnlessAsked) {
  const std::string sys = ".kibana_" + id_;
  put_docs(idx("data"), 1);
  put_docs(sys, 1);
  ASSERT_EQ(snap("create withsys --indices " + idx("data") + "," + sys + " --wait").exit_code, 0);
  auto plan = essnap("-o json restore withsys -r " + repo_ + " --rename-suffix _x --dry-run");
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  auto j = nlohmann::json::parse(plan.out.substr(0, plan.out.find('\n')));
  EXPECT_EQ(j["plan"]["excluded_system_indices"], nlohmann::json::array({sys}));
  EXPECT_EQ(j["plan"]["indices"].size(), 1u);
  auto with = essnap("-o json restore withsys -r " + repo_ +
                     " --rename-suffix _x --include-system --dry-run");
  auto j2 = nlohmann::json::parse(with.out.substr(0, with.out.find('\n')));
  EXPECT_EQ(j2["plan"]["indices"].size(), 2u);
  auto only = essnap("restore withsys -r " + repo_ + " -i '.kibana*' --wait");
  EXPECT_EQ(only.exit_code, 8) << only.err;
}

TEST_P(SnapshotCluster, PartialSnapshotExits9WithFailures) {
  put_docs(idx("ok"), 1);
  auto bad = idx("unassigned");
  ASSERT_TRUE(client_
                  ->json("PUT", "/" + bad + "?wait_for_active_shards=0",
                         nlohmann::json{{"settings",
                                         {{"index.routing.allocation.require._name", "nonexistent"},
                                          {"number_of_replicas", 0}}}})
                  .ok());
  auto c = snap("create part --indices " + idx("ok") + "," + bad + " --partial --wait");
  EXPECT_EQ(c.exit_code, 9) << c.out << c.err;
  EXPECT_NE(c.out.find("PARTIAL"), std::string::npos) << c.out;
  EXPECT_NE(c.err.find(bad), std::string::npos) << "failures listed: " << c.err;
  auto l = essnap("-o json snapshot list -r " + repo_ + " --state partial");
  EXPECT_EQ(nlohmann::json::parse(l.out).size(), 1u) << l.out;
}

TEST_P(SnapshotCluster, DeleteByPatternNeedsConfirmation) {
  put_docs(idx("d"), 1);
  for (const char* n : {"p-1", "p-2", "keep-1"})
    ASSERT_EQ(snap(std::string("create ") + n + " --indices " + idx("d") + " --wait").exit_code, 0);
  auto refused = snap("delete 'p-*'");
  EXPECT_EQ(refused.exit_code, 8) << refused.err;
  EXPECT_NE(refused.out.find("p-1"), std::string::npos) << "plan printed";
  auto dry = snap("delete 'p-*' --dry-run");
  EXPECT_EQ(dry.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(essnap("-o json snapshot list -r " + repo_).out).size(), 3u);
  auto del = snap("delete 'p-*' --yes");
  ASSERT_EQ(del.exit_code, 0) << del.err;
  auto left = nlohmann::json::parse(essnap("-o json snapshot list -r " + repo_).out);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0]["snapshot"], "keep-1");
}

TEST_P(SnapshotCluster, BadInputHasDocumentedExitCodes) {
  struct Case {
    std::string args;
    int code;
    std::string needle;
  };
  const Case cases[] = {
      {"snapshot create x -r no-such-repo-" + id_ + " --wait", 6, "not registered"},
      {"snapshot show nope -r " + repo_, 6, "no snapshot nope in"},
      {"restore nope -r " + repo_ + " --wait", 6, "not in repository"},
      {"snapshot create 'Bad Name' -r " + repo_ + " --wait", 2, "invalid snapshot name"},
      {"snapshot create '<x-{now/q}>' -r " + repo_ + " --wait", 2, "date math"},
      {"snapshot list", 2, "--repository"},
      {"repo show no-such-repo-" + id_, 6, "not registered"},
      {"snapshot delete nomatch -r " + repo_ + " --yes", 6, "matches"},
  };
  for (const auto& c : cases) {
    auto r = essnap(c.args);
    EXPECT_EQ(r.exit_code, c.code) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << c.args << "\n" << r.err;
  }
}

TEST_P(SnapshotCluster, RepoCommands) {
  auto l = essnap("repo list");
  EXPECT_EQ(l.exit_code, 0);
  EXPECT_NE(l.out.find(repo_), std::string::npos);
  EXPECT_EQ(essnap("repo verify " + repo_).exit_code, 0);
  auto refused = essnap("repo cleanup " + repo_);
  EXPECT_EQ(refused.exit_code, 8) << "no terminal and no --yes: " << refused.err;
  EXPECT_NE(refused.err.find("--yes"), std::string::npos) << refused.err;
  EXPECT_EQ(essnap("repo cleanup " + repo_ + " --dry-run").exit_code, 0);
  EXPECT_EQ(essnap("repo cleanup " + repo_ + " --yes").exit_code, 0);
  auto kept = essnap("repo remove " + repo_);
  EXPECT_EQ(kept.exit_code, 8) << kept.err;
  EXPECT_NE(essnap("repo list").out.find(repo_), std::string::npos) << "refusal kept it";
  auto rm = essnap("repo remove " + repo_ + " --yes");
  EXPECT_EQ(rm.exit_code, 0) << rm.err;
  EXPECT_NE(rm.out.find("untouched"), std::string::npos) << rm.out;
  EXPECT_EQ(essnap("repo list").out.find(repo_), std::string::npos) << "removed";
}

// A loopback proxy in front of the real cluster: requests whose target contains `flaky` are
// answered 504 (calls 1-4), then dropped (calls 5-8); everything else is forwarded.
std::unique_ptr<test::LoopbackServer> flaky_proxy(const std::string& upstream_url,
                                                  const std::string& flaky,
                                                  std::atomic<int>& calls) {
  http::TransportOptions o;
  o.retry.max_attempts = 1;
  std::shared_ptr<http::Transport> upstream = http::make_curl_transport(o);
  return std::make_unique<test::LoopbackServer>([=, &calls](const test::ServerRequest& in) {
    if (in.target.find(flaky) != std::string::npos) {
      const int n = ++calls;
      if (n >= 1 && n <= 4) return test::ServerResponse::json(504, "<html>Gateway Time-out</html>");
      if (n >= 5 && n <= 8) {
        test::ServerResponse drop;
        drop.drop = true;
        return drop;
      }
    }
    http::Request out;
    out.method = in.method;
    out.url = upstream_url + in.target;
    out.body = http::Body::from_string(in.body);
    if (!in.body.empty()) out.headers.emplace_back("Content-Type", "application/json");
    auto r = upstream->send(std::move(out));
    if (!r.ok()) return test::ServerResponse::json(502, "{}");
    return test::ServerResponse::json(r->status, r->body);
  });
}

// The cluster answers 504, then drops connections, for a while in the middle of the wait.
TEST_P(SnapshotCluster, WaitSurvives504sAndDroppedConnections) {
  put_docs(idx("w"), 5);
  std::atomic<int> status_calls{0};
  auto proxy = flaky_proxy(url_, "/_status", status_calls);
  auto r = run_snapshot_essnap(
      proxy->url(), "snapshot create through --indices " + idx("w") + " -r " + repo_ + " --wait");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("SUCCESS"), std::string::npos) << r.out << r.err;
  EXPECT_GE(status_calls.load(), 9) << "the outage was waited through";
  EXPECT_NE(r.err.find("cluster not answering"), std::string::npos) << r.err;
}

// The same outage while a restore's recovery is followed (its polls are _cluster/health).
TEST_P(SnapshotCluster, RestoreWaitSurvives504sAndDroppedConnections) {
  const auto index = idx("rw");
  put_docs(index, 4);
  ASSERT_EQ(snap("create forrestore --indices " + index + " --wait").exit_code, 0);
  ASSERT_TRUE(client_->json("DELETE", "/" + index).ok());
  std::atomic<int> health_calls{0};
  auto proxy = flaky_proxy(url_, "/_cluster/health", health_calls);
  auto r = run_snapshot_essnap(
      proxy->url(), "restore forrestore -r " + repo_ + " --indices " + index + " --wait");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(index + ": 4 documents"), std::string::npos) << r.out << r.err;
  EXPECT_GE(health_calls.load(), 9) << "the outage was waited through";
  EXPECT_NE(r.err.find("cluster not answering"), std::string::npos) << r.err;
  EXPECT_EQ(count(index), 4);
}

INSTANTIATE_TEST_SUITE_P(Engines, SnapshotCluster, test::stack_engines(), test::stack_engine_name);

}  // namespace
}  // namespace essnap
