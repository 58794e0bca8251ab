// The -v trace never shows a secret: headers, URLs and bodies are redacted.
#include <gtest/gtest.h>

#include <sstream>

#include "essnap/http/factory.hpp"
#include "essnap/http/redact.hpp"
#include "support/loopback_server.hpp"

namespace essnap::http {
namespace {

constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr const char* kToken = "IQoJb3JpZ2luX2VjEXAMPLETOKEN";
constexpr const char* kSignature =
    "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";

TEST(Redact, AwsAuthorizationKeepsScopeAndSignedHeadersOnly) {
  const std::string v = std::string(
                            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/es/"
                            "aws4_request, SignedHeaders=host;x-amz-date, Signature=") +
                        kSignature;
  const std::string out = redact_header_value("Authorization", v);
  EXPECT_EQ(out,
            "AWS4-HMAC-SHA256 Credential=****MPLE/20150830/us-east-1/es/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=[redacted]");
}

TEST(Redact, OtherSecretHeaders) {
  EXPECT_EQ(redact_header_value("authorization", "Basic dXNlcjpwYXNz"), "Basic [redacted]");
  EXPECT_EQ(redact_header_value("Authorization", "ApiKey abc=="), "ApiKey [redacted]");
  EXPECT_EQ(redact_header_value("X-Amz-Security-Token", kToken), "[redacted]");
  EXPECT_EQ(redact_header_value("Cookie", "session=abc"), "[redacted]");
  EXPECT_EQ(redact_header_value("Set-Cookie", "session=abc"), "[redacted]");
  EXPECT_EQ(redact_header_value("X-Api-Key", "abc"), "[redacted]");
  EXPECT_EQ(redact_header_value("Proxy-Authorization", "Basic abc"), "Basic [redacted]");
  EXPECT_EQ(redact_header_value("X-Amz-Date", "20150830T123600Z"), "20150830T123600Z");
  EXPECT_EQ(redact_header_value("X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD"), "UNSIGNED-PAYLOAD");
  EXPECT_EQ(redact_header_value("Content-Type", "application/json"), "application/json");
}

TEST(Redact, UrlUserInfoAndPresignedQuery) {
  EXPECT_EQ(redact_url("https://admin:hunter2@host:9200/x?y=1"),
            "https://[redacted]@host:9200/x?y=1");
  const std::string presigned =
      std::string(
          "https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
          "AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20150830T123600Z"
          "&X-Amz-Expires=900&X-Amz-Security-Token=") +
      kToken + "&X-Amz-SignedHeaders=host&X-Amz-Signature=" + kSignature;
  const std::string out = redact_url(presigned);
  EXPECT_EQ(out.find(kToken), std::string::npos) << out;
  EXPECT_EQ(out.find(kSignature), std::string::npos) << out;
  EXPECT_EQ(out.find("AKIDEXAMPLE"), std::string::npos) << out;
  EXPECT_NE(out.find("X-Amz-Credential=****MPLE%2F20150830%2Fus-east-1"), std::string::npos) << out;
  EXPECT_NE(out.find("X-Amz-Expires=900"), std::string::npos);
  EXPECT_NE(out.find("X-Amz-SignedHeaders=host"), std::string::npos);
  EXPECT_EQ(redact_url("http://h/_search?q=a&password=x&api_key=y&flag"),
            "http://h/_search?q=a&password=[redacted]&api_key=[redacted]&flag");
}

TEST(Redact, JsonBodies) {
  EXPECT_EQ(redact_body(R"({"password" : "p\"w", "user":"u","nested":{"secret_key":"s"}})"),
            R"({"password" : "[redacted]", "user":"u","nested":{"secret_key":"[redacted]"}})");
  EXPECT_EQ(
      redact_body(R"({"settings":{"access_key":"AKIA","session_token":"t","bucket":"b"}})"),
      R"({"settings":{"access_key":"[redacted]","session_token":"[redacted]","bucket":"b"}})");
  EXPECT_EQ(redact_body(R"({"password": "cut off)"), R"({"password": "[redacted]")");
  EXPECT_EQ(redact_body("not json \"x\" at all"), "not json \"x\" at all");
}

TEST(Redact, XmlBodiesFromStsAndIam) {
  const std::string sts =
      "<AssumeRoleResponse><AssumeRoleResult><Credentials>"
      "<AccessKeyId>ASIAEXAMPLE1234</AccessKeyId>"
      "<SecretAccessKey>wJalrXUtnFEMI/K7MDENG</SecretAccessKey>"
      "<SessionToken>FwoGZXIvYXdzEXAMPLE</SessionToken>"
      "<Expiration>2026-11-28T08:00:00Z</Expiration></Credentials>"
      "</AssumeRoleResult></AssumeRoleResponse>";
  const std::string out = redact_body(sts);
  EXPECT_EQ(out.find("wJalrXUtnFEMI"), std::string::npos) << out;
  EXPECT_EQ(out.find("FwoGZXIvYXdz"), std::string::npos) << out;
  EXPECT_NE(out.find("<SecretAccessKey>[redacted]</SecretAccessKey>"), std::string::npos) << out;
  EXPECT_NE(out.find("<Expiration>2026-11-28T08:00:00Z</Expiration>"), std::string::npos);
  // A truncated secret element drops the rest rather than leaking a prefix.
  EXPECT_EQ(redact_body("<a><SessionToken>abc"), "<a><SessionToken>[redacted]");
}

TEST(Redact, FormBodies) {
  EXPECT_EQ(
      redact_body("Action=AssumeRoleWithWebIdentity&WebIdentityToken=eyJhbGci&Version=2011-06-15"),
      "Action=AssumeRoleWithWebIdentity&WebIdentityToken=[redacted]&Version=2011-06-15");
  EXPECT_EQ(redact_body("user=bob&password=hunter2"), "user=bob&password=[redacted]");
}

TEST(Trace, RequestsAndResponsesAreTracedWithoutSecrets) {
  test::LoopbackServer server([](const test::ServerRequest&) {
    auto r = test::ServerResponse::json(200, R"({"password":"from-server","ok":true})");
    r.headers.emplace_back("Set-Cookie", "sid=server-cookie");
    return r;
  });
  std::ostringstream out;
  TransportOptions opts;
  opts.verbose = 2;
  opts.trace = &out;
  auto t = make_transport(opts);
  Request req{.method = "PUT", .url = server.url() + "/_security/user/x?token=querytoken"};
  req.headers = {{"Authorization", "Basic dXNlcjpodW50ZXIy"},
                 {"X-Amz-Security-Token", kToken},
                 {"Content-Type", "application/json"}};
  req.body = Body::from_string(R"({"password":"hunter2","roles":["admin"]})");
  auto r = t->send(req);
  ASSERT_TRUE(r.ok());
  const std::string trace = out.str();
  for (const char* secret :
       {"dXNlcjpodW50ZXIy", kToken, "hunter2", "querytoken", "from-server", "server-cookie"})
    EXPECT_EQ(trace.find(secret), std::string::npos) << secret << " leaked:\n" << trace;
  EXPECT_NE(trace.find("> PUT http://127.0.0.1:"), std::string::npos) << trace;
  EXPECT_NE(trace.find("< HTTP 200"), std::string::npos) << trace;
  EXPECT_NE(trace.find(R"("roles":["admin"])"), std::string::npos) << trace;
}

TEST(Trace, InsecureWarns) {
  std::ostringstream out;
  TransportOptions opts;
  opts.tls_verify = TlsVerify::kOff;
  opts.trace = &out;
  auto t = make_transport(opts);
  EXPECT_NE(out.str().find("warning: --insecure"), std::string::npos);
}

}  // namespace
}  // namespace essnap::http
