// cluster::Client against the loopback server: status mapping and engine/version detection.
#include <gtest/gtest.h>

#include "essnap/cluster/client.hpp"
#include "essnap/http/factory.hpp"
#include "support/loopback_server.hpp"

namespace essnap {
namespace {

using test::LoopbackServer;
using test::ServerRequest;
using test::ServerResponse;

cluster::Client client_for(const LoopbackServer& server) {
  http::TransportOptions o;
  o.retry.max_attempts = 1;
  return cluster::Client(http::make_transport(o), server.url(), {{"Authorization", "Basic x"}});
}

TEST(ClusterClient, InfoFromRoot) {
  LoopbackServer server([](const ServerRequest&) {
    return ServerResponse::json(
        200, R"({"cluster_name":"c","version":{"distribution":"opensearch","number":"2.19.6"}})");
  });
  auto c = client_for(server);
  auto info = c.info();
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->distribution, cluster::Distribution::kOpenSearch);
  EXPECT_EQ(info->version.major, 2);
  EXPECT_EQ(info->version.minor, 19);
  EXPECT_EQ(info->version.patch, 6);
  EXPECT_EQ(info->cluster_name, "c");
  ASSERT_TRUE(c.info().ok());
  EXPECT_EQ(server.requests().size(), 1u) << "cached";
  EXPECT_EQ(*server.requests()[0].header("Authorization"), "Basic x");
}

TEST(ClusterClient, InfoFallsBackToNodesWhenRootIs405) {
  LoopbackServer server([](const ServerRequest& r) {
    if (r.target == "/")
      return ServerResponse::json(405, R"({"error":"Incorrect HTTP method","status":405})");
    return ServerResponse::json(
        200, R"({"cluster_name":"e","nodes":{"x":{"version":"8.19.7","build_flavor":"default"}}})");
  });
  auto c = client_for(server);
  auto info = c.info();
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->distribution, cluster::Distribution::kElasticsearch);
  EXPECT_EQ(info->version.text, "8.19.7");
  EXPECT_EQ(info->cluster_name, "e");
}

// OpenSearch 1.x/2.x with compatibility.override_main_response_version=true answer GET / as
// "7.10.2" with neither distribution nor build_flavor (bodies as the stack's OpenSearch 1.3.20
// sends them); a real Elasticsearch 7.10.2 names its build_flavor.
TEST(ClusterClient, OpenSearchInCompatibilityModeIsStillOpenSearch) {
  struct Case {
    const char* root;
    const char* nodes;
    cluster::Distribution want;
    const char* version;
    size_t requests;
  } cases[] = {
      {R"({"cluster_name":"o","version":{"number":"7.10.2","build_type":"zip","minimum_index_compatibility_version":"6.0.0-beta1"}})",
       R"({"cluster_name":"o","nodes":{"n":{"version":"1.3.20"}}})",
       cluster::Distribution::kOpenSearch, "1.3.20", 2},
      {R"({"cluster_name":"o","version":{"number":"7.10.2","build_type":"zip"}})",
       R"({"cluster_name":"o","nodes":{"n":{"version":"2.19.6"}}})",
       cluster::Distribution::kOpenSearch, "2.19.6", 2},
      {R"({"cluster_name":"e","version":{"number":"7.10.2","build_flavor":"oss"}})", "",
       cluster::Distribution::kElasticsearch, "7.10.2", 1},
      // A front end that strips build_flavor everywhere: still the Elasticsearch it claims.
      {R"({"cluster_name":"e","version":{"number":"7.10.2"}})",
       R"({"cluster_name":"e","nodes":{"n":{"version":"7.10.2"}}})",
       cluster::Distribution::kElasticsearch, "7.10.2", 2},
  };
  for (const auto& k : cases) {
    LoopbackServer server([&](const ServerRequest& r) {
      if (r.target == "/") return ServerResponse::json(200, k.root);
      return ServerResponse::json(200, k.nodes);
    });
    auto c = client_for(server);
    auto info = c.info();
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->distribution, k.want) << k.root;
    EXPECT_EQ(info->version.text, k.version) << k.root;
    EXPECT_EQ(server.requests().size(), k.requests) << k.root;
  }
}

TEST(ClusterClient, StatusMapping) {
  LoopbackServer server([](const ServerRequest& r) {
    if (r.target.starts_with("/_snapshot/missing"))
      return ServerResponse::json(
          404,
          R"({"error":{"type":"repository_missing_exception","reason":"[missing] missing"},"status":404})");
    if (r.target == "/busy")
      return ServerResponse::json(
          400,
          R"({"error":{"type":"concurrent_snapshot_execution_exception","reason":"busy"},"status":400})");
    if (r.target == "/text") return ServerResponse::json(200, "not json");
    return ServerResponse::json(200, R"({"acknowledged":true})");
  });
  auto c = client_for(server);
  auto nf = c.json("GET", "/_snapshot/missing");
  ASSERT_FALSE(nf.ok());
  EXPECT_EQ(nf.error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(nf.error().remote);
  EXPECT_EQ(nf.error().remote->error_type, "repository_missing_exception");
  EXPECT_EQ(nf.error().message, "repository missing is not registered");
  auto busy = c.json("PUT", "/busy", nlohmann::json::object());
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.error().code, ErrorCode::kRemote);
  EXPECT_EQ(c.json("GET", "/text").error().code, ErrorCode::kParse);
  auto ok = c.json("PUT", "/x", nlohmann::json{{"a", 1}});
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE((*ok)["acknowledged"].get<bool>());
  const auto reqs = server.requests();
  EXPECT_EQ(reqs.back().body, R"({"a":1})");
  EXPECT_EQ(*reqs.back().header("Content-Type"), "application/json");
}

TEST(ClusterClient, VersionParseAndOrder) {
  auto v = cluster::Version::parse("7.10.2-SNAPSHOT");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->patch, 2);
  EXPECT_LT(*cluster::Version::parse("7.10.2"), *cluster::Version::parse("7.17.0"));
  EXPECT_LT(*cluster::Version::parse("2.19.6"), *cluster::Version::parse("3.0.0"));
  EXPECT_FALSE(cluster::Version::parse("abc").ok());
}

}  // namespace
}  // namespace essnap
