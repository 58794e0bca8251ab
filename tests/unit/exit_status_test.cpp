// Exit statuses that tell the truth (issue 14, items 4 and 7, and the loopback-only rule): 404s
// named by their error type, a restore wait whose requests stay short for any number of indices,
// an aborted or vanished snapshot while waiting, `show` of several names, `status` on an
// unregistered repository, answered non-idempotent requests sent once. Against scripted loopback
// clusters; the CLI runs as a process.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "essnap/cluster/client.hpp"
#include "essnap/cluster/repository.hpp"
#include "essnap/cluster/snapshots.hpp"
#include "essnap/http/factory.hpp"
#include "support/essnap_cli.hpp"
#include "support/loopback_server.hpp"
#include "support/process.hpp"

namespace essnap {
namespace {

using test::LoopbackServer;
using test::run;
using test::ServerRequest;
using test::ServerResponse;

using test::essnap_command;
using test::os2_root;

ServerResponse index_missing(const std::string& index) {
  return ServerResponse::json(
      404,
      R"({"error":{"root_cause":[{"type":"index_not_found_exception","reason":"no such index [)" +
          index + R"(]","index":")" + index +
          R"("}],"type":"index_not_found_exception","reason":"no such index [)" + index +
          R"(]","resource.type":"index_or_alias","resource.id":")" + index +
          R"(","index_uuid":"_na_","index":")" + index + R"("},"status":404})");
}

ServerResponse repository_missing(const std::string& repo) {
  return ServerResponse::json(
      404, R"({"error":{"root_cause":[{"type":"repository_missing_exception","reason":"[)" + repo +
               R"(] missing"}],"type":"repository_missing_exception","reason":"[)" + repo +
               R"(] missing"},"status":404})");
}

ServerResponse snapshot_missing(const std::string& repo, const std::string& snap) {
  return ServerResponse::json(
      404, R"({"error":{"root_cause":[{"type":"snapshot_missing_exception","reason":"[)" + repo +
               ":" + snap + R"(] is missing"}],"type":"snapshot_missing_exception","reason":"[)" +
               repo + ":" + snap + R"(] is missing"},"status":404})");
}

cluster::Client status_client_for(const LoopbackServer& server, int attempts = 1) {
  http::TransportOptions o;
  o.retry.max_attempts = attempts;
  o.retry.initial_backoff = std::chrono::milliseconds(1);
  o.retry.max_backoff = std::chrono::milliseconds(2);
  return cluster::Client(http::make_transport(o), server.url());
}

// --- 404s by their error type -------------------------------------------------------------

