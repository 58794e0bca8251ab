// `essnap setup` end to end on the local stack: IAM/STS on moto, the bucket on SeaweedFS,
// registration and verification on OpenSearch. AWS mode is pointed at the local cluster with
// the endpoint overrides. The stack's OpenSearch has no repository-s3 plugin (docs/TESTING.md),
// so these runs set ESSNAP_SETUP_REGISTER_AS_FS_PATH: the repository is registered as `type: fs`
// on the FUSE mount of the stack's bucket, while the `type: s3` body a domain would get is
// asserted from the JSON output (and byte for byte in tests/unit/setup_workflow_test.cpp).
// Absent stack: FAIL when CI=true, else skip.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "essnap/http/factory.hpp"
#include "essnap/iam/iam.hpp"
#include "essnap/s3/client.hpp"
#include "support/process.hpp"
#include "support/stack_env.hpp"
#include "support/unique_name.hpp"

namespace essnap {
namespace {

using nlohmann::json;

struct Stack {
  std::string s3_endpoint, s3_key, s3_secret, aws_endpoint, aws_key, aws_secret, opensearch,
      repo_path;
};

std::optional<Stack> stack() {
  const auto get = [](const char* k) { return test::stack_var(k); };
  Stack s{get("ESSNAP_TEST_S3_ENDPOINT"),          get("ESSNAP_TEST_S3_ACCESS_KEY_ID"),
          get("ESSNAP_TEST_S3_SECRET_ACCESS_KEY"), get("ESSNAP_TEST_AWS_ENDPOINT"),
          get("ESSNAP_TEST_AWS_ACCESS_KEY_ID"),    get("ESSNAP_TEST_AWS_SECRET_ACCESS_KEY"),
          get("ESSNAP_TEST_OPENSEARCH_URL"),       get("ESSNAP_TEST_S3_REPO_PATH")};
  if (s.s3_endpoint.empty() || s.aws_endpoint.empty() || s.opensearch.empty() ||
      s.repo_path.empty() || s.s3_secret.empty() || s.aws_secret.empty())
    return std::nullopt;
  return s;
}

using test::unique_name;

class SetupStack : public ::testing::Test {
 protected:
  void SetUp() override {
    ESSNAP_REQUIRE_STACK("ESSNAP_TEST_S3_ENDPOINT", "ESSNAP_TEST_S3_ACCESS_KEY_ID",
                         "ESSNAP_TEST_S3_SECRET_ACCESS_KEY", "ESSNAP_TEST_AWS_ENDPOINT",
                         "ESSNAP_TEST_AWS_ACCESS_KEY_ID", "ESSNAP_TEST_AWS_SECRET_ACCESS_KEY",
                         "ESSNAP_TEST_OPENSEARCH_URL", "ESSNAP_TEST_S3_REPO_PATH");
    auto s = stack();
    ASSERT_TRUE(s.has_value());
    st_ = *s;
    home_ = std::filesystem::temp_directory_path() / unique_name("essnap-setup-home");
    std::filesystem::create_directories(home_);
    // moto and SeaweedFS hold different keys: default for IAM/STS/cluster, profile s3 for S3.
    std::ofstream(home_ / "credentials") << "[default]\naws_access_key_id = " << st_.aws_key
                                         << "\naws_secret_access_key = " << st_.aws_secret
                                         << "\n[s3]\naws_access_key_id = " << st_.s3_key
                                         << "\naws_secret_access_key = " << st_.s3_secret << "\n";
    bucket_ = unique_name("essnap-setup");
    repo_ = unique_name("setup-it");
    transport_ = http::make_transport({});
  }
  void TearDown() override {
    if (transport_ && !repo_.empty()) {
      http::Request del;
      del.method = "DELETE";
      del.url = st_.opensearch + "/_snapshot/" + repo_;
      (void)transport_->send(del);
    }
    std::error_code ec;
    std::filesystem::remove_all(home_, ec);
  }

