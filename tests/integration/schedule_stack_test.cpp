// `essnap run` against the stack's Elasticsearch and OpenSearch: two `@every 3s` policies run
// for ~15 s as a subprocess (driven by a bash script through tests/support/process.hpp, which
// sends the signals and reads /metrics on 127.0.0.1): snapshots appear with the policy metadata,
// prune keeps at most keep_last + the running one, the metrics move, SIGHUP with a broken file
// keeps it running, SIGTERM mid-wait (a throttled repository) exits 0 and says the snapshot
// continues; `--once` exits 0 and leaves one snapshot. Names start with schedwt-; cleaned up.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <tuple>

#include "essnap/cluster/client.hpp"
#include "essnap/http/factory.hpp"
#include "support/process.hpp"
#include "support/stack_env.hpp"

namespace essnap {
namespace {

using test::stack_var;

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

double metric(const std::string& text, const std::string& series) {
  const auto p = text.find(series + " ");
  return p == std::string::npos ? -1 : std::stod(text.substr(p + series.size() + 1));
}

class ScheduleStack : public ::testing::Test {
 protected:
  void SetUp() override {
    ESSNAP_REQUIRE_STACK("ESSNAP_TEST_ELASTICSEARCH_URL", "ESSNAP_TEST_OPENSEARCH_URL");
    id_ = "schedwt-" + std::to_string(::getpid());
    dir_ = "/tmp/" + id_;
    ::mkdir(dir_.c_str(), 0700);
    for (auto [var, c] :
         {std::pair{"ESSNAP_TEST_ELASTICSEARCH_URL", &es_}, {"ESSNAP_TEST_OPENSEARCH_URL", &os_}}) {
      *c = std::make_unique<cluster::Client>(http::make_transport({}), stack_var(var));
      (void)(*c)->json("PUT", "/" + id_ + "-idx",
                       nlohmann::json{{"settings", {{"number_of_replicas", 0}}}});
      (void)(*c)->json("PUT", "/_snapshot/" + id_,
                       nlohmann::json{{"type", "fs"}, {"settings", {{"location", id_}}}});
    }
  }
  void TearDown() override {
    for (auto* c : {es_.get(), os_.get()}) {
      if (!c) continue;
      for (const auto& repo : {id_, id_ + "-slow"}) {
        auto got = c->json("GET", "/_snapshot/" + repo + "/_all");
        if (got.ok() && got->contains("snapshots"))
          for (const auto& s : (*got)["snapshots"])
            (void)c->json("DELETE", "/_snapshot/" + repo + "/" + s["snapshot"].get<std::string>());
        (void)c->json("DELETE", "/_snapshot/" + repo);
      }
      (void)c->json("DELETE", "/" + id_ + "-idx");  // exact: Elasticsearch refuses wildcard deletes
    }
    test::run({"rm", "-rf", dir_});
  }
  std::vector<nlohmann::json> snapshots(cluster::Client& c, const std::string& repo) {
    auto got = c.json("GET", "/_snapshot/" + repo + "/_all");
    std::vector<nlohmann::json> v;
    if (got.ok() && got->contains("snapshots"))
      for (const auto& s : (*got)["snapshots"]) v.push_back(s);
    return v;
  }
  std::string config(int port, const std::string& extra = "") {
    return "clusters:\n  es: {url: '" + stack_var("ESSNAP_TEST_ELASTICSEARCH_URL") +
           "'}\n  os: {url: '" + stack_var("ESSNAP_TEST_OPENSEARCH_URL") +
           "', auth: none}\npolicies:\n" + "  es-fast: {cluster: es, repository: " + id_ +
           ", schedule: '@every 3s', indices: '" + id_ + "-*', name: '" + id_ +
           "-es-{now:%H%M%S}', retention: {keep_last: 2}, alert_if_no_success_within: 1min}\n" +
           "  os-fast: {cluster: os, repository: " + id_ + ", schedule: '@every 3s', indices: '" +
           id_ + "-*', name: '" + id_ + "-os-{now:%H%M%S}', retention: {keep_last: 2}}\n" + extra +
           "metrics: {listen: '127.0.0.1:" + std::to_string(port) + "'}\n";
  }
  test::ProcessResult script(const std::string& body) {
    test::Command c;
    c.argv = {"bash", "-c", body};
    c.env = {{"BIN", ESSNAP_BINARY}, {"DIR", dir_}};
    c.timeout = std::chrono::seconds(90);
    return test::run(c);
  }

