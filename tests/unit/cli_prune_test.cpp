// essnap prune (and the batched `snapshot delete`) against a scripted loopback cluster that keeps
// a live set of snapshots: refusal off a terminal, --dry-run, batch URLs, a 404 inside a batch,
// waiting while the repository is busy, no re-send after a dropped DELETE, --plan-from offline.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "support/loopback_server.hpp"
#include "support/process.hpp"

namespace essnap {
namespace {

using test::LoopbackServer;
using test::ServerRequest;
using test::ServerResponse;

test::Command prune_command(const std::string& url, const std::string& args) {
  test::Command c;  // stdin: /dev/null: no terminal to ask on
  c.clear_env = true;
  c.env = {{"PATH", "/usr/bin:/bin"}, {"HOME", "/nonexistent"}};
  if (!url.empty()) c.env["ESSNAP_URL"] = url;
  c.argv = test::argv({ESSNAP_BINARY}, args);
  return c;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string part; std::getline(ss, part, sep);) out.push_back(part);
  return out;
}

// Repository "repo" on an OpenSearch 2.19.6 holding s-0 .. s-(n-1), s-i started at second i,
// all made for policy "p". Misbehaviour per DELETE is scripted through `on_delete`.
class PruneFakeCluster {
 public:
  explicit PruneFakeCluster(int n) {
    for (int i = 0; i < n; ++i) snaps_["s-" + std::to_string(i)] = i;
  }
  std::function<std::optional<ServerResponse>(int nth, const std::vector<std::string>& names)>
      on_delete;

  ServerResponse handle(const ServerRequest& r) {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    const std::string path = r.target.substr(0, r.target.find('?'));
    if (path == "/")
      return ServerResponse::json(
          200, R"({"cluster_name":"c","version":{"distribution":"opensearch","number":"2.19.6"}})");
    if (!path.starts_with("/_snapshot/repo/")) return ServerResponse::json(404, "{}");
    const auto names = split(path.substr(16), ',');
    if (r.method == "GET") return list(names);
    if (r.method != "DELETE") return ServerResponse::json(405, "{}");
    ++deletes_;
    if (on_delete)
      if (auto scripted = on_delete(deletes_, names)) {
        if (scripted->drop)
          for (const auto& n : names) snaps_.erase(n);  // applied, then the answer is lost
        return *scripted;
      }
    for (const auto& n : names)
      if (!snaps_.count(n))
        return ServerResponse::json(
            404, R"({"error":{"type":"snapshot_missing_exception","reason":"[repo:)" + n +
                     R"(] is missing"},"status":404})");
    for (const auto& n : names) snaps_.erase(n);
    return ServerResponse::json(200, R"({"acknowledged":true})");
  }

  void erase(const std::string& n) {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    snaps_.erase(n);
  }
  std::set<std::string> names() {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    std::set<std::string> out;
    for (const auto& [n, t] : snaps_) out.insert(n);
    return out;
  }
  nlohmann::json listing() {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return list_json({"_all"});
  }

 private:
  nlohmann::json list_json(const std::vector<std::string>& names) {
    auto arr = nlohmann::json::array();
    for (const auto& [n, t] : snaps_) {
      if (names != std::vector<std::string>{"_all"} &&
          std::find(names.begin(), names.end(), n) == names.end())
        continue;
      arr.push_back({{"snapshot", n},
                     {"state", "SUCCESS"},
                     {"start_time_in_millis", 1'700'000'000'000LL + t * 1000},
                     {"metadata", {{"essnap", {{"policy", "p"}, {"version", "0.1.0"}}}}}});
    }
    return {{"snapshots", arr}};
  }
  ServerResponse list(const std::vector<std::string>& names) {
    return ServerResponse::json(200, list_json(names).dump());
  }

  std::recursive_mutex mu_;  // on_delete may call erase()
  std::map<std::string, int> snaps_;
  int deletes_ = 0;
};

struct Fixture {
  explicit Fixture(int n)
      : cluster(n), server([this](const ServerRequest& r) { return cluster.handle(r); }) {}
  std::vector<ServerRequest> deletes() const {
    std::vector<ServerRequest> out;
    for (const auto& r : server.requests())
      if (r.method == "DELETE") out.push_back(r);
    return out;
  }
  PruneFakeCluster cluster;
  LoopbackServer server;
};

