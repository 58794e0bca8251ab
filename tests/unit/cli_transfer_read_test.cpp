// How `essnap export` reads, end to end through the binary against a loopback engine:
// --read-strategy search-after (and `auto` for Amazon OpenSearch Serverless, which serves no
// scroll: --service aoss) reads with plain searches sorted by _id, each page continuing after the
// last id of the one before, one stream per index, never opening a scroll, and signs for aoss;
// every document arrives; --read-strategy pit on an engine without a sliceable point in time is
// refused (exit 2) before any search.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/essnap_cli.hpp"
#include "support/loopback_server.hpp"
#include "support/process.hpp"

namespace essnap {
namespace {

using test::LoopbackServer;
using test::ServerRequest;
using test::ServerResponse;

// An OpenSearch index "logs" of 25 documents d00..d24, answering sorted searches by _id (size
// and search_after honoured) and refusing scrolls the way a server without them would.
ServerResponse read_engine(const ServerRequest& r) {
  if (r.target == "/") return test::os2_root();
  if (r.target.starts_with("/_cat/indices"))
    return ServerResponse::json(200, R"([{"index":"logs","pri":"3"}])");
  if (r.target.starts_with("/_resolve/index"))
    return ServerResponse::json(200, R"({"indices":[],"data_streams":[]})");
  if (r.target == "/logs/_count") return ServerResponse::json(200, R"({"count":25})");
  if (r.method == "GET" && r.target == "/logs")
    return ServerResponse::json(
        200,
        R"({"logs":{"settings":{"index":{"number_of_shards":"3"}},"mappings":{},"aliases":{}}})");
  if (r.target.find("scroll") != std::string::npos)
    return ServerResponse::json(
        404, R"({"error":{"type":"not_found","reason":"no scroll here"},"status":404})");
  if (r.target == "/logs/_search") {
    const auto body = nlohmann::json::parse(r.body, nullptr, false);
    const int size = body.value("size", 10);
    std::string after =
        body.contains("search_after") ? body["search_after"][0].get<std::string>() : "";
    nlohmann::json hits = nlohmann::json::array();
    for (int i = 0; i < 25 && static_cast<int>(hits.size()) < size; ++i) {
      char id[8];
      std::snprintf(id, sizeof id, "d%02d", i);
      if (!after.empty() && std::string(id) <= after) continue;
      hits.push_back({{"_index", "logs"}, {"_id", id}, {"_source", {{"n", i}}}, {"sort", {id}}});
    }
    return ServerResponse::json(200, nlohmann::json{{"timed_out", false},
                                                    {"_shards", {{"total", 3}, {"failed", 0}}},
                                                    {"hits", {{"hits", hits}}}}
                                         .dump());
  }
  return ServerResponse::json(
      404, R"({"error":{"type":"index_not_found_exception","reason":"no"},"status":404})");
}

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class CliTransferRead : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("essnap-read-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

void expect_search_after_reads(const LoopbackServer& server) {
  int searches = 0;
  for (const auto& q : server.requests()) {
    EXPECT_EQ(q.target.find("scroll"), std::string::npos) << q.target;
    if (q.target != "/logs/_search") continue;
    const auto body = nlohmann::json::parse(q.body);
    if (body.value("size", 0) == 20) continue;  // the page-size sample
    ++searches;
    EXPECT_EQ(body["sort"], nlohmann::json::parse(R"([{"_id":"asc"}])")) << q.body;
    EXPECT_FALSE(body.contains("slice")) << q.body;
  }
  EXPECT_EQ(searches, 4) << "pages of 7: 7 + 7 + 7 + 4";
}

TEST_F(CliTransferRead, SearchAfterReadsEveryDocumentWithoutAScroll) {
  LoopbackServer server(read_engine);
  auto r = test::run(
      test::essnap_command(server.url(), "-o json export -i logs --to " + dir_.string() +
                                             " --read-strategy search-after --page-size 7"));
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  expect_search_after_reads(server);
  const auto manifest = nlohmann::json::parse(read_all(dir_ / "manifest.json"));
  EXPECT_EQ(manifest["indices"][0]["documents"], 25);
  EXPECT_EQ(manifest["indices"][0]["slices"], 1) << "one stream, whatever the shards";
}

TEST_F(CliTransferRead, ServerlessIsReadWithSearchAfterAndSignedForAoss) {
  LoopbackServer server(read_engine);
  auto c = test::essnap_command(
      server.url(), "export -i logs --to " + dir_.string() +
                        " --auth aws --service aoss --region us-east-1 --page-size 7 -q");
  c.env["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE";
  c.env["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  c.env["AWS_EC2_METADATA_DISABLED"] = "true";
  auto r = test::run(c);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  expect_search_after_reads(server);
  for (const auto& q : server.requests()) {
    const std::string* auth = q.header("Authorization");
    ASSERT_NE(auth, nullptr) << q.target;
    EXPECT_NE(auth->find("/us-east-1/aoss/aws4_request"), std::string::npos) << *auth;
    EXPECT_NE(q.header("X-Amz-Content-Sha256"), nullptr) << q.target << ": Serverless requires it";
  }
  EXPECT_EQ(nlohmann::json::parse(read_all(dir_ / "manifest.json"))["indices"][0]["documents"], 25);
}

TEST_F(CliTransferRead, PointInTimeWhereTheEngineHasNoneIsRefusedFirst) {
  LoopbackServer server(read_engine);
  auto r = test::run(test::essnap_command(
      server.url(), "export -i logs --to " + dir_.string() + " --read-strategy pit"));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--read-strategy pit"), std::string::npos) << r.err;
  for (const auto& q : server.requests())
    EXPECT_NE(q.target, "/logs/_search") << "no search before the refusal";
}

}  // namespace
}  // namespace essnap
