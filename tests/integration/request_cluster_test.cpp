// `essnap request` end to end against every stack engine (tests/support/stack_engines.hpp): index,
// bulk, search, date-math snapshot names, error lines and SigV4 (the engines ignore the
// signature, which is the point: the same request a managed domain would get, accepted).
// Absent stack: FAIL when CI=true, else skip.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "support/process.hpp"
#include "support/stack_engines.hpp"
#include "support/stack_env.hpp"

namespace essnap {
namespace {

using test::stack_var;

test::ProcessResult essnap(const std::string& url, const std::string& args) {
  test::Command c;  // stdin: /dev/null
  c.clear_env = true;
  c.env = {{"PATH", "/usr/bin:/bin"},
           {"HOME", "/nonexistent"},
           {"AWS_CONFIG_FILE", "/nonexistent"},
           {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"},
           {"AWS_EC2_METADATA_DISABLED", "true"},
           {"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
           {"AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"},
           {"ESSNAP_URL", url}};
  c.argv = test::argv({ESSNAP_BINARY, "request"}, args);
  return test::run(c);
}

class RequestCluster : public ::testing::TestWithParam<test::StackEngine> {
 protected:
  void SetUp() override {
    ESSNAP_REQUIRE_STACK(GetParam().url_var);
    url_ = stack_var(GetParam().url_var);
    index_ = "essnap-request-it-" + std::to_string(::getpid());
    essnap(url_, "DELETE /" + index_);
  }
  void TearDown() override {
    if (!url_.empty()) essnap(url_, "DELETE /" + index_);
  }
  std::string url_, index_;
};

TEST_P(RequestCluster, HealthPlainAndSigned) {
  for (const std::string auth : {"--auth none", "--auth aws --region us-east-1"}) {
    auto r = essnap(url_, "GET /_cluster/health " + auth);
    ASSERT_EQ(r.exit_code, 0) << auth << ": " << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_TRUE(j.contains("cluster_name")) << r.out;
  }
}

TEST_P(RequestCluster, IndexBulkSearchDelete) {
  auto put = essnap(url_, "PUT /" + index_ +
                              " --data '{\"settings\":{\"number_of_replicas\":0}}' --auth aws "
                              "--region us-east-1");
  ASSERT_EQ(put.exit_code, 0) << put.err;
  EXPECT_EQ(nlohmann::json::parse(put.out)["acknowledged"], true);

  const std::string bulk = ::testing::TempDir() + "/essnap-bulk-it.ndjson";
  {
    std::ofstream f(bulk);
    for (int i = 0; i < 50; ++i)
      f << "{\"index\":{\"_index\":\"" << index_ << "\",\"_id\":\"" << i << "\"}}\n"
        << "{\"n\":" << i << ",\"name\":\"doc " << i << "\"}\n";
  }
  auto b = essnap(url_, "POST '/_bulk?refresh=true' --data-file " + bulk);
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(nlohmann::json::parse(b.out)["errors"], false) << b.out.substr(0, 500);

  auto s = essnap(
      url_, "POST /" + index_ + "/_search --data '{\"query\":{\"range\":{\"n\":{\"gte\":40}}}}'");
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(nlohmann::json::parse(s.out)["hits"]["total"]["value"], 10);

  auto c = essnap(url_, "GET '/_cat/indices/" + index_ + "?h=index'");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.out, index_ + "\n");

  auto d = essnap(url_, "DELETE /" + index_);
  EXPECT_EQ(d.exit_code, 0) << d.err;
}

TEST_P(RequestCluster, ErrorsAreOneLine) {
  auto r = essnap(url_, "GET /" + index_ + "-missing/_search");
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_EQ(r.err,
            "essnap: HTTP 404 index_not_found_exception: no such index [" + index_ + "-missing]\n");
  EXPECT_EQ(r.out, "");

  auto bad = essnap(url_, "POST /_search --data '{\"query\":{\"nope\":{}}}'");
  EXPECT_EQ(bad.exit_code, 5);
  EXPECT_NE(bad.err.find("HTTP 400 "), std::string::npos) << bad.err;
  EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << bad.err;

  auto head = essnap(url_, "HEAD /" + index_ + "-missing");
  EXPECT_EQ(head.exit_code, 5);
  EXPECT_EQ(head.err, "essnap: HTTP 404: Not Found\n");
}

TEST_P(RequestCluster, DateMathNamesAreEncoded) {
  // The index name resolves server-side; it only works if '<', '{', '/' reached it encoded.
  auto r = essnap(
      url_, "PUT '/<" + index_ + "-{now/d}>' --data '{\"settings\":{\"number_of_replicas\":0}}'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string created = nlohmann::json::parse(r.out)["index"];
  EXPECT_TRUE(created.starts_with(index_ + "-20")) << created;
  auto d = essnap(url_, "DELETE /" + created);
  EXPECT_EQ(d.exit_code, 0) << d.err;
}

TEST_P(RequestCluster, VerboseTraceHasNoSecrets) {
  auto r = essnap(url_, "GET /_cluster/health -vv --auth aws --region us-east-1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("> Authorization: AWS4-HMAC-SHA256 Credential=****MPLE/"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("wJalrXUtnFEMI"), std::string::npos);
  EXPECT_EQ(r.err.find("AKIDEXAMPLE"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Engines, RequestCluster, test::stack_engines(), test::stack_engine_name);

}  // namespace
}  // namespace essnap
