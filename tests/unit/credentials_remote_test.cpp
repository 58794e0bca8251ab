// The network credential sources end to end against loopback servers that follow each
// endpoint's documented protocol: IMDSv2/v1, the container endpoint, the SSO portal, and STS
// (AssumeRole, AssumeRoleWithWebIdentity) — through the real libcurl transport.
#include <gtest/gtest.h>
#include <openssl/sha.h>

#include <atomic>

#include "essnap/aws/credentials.hpp"
#include "support/aws_test_util.hpp"
#include "support/loopback_server.hpp"

namespace essnap::aws {
namespace {

using essnap::test::LoopbackServer;
using essnap::test::ServerRequest;
using essnap::test::ServerResponse;
using essnap::testing::TempHome;

ServerResponse text(int status, std::string body) {
  ServerResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

const char* kMetadataJson =
    R"({"Code": "Success", "AccessKeyId": "ASIAMETA000011112222", "SecretAccessKey": "metasecret",
        "Token": "metatoken", "Expiration": "2200-01-01T00:00:00Z"})";

std::string closed_port_url() {
  // Bind, learn the port, close: nothing listens there afterwards.
  std::string url;
  {
    LoopbackServer s([](const ServerRequest&) { return text(200, ""); });
    url = s.url();
  }
  return url;
}

// --- IMDS ---------------------------------------------------------------------------------

struct FakeImds {
  enum class Mode { kV2, kV1Only };
  Mode mode = Mode::kV2;
  std::string token = "imds-session-token";
  ServerResponse operator()(const ServerRequest& r) const {
    if (r.method == "PUT" && r.target == "/latest/api/token") {
      if (mode == Mode::kV1Only) return text(403, "");
      const auto* ttl = r.header("X-aws-ec2-metadata-token-ttl-seconds");
      if (!ttl) return text(400, "missing TTL");
      return text(200, token);
    }
    if (mode == Mode::kV2) {
      const auto* t = r.header("X-aws-ec2-metadata-token");
      if (!t || *t != token) return text(401, "");
    }
    if (r.target == "/latest/meta-data/iam/security-credentials/") return text(200, "web-role");
    if (r.target == "/latest/meta-data/iam/security-credentials/web-role")
      return text(200, kMetadataJson);
    if (r.target == "/latest/meta-data/placement/region") return text(200, "eu-west-3");
    return text(404, "");
  }
};

TEST(CredentialsImds, V2TokenThenRoleThenCredentials) {
  TempHome home;
  FakeImds imds;
  LoopbackServer server([&](const ServerRequest& r) { return imds(r); });
  MapEnvironment env({{"HOME", home.path()}, {"AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url()}});
  auto r = resolve_credentials({}, env);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->credentials.provider, "ec2-instance-metadata");
  EXPECT_EQ(r->credentials.access_key_id, "ASIAMETA000011112222");
  EXPECT_EQ(r->credentials.session_token, "metatoken");
  ASSERT_TRUE(r->credentials.expiration);
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].method, "PUT");
  EXPECT_EQ(*reqs[0].header("X-aws-ec2-metadata-token-ttl-seconds"), "21600");
  EXPECT_EQ(*reqs[1].header("X-aws-ec2-metadata-token"), "imds-session-token");
  EXPECT_EQ(*reqs[2].header("X-aws-ec2-metadata-token"), "imds-session-token");
}

TEST(CredentialsImds, V1FallbackOnlyWhenV2RefusedAndAllowed) {
  TempHome home;
  FakeImds imds;
  imds.mode = FakeImds::Mode::kV1Only;
  LoopbackServer server([&](const ServerRequest& r) { return imds(r); });
  MapEnvironment env({{"HOME", home.path()}, {"AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url()}});
  auto r = resolve_credentials({}, env);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->credentials.access_key_id, "ASIAMETA000011112222");
  for (const auto& req : server.requests())
    if (req.method == "GET") EXPECT_EQ(req.header("X-aws-ec2-metadata-token"), nullptr);

  MapEnvironment no_v1({{"HOME", home.path()},
                        {"AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url()},
                        {"AWS_EC2_METADATA_V1_DISABLED", "true"}});
  auto e = resolve_credentials({}, no_v1);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("AWS_EC2_METADATA_V1_DISABLED"), std::string::npos);
}

TEST(CredentialsImds, DisabledAndUnreachableAreSkipped) {
  TempHome home;
  MapEnvironment off({{"HOME", home.path()}, {"AWS_EC2_METADATA_DISABLED", "true"}});
  auto r = resolve_credentials({}, off);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("ec2-instance-metadata: skipped: AWS_EC2_METADATA_DISABLED"),
            std::string::npos);
  MapEnvironment gone(
      {{"HOME", home.path()}, {"AWS_EC2_METADATA_SERVICE_ENDPOINT", closed_port_url()}});
  auto g = resolve_credentials({}, gone);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code, ErrorCode::kNoCredentials);
  EXPECT_NE(g.error().message.find("no instance metadata service answered"), std::string::npos)
      << g.error().message;
}

// --- Container ----------------------------------------------------------------------------

TEST(CredentialsContainer, RelativeUriWithToken) {
  TempHome home;
  LoopbackServer server([](const ServerRequest& r) {
    if (r.target != "/v2/credentials/abc") return text(404, "");
    const auto* auth = r.header("Authorization");
    if (!auth || *auth != "Bearer-ish token")
      return ServerResponse::json(401, R"({"code":"Unauthorized","message":"bad token"})");
    return ServerResponse::json(200, kMetadataJson);
  });
  MapEnvironment env({{"HOME", home.path()},
                      {"AWS_EC2_METADATA_DISABLED", "true"},
                      {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc"},
                      {"ESSNAP_CONTAINER_CREDENTIALS_HOST", server.url()},
                      {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer-ish token"}});
  auto r = resolve_credentials({}, env);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->credentials.provider, "container");
  EXPECT_EQ(r->credentials.session_token, "metatoken");
}

TEST(CredentialsContainer, FullUriTokenFileWinsAndIsReread) {
  TempHome home;
  auto token_file = home.write("token", "file-token-1\n");
  std::atomic<int> calls{0};
  LoopbackServer server([&](const ServerRequest& r) {
    ++calls;
    const auto* auth = r.header("Authorization");
    if (!auth || auth->rfind("file-token-", 0) != 0) return text(403, "");
    return ServerResponse::json(200, kMetadataJson);
  });
  MapEnvironment env({{"HOME", home.path()},
                      {"AWS_EC2_METADATA_DISABLED", "true"},
                      {"AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url() + "/creds"},
                      {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "env-token-loses"},
                      {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file}});
  auto r = resolve_credentials({}, env);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*server.requests().at(0).header("Authorization"), "file-token-1");
  home.write("token", "file-token-2");
  auto again = resolve_credentials({}, env);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*server.requests().at(1).header("Authorization"), "file-token-2");
}

TEST(CredentialsContainer, FullUriMustBeLoopbackOrHttps) {
  TempHome home;
  MapEnvironment env({{"HOME", home.path()},
                      {"AWS_EC2_METADATA_DISABLED", "true"},
                      {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://203.0.113.7/creds"}});
  auto r = resolve_credentials({}, env);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("neither loopback"), std::string::npos);
}

TEST(CredentialsContainer, EndpointErrorFailsTheChain) {
  TempHome home;
  LoopbackServer server([](const ServerRequest&) {
    return ServerResponse::json(500, R"({"code":"InternalError","message":"agent down"})");
  });
  MapEnvironment env({{"HOME", home.path()},
                      {"AWS_EC2_METADATA_DISABLED", "true"},
                      {"AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url() + "/creds"}});
  auto r = resolve_credentials({}, env);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("agent down"), std::string::npos);
}

// --- SSO ----------------------------------------------------------------------------------

std::string sha1_hex(const std::string& s) {
  unsigned char md[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(s.data()), s.size(), md);
  char out[41];
  for (int i = 0; i < SHA_DIGEST_LENGTH; ++i) std::snprintf(out + 2 * i, 3, "%02x", md[i]);
  return out;
}

ServerResponse sso_portal(const ServerRequest& r) {
  const auto* bearer = r.header("x-amz-sso_bearer_token");
  if (!bearer || *bearer != "cached-access-token")
    return ServerResponse::json(401, R"({"message":"Session token not found or invalid"})");
  if (r.target.rfind("/federation/credentials?", 0) != 0 ||
      r.target.find("role_name=ReadOnly") == std::string::npos ||
      r.target.find("account_id=111122223333") == std::string::npos)
    return ServerResponse::json(404, R"({"message":"no such role"})");
  return ServerResponse::json(
      200, R"({"roleCredentials": {"accessKeyId": "ASIASSO0000111122223", "secretAccessKey":
      "ssosecret", "sessionToken": "ssotoken", "expiration": 7258118400000}})");
}

TEST(CredentialsSso, LegacyProfileWithCachedToken) {
  TempHome home;
  LoopbackServer portal(sso_portal);
  const std::string start = "https://example.awsapps.com/start";
  home.write(".aws/config", "[profile dev]\nsso_start_url = " + start +
                                "\nsso_region = us-east-1\nsso_account_id = 111122223333\n"
                                "sso_role_name = ReadOnly\n");
  home.write(".aws/sso/cache/" + sha1_hex(start) + ".json",
             R"({"accessToken": "cached-access-token", "expiresAt": "2200-01-01T00:00:00Z",
                 "region": "us-east-1", "startUrl": ")" +
                 start + "\"}");
  MapEnvironment env(
      {{"HOME", home.path()}, {"AWS_PROFILE", "dev"}, {"AWS_ENDPOINT_URL_SSO", portal.url()}});
  auto r = resolve_credentials({}, env);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->credentials.provider, "sso");
  EXPECT_EQ(r->credentials.access_key_id, "ASIASSO0000111122223");
  ASSERT_TRUE(r->credentials.expiration);
}

TEST(CredentialsSso, SsoSessionAndExpiredToken) {
  TempHome home;
  LoopbackServer portal(sso_portal);
  home.write(".aws/config",
             "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n"
             "sso_role_name = ReadOnly\n"
             "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
             "sso_region = eu-west-1\n");
  const auto cache = ".aws/sso/cache/" + sha1_hex("corp") + ".json";
  home.write(cache,
             R"({"accessToken": "cached-access-token", "expiresAt": "2200-01-01T00:00:00Z"})");
  MapEnvironment env(
      {{"HOME", home.path()}, {"AWS_PROFILE", "dev"}, {"AWS_ENDPOINT_URL_SSO", portal.url()}});
  auto r = resolve_credentials({}, env);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->credentials.provider, "sso");

  home.write(cache,
             R"({"accessToken": "cached-access-token", "expiresAt": "2001-01-01T00:00:00Z"})");
  auto e = resolve_credentials({}, env);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("SSO session expired"), std::string::npos);
  EXPECT_NE(e.error().hint.find("aws sso login --profile dev"), std::string::npos);
  EXPECT_EQ(e.error().message.find("cached-access-token"), std::string::npos);
}

// --- STS: assume-role and web identity against a stub that answers like STS ----------------

std::string assumed_xml(const std::string& action, const std::string& key_id) {
  return "<" + action + "Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><" + action +
         "Result><Credentials><AccessKeyId>" + key_id +
         "</AccessKeyId><SecretAccessKey>stssecret</SecretAccessKey><SessionToken>ststoken"
         "</SessionToken><Expiration>2200-01-01T00:00:00Z</Expiration></Credentials>"
         "<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn><AssumedRoleId>"
         "AROA:s</AssumedRoleId></AssumedRoleUser></" +
         action + "Result><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></" +
         action + "Response>";
}

struct FakeSts {
  ServerResponse operator()(const ServerRequest& r) const {
    if (r.body.find("Action=AssumeRoleWithWebIdentity") != std::string::npos)
      return text(200, assumed_xml("AssumeRoleWithWebIdentity", "ASIAWEB0000111122223"));
    if (r.body.find("Action=AssumeRole") != std::string::npos) {
      // Each hop gets a key id naming the role, so chained roles are visible.
      auto p = r.body.find("RoleArn=");
      auto arn = r.body.substr(p + 8, r.body.find('&', p) - p - 8);
      return text(200, assumed_xml("AssumeRole", "ASIA" + arn.substr(arn.size() - 8)));
    }
    return text(400, "<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>");
  }
};

TEST(CredentialsAssumeRole, SourceProfileChainSignedWithTheSourceKeys) {
  TempHome home;
  LoopbackServer sts(FakeSts{});
  home.write(".aws/credentials",
             "[base]\naws_access_key_id = AKIABASE000011112222\naws_secret_access_key = b\n");
  home.write(".aws/config",
             "[profile hop1]\nrole_arn = arn:aws:iam::123456789012:role/hop1role\n"
             "source_profile = base\n"
             "[profile hop2]\nrole_arn = arn:aws:iam::123456789012:role/hop2role\n"
             "source_profile = hop1\nrole_session_name = nightly\nexternal_id = ext-42\n"
             "duration_seconds = 1800\nregion = eu-west-1\n");
  MapEnvironment env({{"HOME", home.path()}, {"AWS_ENDPOINT_URL_STS", sts.url()}});
  CredentialOptions o;
  o.profile = "hop2";
  auto r = resolve_credentials(o, env);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->credentials.provider, "assume-role");
  EXPECT_EQ(r->credentials.access_key_id, "ASIAhop2role");
  auto reqs = sts.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_NE(reqs[0].body.find("role%2Fhop1role"), std::string::npos);
  EXPECT_NE(reqs[0].header("Authorization")->find("Credential=AKIABASE000011112222/"),
            std::string::npos);
  EXPECT_NE(reqs[1].header("Authorization")->find("Credential=ASIAhop1role/"), std::string::npos);
  EXPECT_NE(reqs[1].header("Authorization")->find("/eu-west-1/sts/aws4_request"),
            std::string::npos);
  EXPECT_NE(reqs[1].body.find("RoleSessionName=nightly"), std::string::npos);
  EXPECT_NE(reqs[1].body.find("ExternalId=ext-42"), std::string::npos);
  EXPECT_NE(reqs[1].body.find("DurationSeconds=1800"), std::string::npos);
  EXPECT_NE(reqs[1].header("X-Amz-Security-Token"), nullptr);
}

TEST(CredentialsAssumeRole, CycleIsDetected) {
  TempHome home;
  LoopbackServer sts(FakeSts{});
  home.write(".aws/config",
             "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
             "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n");
  MapEnvironment env({{"HOME", home.path()}, {"AWS_ENDPOINT_URL_STS", sts.url()}});
  CredentialOptions o;
  o.profile = "a";
  auto r = resolve_credentials(o, env);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("source_profile cycle: a -> b -> a"), std::string::npos)
      << r.error().message;
  EXPECT_TRUE(sts.requests().empty());
}