TEST(ExitStatus, NotFoundIsNamedByItsErrorType) {
  LoopbackServer server([](const ServerRequest& r) {
    if (r.target.starts_with("/logs")) return index_missing("logs");
    if (r.target.starts_with("/_snapshot/gone")) return repository_missing("gone");
    if (r.target.starts_with("/_snapshot/repo/snap")) return snapshot_missing("repo", "snap");
    return ServerResponse::json(404, R"({"error":{"type":"resource_not_found_exception",)"
                                     R"("reason":"no such thing"},"status":404})");
  });
  auto c = status_client_for(server);
  auto idx = c.json("GET", "/logs/_count");
  ASSERT_FALSE(idx.ok());
  EXPECT_EQ(idx.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(idx.error().message, "no such index logs");
  auto repo = c.json("GET", "/_snapshot/gone/_all");
  ASSERT_FALSE(repo.ok());
  EXPECT_EQ(repo.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(repo.error().message, "repository gone is not registered");
  auto snap = c.json("GET", "/_snapshot/repo/snap");
  ASSERT_FALSE(snap.ok());
  EXPECT_EQ(snap.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(snap.error().message, "no snapshot snap in repo");
  EXPECT_NE(snap.error().hint.find("essnap snapshot list -r repo"), std::string::npos);
  auto other = c.json("GET", "/_other");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kNotFound);
  EXPECT_NE(other.error().message.find("GET /_other"), std::string::npos) << other.error().message;
  ASSERT_TRUE(other.error().remote);
  EXPECT_EQ(other.error().remote->reason, "no such thing");
}

TEST(ExitStatus, SnapshotOfAMissingIndexSaysTheIndexNotTheRepository) {
  // The index existed when the selection was resolved and is gone when the snapshot starts (a
  // race): the engine's 404 must be read as what it says.
  LoopbackServer server([](const ServerRequest& r) {
    if (r.method == "PUT") return index_missing("missing_index");
    if (r.target.starts_with("/_resolve/index/"))
      return ServerResponse::json(200, R"({"indices":[{"name":"missing_index"}]})");
    return ServerResponse::json(200, R"({"repo":{"type":"fs","settings":{}}})");
  });
  auto r = run(essnap_command(server.url(), "snapshot create s -r repo -i missing_index --wait"));
  EXPECT_EQ(r.exit_code, 6) << r.err;
  EXPECT_NE(r.err.find("no such index missing_index"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("not registered"), std::string::npos) << r.err;
}

TEST(ExitStatus, SnapshotIntoAnUnregisteredRepositorySaysSo) {
  LoopbackServer server([](const ServerRequest& r) {
    if (r.method == "PUT") return repository_missing("nope");
    return ServerResponse::json(404, "{}");
  });
  auto r = run(essnap_command(server.url(), "snapshot create s -r nope --wait"));
  EXPECT_EQ(r.exit_code, 6) << r.err;
  EXPECT_NE(r.err.find("repository nope is not registered"), std::string::npos) << r.err;
}

// --- the restore wait's requests stay short ----------------------------------------------------

TEST(ExitStatus, RestoreOf200IndicesWaitsWithRequestsUnder4KiB) {
  std::vector<std::string> names;
  for (int i = 0; i < 200; ++i)
    names.push_back("orders-eu-west-archive-" + std::to_string(1000 + i));
  std::atomic<int> too_long{0};
  LoopbackServer server([&](const ServerRequest& r) {
    // The engines refuse an HTTP initial line over 4 KiB.
    if (r.method.size() + 1 + r.target.size() + 9 > 4096) {
      ++too_long;
      return ServerResponse::json(
          400, R"({"error":{"type":"too_long_http_line_exception","reason":"An HTTP line is )"
               R"(larger than 4096 bytes."},"status":400})");
    }
    if (r.target == "/") return os2_root();
    if (r.method == "GET" && r.target.starts_with("/_snapshot/repo/old"))
      return ServerResponse::json(200, nlohmann::json{{"snapshots",
                                                       {{{"snapshot", "old"},
                                                         {"state", "SUCCESS"},
                                                         {"version", "2.19.6"},
                                                         {"version_id", 136407827},
                                                         {"indices", names}}}}}
                                           .dump());
    if (r.target.starts_with("/_cat/indices")) return ServerResponse::json(200, "[]");
    if (r.method == "POST") return ServerResponse::json(200, R"({"accepted":true})");
    if (r.target.starts_with("/_cluster/health/")) {
      // Every index named in this request: green, its one primary active.
      std::string list = r.target.substr(17, r.target.find('?') - 17);
      nlohmann::json indices = nlohmann::json::object();
      for (std::size_t start = 0; start <= list.size();) {
        const auto comma = std::min(list.find(',', start), list.size());
        indices[list.substr(start, comma - start)] = {{"status", "green"},
                                                      {"number_of_shards", 1},
                                                      {"active_primary_shards", 1},
                                                      {"initializing_shards", 0},
                                                      {"unassigned_shards", 0}};
        start = comma + 1;
      }
      return ServerResponse::json(200, nlohmann::json{{"indices", indices}}.dump());
    }
    if (r.target.find("/_recovery") != std::string::npos) return ServerResponse::json(200, "{}");
    if (r.target.find("/_count") != std::string::npos)
      return ServerResponse::json(200, R"({"count":0})");
    return ServerResponse::json(404, "{}");
  });
  auto r = run(essnap_command(server.url(), "restore old -r repo --wait"));
  EXPECT_EQ(r.exit_code, 0) << r.err.substr(0, 2000);
  EXPECT_EQ(too_long.load(), 0);
  int health = 0;
  for (const auto& q : server.requests()) health += q.target.starts_with("/_cluster/health/");
  EXPECT_GE(health, 2) << "the names go in more than one bounded request";
}

TEST(ExitStatus, IndexListChunksAreBoundedAndKeepEveryName) {
  std::vector<std::string> names;
  for (int i = 0; i < 200; ++i) names.push_back(std::string(215, 'a') + std::to_string(i));
  const auto chunks = cluster::index_list_chunks(names, 3000);
  std::size_t count = 0;
  for (const auto& c : chunks) {
    EXPECT_LE(c.size(), 3000u);
    count += static_cast<std::size_t>(std::count(c.begin(), c.end(), ',')) + 1;
  }
  EXPECT_EQ(count, names.size());
  EXPECT_TRUE(cluster::index_list_chunks({}, 3000).empty());
}

// --- an aborted or vanished snapshot while waiting ---------------------------------------------

