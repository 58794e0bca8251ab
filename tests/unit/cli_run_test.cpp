// `essnap run --once` as a process against a scripted loopback cluster: with -o json it prints
// exactly one JSON document on stdout (each policy's outcome), logs staying on stderr, whether
// the runs succeed or fail; `config check` refuses a policy whose indices name nothing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "support/essnap_process.hpp"
#include "support/loopback_server.hpp"
#include "support/process.hpp"

namespace essnap {
namespace {

namespace fs = std::filesystem;
using test::LoopbackServer;
using test::ServerRequest;
using test::ServerResponse;

using test::run_essnap_bare;

// OpenSearch 2.19.6: repository "repo" takes snapshots (SUCCESS at once); "broken" answers 500.
ServerResponse run_cluster(const ServerRequest& r) {
  const std::string path = r.target.substr(0, r.target.find('?'));
  if (path == "/")
    return ServerResponse::json(
        200, R"({"cluster_name":"c","version":{"distribution":"opensearch","number":"2.19.6"}})");
  if (path.starts_with("/_snapshot/broken"))
    return ServerResponse::json(
        500, R"({"error":{"type":"repository_exception","reason":"[broken] boom"},"status":500})");
  if (path.ends_with("/_status")) return ServerResponse::json(200, R"({"snapshots":[]})");
  if (r.method == "PUT") return ServerResponse::json(200, R"({"accepted":true})");
  if (r.method == "GET" && path.starts_with("/_snapshot/repo/")) {
    const std::string name = path.substr(16);
    if (name == "_all") return ServerResponse::json(200, R"({"snapshots":[]})");
    return ServerResponse::json(200,
                                R"({"snapshots":[{"snapshot":")" + name +
                                    R"(","state":"SUCCESS","start_time_in_millis":1780000000000,)"
                                    R"("metadata":{"essnap":{"policy":"p","version":"0.1.0"}}}]})");
  }
  return ServerResponse::json(404, "{}");
}

class CliRun : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = fs::temp_directory_path() / ("essnap-cli-run-" + std::to_string(::getpid()) + ".yaml");
  }
  void TearDown() override { fs::remove(file_); }
  void write(const std::string& policies) {
    std::ofstream(file_) << "clusters: {a: {url: 'http://127.0.0.1:" << server_.port()
                         << "'}}\npolicies:\n"
                         << policies;
  }
  fs::path file_;
  LoopbackServer server_{run_cluster};
};

// stdout holds one JSON value and nothing else (no second document, no text line).
nlohmann::json run_document(const std::string& out) {
  std::size_t lines = 0;
  for (char c : out) lines += c == '\n' ? 1 : 0;
  EXPECT_EQ(lines, 1u) << out;
  return nlohmann::json::parse(out);  // throws (fails the test) on anything but one value
}

TEST_F(CliRun, JsonOncePrintsExactlyOneDocument) {
  write(
      "  p: {cluster: a, repository: repo, schedule: '@daily', retention: {keep_last: 2}}\n"
      "  q: {cluster: a, repository: repo, schedule: '@daily', prune: never}\n");
  auto r = run_essnap_bare("-o json run --config " + file_.string() + " --once");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = run_document(r.out);
  ASSERT_EQ(doc["policies"].size(), 2u) << doc;
  EXPECT_EQ(doc["policies"][0]["policy"], "p");
  EXPECT_EQ(doc["policies"][0]["result"], "success");
  EXPECT_EQ(doc["policies"][0]["snapshot"].get<std::string>().rfind("p-", 0), 0u);
  EXPECT_EQ(doc["policies"][1]["policy"], "q");
  EXPECT_EQ(doc["exit_code"], 0);
  EXPECT_NE(r.err.find("snapshot finished"), std::string::npos) << "logs stay on stderr";
}

TEST_F(CliRun, JsonOnceThatFailsStillPrintsOneDocument) {
  write("  b: {cluster: a, repository: broken, schedule: '@daily', prune: never}\n");
  auto r = run_essnap_bare("-o json run --config " + file_.string() + " --once --policy b");
  EXPECT_EQ(r.exit_code, 9) << r.err;
  const auto doc = run_document(r.out);
  EXPECT_EQ(doc["policies"][0]["result"], "failed");
  EXPECT_EQ(doc["policies"][0]["exit_code"], 9);
  EXPECT_EQ(doc["exit_code"], 9);
  // A config error is one document too (the error).
  write("  b: {cluster: a, repository: broken, schedule: '0 0 31 2 *', prune: never}\n");
  auto bad = run_essnap_bare("-o json run --config " + file_.string() + " --once");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(run_document(bad.out)["error"]["exit_code"], 2);
}

TEST_F(CliRun, ConfigCheckRefusesIndicesThatNameNothing) {
  write(
      "  p: {cluster: a, repository: repo, schedule: '@daily', indices: [''], "
      "retention: {keep_last: 2}}\n");
  auto check = run_essnap_bare("config check " + file_.string());
  EXPECT_EQ(check.exit_code, 2) << check.out;
  EXPECT_NE(check.err.find(file_.string() + ":3: indices of policy 'p'"), std::string::npos)
      << check.err;
  auto run = run_essnap_bare("run --config " + file_.string() + " --once");
  EXPECT_EQ(run.exit_code, 2);
  for (const auto& q : server_.requests()) EXPECT_NE(q.method, "PUT") << q.target;
}

}  // namespace
}  // namespace essnap