  std::string id_, dir_;
  std::unique_ptr<cluster::Client> es_, os_;
};

TEST_F(ScheduleStack, RunsPrunesServesMetricsAndSurvivesABrokenReload) {
  const int port = free_port();
  write_file(dir_ + "/essnap.yaml", config(port));
  write_file(dir_ + "/bad.yaml", "clusters: {}\npolicies:\n  x: {cluster: nope}\n");
  const std::string m = "curl -s http://127.0.0.1:" + std::to_string(port) + "/metrics";
  auto r = script(
      "\"$BIN\" run -c \"$DIR/essnap.yaml\" --log-format json 2>\"$DIR/log\" & pid=$!\n"
      "sleep 4; " +
      m + " > \"$DIR/m1\"; sleep 7; " + m +
      " > \"$DIR/m2\"\n"
      "cp \"$DIR/bad.yaml\" \"$DIR/essnap.yaml\"; kill -HUP $pid; sleep 4\n"
      "kill -0 $pid && echo alive-after-hup; " +
      m +
      " > \"$DIR/m3\"\n"
      "kill -TERM $pid; wait $pid; echo rc=$?\n");
  const std::string log = read_text(dir_ + "/log");
  EXPECT_NE(r.out.find("alive-after-hup"), std::string::npos) << r.out << log;
  EXPECT_NE(r.out.find("rc=0"), std::string::npos) << r.out << log;
  EXPECT_NE(log.find("reload failed; keeping the previous configuration"), std::string::npos)
      << log;
  EXPECT_NE(log.find("essnap.yaml:3: policy 'x'"), std::string::npos)
      << "the reason, with its line\n"
      << log;
  const std::string m1 = read_text(dir_ + "/m1"), m2 = read_text(dir_ + "/m2"),
                    m3 = read_text(dir_ + "/m3");
  for (const char* p : {"es-fast", "os-fast"}) {
    const std::string runs =
        "essnap_policy_runs_total{policy=\"" + std::string(p) + "\",result=\"success\"}";
    const std::string last =
        "essnap_policy_last_success_timestamp_seconds{policy=\"" + std::string(p) + "\"}";
    std::cerr << p << ": runs " << metric(m1, runs) << " -> " << metric(m2, runs) << " -> "
              << metric(m3, runs) << ", deleted "
              << metric(m3,
                        "essnap_policy_snapshots_deleted_total{policy=\"" + std::string(p) + "\"}")
              << "\n";
    EXPECT_GE(metric(m1, runs), 1) << m1;
    EXPECT_GT(metric(m2, runs), metric(m1, runs)) << m2;
    EXPECT_GT(metric(m3, runs), metric(m2, runs))
        << "still running on the old config after SIGHUP\n"
        << m3;
    EXPECT_GT(metric(m2, last), 1.7e9);
    EXPECT_EQ(metric(m3, "essnap_policy_healthy{policy=\"" + std::string(p) + "\"}"), 1);
    EXPECT_GE(
        metric(m3, "essnap_policy_snapshots_deleted_total{policy=\"" + std::string(p) + "\"}"), 1);
  }
  for (auto* c : {es_.get(), os_.get()}) {
    const auto snaps = snapshots(*c, id_);
    EXPECT_GE(snaps.size(), 1u);
    EXPECT_LE(snaps.size(), 3u) << "keep_last 2 (+ one running)";
    for (const auto& s : snaps) {
      EXPECT_EQ(s["metadata"]["essnap"]["policy"].get<std::string>().substr(3), "fast") << s.dump();
      EXPECT_TRUE(s["metadata"]["essnap"].contains("version"));
    }
  }
  // The scheduler pruned exactly as `essnap prune --dry-run` plans: the same policy planned now
  // keeps exactly what the scheduler left, except that SIGTERM may have landed between a cycle's
  // snapshot and its prune: then the plan removes that one cycle's excess, nothing more.
  for (auto [policy, var, c] : {std::tuple{"es-fast", "ESSNAP_TEST_ELASTICSEARCH_URL", es_.get()},
                                std::tuple{"os-fast", "ESSNAP_TEST_OPENSEARCH_URL", os_.get()}}) {
    auto plan = test::run({ESSNAP_BINARY, "-o", "json", "prune", "--url", stack_var(var), "--auth",
                           "none", "-r", id_, "--policy", policy, "--keep-last", "2", "--dry-run"});
    ASSERT_EQ(plan.exit_code, 0) << plan.err;
    const auto j = nlohmann::json::parse(plan.out, nullptr, false);
    ASSERT_TRUE(j.is_object()) << plan.out;
    EXPECT_LE(j["remove"].size(), 1u) << policy << ": " << plan.out;
    std::set<std::string> kept, left;
    for (const auto& s : j["snapshots"])
      if (s["action"] == "keep") kept.insert(s["name"].get<std::string>());
    for (const auto& s : snapshots(*c, id_)) left.insert(s["snapshot"].get<std::string>());
    for (const auto& r : j["remove"]) left.erase(r.get<std::string>());
    EXPECT_EQ(kept, left) << policy << ": " << plan.out;
    EXPECT_GE(kept.size(), 2u) << "the scheduler pruned more than keep_last 2: " << plan.out;
    EXPECT_LE(kept.size(), 3u) << "keep_last 2 (+ one running)";
  }
}

TEST_F(ScheduleStack, SigtermMidWaitExitsZeroAndTheSnapshotContinues) {
  // A repository throttled to 1 KiB/s and an index of some 20 KiB: the snapshot takes ~20 s.
  ASSERT_TRUE(es_->json("PUT", "/_snapshot/" + id_ + "-slow",
                        nlohmann::json{
                            {"type", "fs"},
                            {"settings",
                             {{"location", id_ + "-slow"}, {"max_snapshot_bytes_per_sec", "1kb"}}}})
                  .ok());
  std::string bulk;
  for (int i = 0; i < 40; ++i)
    bulk += "{\"index\":{}}\n{\"msg\":\"" + std::string(500, static_cast<char>('a' + i % 26)) +
            std::to_string(i) + "\"}\n";
  auto bulked = es_->json(cluster::Call{"POST", "/" + id_ + "-idx/_bulk?refresh=true", bulk});
  ASSERT_TRUE(bulked.ok()) << bulked.error().message;
  const std::string cfg = "clusters:\n  es: {url: '" + stack_var("ESSNAP_TEST_ELASTICSEARCH_URL") +
                          "'}\npolicies:\n  slow: {cluster: es, repository: " + id_ +
                          "-slow, schedule: '@every 2s', indices: '" + id_ + "-*', name: '" + id_ +
                          "-slow-{now:%H%M%S}', prune: never}\n";
  write_file(dir_ + "/slow.yaml", cfg);
  auto r = script(
      "\"$BIN\" run -c \"$DIR/slow.yaml\" 2>\"$DIR/log\" & pid=$!\n"
      "for i in $(seq 100); do grep -q 'snapshot started' \"$DIR/log\" && break; sleep 0.1; done\n"
      "sleep 1; kill -TERM $pid; wait $pid; echo rc=$?\n");
  const std::string log = read_text(dir_ + "/log");
  EXPECT_NE(r.out.find("rc=0"), std::string::npos) << r.out << log;
  EXPECT_NE(log.find("stopping: wait abandoned; the snapshot continues in the cluster"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("stopped"), std::string::npos) << log;
  const auto snaps = snapshots(*es_, id_ + "-slow");
  ASSERT_EQ(snaps.size(), 1u);
  EXPECT_EQ(snaps[0]["state"], "IN_PROGRESS") << "the cluster's snapshot continues";
}

TEST_F(ScheduleStack, OnceExitsZeroAndLeavesOneSnapshotPerPolicy) {
  write_file(dir_ + "/essnap.yaml", config(0));
  test::Command c;
  c.argv = {ESSNAP_BINARY, "run",      "--config", dir_ + "/essnap.yaml",
            "--once",      "--policy", "es-fast"};
  c.timeout = std::chrono::seconds(60);
  auto r = test::run(c);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(snapshots(*es_, id_).size(), 1u);
  EXPECT_EQ(snapshots(*os_, id_).size(), 0u) << "--policy es-fast only";
  auto check = test::run({ESSNAP_BINARY, "config", "check", dir_ + "/essnap.yaml"});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_EQ(check.out.rfind("OK ", 0), 0u) << check.out;
}

// copy_to: after the snapshot, `essnap run --once` syncs the policy's repository to a second
// place (a directory here), which then holds the policy's snapshot; the log says so.
TEST_F(ScheduleStack, OnceCopiesThePolicysSnapshotToCopyTo) {
  const std::string copy = dir_ + "/second-copy";
  // An absolute location: a relative one names a place under the nodes' path.repo only they know.
  const std::string repo = id_ + "-slow",
                    where = stack_var("ESSNAP_TEST_FS_REPO_PATH") + "/" + repo;
  ASSERT_TRUE(es_->json("PUT", "/_snapshot/" + repo,
                        nlohmann::json{{"type", "fs"}, {"settings", {{"location", where}}}})
                  .ok());
  write_file(dir_ + "/essnap.yaml",
             "clusters:\n  es: {url: '" + stack_var("ESSNAP_TEST_ELASTICSEARCH_URL") +
                 "'}\npolicies:\n  es-copy: {cluster: es, repository: " + repo +
                 ", schedule: '@every 3s', indices: '" + id_ + "-*', name: '" + id_ +
                 "-copy-{now:%H%M%S}', retention: {keep_last: 2}, copy_to: {to: '" + copy +
                 "', retention: {keep_last: 5}}}\n");
  test::Command c;
  c.argv = {ESSNAP_BINARY, "run",      "--config", dir_ + "/essnap.yaml",
            "--once",      "--policy", "es-copy"};
  c.timeout = std::chrono::seconds(60);
  auto r = test::run(c);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("copy finished"), std::string::npos) << r.err;
  auto listed = test::run({ESSNAP_BINARY, "-o", "json", "inspect", "snapshots", copy});
  ASSERT_EQ(listed.exit_code, 0) << listed.out << listed.err;
  auto j = nlohmann::json::parse(listed.out);
  ASSERT_EQ(j["snapshots"].size(), 1u) << listed.out;
  EXPECT_EQ(j["snapshots"][0]["name"].get<std::string>().rfind(id_ + "-copy-", 0), 0u);
  auto verify = test::run({ESSNAP_BINARY, "inspect", "verify", copy, "--read-data"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  for (const auto& s : snapshots(*es_, repo))
    (void)es_->json("DELETE", "/_snapshot/" + repo + "/" + s["snapshot"].get<std::string>());
  (void)es_->json("DELETE", "/_snapshot/" + repo);
  test::run({"rm", "-rf", where});
}

}  // namespace
}  // namespace essnap
