#include <gtest/gtest.h>

#include "essnap/aws/credentials.hpp"
#include "support/aws_test_util.hpp"

namespace essnap::aws {
namespace {

using essnap::testing::TempHome;

TEST(CredentialsChain, EnvironmentKeysWin) {
  TempHome home;
  MapEnvironment env({{"HOME", home.path()},
                      {"AWS_ACCESS_KEY_ID", "AKIAENVEXAMPLE1234"},
                      {"AWS_SECRET_ACCESS_KEY", "envsecret"},
                      {"AWS_SESSION_TOKEN", "envtoken"}});
  auto r = resolve_credentials({}, env);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->credentials.access_key_id, "AKIAENVEXAMPLE1234");
  EXPECT_EQ(r->credentials.secret_access_key, "envsecret");
  EXPECT_EQ(r->credentials.session_token, "envtoken");
  EXPECT_EQ(r->credentials.provider, "environment");
  ASSERT_EQ(r->attempts.size(), 1u);
  EXPECT_EQ(r->attempts[0].outcome, "used");
}

TEST(CredentialsChain, EnvironmentExpiration) {
  TempHome home;
  MapEnvironment env({{"HOME", home.path()},
                      {"AWS_ACCESS_KEY_ID", "AKIAENVEXAMPLE1234"},
                      {"AWS_SECRET_ACCESS_KEY", "envsecret"},
                      {"AWS_CREDENTIAL_EXPIRATION", "2999-01-02T03:04:05Z"}});
  auto r = resolve_credentials({}, env);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(r->credentials.expiration.has_value());

  MapEnvironment expired({{"HOME", home.path()},
                          {"AWS_ACCESS_KEY_ID", "AKIAENVEXAMPLE1234"},
                          {"AWS_SECRET_ACCESS_KEY", "envsecret"},
                          {"AWS_CREDENTIAL_EXPIRATION", "2001-01-02T03:04:05Z"}});
  auto e = resolve_credentials({}, expired);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("expired"), std::string::npos);
  EXPECT_EQ(e.error().message.find("envsecret"), std::string::npos);
}

TEST(CredentialsChain, HalfAnEnvironmentPairFails) {
  TempHome home;
  MapEnvironment env({{"HOME", home.path()}, {"AWS_ACCESS_KEY_ID", "AKIAENVEXAMPLE1234"}});
  auto r = resolve_credentials({}, env);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("AWS_SECRET_ACCESS_KEY is not"), std::string::npos);
}

TEST(CredentialsChain, SharedCredentialsFileProfiles) {
  TempHome home;
  home.write(".aws/credentials",
             "[default]\naws_access_key_id = AKIADEFAULT00001111\naws_secret_access_key = s1\n"
             "[work]\naws_access_key_id=AKIAWORK000022223333\naws_secret_access_key=s2\n"
             "aws_session_token = t2\n");
  MapEnvironment env({{"HOME", home.path()}});
  auto r = resolve_credentials({}, env);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->credentials.access_key_id, "AKIADEFAULT00001111");
  EXPECT_EQ(r->credentials.provider, "shared-credentials-file");

  CredentialOptions o;
  o.profile = "work";
  auto w = resolve_credentials(o, env);
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_EQ(w->credentials.access_key_id, "AKIAWORK000022223333");
  EXPECT_EQ(w->credentials.session_token, "t2");
  EXPECT_EQ(w->profile_source, "--profile");

  MapEnvironment by_env({{"HOME", home.path()}, {"AWS_PROFILE", "work"}});
  auto e = resolve_credentials({}, by_env);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->credentials.access_key_id, "AKIAWORK000022223333");
  MapEnvironment by_default_env({{"HOME", home.path()}, {"AWS_DEFAULT_PROFILE", "work"}});
  auto d = resolve_credentials({}, by_default_env);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->credentials.access_key_id, "AKIAWORK000022223333");
}