  test::ProcessResult setup(const std::string& args, const std::string& cluster = {}) {
    test::Command c;
    c.clear_env = true;
    c.env = {{"PATH", "/usr/bin:/bin"},
             {"HOME", home_.string()},
             {"AWS_CONFIG_FILE", "/nonexistent"},
             {"AWS_SHARED_CREDENTIALS_FILE", (home_ / "credentials").string()},
             {"AWS_EC2_METADATA_DISABLED", "true"},
             {"AWS_ENDPOINT_URL_IAM", st_.aws_endpoint},
             {"AWS_ENDPOINT_URL_STS", st_.aws_endpoint},
             {"AWS_ENDPOINT_URL_S3", st_.s3_endpoint},
             {"ESSNAP_SETUP_REGISTER_AS_FS_PATH", st_.repo_path}};
    c.argv = test::argv(
        {ESSNAP_BINARY, "--output", "json", "setup", "--domain-endpoint",
         cluster.empty() ? st_.opensearch : cluster, "--region", "us-east-1", "--s3-profile", "s3"},
        args);
    return test::run(c);
  }
  std::string standard() const {
    return "--bucket s3://" + bucket_ + "/snapshots --repository " + repo_;
  }

  s3::Client s3client() {
    s3::ClientOptions o;
    o.endpoint = {st_.s3_endpoint, "test"};
    o.credentials =
        aws::make_static_provider({st_.s3_key, st_.s3_secret, "", std::nullopt, "test"});
    return s3::Client(*transport_, o);
  }
  iam::IamClient iamclient() {
    return iam::IamClient(
        *transport_, {st_.aws_endpoint, "us-east-1", "test"},
        aws::make_static_provider({st_.aws_key, st_.aws_secret, "", std::nullopt, "test"}));
  }
  int repo_status() {
    http::Request get;
    get.url = st_.opensearch + "/_snapshot/" + repo_;
    auto r = transport_->send(get);
    return r.ok() ? r->status : -1;
  }

  Stack st_;
  std::filesystem::path home_;
  std::string bucket_, repo_;
  std::unique_ptr<http::Transport> transport_;
};

TEST_F(SetupStack, EmptyAccountToVerifiedRepositoryThenSecondRunAllInPlace) {
  auto first = setup(standard());
  ASSERT_EQ(first.exit_code, 0) << first.err << first.out;
  auto j = json::parse(first.out);
  std::map<std::string, std::string> outcome;
  for (const auto& s : j["steps"])
    outcome[s["step"].get<std::string>() + ":" + s["what"].get<std::string>()] = s["outcome"];
  EXPECT_EQ(outcome["bucket:s3://" + bucket_ + "/snapshots"], "created");
  EXPECT_EQ(outcome["role:essnap-snapshots-" + repo_], "created");
  EXPECT_EQ(outcome["role:inline policy essnap-snapshot-s3"], "created");
  EXPECT_EQ(outcome["repository:" + repo_], "created");
  EXPECT_EQ(outcome["verify:" + repo_], "ok");

  // What a managed domain would be sent.
  const std::string role_arn = j["role_arn"];
  EXPECT_EQ(j["repository_body"], json({{"type", "s3"},
                                        {"settings",
                                         {{"bucket", bucket_},
                                          {"base_path", "snapshots"},
                                          {"endpoint", st_.s3_endpoint},
                                          {"role_arn", role_arn},
                                          {"server_side_encryption", true},
                                          {"readonly", false}}}}));

  // The servers' state, read back independently.
  auto s3c = s3client();
  EXPECT_EQ(s3c.head_bucket({bucket_})->access, s3::BucketAccess::kAccessible);
  auto iamc = iamclient();
  auto role = iamc.get_role({"essnap-snapshots-" + repo_});
  ASSERT_TRUE(role.ok()) << role.error().message;
  EXPECT_EQ(role->role.arn, role_arn);
  EXPECT_TRUE(iam::policies_equal(role->role.assume_role_policy, j["trust_policy"]));
  EXPECT_EQ(role->role.assume_role_policy["Statement"][0]["Principal"]["Service"],
            "es.amazonaws.com");
  auto pol = iamc.get_role_policy({"essnap-snapshots-" + repo_, "essnap-snapshot-s3"});
  ASSERT_TRUE(pol.ok()) << pol.error().message;
  EXPECT_EQ(pol->policy, json::parse(R"({"Version":"2012-10-17","Statement":[
              {"Sid":"ListSnapshotBucket","Effect":"Allow","Action":"s3:ListBucket",
               "Resource":"arn:aws:s3:::)" +
                                     bucket_ + R"(",
               "Condition":{"StringLike":{"s3:prefix":"snapshots/*"}}},
              {"Sid":"ReadWriteSnapshots","Effect":"Allow",
               "Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],
               "Resource":"arn:aws:s3:::)" +
                                     bucket_ + R"(/snapshots/*"}]})"));
  EXPECT_EQ(repo_status(), 200);

