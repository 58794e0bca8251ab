// Every response parser in cluster/ fed malformed and wrong-typed bodies (truncated JSON, arrays
// where objects belong, strings where numbers belong): each must answer kParse, never throw.
// Also the engines' state words parsed once into enums, unknown words keeping their text.
#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include "essnap/cluster/repository.hpp"
#include "essnap/cluster/search.hpp"
#include "essnap/cluster/snapshots.hpp"
#include "support/recording_transport.hpp"

namespace essnap::cluster {
namespace {

// A client whose every answer is 200 with `body`.
std::unique_ptr<Client> answering(const std::string& body) {
  auto t = std::make_unique<essnap::testing::RecordingTransport>(
      [body](const http::Request&) -> Result<http::Response> {
        return http::Response{200, {{"Content-Type", "application/json"}}, body, 1};
      });
  return std::make_unique<Client>(std::move(t), "http://cluster.test");
}

template <typename T>
void expect_parse_error(const char* parser, const std::string& body,
                        const std::function<Result<T>(Client&)>& call) {
  auto c = answering(body);
  std::optional<Result<T>> r;
  EXPECT_NO_THROW(r.emplace(call(*c))) << parser << " threw on " << body;
  if (!r) return;
  ASSERT_FALSE(r->ok()) << parser << " accepted " << body;
  EXPECT_EQ(r->error().code, ErrorCode::kParse)
      << parser << " on " << body << ": " << r->error().message;
  EXPECT_FALSE(r->error().message.empty());
}

const char* const kTruncated = R"({"snapshots":[{"snapshot":"a","state":"SUCC)";

TEST(ClusterSnapshotsParse, GetSnapshots) {
  for (const std::string body :
       {std::string(kTruncated), std::string("[]"), std::string(R"("text")"),
        std::string(R"({"snapshots":{}})"), std::string(R"({"snapshots":[1]})"),
        std::string(R"({"snapshots":[{"snapshot":5}]})"),
        std::string(R"({"snapshots":[{"shards":{"total":"many"}}]})"),
        std::string(R"({"snapshots":[{"shards":[]}]})"),
        std::string(R"({"snapshots":[{"indices":"a"}]})"),
        std::string(R"({"snapshots":[{"indices":[1]}]})"),
        std::string(R"({"snapshots":[{"include_global_state":"yes"}]})"),
        std::string(R"({"snapshots":[{"failures":[{"shard_id":"x"}]}]})"),
        std::string(R"({"snapshots":[{"failures":["x"]}]})"),
        std::string(R"({"snapshots":[{"metadata":[]}]})")})
    expect_parse_error<GetSnapshotsResponse>("get_snapshots", body, [](Client& c) {
      return get_snapshots(c, {"repo", "_all", false});
    });
}

TEST(ClusterSnapshotsParse, SnapshotStatus) {
  for (const std::string body :
       {std::string(kTruncated), std::string("[]"), std::string(R"({"snapshots":{}})"),
        std::string(R"({"snapshots":[{"state":1}]})"),
        std::string(R"({"snapshots":[{"shards_stats":{"total":"x"}}]})"),
        std::string(R"({"snapshots":[{"stats":[]}]})"),
        std::string(R"({"snapshots":[{"stats":{"incremental":{"size_in_bytes":"big"}}}]})"),
        std::string(R"({"snapshots":[{"indices":[]}]})"),
        std::string(R"({"snapshots":[{"indices":{"i":7}}]})"),
        std::string(
            R"({"snapshots":[{"indices":{"i":{"stats":{"total":{"size_in_bytes":"big"}}}}}]})")})
    expect_parse_error<SnapshotStatusResponse>("snapshot_status", body, [](Client& c) {
      return snapshot_status(c, {"repo", ""});
    });
}

TEST(ClusterSnapshotsParse, CreateSnapshot) {
  for (const std::string body :
       {std::string("{\"accepted\":"), std::string("[]"), std::string(R"({"accepted":"yes"})")})
    expect_parse_error<CreateSnapshotResponse>("create_snapshot", body, [](Client& c) {
      return create_snapshot(c, {"repo", "s"});
    });
}

TEST(ClusterSnapshotsParse, IndicesHealthRecoveryCount) {
  for (const std::string body :
       {std::string("[{\"index\":"), std::string("{}"), std::string("[1]"),
        std::string(R"([{"index":1}])"), std::string(R"([{"index":"a","docs.count":"many"}])"),
        std::string(R"([{"index":"a","status":false}])")})
    expect_parse_error<std::vector<IndexEntry>>("list_indices", body,
                                                [](Client& c) { return list_indices(c); });
  for (const std::string body :
       {std::string("{\"indices\""), std::string("[]"), std::string(R"({"indices":[]})"),
        std::string(R"({"indices":{"a":5}})"),
        std::string(R"({"indices":{"a":{"number_of_shards":"x"}}})")})
    expect_parse_error<std::map<std::string, IndexHealth>>(
        "index_health", body, [](Client& c) { return index_health(c, {"a"}); });
  for (const std::string body :
       {std::string("{\"a\":{"), std::string("[]"), std::string(R"({"a":5})"),
        std::string(R"({"a":{"shards":{}}})"), std::string(R"({"a":{"shards":[3]}})"),
        std::string(R"({"a":{"shards":[{"primary":"yes"}]}})"),
        std::string(R"({"a":{"shards":[{"primary":true,"stage":1}]}})"),
        std::string(
            R"({"a":{"shards":[{"primary":true,"index":{"size":{"total_in_bytes":"x"}}}]}})")})
    expect_parse_error<RecoveryProgress>("recovery_progress", body,
                                         [](Client& c) { return recovery_progress(c, {"a"}); });
  for (const std::string body : {std::string("{\"count\":"), std::string("[]"), std::string("{}"),
                                 std::string(R"({"count":"x"})"), std::string(R"({"count":[1]})")})
    expect_parse_error<std::int64_t>("count_documents", body,
                                     [](Client& c) { return count_documents(c, "a"); });
}

TEST(ClusterSnapshotsParse, Repositories) {
  for (const std::string body :
       {std::string("{\"r\":"), std::string("[]"), std::string(R"({"r":5})"),
        std::string(R"({"r":{"type":5}})"), std::string(R"({"r":{"settings":[]}})")})
    expect_parse_error<std::vector<RepositoryInfo>>("get_repositories", body,
                                                    [](Client& c) { return get_repositories(c); });
  for (const std::string body : {std::string("{\"r\":"), std::string("[]")})
    expect_parse_error<GetRepositoryResponse>("get_repository", body,
                                              [](Client& c) { return get_repository(c, {"r"}); });
  for (const std::string body :
       {std::string("{\"nodes\":"), std::string("[]"), std::string(R"({"nodes":[]})")})
    expect_parse_error<VerifyRepositoryResponse>(
        "verify_repository", body, [](Client& c) { return verify_repository(c, {"r"}); });
  for (const std::string body :
       {std::string("{\"results\":"), std::string("[]"), std::string(R"({"results":[]})"),
        std::string(R"({"results":{"deleted_blobs":"x"}})")})
    expect_parse_error<CleanupRepositoryResponse>(
        "cleanup_repository", body, [](Client& c) { return cleanup_repository(c, {"r"}); });
}

TEST(ClusterSnapshotsParse, FromJsonOnWrongShapes) {
  for (const auto& j : {nlohmann::json::array(), nlohmann::json("x"), nlohmann::json(3),
                        nlohmann::json{{"shards", "all"}}, nlohmann::json{{"version_id", "v"}}}) {
    std::optional<Result<SnapshotInfo>> r;
    EXPECT_NO_THROW(r.emplace(SnapshotInfo::from_json(j))) << j.dump();
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->ok()) << j.dump();
  }
  for (const auto& j :
       {nlohmann::json::array(), nlohmann::json("x"), nlohmann::json{{"shards_stats", "all"}},
        nlohmann::json{{"stats", {{"processed", 5}}}}}) {
    std::optional<Result<SnapshotProgress>> p;
    EXPECT_NO_THROW(p.emplace(SnapshotProgress::from_json(j))) << j.dump();
    ASSERT_TRUE(p);
    EXPECT_FALSE(p->ok()) << j.dump();
  }
}

