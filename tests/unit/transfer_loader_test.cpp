// The import's write side against a scripted loopback cluster: items the target pushes back
// (429 / es_rejected_execution_exception) are resent alone after a backoff, every other rejected
// item goes to the errors file with its error, a malformed chunk line stops before anything is
// sent, and a setting the target refuses is removed, reported, and the create retried.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

#include "essnap/cluster/client.hpp"
#include "essnap/http/factory.hpp"
#include "essnap/transfer/loader.hpp"
#include "support/loopback_server.hpp"

namespace essnap::transfer {
namespace {

namespace fs = std::filesystem;

std::unique_ptr<cluster::Client> loader_client_for(const test::LoopbackServer& s) {
  http::TransportOptions o;
  o.retry.max_attempts = 1;
  return std::make_unique<cluster::Client>(http::make_transport(o), s.url());
}

std::string temp_path(const std::string& name) {
  return (fs::temp_directory_path() / (name + "-" + std::to_string(::getpid()))).string();
}

TEST(TransferLoader, PushedBackItemsAreResentAloneOthersGoToTheErrorsFile) {
  int calls = 0;
  std::mutex mu;
  test::LoopbackServer server([&](const test::ServerRequest& r) {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target.substr(0, r.target.find('?')), "/dst/_bulk");
    if (++calls == 1)
      return test::ServerResponse::json(
          200,
          R"({"took":1,"errors":true,"items":[{"index":{"status":201}},)"
          R"({"index":{"status":429,"error":{"type":"es_rejected_execution_exception","reason":"queue full"}}},)"
          R"({"index":{"status":400,"error":{"type":"mapper_parsing_exception","reason":"bad n"}}}]})");
    return test::ServerResponse::json(
        200, R"({"took":1,"errors":false,"items":[{"index":{"status":201}}]})");
  });
  const std::string errors_path = temp_path("loader-errors");
  fs::remove(errors_path);
  {
    ErrorsFile errors(errors_path);
    Hooks hooks;
    std::vector<std::string> notices;
    hooks.progress = [&](const util::ProgressEvent& e) { notices.push_back(e.message); };
    Loader loader({}, errors, hooks);
    std::string chunk =
        "{\"_id\":\"a\",\"_source\":{\"n\":1}}\n{\"_id\":\"b\",\"_routing\":\"r\",\"_source\":{"
        "\"n\":2}}\n"
        "{\"_id\":\"c\",\"_source\":{\"n\":\"x\"}}\n";
    auto c = loader_client_for(server);
    auto out = loader.load(*c, "src", "dst", "src/000-000000.ndjson.zst", chunk);
    ASSERT_TRUE(out.ok()) << out.error().message;
    EXPECT_EQ(out->loaded, 2);
    EXPECT_EQ(out->rejected, 1);
    ASSERT_EQ(notices.size(), 1u);
    EXPECT_NE(notices[0].find("pushed back 1 documents"), std::string::npos) << notices[0];
  }
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].body,
            "{\"index\":{\"_id\":\"a\"}}\n{\"n\":1}\n{\"index\":{\"_id\":\"b\",\"routing\":\"r\"}}"
            "\n{\"n\":2}\n"
            "{\"index\":{\"_id\":\"c\"}}\n{\"n\":\"x\"}\n");
  EXPECT_EQ(reqs[1].body, "{\"index\":{\"_id\":\"b\",\"routing\":\"r\"}}\n{\"n\":2}\n");
  std::ifstream in(errors_path);
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  const auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["_id"], "c");
  EXPECT_EQ(j["index"], "dst");
  EXPECT_EQ(j["source_index"], "src");
  EXPECT_EQ(j["chunk"], "src/000-000000.ndjson.zst");
  EXPECT_EQ(j["status"], 400);
  EXPECT_EQ(j["error"]["type"], "mapper_parsing_exception");
  EXPECT_FALSE(std::getline(in, line));
  fs::remove(errors_path);
}

TEST(TransferLoader, ItemsThatKeepBeingPushedBackAreReportedNotDropped) {
  test::LoopbackServer server([&](const test::ServerRequest&) {
    return test::ServerResponse::json(
        200,
        R"({"errors":true,"items":[{"index":{"status":429,"error":{"type":"es_rejected_execution_exception"}}}]})");
  });
  const std::string errors_path = temp_path("loader-pushback");
  fs::remove(errors_path);
  ErrorsFile errors(errors_path);
  Hooks hooks;
  LoaderOptions o;
  o.max_pushback_retries = 2;
  Loader loader(o, errors, hooks);
  std::string chunk = "{\"_id\":\"a\",\"_source\":{}}\n";
  auto c = loader_client_for(server);
  auto out = loader.load(*c, "src", "dst", "chunk", chunk);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->loaded, 0);
  EXPECT_EQ(out->rejected, 1);
  EXPECT_EQ(server.requests().size(), 3u);  // the first try and two retries
  EXPECT_EQ(errors.lines(), 1);
  fs::remove(errors_path);
}

TEST(TransferLoader, MalformedLineStopsBeforeSending) {
  test::LoopbackServer server(
      [&](const test::ServerRequest&) { return test::ServerResponse::json(500, "{}"); });
  ErrorsFile errors(temp_path("loader-unused"));
  Hooks hooks;
  Loader loader({}, errors, hooks);
  std::string chunk = "{\"_id\":\"a\",\"_source\":{}}\n{\"_id\":\"b\",\"_source\":[1]}\n";
  auto c = loader_client_for(server);
  auto out = loader.load(*c, "src", "dst", "src/001-000002.ndjson.zst", chunk);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::kParse);
  EXPECT_NE(out.error().message.find("src/001-000002.ndjson.zst: line 2"), std::string::npos)
      << out.error().message;
  EXPECT_TRUE(server.requests().empty());
}

