#include <gtest/gtest.h>

#include "essnap/cluster/error.hpp"

namespace essnap::cluster {
namespace {

TEST(ClusterError, ElasticsearchShape) {
  const char* body =
      R"({"error":{"root_cause":[{"type":"index_not_found_exception","reason":"no such index [x]",)"
      R"("index":"x"}],"type":"index_not_found_exception","reason":"no such index [x]","index":"x"},)"
      R"("status":404})";
  auto d = parse_error_body(404, body);
  EXPECT_EQ(d.error_type, "index_not_found_exception");
  EXPECT_EQ(d.reason, "no such index [x]");
  EXPECT_EQ(describe(d), "HTTP 404 index_not_found_exception: no such index [x]");
}

TEST(ClusterError, RootCauseIsAddedWhenTheTopLevelIsGeneric) {
  const char* body =
      R"({"error":{"root_cause":[{"type":"query_shard_exception","reason":"failed to create query"}],)"
      R"("type":"search_phase_execution_exception","reason":"all shards failed"},"status":400})";
  EXPECT_EQ(describe(parse_error_body(400, body)),
            "HTTP 400 search_phase_execution_exception: all shards failed (root cause: "
            "query_shard_exception: failed to create query)");
}

// As OpenSearch 2.19.6 answers a listing of a repository Elasticsearch 8.19.7 wrote.
TEST(ClusterError, RepositoryOfANewerEngineGetsAHint) {
  http::Response r;
  r.status = 500;
  r.body =
      R"({"error":{"root_cause":[{"type":"parsing_exception","reason":"Failed to parse object: )"
      R"(unknown field [uuid] found"}],"type":"repository_exception","reason":"[r] Unexpected )"
      R"(exception when loading repository data"},"status":500})";
  auto e = error_from_response(r);
  EXPECT_NE(e.hint.find("a newer engine wrote it"), std::string::npos) << e.hint;
  r.body =
      R"({"error":{"type":"repository_exception","reason":"[r] could not read"},"status":500})";
  EXPECT_EQ(error_from_response(r).hint, "");
}

TEST(ClusterError, AwsFrontEndShapes) {
  auto d = parse_error_body(
      403, R"({"Message":"User: anonymous is not authorized to perform: es:ESHttpGet"})",
      {{"x-amzn-RequestId", "req-1"},
       {"x-amzn-ErrorType", "AccessDeniedException:http://internal"}});
  EXPECT_EQ(describe(d),
            "HTTP 403 AccessDeniedException: User: anonymous is not authorized to perform: "
            "es:ESHttpGet");
  EXPECT_EQ(d.request_id, "req-1");

  auto m = parse_error_body(
      403, R"({"message":"The security token included in the request is invalid."})");
  EXPECT_EQ(describe(m), "HTTP 403: The security token included in the request is invalid.");

  auto t = parse_error_body(400, R"({"__type":"com.amazon#ValidationException","message":"bad"})");
  EXPECT_EQ(describe(t), "HTTP 400 ValidationException: bad");
}

TEST(ClusterError, S3AndIamXml) {
  auto d = parse_error_body(
      404,
      "<?xml version=\"1.0\"?>\n<Error><Code>NoSuchBucket</Code><Message>The specified bucket "
      "does not exist</Message><RequestId>ABC</RequestId></Error>");
  EXPECT_EQ(describe(d), "HTTP 404 NoSuchBucket: The specified bucket does not exist");
  EXPECT_EQ(d.request_id, "ABC");

  auto i = parse_error_body(403,
                            "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
                            "<Message>not allowed</Message></Error><RequestId>R</RequestId>"
                            "</ErrorResponse>");
  EXPECT_EQ(describe(i), "HTTP 403 AccessDenied: not allowed");
  EXPECT_EQ(i.request_id, "R");
}

TEST(ClusterError, OddBodies) {
  EXPECT_EQ(describe(parse_error_body(404, "")), "HTTP 404: Not Found");
  EXPECT_EQ(describe(parse_error_body(502, "<html><body>Bad Gateway</body></html>")),
            "HTTP 502: Bad Gateway");
  EXPECT_EQ(describe(parse_error_body(400, "plain text\nsecond line")), "HTTP 400: plain text");
  EXPECT_EQ(describe(parse_error_body(400, R"({"error":"old style","status":400})")),
            "HTTP 400: old style");
  EXPECT_EQ(describe(parse_error_body(500, "{not json")), "HTTP 500: {not json");
  const std::string long_reason(5000, 'r');
  EXPECT_LT(describe(parse_error_body(400, long_reason)).size(), 700u);
  EXPECT_EQ(describe(parse_error_body(400, R"({"error":{"type":"t","reason":"a\nb"}})")),
            "HTTP 400 t: a b");
}

TEST(ClusterError, ErrorFromResponseHasCodeDetailAndHint) {
  http::Response r;
  r.status = 403;
  r.body = R"({"Message":"User: anonymous is not authorized to perform: es:ESHttpGet"})";
  Error e = error_from_response(r);
  EXPECT_EQ(e.code, ErrorCode::kRemote);
  ASSERT_TRUE(e.remote.has_value());
  EXPECT_EQ(e.remote->http_status, 403);
  EXPECT_NE(e.hint.find("--auth aws"), std::string::npos);
}

}  // namespace
}  // namespace essnap::cluster