  auto second = setup(standard());
  ASSERT_EQ(second.exit_code, 0) << second.err;
  auto j2 = json::parse(second.out);
  EXPECT_EQ(j2["mutating_calls"], 0);
  for (const auto& s : j2["steps"]) {
    const std::string o = s["outcome"];
    EXPECT_TRUE(o == "already in place" || o == "ok" || o == "note") << s.dump();
  }
}

TEST_F(SetupStack, DryRunLeavesTheServersUnchanged) {
  auto r = setup(standard() + " --dry-run");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  auto j = json::parse(r.out);
  EXPECT_TRUE(j["dry_run"]);
  EXPECT_EQ(j["mutating_calls"], 0);
  int would = 0;
  for (const auto& s : j["steps"])
    if (s["outcome"] == "would create") ++would;
  EXPECT_EQ(would, 6);
  EXPECT_EQ(j["repository_body"]["type"], "s3");
  EXPECT_EQ(j["trust_policy"]["Statement"][0]["Principal"]["Service"], "es.amazonaws.com");

  auto s3c = s3client();
  EXPECT_EQ(s3c.head_bucket({bucket_})->access, s3::BucketAccess::kNotFound);
  auto iamc = iamclient();
  auto role = iamc.get_role({"essnap-snapshots-" + repo_});
  ASSERT_FALSE(role.ok());
  EXPECT_EQ(role.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(repo_status(), 404);
}

// setup runs with --output json here: each refusal is the one JSON document on stdout.
TEST_F(SetupStack, BadInputIsRefusedWithItsExitCodeAndNothingChanges) {
  auto cs = setup("--bucket s3://" + bucket_ + " --repository cs-nightly");
  EXPECT_EQ(cs.exit_code, 2) << cs.err;
  EXPECT_NE(cs.out.find("reserved"), std::string::npos) << cs.out << cs.err;

  auto bad_bucket = setup("--bucket s3://Bad_Bucket --repository " + repo_);
  EXPECT_EQ(bad_bucket.exit_code, 2) << bad_bucket.err;
  EXPECT_NE(bad_bucket.out.find("invalid S3 bucket name"), std::string::npos)
      << bad_bucket.out << bad_bucket.err;

  auto down = setup(standard(), "http://127.0.0.1:1");
  EXPECT_EQ(down.exit_code, 4) << down.err;
  EXPECT_NE(down.out.find("nothing was changed"), std::string::npos) << down.out << down.err;

  EXPECT_EQ(s3client().head_bucket({bucket_})->access, s3::BucketAccess::kNotFound);
  EXPECT_EQ(repo_status(), 404);
}

TEST_F(SetupStack, RoleTrustingAnotherServiceIsADiffUntilFix) {
  auto iamc = iamclient();
  const std::string role = "essnap-snapshots-" + repo_;
  ASSERT_TRUE(iamc.create_role({role, json::parse(R"({"Version":"2012-10-17","Statement":[{"Effect":
                                  "Allow","Principal":{"Service":"ec2.amazonaws.com"},
                                  "Action":"sts:AssumeRole"}]})"),
                                "", ""})
                  .ok());
  auto refused = setup(standard());
  EXPECT_EQ(refused.exit_code, 8) << refused.err;
  EXPECT_NE(refused.out.find("does not trust es.amazonaws.com"), std::string::npos)
      << refused.out << refused.err;
  EXPECT_EQ(s3client().head_bucket({bucket_})->access, s3::BucketAccess::kNotFound);

  auto fixed = setup(standard() + " --fix");
  ASSERT_EQ(fixed.exit_code, 0) << fixed.err;
  EXPECT_EQ(iamc.get_role({role})->role.assume_role_policy["Statement"][0]["Principal"]["Service"],
            "es.amazonaws.com");
}

}  // namespace
}  // namespace essnap
