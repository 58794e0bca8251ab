// essnap snapshot / restore / repo against a scripted loopback cluster: refusals that must
// happen before anything is sent, "another snapshot is running", help text.
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>

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

TEST(CliSnapshot, RestoreFromANewerVersionIsRefusedBeforeSending) {
  LoopbackServer server([](const ServerRequest& r) {
    if (r.target == "/") return os2_root();
    if (r.target.starts_with("/_snapshot/repo/s3"))
      return ServerResponse::json(
          200, R"({"snapshots":[{"snapshot":"s3","state":"SUCCESS","version":"3.3.0",)"
               R"("version_id":137247827,"indices":["a"]}]})");
    if (r.target.starts_with("/_cat/indices")) return ServerResponse::json(200, "[]");
    return ServerResponse::json(500, "{}");
  });
  auto r = run(essnap_command(server.url(), "restore s3 -r repo --wait"));
  EXPECT_EQ(r.exit_code, 8) << r.err;
  EXPECT_NE(r.err.find("OpenSearch 3.3.0"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("newer version"), std::string::npos) << r.err;
  for (const auto& q : server.requests()) EXPECT_NE(q.method, "POST") << q.target;
}

TEST(CliSnapshot, AnotherSnapshotRunningIsNamed) {
  LoopbackServer server([](const ServerRequest& r) {
    if (r.method == "PUT")
      return ServerResponse::json(
          503,
          R"({"error":{"type":"concurrent_snapshot_execution_exception","reason":"[repo:new] a snapshot is already running"},"status":503})");
    if (r.target == "/_snapshot/_status")
      return ServerResponse::json(
          200, R"({"snapshots":[{"snapshot":"nightly","repository":"repo","state":"STARTED"}]})");
    return ServerResponse::json(404, "{}");
  });
  auto r = run(essnap_command(server.url(), "snapshot create new -r repo --wait"));
  EXPECT_EQ(r.exit_code, 8) << r.err;
  EXPECT_NE(r.err.find("another snapshot is running: repo/nightly"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--wait-for-slot"), std::string::npos) << r.err;
}

TEST(CliSnapshot, WaitForSlotThenSnapshot) {
  std::atomic<int> puts{0};
  LoopbackServer server([&](const ServerRequest& r) {
    if (r.method == "PUT") {
      if (++puts == 1)
        return ServerResponse::json(
            503,
            R"({"error":{"type":"concurrent_snapshot_execution_exception","reason":"busy"},"status":503})");
      return ServerResponse::json(200, R"({"accepted":true})");
    }
    if (r.target == "/_snapshot/_status" || r.target == "/_snapshot/repo/_status")
      return ServerResponse::json(200, R"({"snapshots":[]})");
    if (r.target.starts_with("/_snapshot/repo/new"))
      return ServerResponse::json(
          200,
          R"({"snapshots":[{"snapshot":"new","state":"SUCCESS","shards":{"total":1,"successful":1,"failed":0},"indices":["a"]}]})");
    return ServerResponse::json(404, "{}");
  });
  auto r = run(essnap_command(server.url(), "snapshot create new -r repo --wait --wait-for-slot"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("waiting for the slot"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("SUCCESS"), std::string::npos) << r.out;
}

TEST(CliSnapshot, FailedSnapshotExits9) {
  LoopbackServer server([](const ServerRequest& r) {
    if (r.method == "PUT") return ServerResponse::json(200, R"({"accepted":true})");
    if (r.target == "/_snapshot/repo/_status")
      return ServerResponse::json(200, R"({"snapshots":[]})");
    return ServerResponse::json(
        200,
        R"({"snapshots":[{"snapshot":"f","state":"FAILED","reason":"disk full","shards":{"total":2,"successful":0,"failed":2},)"
        R"("failures":[{"index":"a","shard_id":0,"reason":"disk full"}],"indices":["a"]}]})");
  });
  auto r = run(essnap_command(server.url(), "snapshot create f -r repo --wait"));
  EXPECT_EQ(r.exit_code, 9) << r.err;
  EXPECT_NE(r.err.find("a shard 0: disk full"), std::string::npos) << r.err;
}

// Waiting does not depend on a terminal (issue 20): --no-wait is how not to wait
// (cli_wait_test.cpp has the rest).
TEST(CliSnapshot, NoWaitWithoutTerminal) {
  LoopbackServer server([](const ServerRequest& r) {
    if (r.method == "PUT") return ServerResponse::json(200, R"({"accepted":true})");
    return ServerResponse::json(404, "{}");
  });
  auto r = run(essnap_command(server.url(), "snapshot create s -r repo --no-wait"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("started"), std::string::npos) << r.out;
  // The PUT and no poll after it (before it, the listing of the indices whose document counts
  // the snapshot records for `essnap drill`).
  std::size_t others = 0;
  for (const auto& q : server.requests()) others += q.target.starts_with("/_cat/indices") ? 0 : 1;
  EXPECT_EQ(others, 1u);
}

using test::changed_anything;
using test::scripted_cluster;

TEST(CliSnapshot, DestructiveCommandsRefuseWithoutYesWhenNotOnATerminal) {
  for (const char* args : {"snapshot delete old -r repo", "restore old -r repo --delete-existing",
                           "repo remove repo", "repo cleanup repo"}) {
    LoopbackServer server(scripted_cluster);
    auto r = run(essnap_command(server.url(), args));
    EXPECT_EQ(r.exit_code, 8) << args << "\n" << r.err;
    EXPECT_NE(r.err.find("not confirmed"), std::string::npos) << args << "\n" << r.err;
    EXPECT_NE(r.err.find("--yes"), std::string::npos) << args << "\n" << r.err;
    EXPECT_TRUE(r.err.find("nothing was changed") != std::string::npos ||
                r.err.find("nothing was deleted") != std::string::npos)
        << args << "\n"
        << r.err;
    EXPECT_FALSE(r.out.empty()) << args << ": the plan is printed";
    EXPECT_FALSE(changed_anything(server)) << args;
  }
}

TEST(CliSnapshot, DestructiveCommandsDryRunAndJsonPlan) {
  for (const char* args : {"snapshot delete old -r repo", "restore old -r repo --delete-existing",
                           "repo remove repo", "repo cleanup repo"}) {
    LoopbackServer server(scripted_cluster);
    auto r = run(essnap_command(server.url(), std::string("-o json ") + args + " --dry-run"));
    EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.err;
    // stdout: one document, the plan marked as a dry run; stderr: the plan as an event.
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_TRUE(j.is_object()) << args << ": " << r.out;
    EXPECT_EQ(j.value("dry_run", false), true) << args << ": " << r.out;
    auto ev = nlohmann::json::parse(r.err.substr(0, r.err.find('\n')), nullptr, false);
    ASSERT_TRUE(ev.is_object()) << args << ": " << r.err;
    EXPECT_EQ(ev.value("event", ""), "plan") << args;
    EXPECT_FALSE(changed_anything(server)) << args;
  }
}

TEST(CliSnapshot, DestructiveCommandsRunWithYes) {
  struct Case {
    const char* args;
    const char* method;
    const char* target;
  };
  for (const Case c :
       {Case{"snapshot delete old -r repo --yes", "DELETE", "/_snapshot/repo/old"},
        Case{"repo remove repo --yes", "DELETE", "/_snapshot/repo"},
        Case{"repo cleanup repo --yes", "POST", "/_snapshot/repo/_cleanup"},
        Case{"restore old -r repo --delete-existing --yes --no-wait", "DELETE", "/orders"}}) {
    LoopbackServer server(scripted_cluster);
    auto r = run(essnap_command(server.url(), c.args));
    EXPECT_EQ(r.exit_code, 0) << c.args << "\n" << r.err;
    bool sent = false;
    for (const auto& q : server.requests())
      sent = sent || (q.method == c.method && q.target == c.target);
    EXPECT_TRUE(sent) << c.args;
  }
}

TEST(CliSnapshot, InterruptedWaitExits130AndSaysTheSnapshotKeepsRunning) {
  LoopbackServer server([](const ServerRequest& r) {
    if (r.method == "PUT") return ServerResponse::json(200, R"({"accepted":true})");
    if (r.target == "/_snapshot/repo/_status")
      return ServerResponse::json(
          200, R"({"snapshots":[{"snapshot":"s","repository":"repo","state":"STARTED",)"
               R"("shards_stats":{"done":0,"failed":0,"total":3}}]})");
    return ServerResponse::json(404, "{}");
  });
  // Background jobs of a non-interactive shell start with SIGINT ignored; essnap installs its
  // own handler for the wait, so the signal still reaches it.
  test::Command c = essnap_command(server.url(), "snapshot create s -r repo --wait");
  std::vector<std::string> script = {
      "/bin/bash", "-c", "\"$@\" & pid=$!; sleep 1.5; kill -INT $pid; wait $pid", "bash"};
  script.insert(script.end(), c.argv.begin(), c.argv.end());
  c.argv = std::move(script);
  auto r = run(c);
  EXPECT_EQ(r.exit_code, 130) << r.err;
  EXPECT_NE(r.err.find("keeps running in the cluster"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("essnap snapshot status -r repo"), std::string::npos) << r.err;
}

TEST(CliSnapshot, HelpHasExamples) {
  for (const char* c : {"snapshot create", "snapshot list", "snapshot show", "snapshot status",
                        "snapshot delete", "snapshot clone", "restore", "repo list", "repo show",
                        "repo verify", "repo cleanup", "repo remove"}) {
    auto r = run(test::argv({ESSNAP_BINARY}, std::string(c) + " --help"));
    EXPECT_EQ(r.exit_code, 0) << c;
    EXPECT_NE(r.out.find("EXAMPLES"), std::string::npos) << c;
    EXPECT_NE(r.out.find("9    a snapshot or restore"), std::string::npos) << c;
  }
}

// Date math names the existing snapshot for show, restore, delete and clone's source, as it
// does for create: today's name is in the request path, not the expression.
TEST(CliSnapshot, DateMathResolvesForExistingSnapshots) {
  char today[16];
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(today, sizeof today, "%Y.%m.%d", &tm);
  const std::string name = std::string("old-") + today;
  for (const std::string args :
       {"snapshot show '<old-{now/d}>' -r repo", "restore '<old-{now/d}>' -r repo --dry-run",
        "snapshot delete '<old-{now/d}>' -r repo --dry-run",
        "snapshot clone '<old-{now/d}>' copy -r repo"}) {
    LoopbackServer server(scripted_cluster);
    auto r = run(essnap_command(server.url(), args));
    bool named = false;
    for (const auto& q : server.requests()) {
      EXPECT_EQ(q.target.find("now"), std::string::npos) << args << ": " << q.target;
      named = named || q.target.find("/_snapshot/repo/" + name) != std::string::npos;
    }
    // delete matches names in the listing: its refusal names what it looked for.
    named = named || r.err.find("matches " + name) != std::string::npos;
    EXPECT_TRUE(named) << args << ": no request named " << name << "\n" << r.err;
  }
}

}  // namespace
}  // namespace essnap
