// `essnap setup` as a user meets it, without servers: help with examples, bad input refused
// offline with the documented exit code, --print-policies, and no secret in any output.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "essnap/cluster/repository.hpp"
#include "support/process.hpp"

namespace essnap {
namespace {

const std::string kSetupEnv =
    "PATH=/usr/bin:/bin HOME=/nonexistent AWS_CONFIG_FILE=/nonexistent "
    "AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_EC2_METADATA_DISABLED=true "
    "AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY "
    "AWS_ENDPOINT_URL=http://127.0.0.1:1 ";

test::ProcessResult setup_essnap(const std::string& args) {
  test::Command c;
  c.clear_env = true;
  c.env = test::env_words(kSetupEnv);
  c.argv = test::argv({ESSNAP_BINARY}, args);
  return test::run(c);
}

TEST(SetupCli, HelpHasExamplesAndExitStatus) {
  auto r = setup_essnap("setup --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("EXAMPLES:"), std::string::npos);
  EXPECT_NE(r.out.find("--dry-run"), std::string::npos);
  EXPECT_NE(r.out.find("--print-policies"), std::string::npos);
  EXPECT_NE(r.out.find("EXIT STATUS:"), std::string::npos);
}

TEST(SetupCli, ReservedRepositoryNameIsAUsageError) {
  auto r = setup_essnap(
      "setup --domain-endpoint https://search-x-abc.us-east-1.es.amazonaws.com --bucket "
      "s3://acme-b "
      "--repository cs-automated");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("reserved"), std::string::npos) << r.err;
}

TEST(SetupCli, InvalidBucketNameIsAUsageError) {
  auto r = setup_essnap(
      "setup --domain-endpoint https://search-x-abc.us-east-1.es.amazonaws.com --bucket "
      "s3://ab --repository nightly --output json");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["error"]["exit_code"], 2);
  EXPECT_NE(j["error"]["message"].get<std::string>().find("3 to 63"), std::string::npos);
}

TEST(SetupCli, PrintPoliciesWithoutAnyServer) {
  auto r = setup_essnap(
      "--output json setup --bucket s3://acme-snapshots/logs --repository nightly --region "
      "eu-west-1 --print-policies");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["role_name"], "essnap-snapshots-nightly");
  EXPECT_EQ(j["trust_policy"]["Statement"][0]["Principal"]["Service"], "es.amazonaws.com");
  EXPECT_EQ(j["caller_policy"]["Statement"][0]["Action"], "iam:PassRole");
  EXPECT_EQ(j["repository_body"]["settings"]["base_path"], "logs");
  EXPECT_EQ(r.out.find("wJalrXUtnFEMI"), std::string::npos);
  EXPECT_EQ(r.err.find("wJalrXUtnFEMI"), std::string::npos);
}

TEST(RepositoryRules, NamesAndSettingsComparison) {
  EXPECT_TRUE(cluster::validate_repository_name("nightly-2026").ok());
  EXPECT_FALSE(cluster::validate_repository_name("").ok());
  EXPECT_FALSE(cluster::validate_repository_name("_hidden").ok());
  EXPECT_FALSE(cluster::validate_repository_name("a b").ok());
  EXPECT_FALSE(cluster::validate_repository_name("cs-x").ok());
  auto wanted = nlohmann::json::parse(
      R"({"type":"s3","settings":{"bucket":"b","readonly":false,"server_side_encryption":true}})");
  auto got = nlohmann::json::parse(
      R"({"type":"s3","settings":{"bucket":"b","readonly":"false","server_side_encryption":"true","extra":"x"}})");
  EXPECT_TRUE(cluster::repository_matches(got, wanted));
  got["settings"]["bucket"] = "c";
  EXPECT_FALSE(cluster::repository_matches(got, wanted));
}

}  // namespace
}  // namespace essnap