TEST(ClusterSnapshotsParse, WellFormedBodiesStillParse) {
  auto c = answering(
      R"({"snapshots":[{"snapshot":"a","state":"PARTIAL","indices":["x"],"version_id":137227827,)"
      R"("shards":{"total":2,"successful":1,"failed":1},"metadata":null,)"
      R"("failures":[{"index":"x","shard_id":1,"reason":"boom","status":"INTERNAL_SERVER_ERROR"}]}]})");
  auto r = get_snapshots(*c, {"repo", "_all", false});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->snapshots.size(), 1u);
  const auto& s = r->snapshots[0];
  EXPECT_EQ(s.state, SnapshotStateKind::kPartial);
  EXPECT_EQ(s.repository, "repo");
  EXPECT_EQ(s.shards_failed, 1);
  ASSERT_EQ(s.failures.size(), 1u);
  EXPECT_EQ(s.failures[0].shard, 1);

  auto ci = answering(R"([{"index":"a","status":"open","docs.count":"5"},)"
                      R"({"index":"b","status":"close","docs.count":null}])");
  auto idx = list_indices(*ci);
  ASSERT_TRUE(idx.ok()) << idx.error().message;
  ASSERT_EQ(idx->size(), 2u);
  EXPECT_EQ((*idx)[0].docs, 5);
  EXPECT_EQ((*idx)[0].status, IndexStatusKind::kOpen);
  EXPECT_EQ((*idx)[1].docs, -1);
  EXPECT_EQ((*idx)[1].status, IndexStatusKind::kClose);

  auto cs = answering(
      R"({"snapshots":[{"snapshot":"a","repository":"r","state":"STARTED",)"
      R"("shards_stats":{"done":1,"failed":0,"total":2},)"
      R"("stats":{"incremental":{"size_in_bytes":100},"processed":{"size_in_bytes":40}}}]})");
  auto st = snapshot_status(*cs, {"r", ""});
  ASSERT_TRUE(st.ok()) << st.error().message;
  ASSERT_EQ(st->snapshots.size(), 1u);
  EXPECT_EQ(st->snapshots[0].state, StatusStageKind::kStarted);
  EXPECT_EQ(st->snapshots[0].bytes_total, 100);
  EXPECT_EQ(st->snapshots[0].bytes_done, 40);
}