TEST(CredentialsChain, ExplicitProfileBeatsEnvironmentKeys) {
  TempHome home;
  home.write(".aws/credentials",
             "[work]\naws_access_key_id=AKIAWORK000022223333\naws_secret_access_key=s2\n");
  MapEnvironment env({{"HOME", home.path()},
                      {"AWS_ACCESS_KEY_ID", "AKIAENVEXAMPLE1234"},
                      {"AWS_SECRET_ACCESS_KEY", "envsecret"}});
  CredentialOptions o;
  o.profile = "work";
  auto r = resolve_credentials(o, env);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->credentials.access_key_id, "AKIAWORK000022223333");
  EXPECT_EQ(r->attempts[0].outcome.rfind("skipped", 0), 0u);
}

TEST(CredentialsChain, SharedCredentialsFileFromVariable) {
  TempHome home;
  auto path = home.write("elsewhere/creds",
                         "[default]\naws_access_key_id=AKIAELSEWHERE0000\n"
                         "aws_secret_access_key=s\n");
  MapEnvironment env({{"HOME", home.path()}, {"AWS_SHARED_CREDENTIALS_FILE", path}});
  auto r = resolve_credentials({}, env);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->credentials.access_key_id, "AKIAELSEWHERE0000");
}

TEST(CredentialsChain, ConfigFileStaticKeys) {
  TempHome home;
  home.write(".aws/config",
             "[profile cfg]\naws_access_key_id=AKIACONFIG00001111\naws_secret_access_key=s\n");
  MapEnvironment env({{"HOME", home.path()}, {"AWS_PROFILE", "cfg"}});
  auto r = resolve_credentials({}, env);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->credentials.provider, "config-file");
}

TEST(CredentialsChain, NoCredentialsListsEverySource) {
  TempHome home;
  MapEnvironment env({{"HOME", home.path()}, {"AWS_EC2_METADATA_DISABLED", "true"}});
  auto r = resolve_credentials({}, env);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNoCredentials);
  for (const char* name :
       {"environment", "assume-role", "web-identity", "sso", "shared-credentials-file",
        "credential-process", "config-file", "container", "ec2-instance-metadata"})
    EXPECT_NE(r.error().message.find(std::string(name) + ":"), std::string::npos) << name;
  EXPECT_NE(r.error().message.find("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set"),
            std::string::npos);
}

TEST(CredentialsChain, CredentialProcess) {
  TempHome home;
  auto script =
      home.script("bin/creds.sh",
                  "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIAPROCESS00001111\", "
                  "\"SecretAccessKey\": \"psecret\", \"SessionToken\": \"ptoken\", "
                  "\"Expiration\": \"2999-01-01T00:00:00Z\"}'\n");
  home.write(".aws/config", "[default]\ncredential_process = " + script + "\n");
  MapEnvironment env({{"HOME", home.path()}});
  auto r = resolve_credentials({}, env);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->credentials.provider, "credential-process");
  EXPECT_EQ(r->credentials.session_token, "ptoken");
  ASSERT_TRUE(r->credentials.expiration);
}

TEST(CredentialsChain, CredentialProcessBadOutputNeverEchoed) {
  TempHome home;
  auto script = home.script(
      "bin/creds.sh", "#!/bin/sh\necho '{\"Version\": 2, \"SecretAccessKey\": \"psecret\"}'\n");
  home.write(".aws/config", "[default]\ncredential_process = " + script + "\n");
  MapEnvironment env({{"HOME", home.path()}});
  auto r = resolve_credentials({}, env);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("Version"), std::string::npos);
  EXPECT_EQ(r.error().message.find("psecret"), std::string::npos);
  EXPECT_EQ(r.error().hint.find("psecret"), std::string::npos);
}

TEST(CredentialsChain, DefaultChainProviderServesCredentials) {
  TempHome home;
  MapEnvironment env({{"HOME", home.path()},
                      {"AWS_ACCESS_KEY_ID", "AKIAENVEXAMPLE1234"},
                      {"AWS_SECRET_ACCESS_KEY", "envsecret"}});
  auto p = make_default_chain({}, env);
  auto c = p->credentials();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->access_key_id, "AKIAENVEXAMPLE1234");
}

TEST(CredentialsChain, RedactKeyId) {
  EXPECT_EQ(redact_key_id("AKIAIOSFODNN7EXAMPLE"), "****MPLE");
  EXPECT_EQ(redact_key_id("short"), "****");
}

}  // namespace
}  // namespace essnap::aws
