// `essnap request` as a user runs it, against the in-process loopback server.
#include <gtest/gtest.h>

#include <fstream>

#include "support/loopback_server.hpp"
#include "support/process.hpp"

namespace essnap {
namespace {

using test::LoopbackServer;
using test::run;
using test::ServerRequest;
using test::ServerResponse;

// The whole environment of every run (with the case's own NAME=value words).
const std::string kBase =
    "PATH=/usr/bin:/bin HOME=/nonexistent AWS_CONFIG_FILE=/nonexistent "
    "AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_EC2_METADATA_DISABLED=true ";
const std::string kKeys =
    "AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY "
    "AWS_SESSION_TOKEN=sessiontokenvalue ";

test::Command request_command(const std::string& env, const std::string& args) {
  test::Command c;
  c.clear_env = true;
  c.env = test::env_words(kBase + env);
  c.argv = test::argv({ESSNAP_BINARY, "request"}, args);
  return c;
}

ServerResponse ok_json(const ServerRequest&) {
  return ServerResponse::json(200, R"({"cluster_name":"test","version":{"number":"2.19.0"}})");
}

TEST(CliRequest, PrintsTheBodyAsReceived) {
  LoopbackServer server(ok_json);
  auto r = run(request_command("", "GET / --url " + server.url()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, R"({"cluster_name":"test","version":{"number":"2.19.0"}})");
  EXPECT_EQ(r.err, "");
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].header("Authorization"), nullptr) << "--auth none for a non-AWS host";
}

TEST(CliRequest, UrlFromEnvironmentAndPathEncoding) {
  LoopbackServer server(ok_json);
  auto r = run(request_command("ESSNAP_URL=" + server.url() + "/prefix/ ",
                               "put '/_snapshot/repo/<snap-{now/d}>?wait_for_completion=true'"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto reqs = server.requests();
  EXPECT_EQ(reqs[0].method, "PUT");
  EXPECT_EQ(reqs[0].target,
            "/prefix/_snapshot/repo/%3Csnap-%7Bnow%2Fd%7D%3E?wait_for_completion=true");
}

TEST(CliRequest, HttpErrorIsOneLineAndExit5) {
  LoopbackServer server([](const ServerRequest&) {
    auto r = ServerResponse::json(
        404,
        R"({"error":{"root_cause":[{"type":"index_not_found_exception","reason":"no such index [x]"}],)"
        R"("type":"index_not_found_exception","reason":"no such index [x]"},"status":404})");
    r.headers.emplace_back("x-amzn-RequestId", "rid-1");
    return r;
  });
  auto r = run(request_command("", "GET /x/_search --url " + server.url()));
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_EQ(r.err, "essnap: HTTP 404 index_not_found_exception: no such index [x]\n");
  EXPECT_EQ(r.out, "");
}

TEST(CliRequest, AwsAuthSignsWithTheChainsCredentials) {
  LoopbackServer server(ok_json);
  auto r =
      run(request_command(kKeys, "POST /idx/_search --auth aws --region eu-west-1 --url " +
                                     server.url() + " --data '{\"query\":{\"match_all\":{}}}'"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto req = server.requests().at(0);
  ASSERT_NE(req.header("Authorization"), nullptr);
  EXPECT_TRUE(req.header("Authorization")->starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"))
      << *req.header("Authorization");
  EXPECT_NE(req.header("Authorization")->find("/eu-west-1/es/aws4_request"), std::string::npos);
  EXPECT_EQ(*req.header("X-Amz-Security-Token"), "sessiontokenvalue");
  EXPECT_EQ(*req.header("Content-Type"), "application/json");
  EXPECT_EQ(req.header("X-Amz-Content-SHA256"), nullptr) << "es does not need it";
  EXPECT_EQ(req.body, R"({"query":{"match_all":{}}})");
}

TEST(CliRequest, AossSendsTheContentHash) {
  LoopbackServer server(ok_json);
  auto r = run(request_command(
      kKeys, "GET / --auth aws --service aoss --region us-east-1 --url " + server.url()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto req = server.requests().at(0);
  EXPECT_NE(req.header("Authorization")->find("/us-east-1/aoss/aws4_request"), std::string::npos);
  ASSERT_NE(req.header("X-Amz-Content-SHA256"), nullptr);
}

TEST(CliRequest, BulkIsNdjsonAndDataFileIsStreamed) {
  LoopbackServer server(ok_json);
  const std::string path = ::testing::TempDir() + "/essnap_bulk.ndjson";
  std::ofstream(path) << "{\"index\":{\"_index\":\"i\"}}\n{\"f\":1}\n";
  auto r = run(request_command("", "POST /_bulk --url " + server.url() + " --data-file " + path));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto req = server.requests().at(0);
  EXPECT_EQ(*req.header("Content-Type"), "application/x-ndjson");
  EXPECT_EQ(req.body, "{\"index\":{\"_index\":\"i\"}}\n{\"f\":1}\n");
}

TEST(CliRequest, BasicAndApiKey) {
  LoopbackServer server(ok_json);
  auto b = run(request_command("ESSNAP_PASSWORD=hunter2 ",
                               "GET / --auth basic --user elastic --url " + server.url()));
  ASSERT_EQ(b.exit_code, 0) << b.err;
  auto k = run(request_command("ESSNAP_API_KEY=a2V5OnNlY3JldA== ",
                               "GET / --auth apikey --url " + server.url()));
  ASSERT_EQ(k.exit_code, 0) << k.err;
  const auto reqs = server.requests();
  EXPECT_EQ(*reqs.at(0).header("Authorization"), "Basic ZWxhc3RpYzpodW50ZXIy");
  EXPECT_EQ(*reqs.at(1).header("Authorization"), "ApiKey a2V5OnNlY3JldA==");
}

TEST(CliRequest, VerboseTraceRedactsEverySecret) {
  LoopbackServer server(ok_json);
  for (const std::string& env_args :
       {kKeys + "| GET / --auth aws --region us-east-1",
        std::string("ESSNAP_PASSWORD=hunter2 | GET / --auth basic --user elastic"),
        std::string("ESSNAP_API_KEY=a2V5OnNlY3JldA== | GET / --auth apikey")}) {
    const auto bar = env_args.find('|');
    auto r = run(request_command(
        env_args.substr(0, bar),
        env_args.substr(bar + 2) + " -vv --url " + server.url() + " -H 'Cookie: sid=cookievalue'"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("> GET "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("< HTTP 200"), std::string::npos) << r.err;
    for (const char* secret :
         {"wJalrXUtnFEMI", "sessiontokenvalue", "hunter2", "ZWxhc3RpYzpodW50ZXIy",
          "a2V5OnNlY3JldA==", "cookievalue", "AKIDEXAMPLE"})
      EXPECT_EQ(r.err.find(secret), std::string::npos) << secret << " leaked:\n" << r.err;
  }
}

TEST(CliRequest, DefaultAuthIsAwsForAwsHosts) {
  // No credentials and an AWS host: --auth aws is implied, so the error is about credentials.
  auto r = run(request_command("", "GET / --url https://search-x-abc.us-east-1.es.amazonaws.com"));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("environment"), std::string::npos) << r.err;
}

TEST(CliRequest, UsageAndLocalErrors) {
  LoopbackServer server(ok_json);
  struct Case {
    std::string env, args;
    int exit_code;
    std::string needle;
  };
  const Case cases[] = {
      {"", "GET /", 2, "ESSNAP_URL"},
      {"", "GET / --url ftp://x", 2, "--url"},
      {"", "GET / --url http://h --bogus", 2, "--bogus"},
      {"", "PUT /x --url " + server.url() + " --data-file /nonexistent/b.json", 6,
       "/nonexistent/b.json"},
      {"", "GET / --url " + server.url() + " --auth apikey", 3, "ESSNAP_API_KEY"},
      {"", "GET / --url " + server.url() + " --auth basic", 2, "--user"},
      {"", "GET / --url " + server.url() + " --auth aws --region us-east-1", 3, "environment"},
      {"", "GET / --url http://127.0.0.1:1 --connect-timeout 1", 4, "could not connect"},
  };
  for (const auto& c : cases) {
    auto r = run(request_command(c.env, c.args));
    EXPECT_EQ(r.exit_code, c.exit_code) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << c.args << "\n" << r.err;
    EXPECT_EQ(r.err.find("terminate"), std::string::npos);
  }
  EXPECT_TRUE(server.requests().empty()) << "no error case may reach the server";
}

TEST(CliRequest, HelpHasExamples) {
  auto r = run({ESSNAP_BINARY, "request", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("EXAMPLES"), std::string::npos);
  EXPECT_NE(r.out.find("aws for AWS endpoint hosts"), std::string::npos);
}

}  // namespace
}  // namespace essnap