TEST(ClusterStates, SnapshotStatesParseOnceAndUnknownKeepsItsText) {
  EXPECT_EQ(parse_snapshot_state("IN_PROGRESS"), SnapshotStateKind::kInProgress);
  EXPECT_EQ(parse_snapshot_state("SUCCESS"), SnapshotStateKind::kSuccess);
  EXPECT_EQ(parse_snapshot_state("PARTIAL"), SnapshotStateKind::kPartial);
  EXPECT_EQ(parse_snapshot_state("FAILED"), SnapshotStateKind::kFailed);
  EXPECT_EQ(parse_snapshot_state("INCOMPATIBLE"), SnapshotStateKind::kIncompatible);
  const auto lower = parse_snapshot_state("in_progress");
  EXPECT_EQ(lower, SnapshotStateKind::kInProgress);
  EXPECT_EQ(lower.text, "IN_PROGRESS");
  const auto odd = parse_snapshot_state("Hibernating");
  EXPECT_EQ(odd, SnapshotStateKind::kUnknown);
  EXPECT_EQ(odd.text, "Hibernating");
  EXPECT_EQ(make_snapshot_state(SnapshotStateKind::kInProgress).text, "IN_PROGRESS");
}

TEST(ClusterStates, StatusStagesRecoveryStagesAndIndexStatus) {
  using K = StatusStageKind;
  const std::pair<const char*, K> stages[] = {
      {"INIT", K::kInit},       {"STARTED", K::kStarted}, {"FINALIZE", K::kFinalize},
      {"DONE", K::kDone},       {"FAILURE", K::kFailure}, {"ABORTED", K::kAborted},
      {"SUCCESS", K::kSuccess}, {"FAILED", K::kFailed},   {"MISSING", K::kMissing},
      {"WAITING", K::kWaiting}, {"QUEUED", K::kQueued}};
  for (const auto& [word, kind] : stages) {
    EXPECT_EQ(parse_status_stage(word), kind) << word;
    EXPECT_EQ(parse_status_stage(word).text, word);
  }
  EXPECT_EQ(parse_status_stage("PAUSED_FOR_NODE_REMOVAL"), K::kUnknown);
  EXPECT_EQ(parse_status_stage("PAUSED_FOR_NODE_REMOVAL").text, "PAUSED_FOR_NODE_REMOVAL");
  EXPECT_EQ(parse_recovery_stage("DONE"), RecoveryStageKind::kDone);
  EXPECT_EQ(parse_recovery_stage("VERIFY_INDEX"), RecoveryStageKind::kVerifyIndex);
  EXPECT_EQ(parse_recovery_stage("index"), RecoveryStageKind::kIndex);
  EXPECT_EQ(parse_recovery_stage(""), RecoveryStageKind::kUnknown);
  EXPECT_EQ(parse_index_status("open"), IndexStatusKind::kOpen);
  EXPECT_EQ(parse_index_status("close"), IndexStatusKind::kClose);
  EXPECT_EQ(parse_index_status("close").text, "close");
  EXPECT_EQ(parse_index_status("frozen"), IndexStatusKind::kUnknown);
}

}  // namespace
}  // namespace essnap::cluster