TEST(TransferLoader, RefusedSettingIsRemovedReportedAndTheCreateRetried) {
  test::LoopbackServer server([&](const test::ServerRequest& r) {
    if (r.body.find("index.foo") != std::string::npos)
      return test::ServerResponse::json(
          400,
          R"({"error":{"root_cause":[],"type":"illegal_argument_exception","reason":"unknown setting [index.foo] please check that any required plugins are installed"},"status":400})");
    return test::ServerResponse::json(200, R"({"acknowledged":true})");
  });
  auto c = loader_client_for(server);
  nlohmann::json meta = {{"settings", {{"index.foo", "1"}, {"index.number_of_shards", "1"}}},
                         {"mappings", {{"properties", nlohmann::json::object()}}}};
  std::vector<std::string> changes;
  auto s = create_target_index(*c, "dst", meta, {cluster::Distribution::kOpenSearch, 2, 19},
                               {cluster::Distribution::kOpenSearch, 3, 3}, changes);
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_NE(changes[0].find("removed setting index.foo: the target refused it"), std::string::npos)
      << changes[0];
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[1].method, "PUT");
  EXPECT_EQ(nlohmann::json::parse(reqs[1].body)["settings"],
            (nlohmann::json{{"index.number_of_shards", "1"}}));
}

// A data stream: create operations; a document already there answers 409. In a resumed run into
// a target the interrupted run made, that is the interrupted run's own write: loaded. Otherwise
// it is a rejection like any other, in the errors file.
TEST(TransferLoader, ConflictsOnADataStreamCountAsLoadedOnlyWhenResumingItsOwnRun) {
  std::string sent;
  test::LoopbackServer server([&](const test::ServerRequest& r) {
    sent = r.body;
    return test::ServerResponse::json(
        200,
        R"({"took":1,"errors":true,"items":[{"create":{"status":201}},)"
        R"({"create":{"status":409,"error":{"type":"version_conflict_engine_exception","reason":"[b]: version conflict, document already exists"}}}]})");
  });
  const std::string chunk_text =
      "{\"_id\":\"a\",\"_source\":{\"n\":1}}\n{\"_id\":\"b\",\"_source\":{\"n\":2}}\n";
  for (const bool resumed : {true, false}) {
    const std::string errors_path = temp_path(std::string("loader-ds-") + (resumed ? "r" : "n"));
    fs::remove(errors_path);
    {
      ErrorsFile errors(errors_path);
      Hooks hooks;
      Loader loader({}, errors, hooks);
      std::string chunk = chunk_text;
      auto c = loader_client_for(server);
      auto out = loader.load(*c, "src", "logs", "src/000-000000.ndjson.zst", chunk, 2,
                             BulkOp::kCreate, resumed);
      ASSERT_TRUE(out.ok()) << out.error().message;
      EXPECT_EQ(sent.rfind("{\"create\":{\"_id\":\"a\"}}\n", 0), 0u) << sent;
      EXPECT_EQ(out->loaded, resumed ? 2 : 1) << resumed;
      EXPECT_EQ(out->rejected, resumed ? 0 : 1) << resumed;
    }
    EXPECT_EQ(fs::exists(errors_path), !resumed)
        << "the errors file holds the conflict only when not resuming";
    fs::remove(errors_path);
  }
}

TEST(TransferLoader, AnyOtherCreateErrorIsReturnedWithTheEngineDetail) {
  test::LoopbackServer server([&](const test::ServerRequest&) {
    return test::ServerResponse::json(
        400,
        R"({"error":{"type":"mapper_parsing_exception","reason":"analyzer [my_analyzer] has not been configured in mappings"},"status":400})");
  });
  auto c = loader_client_for(server);
  std::vector<std::string> changes;
  auto s = create_target_index(
      *c, "dst",
      {{"mappings", {{"properties", {{"f", {{"type", "text"}, {"analyzer", "my_analyzer"}}}}}}}},
      {cluster::Distribution::kElasticsearch, 8, 19}, {cluster::Distribution::kOpenSearch, 2, 19},
      changes);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("creating index dst"), std::string::npos) << s.error().message;
  ASSERT_TRUE(s.error().remote.has_value());
  EXPECT_EQ(s.error().remote->error_type, "mapper_parsing_exception");
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_TRUE(changes.empty());
}

TEST(TransferLoader, AFieldTypeTheTargetLacksIsMendedAndReported) {
  // The target refuses flattened (as OpenSearch does), then accepts its equivalent.
  test::LoopbackServer server([&](const test::ServerRequest& r) {
    if (r.body.find("\"flattened\"") != std::string::npos)
      return test::ServerResponse::json(
          400,
          R"({"error":{"type":"mapper_parsing_exception","reason":"Failed to parse mapping [_doc]: No handler for type [flattened] declared on field [f]"},"status":400})");
    return test::ServerResponse::json(200, R"({"acknowledged":true})");
  });
  auto c = loader_client_for(server);
  std::vector<std::string> changes;
  auto s = create_target_index(*c, "dst",
                               {{"mappings", {{"properties", {{"f", {{"type", "flattened"}}}}}}}},
                               {cluster::Distribution::kElasticsearch, 8, 19},
                               {cluster::Distribution::kOpenSearch, 2, 19}, changes);
  ASSERT_TRUE(s.ok()) << s.error().message;
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(reqs[1].body)["mappings"]["properties"]["f"],
            (nlohmann::json{{"type", "flat_object"}}));
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_NE(
      changes[0].find("field f: type flattened is unknown to the target, mapped as flat_object"),
      std::string::npos)
      << changes[0];
}

}  // namespace
}  // namespace essnap::transfer
