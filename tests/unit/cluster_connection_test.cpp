// ConnectionSpec -> Connection: the one place a cluster is opened, for flags and config alike.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>

#include "essnap/cluster/connection.hpp"
#include "essnap/http/request_target.hpp"
#include "essnap/schedule/config.hpp"

namespace essnap::cluster {
namespace {

std::string authorization(const Connection& c) {
  for (const auto& [k, v] : c.auth_headers())
    if (k == "Authorization") return v;
  return "";
}

TEST(ClusterConnection, AuthKindsAndDefaults) {
  EXPECT_EQ(parse_auth_kind("").value(), AuthKind::kAuto);
  EXPECT_EQ(parse_auth_kind("apikey").value(), AuthKind::kApiKey);
  EXPECT_EQ(parse_auth_kind("kerberos").error().code, ErrorCode::kInvalidArgument);

  ConnectionSpec none;
  none.url = "http://127.0.0.1:9200";
  auto c = open_connection(none);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE((*c)->auth_headers().empty());
  EXPECT_FALSE((*c)->signing().has_value());
  EXPECT_EQ((*c)->url(), "http://127.0.0.1:9200");
  EXPECT_NE((*c)->make_client(), nullptr);

  ConnectionSpec no_url;
  EXPECT_EQ(open_connection(no_url).error().code, ErrorCode::kInvalidArgument);
  ConnectionSpec bad_url;
  bad_url.url = "ht!tp://x";
  EXPECT_FALSE(open_connection(bad_url).ok());
}

TEST(ClusterConnection, SecretsComeFromTheirSourcesNeverTheSpec) {
  ::setenv("ESSNAP_TEST_CONN_PW", "s3cret", 1);
  ConnectionSpec basic;
  basic.url = "http://127.0.0.1:9200";
  basic.auth = AuthKind::kBasic;
  basic.user = "elastic";
  basic.password = {"ESSNAP_TEST_CONN_PW", ""};
  auto c = open_connection(basic);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(authorization(**c), http::basic_authorization("elastic", "s3cret").value());

  // From a file: its first line, the newline dropped.
  const std::string file = "/tmp/essnap-conn-key-" + std::to_string(::getpid());
  std::ofstream(file) << "a2V5OnNlY3JldA==\n";
  ConnectionSpec key;
  key.name = "prod";
  key.url = "http://127.0.0.1:9200";
  key.auth = AuthKind::kApiKey;
  key.api_key = {"", file};
  auto k = open_connection(key);
  ASSERT_TRUE(k.ok()) << k.error().message;
  EXPECT_EQ(authorization(**k), http::apikey_authorization("a2V5OnNlY3JldA=="));
  ::unlink(file.c_str());

  // A configured cluster whose variable is unset: no credentials, naming it and the cluster.
  ::unsetenv("ESSNAP_TEST_CONN_PW");
  basic.name = "prod";
  auto missing = open_connection(basic);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNoCredentials);
  EXPECT_NE(missing.error().message.find("cluster 'prod'"), std::string::npos);
  EXPECT_NE(missing.error().message.find("ESSNAP_TEST_CONN_PW"), std::string::npos);
  // On the command line an unset password variable is asked for instead.
  basic.name.clear();
  basic.prompt_password = [](const std::string& user) -> Result<std::string> {
    return user + "-typed";
  };
  auto prompted = open_connection(basic);
  ASSERT_TRUE(prompted.ok());
  EXPECT_EQ(authorization(**prompted),
            http::basic_authorization("elastic", "elastic-typed").value());
  // Basic auth without a user is a usage error.
  basic.user.clear();
  EXPECT_EQ(open_connection(basic).error().code, ErrorCode::kInvalidArgument);
}

TEST(ClusterConnection, AConfiguredClusterMapsOntoASpec) {
  schedule::ClusterConfig c;
  c.name = "logs";
  c.url = "https://127.0.0.1:9243";
  c.auth = "apikey";
  c.api_key_env = "LOGS_KEY";
  c.insecure = true;
  c.region = "eu-west-1";
  auto spec = schedule::connection_spec(c, 1);
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->name, "logs");
  EXPECT_EQ(spec->auth, AuthKind::kApiKey);
  EXPECT_EQ(spec->api_key.env, "LOGS_KEY");
  EXPECT_TRUE(spec->insecure);
  EXPECT_EQ(spec->region, "eu-west-1");
  EXPECT_FALSE(spec->prompt_password);  // a scheduler never prompts
  EXPECT_EQ(spec->timeouts.overall, std::chrono::seconds(120));
  c.auth = "nonsense";
  EXPECT_FALSE(schedule::connection_spec(c, 0).ok());
}

}  // namespace
}  // namespace essnap::cluster