TEST(CredentialsAssumeRole, CredentialSourceEnvironment) {
  TempHome home;
  LoopbackServer sts(FakeSts{});
  home.write(".aws/config",
             "[profile envrole]\nrole_arn = arn:aws:iam::1:role/envrole1\n"
             "credential_source = Environment\n");
  MapEnvironment env({{"HOME", home.path()},
                      {"AWS_PROFILE", "envrole"},
                      {"AWS_ACCESS_KEY_ID", "AKIAENV0000111122223"},
                      {"AWS_SECRET_ACCESS_KEY", "e"},
                      {"AWS_ENDPOINT_URL_STS", sts.url()}});
  CredentialOptions o;
  o.profile = "envrole";  // --profile: the environment source steps aside, the role uses it
  auto r = resolve_credentials(o, env);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->credentials.access_key_id, "ASIAenvrole1");
  EXPECT_NE(sts.requests().at(0).header("Authorization")->find("AKIAENV0000111122223"),
            std::string::npos);
}

TEST(CredentialsAssumeRole, CredentialSourceEc2InstanceMetadata) {
  TempHome home;
  LoopbackServer sts(FakeSts{});
  FakeImds fake;
  LoopbackServer imds([&](const ServerRequest& r) { return fake(r); });
  home.write(".aws/config",
             "[default]\nrole_arn = arn:aws:iam::1:role/ec2role1\n"
             "credential_source = Ec2InstanceMetadata\n");
  MapEnvironment env({{"HOME", home.path()},
                      {"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url()},
                      {"AWS_ENDPOINT_URL_STS", sts.url()}});
  auto r = resolve_credentials({}, env);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->credentials.access_key_id, "ASIAec2role1");
  EXPECT_NE(sts.requests().at(0).header("Authorization")->find("ASIAMETA000011112222"),
            std::string::npos);
}

