// Same behaviour everywhere (issue 20, item 4): `snapshot create`, `snapshot clone` and `restore`
// wait whether or not a terminal is attached (cron: stdin/stdout redirected) and exit 9 on a
// PARTIAL snapshot either way; --no-wait returns at once with the command that follows it;
// `snapshot status NAME --wait` and `restore status --wait` re-attach; --timeout bounds the whole
// command; a request with no answer gives notices instead of silence.
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <vector>

#include "essnap/cluster/connection.hpp"
#include "support/essnap_cli.hpp"
#include "support/loopback_server.hpp"
#include "support/process.hpp"

namespace essnap {
namespace {

using test::LoopbackServer;
using test::os2_root;
using test::run;
using test::ServerRequest;
using test::ServerResponse;

using test::essnap_command;

// Runs `c` with a pseudo-terminal as its stdin, stdout and stderr (what an interactive shell
// gives it); the output is everything it wrote to the terminal.
test::ProcessResult run_on_terminal(const test::Command& c) {
  int master = -1;
  const pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
  if (pid < 0) return {};
  if (pid == 0) {
    ::clearenv();
    for (const auto& [k, v] : c.env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (const auto& a : c.argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  test::ProcessResult r;
  char buf[4096];
  for (;;) {
    pollfd p{master, POLLIN, 0};
    if (::poll(&p, 1, 60'000) <= 0) {  // a guard against a hang, not a timing
      ::kill(pid, SIGKILL);
      r.timed_out = true;
      break;
    }
    const ssize_t n = ::read(master, buf, sizeof buf);
    if (n <= 0) break;  // EIO once the child has gone
    r.out.append(buf, static_cast<std::size_t>(n));
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(master);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

constexpr const char* kRunning =
    R"({"snapshots":[{"snapshot":"s","repository":"repo","state":"STARTED",)"
    R"("shards_stats":{"done":1,"failed":0,"total":2}}]})";
constexpr const char* kPartial =
    R"({"snapshots":[{"snapshot":"s","state":"PARTIAL","version":"2.19.6",)"
    R"("shards":{"total":2,"successful":1,"failed":1},)"
    R"("failures":[{"index":"a","shard_id":1,"reason":"node left"}],"indices":["a"]}]})";
constexpr const char* kInProgress =
    R"({"snapshots":[{"snapshot":"s","state":"IN_PROGRESS","indices":["a"]}]})";

// A cluster where snapshot "s" (created, cloned, or started elsewhere) runs for `polls` looks at
// the repository's running snapshots, then ends PARTIAL.
struct PartialCluster {
  explicit PartialCluster(int polls) : running_polls(polls) {}
  ServerResponse operator()(const ServerRequest& r) {
    if (r.target == "/") return os2_root();
    if (r.method == "PUT" || r.method == "POST")
      return ServerResponse::json(200, R"({"accepted":true})");
    if (r.target == "/_snapshot/repo/_status")
      return ServerResponse::json(200, ++polls <= running_polls ? kRunning : R"({"snapshots":[]})");
    if (r.target.starts_with("/_snapshot/repo/s"))
      return ServerResponse::json(200, polls < running_polls ? kInProgress : kPartial);
    return ServerResponse::json(404, "{}");
  }
  int running_polls;
  std::atomic<int> polls{0};
};

TEST(CliWait, WithoutATerminalItWaitsAndExits9OnPartialAsOnATerminal) {
  for (const char* args : {"snapshot create s -r repo", "snapshot clone old s -r repo"}) {
    PartialCluster cron_cluster(2);
    LoopbackServer cron_server([&](const ServerRequest& r) { return cron_cluster(r); });
    // As cron runs it: stdin /dev/null, stdout and stderr pipes.
    auto cron = run(essnap_command(cron_server.url(), args));
    EXPECT_EQ(cron.exit_code, 9) << args << "\n" << cron.out << cron.err;
    EXPECT_NE(cron.out.find("snapshot s PARTIAL"), std::string::npos) << args << "\n" << cron.out;
    EXPECT_NE(cron.err.find("failed: a shard 1: node left"), std::string::npos) << args << "\n"
                                                                                << cron.err;
    EXPECT_EQ(cron.out.find("not waiting"), std::string::npos) << args << "\n" << cron.out;

    PartialCluster tty_cluster(2);
    LoopbackServer tty_server([&](const ServerRequest& r) { return tty_cluster(r); });
    auto tty = run_on_terminal(essnap_command(tty_server.url(), args));
    EXPECT_EQ(tty.exit_code, 9) << args << "\n" << tty.out;
    EXPECT_NE(tty.out.find("snapshot s PARTIAL"), std::string::npos) << args << "\n" << tty.out;
    EXPECT_NE(tty.out.find("failed: a shard 1: node left"), std::string::npos) << args << "\n"
                                                                               << tty.out;
  }
}

// A restore target that comes up at once: the restore waits for it (asks its health) without a
// terminal, as on one.
ServerResponse restore_cluster(const ServerRequest& r) {
  if (r.target == "/") return os2_root();
  if (r.method == "GET" && r.target.starts_with("/_snapshot/repo/old"))
    return ServerResponse::json(
        200, R"({"snapshots":[{"snapshot":"old","state":"SUCCESS","version":"2.19.6",)"
             R"("version_id":136407827,"indices":["orders"]}]})");
  if (r.target.starts_with("/_cat/indices")) return ServerResponse::json(200, "[]");
  if (r.target.starts_with("/_cluster/health/"))
    return ServerResponse::json(
        200, R"({"indices":{"orders":{"status":"green","number_of_shards":1,)"
             R"("active_primary_shards":1,"initializing_shards":0,"unassigned_shards":0}}})");
  if (r.target.starts_with("/orders/_recovery")) return ServerResponse::json(200, "{}");
  if (r.target.starts_with("/orders/_count")) return ServerResponse::json(200, R"({"count":3})");
  if (r.method == "POST") return ServerResponse::json(200, R"({"accepted":true})");
  return ServerResponse::json(404, "{}");
}

TEST(CliWait, RestoreWaitsWithoutATerminal) {
  LoopbackServer server(restore_cluster);
  auto r = run(essnap_command(server.url(), "restore old -r repo"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("restored 1 index(es)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("orders: 3 documents"), std::string::npos) << r.out;
  bool asked_health = false;
  for (const auto& q : server.requests())
    asked_health = asked_health || q.target.starts_with("/_cluster/health/");
  EXPECT_TRUE(asked_health);
}

TEST(CliWait, NoWaitReturnsAtOnceAndPrintsTheCommandThatFollowsIt) {
  {
    PartialCluster cluster(1000);
    LoopbackServer server([&](const ServerRequest& r) { return cluster(r); });
    auto r = run(essnap_command(server.url(), "snapshot create s -r repo --no-wait"));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("snapshot s started in repository repo; not waiting"), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("follow it with: essnap snapshot status -r repo s --wait"),
              std::string::npos)
        << r.out;
    // The PUT is the last request: nothing polls after it. (Before it, snapshot create reads
    // the indices it records document counts for: snapshot/documents_metadata.)
    const auto requests = server.requests();
    ASSERT_FALSE(requests.empty());
    EXPECT_EQ(requests.back().method, "PUT");
    EXPECT_EQ(std::count_if(requests.begin(), requests.end(),
                            [](const auto& q) { return q.method == "PUT"; }),
              1);
  }
  {
    PartialCluster cluster(1000);
    LoopbackServer server([&](const ServerRequest& r) { return cluster(r); });
    auto r = run(essnap_command(server.url(), "-o json snapshot clone old s -r repo --no-wait"));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_TRUE(j.is_object()) << r.out;
    EXPECT_EQ(j.value("waited", true), false);
    EXPECT_EQ(j.value("follow", ""), "essnap snapshot status -r repo s --wait");
  }
  {
    LoopbackServer server(restore_cluster);
    auto r =
        run(essnap_command(server.url(), "restore old -r repo --no-wait --url " + server.url()));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("restore of snapshot old started (1 index(es)); not waiting"),
              std::string::npos)
        << r.out;
    // Runnable as written: the connection flags given are repeated.
    EXPECT_NE(
        r.out.find("follow it with: essnap restore status -i orders --wait --url " + server.url()),
        std::string::npos)
        << r.out;
    for (const auto& q : server.requests())
      EXPECT_FALSE(q.target.starts_with("/_cluster/health/")) << "it waited";
  }
}

TEST(CliWait, SnapshotStatusWaitReattachesAndExitsAsCreateDoes) {
  PartialCluster cluster(3);
  LoopbackServer server([&](const ServerRequest& r) { return cluster(r); });
  auto r = run(essnap_command(server.url(), "snapshot status -r repo s --wait"));
  EXPECT_EQ(r.exit_code, 9) << r.out << r.err;
  EXPECT_NE(r.out.find("snapshot s PARTIAL"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("failed: a shard 1: node left"), std::string::npos) << r.err;
  EXPECT_GE(cluster.polls.load(), 3);  // it followed the snapshot while it ran

  // Without NAME: whatever runs now, followed.
  PartialCluster again(2);
  LoopbackServer server2([&](const ServerRequest& r) { return again(r); });
  auto all = run(essnap_command(server2.url(), "snapshot status -r repo --wait"));
  EXPECT_EQ(all.exit_code, 9) << all.out << all.err;

  // A name that is not there is not waited for.
  LoopbackServer empty([](const ServerRequest& q) {
    if (q.target.starts_with("/_snapshot/repo/"))
      return ServerResponse::json(200, R"({"snapshots":[]})");
    return ServerResponse::json(404, "{}");
  });
  auto missing = run(essnap_command(empty.url(), "snapshot status -r repo nope --wait"));
  EXPECT_EQ(missing.exit_code, 6) << missing.err;
  EXPECT_NE(missing.err.find("no snapshot nope in repo"), std::string::npos) << missing.err;
}

TEST(CliWait, RestoreStatusWaitReattachesToARunningRestore) {
  std::atomic<int> health{0};
  LoopbackServer server([&](const ServerRequest& r) {
    if (r.target == "/") return os2_root();
    if (r.target == "/_recovery?active_only=true")
      return ServerResponse::json(
          200, R"({"orders_restored":{"shards":[{"id":0,"type":"SNAPSHOT","stage":"INDEX",)"
               R"("primary":true,"source":{"repository":"repo","snapshot":"nightly",)"
               R"("index":"orders"}}]},"other":{"shards":[{"id":0,"type":"PEER",)"
               R"("stage":"INDEX","primary":false}]}})");
    if (r.target.starts_with("/_cluster/health/orders_restored")) {
      const bool up = ++health > 2;
      return ServerResponse::json(
          200, std::string(R"({"indices":{"orders_restored":{"status":"yellow",)") +
                   R"("number_of_shards":1,"active_primary_shards":)" + (up ? "1" : "0") +
                   R"(,"initializing_shards":)" + (up ? "0" : "1") +
                   R"(,"unassigned_shards":0}}})");
    }
    if (r.target.starts_with("/orders_restored/_recovery")) return ServerResponse::json(200, "{}");
    if (r.target.starts_with("/orders_restored/_count"))
      return ServerResponse::json(200, R"({"count":7})");
    return ServerResponse::json(404, "{}");
  });
  auto r = run(essnap_command(server.url(), "restore status --wait"));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("restored 1 index(es)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("orders_restored: 7 documents"), std::string::npos) << r.out;
  EXPECT_GE(health.load(), 3);

  LoopbackServer idle([](const ServerRequest& q) {
    if (q.target == "/_recovery?active_only=true") return ServerResponse::json(200, "{}");
    return ServerResponse::json(404, "{}");
  });
  auto none = run(essnap_command(idle.url(), "restore status --wait"));
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_NE(none.out.find("no restore is running"), std::string::npos) << none.out;
}

TEST(CliWait, TimeoutBoundsTheWholeCommand) {
  // A snapshot that runs forever: each poll answers at once, so only a bound on the whole
  // command ends the wait.
  PartialCluster cluster(1'000'000);
  LoopbackServer server([&](const ServerRequest& r) { return cluster(r); });
  test::Command c = essnap_command(server.url(), "snapshot create s -r repo --timeout 1");
  c.timeout = std::chrono::seconds(30);  // a guard: without the bound it would poll forever
  auto r = run(c);
  EXPECT_FALSE(r.timed_out) << r.err;
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("--timeout 1 s ran out"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("keeps running in the cluster"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("essnap snapshot status -r repo s --wait"), std::string::npos) << r.err;

  // A request that never answers is cut at the bound too, not retried past it.
  LoopbackServer silent([](const ServerRequest&) {
    ServerResponse s = ServerResponse::json(200, "{}");
    s.delay = std::chrono::seconds(60);
    return s;
  });
  test::Command list = essnap_command(silent.url(), "-o json snapshot list -r repo --timeout 1");
  list.timeout = std::chrono::seconds(30);
  auto l = run(list);
  EXPECT_FALSE(l.timed_out);
  EXPECT_EQ(l.exit_code, 4) << l.err;
  auto j = nlohmann::json::parse(l.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << l.out;
  EXPECT_EQ(j["error"].value("code", ""), "deadline") << l.out;
  EXPECT_EQ(silent.requests().size(), 1u) << "an attempt cut by the bound is not repeated";
}

// The notice comes from the connection, for every command: tested on the connection with short
// intervals (the defaults are 10 s and 30 s).
TEST(CliWait, NoAnswerNoticeInsteadOfSilence) {
  LoopbackServer server([](const ServerRequest&) {
    ServerResponse s = ServerResponse::json(200, R"({"ok":true})");
    s.delay = std::chrono::milliseconds(900);
    return s;
  });
  std::mutex mu;
  std::vector<util::ProgressEvent> events;
  cluster::ConnectionSpec spec;
  spec.url = server.url();
  spec.no_answer.first = std::chrono::milliseconds(100);
  spec.no_answer.every = std::chrono::milliseconds(200);
  spec.no_answer.sink = [&](const util::ProgressEvent& e) {
    std::lock_guard<std::mutex> lock(mu);
    events.push_back(e);
  };
  auto conn = cluster::open_connection(spec);
  ASSERT_TRUE(conn.ok()) << conn.error().message;
  auto client = (*conn)->make_client();
  auto got = client->json("GET", "/");
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ((*got).value("ok", false), true);
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_FALSE(events.empty());
  const std::string host = "127.0.0.1:" + std::to_string(server.port());
  EXPECT_EQ(events[0].kind, util::ProgressKind::kNotice);
  EXPECT_EQ(events[0].message,
            "no answer from " + host + " for 100 ms, still waiting; --timeout to bound it");
  if (events.size() > 1)
    EXPECT_EQ(events[1].message,
              "no answer from " + host + " for 300 ms, still waiting; --timeout to bound it");

  // An answer within the first interval: no notice at all.
  LoopbackServer quick([](const ServerRequest&) { return ServerResponse::json(200, "{}"); });
  std::vector<util::ProgressEvent> none;
  cluster::ConnectionSpec q = spec;
  q.url = quick.url();
  q.no_answer.first = std::chrono::seconds(30);
  q.no_answer.sink = [&](const util::ProgressEvent& e) { none.push_back(e); };
  auto qc = cluster::open_connection(q);
  ASSERT_TRUE(qc.ok());
  ASSERT_TRUE((*qc)->make_client()->json("GET", "/").ok());
  EXPECT_TRUE(none.empty());
}

// Through the command line, with the default first interval (10 s): a JSON notice on stderr
// while stdout keeps its one document.
TEST(CliWait, NoAnswerNoticeReachesTheCommandsProgressChannel) {
  LoopbackServer server([](const ServerRequest& r) {
    ServerResponse s = ServerResponse::json(200, R"({"snapshots":[]})");
    if (r.target.starts_with("/_snapshot/repo/_all")) s.delay = std::chrono::milliseconds(10'500);
    return s;
  });
  auto r = run(essnap_command(server.url(), "-o json snapshot list -r repo"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const std::string host = "127.0.0.1:" + std::to_string(server.port());
  auto ev = nlohmann::json::parse(r.err.substr(0, r.err.find('\n')), nullptr, false);
  ASSERT_TRUE(ev.is_object()) << r.err;
  EXPECT_EQ(ev.value("event", ""), "notice") << r.err;
  EXPECT_EQ(ev.value("message", ""),
            "no answer from " + host + " for 10 s, still waiting; --timeout to bound it");
  EXPECT_TRUE(nlohmann::json::parse(r.out, nullptr, false).is_array()) << r.out;
}

}  // namespace
}  // namespace essnap
