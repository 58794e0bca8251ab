// `essnap sign` as a user runs it: the binary, a controlled environment, stdout/stderr/exit code.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/process.hpp"

namespace essnap {
namespace {

// The AWS SigV4 suite's credentials; get-vanilla's expected signature is public.
const std::string kEnv =
    "PATH=/usr/bin:/bin HOME=/nonexistent AWS_ACCESS_KEY_ID=AKIDEXAMPLE "
    "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY "
    "AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent "
    "AWS_EC2_METADATA_DISABLED=true ";

// `essnap sign ARGS` in an environment of exactly `env` (NAME=value words).
test::ProcessResult sign(const std::string& args, const std::string& env = kEnv) {
  test::Command c;
  c.clear_env = true;
  c.env = test::env_words(env);
  c.argv = test::argv({ESSNAP_BINARY, "sign"}, args);
  return test::run(c);
}
const std::string kVanilla =
    "--service service --region us-east-1 --url https://example.amazonaws.com/ "
    "--date 20150830T123600Z ";

TEST(CliSign, PrintsTheHeadersOfTheAwsSuiteVanillaCase) {
  auto r = sign(kVanilla);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "Authorization: AWS4-HMAC-SHA256 "
            "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\n"
            "X-Amz-Date: 20150830T123600Z\n");
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out.find("wJalrXUtnFEMI"), std::string::npos);
}

TEST(CliSign, ShowCanonicalAndStringToSign) {
  auto c = sign(kVanilla + "--show canonical");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.out,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n");
  auto s = sign(kVanilla + "--show string-to-sign");
  ASSERT_EQ(s.exit_code, 0);
  EXPECT_EQ(s.out,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63\n");
}

TEST(CliSign, SessionTokenAndContentHashForAoss) {
  auto r = sign(
      "--service aoss --region eu-west-1 -X PUT "
      "--url https://abc.eu-west-1.aoss.amazonaws.com/i/_doc/1 "
      "-H 'Content-Type: application/json' --data '{\"a\":1}'",
      kEnv + "AWS_SESSION_TOKEN=tok123");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("X-Amz-Security-Token: tok123\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("X-Amz-Content-SHA256: "
                       "015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;"
                       "x-amz-security-token"),
            std::string::npos)
      << r.out;
}

TEST(CliSign, DataFileHashesLikeData) {
  const std::string path = ::testing::TempDir() + "/essnap_cli_sign.json";
  std::ofstream(path) << "{\"a\":1}";
  auto a = sign(kVanilla + "-X PUT --data-file " + path);
  auto b = sign(kVanilla + "-X PUT --data '{\"a\":1}'");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
}

TEST(CliSign, PresignAndJson) {
  auto p = sign(
      "--service s3 --region us-east-1 --url https://examplebucket.s3.amazonaws.com/test.txt "
      "--date 20130524T000000Z --presign --expires 86400");
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_TRUE(p.out.starts_with("https://examplebucket.s3.amazonaws.com/test.txt?")) << p.out;
  EXPECT_NE(p.out.find("X-Amz-Expires=86400"), std::string::npos);
  EXPECT_NE(p.out.find("X-Amz-Signature="), std::string::npos);

  auto j = sign(kVanilla + "--output json");
  ASSERT_EQ(j.exit_code, 0) << j.err;
  auto doc = nlohmann::json::parse(j.out);
  EXPECT_EQ(doc["signature"], "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  EXPECT_EQ(doc["headers"]["X-Amz-Date"], "20150830T123600Z");
  EXPECT_EQ(doc["signed_headers"], "host;x-amz-date");
}

TEST(CliSign, ShowCurlReproducesTheRequest) {
  auto r = sign(kVanilla +
                "-X POST -H 'Content-Type: application/json' --data "
                "'{\"q\":\"it'\\''s\"}' --show curl");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("curl -X POST 'https://example.amazonaws.com/'")) << r.out;
  EXPECT_NE(r.out.find("-H 'Content-Type: application/json'"), std::string::npos);
  EXPECT_NE(r.out.find("-H 'Authorization: AWS4-HMAC-SHA256 "), std::string::npos);
  EXPECT_NE(r.out.find("--data-binary '{\"q\":\"it'\\''s\"}'"), std::string::npos) << r.out;
}

TEST(CliSign, ErrorsAreOneLineWithDocumentedExitCodes) {
  struct Case {
    std::string args;
    int exit_code;
    std::string needle;
  };
  const Case cases[] = {
      {kVanilla + "--bogus", 2, "--bogus"},
      {"--service es --region us-east-1 --url not-a-url", 2, "--url"},
      {"--service es --region us-east-1 --url https://h/ --date 2015-08-30", 2, "--date"},
      {"--service es --region us-east-1 --url https://h/ --data-file /nonexistent/x", 6,
       "/nonexistent/x"},
      {"--service es --region us-east-1 --url https://h/ -H NoColon", 2, "-H"},
      {"--service s3 --region us-east-1 --url https://h/ --presign --expires 0", 2, "--expires"},
      {"--region us-east-1 --url https://h/", 2, "--service"},
  };
  for (const auto& c : cases) {
    auto r = sign(c.args);
    EXPECT_EQ(r.exit_code, c.exit_code) << c.args << "\n" << r.err;
    EXPECT_TRUE(r.out.empty()) << c.args;
    EXPECT_NE(r.err.find(c.needle), std::string::npos) << c.args << "\n" << r.err;
    EXPECT_EQ(r.err.find("terminate"), std::string::npos);
  }
}

TEST(CliSign, NoCredentialsNamesTheSourcesAndExits3) {
  auto r = sign(kVanilla,
                "PATH=/usr/bin:/bin HOME=/nonexistent AWS_CONFIG_FILE=/nonexistent "
                "AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_EC2_METADATA_DISABLED=true");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("environment"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(CliSign, HelpHasExamples) {
  auto r = test::run({ESSNAP_BINARY, "sign", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("EXAMPLES"), std::string::npos);
  EXPECT_NE(r.out.find("EXIT STATUS"), std::string::npos);
}

}  // namespace
}  // namespace essnap