TEST(CredentialsAssumeRole, AccessDeniedSaysWhatToDo) {
  TempHome home;
  LoopbackServer sts([](const ServerRequest&) {
    return text(403,
                "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not "
                "authorized to perform sts:AssumeRole</Message></Error><RequestId>rid-9"
                "</RequestId></ErrorResponse>");
  });
  home.write(".aws/config",
             "[default]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = default\n"
             "aws_access_key_id = AKIASELF000011112222\naws_secret_access_key = selfsecret\n");
  MapEnvironment env({{"HOME", home.path()}, {"AWS_ENDPOINT_URL_STS", sts.url()}});
  auto r = resolve_credentials({}, env);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("AccessDenied"), std::string::npos);
  EXPECT_NE(r.error().hint.find("trust policy"), std::string::npos);
  ASSERT_TRUE(r.error().remote);
  EXPECT_EQ(r.error().remote->request_id, "rid-9");
  EXPECT_EQ(r.error().message.find("selfsecret"), std::string::npos);
}

TEST(CredentialsWebIdentity, EnvironmentVariablesUnsignedCall) {
  TempHome home;
  LoopbackServer sts(FakeSts{});
  auto token = home.write("token", "eyJhbGciOiJSUzI1NiJ9.payload.sig\n");
  MapEnvironment env({{"HOME", home.path()},
                      {"AWS_WEB_IDENTITY_TOKEN_FILE", token},
                      {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/irsa"},
                      {"AWS_ROLE_SESSION_NAME", "pod-1"},
                      {"AWS_ENDPOINT_URL_STS", sts.url()}});
  auto r = resolve_credentials({}, env);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->credentials.provider, "web-identity");
  EXPECT_EQ(r->credentials.access_key_id, "ASIAWEB0000111122223");
  const auto req = sts.requests().at(0);
  EXPECT_EQ(req.header("Authorization"), nullptr);
  EXPECT_NE(req.body.find("WebIdentityToken=eyJhbGciOiJSUzI1NiJ9.payload.sig"), std::string::npos);
  EXPECT_NE(req.body.find("RoleSessionName=pod-1"), std::string::npos);
}

TEST(CredentialsWebIdentity, ProfileKeys) {
  TempHome home;
  LoopbackServer sts(FakeSts{});
  auto token = home.write("token", "tok");
  home.write(".aws/config",
             "[profile k8s]\nrole_arn = arn:aws:iam::1:role/irsa\n"
             "web_identity_token_file = " +
                 token + "\n");
  MapEnvironment env(
      {{"HOME", home.path()}, {"AWS_PROFILE", "k8s"}, {"AWS_ENDPOINT_URL_STS", sts.url()}});
  auto r = resolve_credentials({}, env);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->credentials.provider, "web-identity");
}

}  // namespace
}  // namespace essnap::aws