TEST(ExitStatus, SnapshotAbortedWhileWaitingExits9AndSaysSo) {
  std::atomic<int> polls{0};
  LoopbackServer server([&](const ServerRequest& r) {
    if (r.method == "PUT") return ServerResponse::json(200, R"({"accepted":true})");
    if (r.target == "/_snapshot/repo/_status") {
      const int n = ++polls;
      const char* state = n <= 2 ? "STARTED" : n <= 4 ? "ABORTED" : n == 5 ? "SUCCESS" : nullptr;
      if (!state) return ServerResponse::json(200, R"({"snapshots":[]})");
      return ServerResponse::json(
          200, std::string(R"({"snapshots":[{"snapshot":"s","repository":"repo","state":")") +
                   state + R"(","shards_stats":{"done":0,"failed":0,"total":3}}]})");
    }
    if (r.target == "/_snapshot/repo")
      return ServerResponse::json(200, R"({"repo":{"type":"fs"}})");
    if (r.target.starts_with("/_snapshot/repo/s")) return snapshot_missing("repo", "s");
    return ServerResponse::json(404, "{}");
  });
  auto r = run(essnap_command(server.url(), "snapshot create s -r repo --wait"));
  EXPECT_EQ(r.exit_code, 9) << r.err;
  EXPECT_NE(r.err.find("was aborted while we waited"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("[SUCCESS]"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("HTTP 404"), std::string::npos) << r.err;
}

TEST(ExitStatus, SnapshotVanishedWhileWaitingExits9) {
  LoopbackServer server([&](const ServerRequest& r) {
    if (r.method == "PUT") return ServerResponse::json(200, R"({"accepted":true})");
    if (r.target == "/_snapshot/repo/_status")
      return ServerResponse::json(200, R"({"snapshots":[]})");
    if (r.target == "/_snapshot/repo")
      return ServerResponse::json(200, R"({"repo":{"type":"fs"}})");
    if (r.target.starts_with("/_snapshot/repo/s")) return snapshot_missing("repo", "s");
    return ServerResponse::json(404, "{}");
  });
  auto r = run(essnap_command(server.url(), "snapshot create s -r repo --wait"));
  EXPECT_EQ(r.exit_code, 9) << r.err;
  EXPECT_NE(r.err.find("vanished while we waited"), std::string::npos) << r.err;
}

// --- show of several names, status of an unregistered repository -------------------------------

ServerResponse one_snapshot_repo(const ServerRequest& r) {
  if (r.target == "/") return os2_root();
  if (r.target.starts_with("/_snapshot/nope")) return repository_missing("nope");
  if (r.target.starts_with("/_snapshot/repo/_status") ||
      r.target.starts_with("/_snapshot/repo/a/_status"))
    return ServerResponse::json(200, R"({"snapshots":[]})");
  if (r.method == "GET" && r.target.starts_with("/_snapshot/repo/")) {
    // The engines with ignore_unavailable: the names they have, silently without the others.
    if (r.target.find("ignore_unavailable=true") == std::string::npos)
      return snapshot_missing("repo", "missing");
    return ServerResponse::json(
        200, R"({"snapshots":[{"snapshot":"a","uuid":"u","state":"SUCCESS","indices":["x"]}]})");
  }
  return ServerResponse::json(404, "{}");
}

TEST(ExitStatus, ShowReportsEveryMissingName) {
  LoopbackServer server(one_snapshot_repo);
  auto r = run(essnap_command(server.url(), "snapshot show a missing other -r repo"));
  EXPECT_EQ(r.exit_code, 6) << r.err;
  EXPECT_NE(r.out.find("snapshot:   a"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("no snapshots missing, other in repo"), std::string::npos) << r.err;
  auto one = run(essnap_command(server.url(), "snapshot show a -r repo"));
  EXPECT_EQ(one.exit_code, 0) << one.err;
  auto json = run(essnap_command(server.url(), "-o json snapshot show a missing -r repo"));
  EXPECT_EQ(json.exit_code, 6) << json.err;
  // One document: what was found, and the error naming what was not.
  auto j = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_TRUE(j.is_object() && j.contains("error")) << json.out;
  EXPECT_EQ(j["error"]["exit_code"], 6) << json.out;
  ASSERT_TRUE(j["result"].is_array()) << json.out;
  EXPECT_EQ(j["result"].size(), 1u);
}

TEST(ExitStatus, StatusOfAnUnregisteredRepositoryExits6) {
  LoopbackServer server([](const ServerRequest& r) {
    if (r.target == "/_snapshot/nope/_status")
      return ServerResponse::json(200, R"({"snapshots":[]})");
    if (r.target == "/_snapshot/nope") return repository_missing("nope");
    if (r.target == "/_snapshot/repo/_status")
      return ServerResponse::json(200, R"({"snapshots":[]})");
    if (r.target == "/_snapshot/repo")
      return ServerResponse::json(200, R"({"repo":{"type":"fs"}})");
    return ServerResponse::json(404, "{}");
  });
  auto r = run(essnap_command(server.url(), "snapshot status -r nope"));
  EXPECT_EQ(r.exit_code, 6) << r.out << r.err;
  EXPECT_NE(r.err.find("repository nope is not registered"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("no snapshot is running"), std::string::npos) << r.out;
  auto ok = run(essnap_command(server.url(), "snapshot status -r repo"));
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("no snapshot is running"), std::string::npos) << ok.out;
}

// --- answered non-idempotent requests are sent once ------------------------------------------

struct Counting {
  std::mutex mu;
  std::map<std::string, int> by_method;
  int total = 0;
};

TEST(ExitStatus, AnAnsweredNonIdempotentRequestIsSentOnce) {
  Counting n;
  LoopbackServer server([&](const ServerRequest& r) {
    {
      std::lock_guard<std::mutex> lock(n.mu);
      ++n.total;
    }
    // A 500 from the engine, with a throttling word nested in its cause: the work may be done.
    return ServerResponse::json(
        500,
        R"({"error":{"type":"repository_exception","reason":"[repo] repository is readonly",)"
        R"("caused_by":{"type":"es_rejected_execution_exception","reason":"x"}},"status":500})");
  });
  auto c = status_client_for(server, 5);
  struct Case {
    const char* what;
    std::function<bool()> call;
  };
  const std::vector<Case> once = {
      {"cleanup", [&] { return cluster::cleanup_repository(c, {"repo"}).ok(); }},
      {"create",
       [&] {
         return cluster::create_snapshot(c, {"repo", "s"}).ok();
       }},
      {"clone",
       [&] {
         return cluster::clone_snapshot(c, {"repo", "s", "t", "*"}).ok();
       }},
      {"restore",
       [&] {
         cluster::RestoreRequest req;
         req.repository = "repo";
         req.snapshot = "s";
         req.indices = {"a"};
         return cluster::restore_snapshot(c, req).ok();
       }},
      {"delete",
       [&] {
         return cluster::delete_snapshots(c, {"repo", {"a", "b"}}).ok();
       }},
  };
  for (const auto& k : once) {
    n.total = 0;
    EXPECT_FALSE(k.call()) << k.what;
    EXPECT_EQ(n.total, 1) << k.what << " was repeated after the server answered";
  }
  // Reads (and _verify, which writes and deletes only its own test blob) are repeated.
  for (const Case& k :
       std::vector<Case>{{"verify", [&] { return cluster::verify_repository(c, {"repo"}).ok(); }},
                         {"get", [&] {
                            return cluster::get_snapshots(c, {"repo", "_all"}).ok();
                          }}}) {
    n.total = 0;
    EXPECT_FALSE(k.call()) << k.what;
    EXPECT_EQ(n.total, 5) << k.what;
  }
}

TEST(ExitStatus, RepoCleanupOnAReadOnlyRepositoryIsSentOnce) {
  std::atomic<int> posts{0};
  LoopbackServer server([&](const ServerRequest& r) {
    if (r.method == "GET" && r.target == "/_snapshot/ro")
      return ServerResponse::json(200, R"({"ro":{"type":"fs","settings":{"readonly":"true"}}})");
    if (r.method == "POST") {
      ++posts;
      return ServerResponse::json(
          500, R"({"error":{"type":"repository_exception","reason":"[ro] repository is readonly"},)"
               R"("status":500})");
    }
    return ServerResponse::json(404, "{}");
  });
  auto r = run(essnap_command(server.url(), "repo cleanup ro --yes"));
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_EQ(posts.load(), 1) << r.err;
  EXPECT_NE(r.err.find("repository is readonly"), std::string::npos) << r.err;
}

// --- loopback only --------------------------------------------------------------------------

// ctest runs every test process with the EC2 metadata lookup off (tests/CMakeLists.txt, and
// scripts/run-tests.sh for the whole run): a credential chain that falls through must not reach
// 169.254.169.254. Tests of IMDS inject their own environment and a loopback endpoint.
TEST(ExitStatus, TestProcessesRunWithTheMetadataLookupOff) {
  const char* v = std::getenv("AWS_EC2_METADATA_DISABLED");
  ASSERT_NE(v, nullptr) << "run the tests through ctest, or export AWS_EC2_METADATA_DISABLED=true";
  EXPECT_STREQ(v, "true");
}

}  // namespace
}  // namespace essnap