TEST(CliPrune, RefusesWithoutYesWhenNotOnATerminal) {
  Fixture f(5);
  auto r = test::run(prune_command(f.server.url(), "prune -r repo --policy p --keep-last 2"));
  EXPECT_EQ(r.exit_code, 8) << r.err;
  EXPECT_NE(r.err.find("nothing was deleted"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("remove"), std::string::npos) << r.out;
  EXPECT_TRUE(f.deletes().empty());
  EXPECT_EQ(f.cluster.names().size(), 5u);
}

TEST(CliPrune, DryRunDeletesNothingAndPrintsTheTable) {
  Fixture f(5);
  auto r =
      test::run(prune_command(f.server.url(), "prune -r repo --policy p --keep-last 2 --dry-run"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("SNAPSHOT"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("will delete 3 of 5"), std::string::npos) << r.out;
  EXPECT_TRUE(f.deletes().empty());
  EXPECT_EQ(f.cluster.names().size(), 5u);
}

TEST(CliPrune, DeletesInBatchesOfFifty) {
  Fixture f(120);
  auto r =
      test::run(prune_command(f.server.url(), "prune -r repo --policy p --keep-last 10 --yes"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto d = f.deletes();
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(split(d[0].target.substr(16), ',').size(), 50u);
  EXPECT_EQ(split(d[1].target.substr(16), ',').size(), 50u);
  EXPECT_EQ(split(d[2].target.substr(16), ',').size(), 10u);
  EXPECT_TRUE(d[0].target.starts_with("/_snapshot/repo/s-109,s-108,")) << d[0].target;
  EXPECT_NE(r.out.find("deleted 110 snapshot(s) in 3 request(s)"), std::string::npos) << r.out;
  const auto left = f.cluster.names();
  EXPECT_EQ(left.size(), 10u);
  EXPECT_TRUE(left.count("s-119") && left.count("s-110") && !left.count("s-109"));
}

TEST(CliPrune, A404InsideABatchIsGoneNotAnError) {
  Fixture f(6);
  f.cluster.on_delete = [&](int nth, const std::vector<std::string>&) {
    if (nth == 1) f.cluster.erase("s-1");  // someone else deleted it after our listing
    return std::optional<ServerResponse>();
  };
  auto r = test::run(prune_command(f.server.url(), "prune -r repo --policy p --keep-last 2 --yes"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("already gone: s-1"), std::string::npos) << r.out;
  ASSERT_EQ(f.deletes().size(), 2u);
  EXPECT_EQ(f.deletes()[1].target, "/_snapshot/repo/s-3,s-2,s-0");
  EXPECT_EQ(f.cluster.names(), (std::set<std::string>{"s-4", "s-5"}));
}

TEST(CliPrune, WaitsWhileAnotherSnapshotOrDeletionRuns) {
  Fixture f(4);
  f.cluster.on_delete = [](int nth,
                           const std::vector<std::string>&) -> std::optional<ServerResponse> {
    if (nth > 2) return std::nullopt;
    return ServerResponse::json(
        503,
        R"({"error":{"type":"concurrent_snapshot_execution_exception","reason":"[repo:s-0] cannot delete - another snapshot is currently being deleted"},"status":503})");
  };
  auto r = test::run(prune_command(f.server.url(), "prune -r repo --policy p --keep-last 1 --yes"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("another snapshot or deletion is running"), std::string::npos) << r.err;
  EXPECT_EQ(f.deletes().size(), 3u);
  EXPECT_EQ(f.cluster.names(), (std::set<std::string>{"s-3"}));
}

TEST(CliPrune, ADroppedDeleteIsNotResentButTheListingReRead) {
  Fixture f(5);
  f.cluster.on_delete = [](int nth,
                           const std::vector<std::string>&) -> std::optional<ServerResponse> {
    if (nth != 1) return std::nullopt;
    ServerResponse drop;
    drop.drop = true;
    return drop;
  };
  auto r = test::run(prune_command(f.server.url(), "prune -r repo --policy p --keep-last 2 --yes"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(f.deletes().size(), 1u) << r.err;
  bool relisted = false;
  for (const auto& q : f.server.requests())
    relisted = relisted || (q.method == "GET" && q.target.starts_with("/_snapshot/repo/s-2,"));
  EXPECT_TRUE(relisted);
  EXPECT_EQ(f.cluster.names(), (std::set<std::string>{"s-3", "s-4"}));
  EXPECT_NE(r.out.find("deleted s-0"), std::string::npos) << r.out;
}

TEST(CliPrune, PlanFromASavedListingNeedsNoCluster) {
  PruneFakeCluster saved(4);
  const std::string path = ::testing::TempDir() + "/prune_listing.json";
  std::ofstream(path) << saved.listing().dump();
  auto r =
      test::run(prune_command("", "-o json prune -r repo --policy p --keep-last 1 --plan-from " +
                                      path + " --now 2024-02-01T00:00:00Z --yes"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["outcome"], "dry_run");
  EXPECT_EQ(j["repository"], "repo");
  EXPECT_EQ(j["remove"], nlohmann::json::array({"s-2", "s-1", "s-0"}));
  ASSERT_EQ(j["snapshots"].size(), 4u);
  EXPECT_EQ(j["snapshots"][0]["name"], "s-3");
  EXPECT_EQ(j["snapshots"][0]["action"], "keep");
  EXPECT_FALSE(j["snapshots"][0]["reasons"].empty());
  EXPECT_EQ(j["delete_requests"], 0);
}

TEST(CliPrune, AwsRepositoriesAreRefusedBeforeSending) {
  Fixture f(2);
  auto r = test::run(
      prune_command(f.server.url(), "prune -r cs-automated --match '*' --keep-last 1 --yes"));
  EXPECT_EQ(r.exit_code, 8) << r.err;
  EXPECT_NE(r.err.find("cs-automated"), std::string::npos) << r.err;
  EXPECT_TRUE(f.server.requests().empty());
}

TEST(CliPrune, SnapshotDeletePatternIsBatchedAndKeepsItsOutput) {
  Fixture f(60);
  f.cluster.on_delete = [&](int nth, const std::vector<std::string>&) {
    if (nth == 1) f.cluster.erase("s-7");
    return std::optional<ServerResponse>();
  };
  auto r = test::run(prune_command(f.server.url(), "snapshot delete 's-*' -r repo --yes"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("deleted s-0\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("already gone: s-7"), std::string::npos) << r.out;
  EXPECT_EQ(f.deletes().size(), 3u);  // 50 (404 on s-7), the 49 left, then 10
  EXPECT_TRUE(f.cluster.names().empty());
}

TEST(CliPrune, HelpHasExamplesAndExitStatus) {
  auto r = test::run(prune_command("", "prune --help"));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("EXAMPLES"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("EXIT STATUS"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--keep-within-daily"), std::string::npos);
  EXPECT_NE(r.out.find("--plan-from"), std::string::npos);
}

// Issue 21 items 5 and 6.
TEST(CliPrune, ABadNowIsAUsageError) {
  for (const char* args : {"prune --now garbage", "prune -r repo --policy p --keep-last 1 --now x",
                           "prune -r repo --policy p --keep-last 1 --plan-from /nonexistent "
                           "--now 2026-13-45T99:00:00Z"}) {
    auto r = test::run(prune_command("", args));
    EXPECT_EQ(r.exit_code, 2) << args << ": " << r.err;
    EXPECT_NE(r.err.find("--now"), std::string::npos) << r.err;
  }
  auto j = test::run(prune_command("", "-o json prune --now garbage"));
  EXPECT_EQ(j.exit_code, 2);
  EXPECT_EQ(nlohmann::json::parse(j.out)["error"]["exit_code"], 2) << j.out;
}

TEST(CliPrune, OwningNothingSaysHowManyItDoesNotOwnAndHowToAdoptThem) {
  Fixture f(5);  // s-0 .. s-4, all made for policy "p"
  auto r = test::run(
      prune_command(f.server.url(), "prune -r repo --policy nightly --keep-last 1 --yes"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("will delete 0 of 0 snapshot(s) owned by policy nightly in repository "
                       "repo; the repository holds 5 snapshot(s) policy nightly does not own"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("adopt them with --match 's-*'"), std::string::npos) << r.out;
  auto j = test::run(
      prune_command(f.server.url(), "-o json prune -r repo --policy nightly --keep-last 1 --yes"));
  ASSERT_EQ(j.exit_code, 0) << j.err;
  const auto doc = nlohmann::json::parse(j.out);
  EXPECT_EQ(doc["not_owned"], 5);
  EXPECT_EQ(doc["listed"], 5);
  EXPECT_EQ(doc["adopt_match"], "s-*");
  EXPECT_TRUE(doc["snapshots"].empty());
  EXPECT_EQ(f.cluster.names().size(), 5u);
  // Owning some: the count is there, no adoption hint.
  auto owned = test::run(
      prune_command(f.server.url(), "-o json prune -r repo --policy p --keep-last 5 --dry-run"));
  const auto o = nlohmann::json::parse(owned.out);
  EXPECT_EQ(o["not_owned"], 0);
  EXPECT_FALSE(o.contains("adopt_match"));
}

}  // namespace
}  // namespace essnap
