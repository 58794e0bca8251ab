// `essnap doctor` end to end on the local stack: IAM, STS and S3 on moto (which implements
// lifecycle, versioning, Object Lock, replication and encryption settings), the cluster the
// stack's OpenSearch. `essnap setup` makes a correct set-up first (as in setup_stack_test.cpp the
// repository is registered as type fs, ESSNAP_SETUP_REGISTER_AS_FS_PATH, since the stack's
// engines have no repository-s3); doctor then passes it all ok. Each misconfiguration is planted
// alone: exactly its check turns warn/fail (exit 1/8), and the fix doctor prints — run as printed
// (`aws` commands against moto through AWS_ENDPOINT_URL, `essnap` commands with the same
// environment) — turns it ok again. moto has no SimulatePrincipalPolicy: the role's permissions
// are evaluated from its inline policy (the check says so) and caller-permissions is skipped.
// Absent stack: FAIL when CI=true, else skip. Names start with doctor- and are removed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "essnap/http/factory.hpp"
#include "support/process.hpp"
#include "support/stack_env.hpp"

namespace essnap {
namespace {

using nlohmann::json;

std::string unique(const std::string& base) {
  std::random_device rd;
  return base + "-" + std::to_string(::getpid()) + "-" + std::to_string(rd() % 100000);
}

class DoctorStack : public ::testing::Test {
 protected:
  void SetUp() override {
    ESSNAP_REQUIRE_STACK("ESSNAP_TEST_AWS_ENDPOINT", "ESSNAP_TEST_AWS_ACCESS_KEY_ID",
                         "ESSNAP_TEST_AWS_SECRET_ACCESS_KEY", "ESSNAP_TEST_OPENSEARCH_URL",
                         "ESSNAP_TEST_OPENSEARCH_FS_REPO_PATH");
    aws_ = test::stack_var("ESSNAP_TEST_AWS_ENDPOINT");
    opensearch_ = test::stack_var("ESSNAP_TEST_OPENSEARCH_URL");
    fs_path_ = test::stack_var("ESSNAP_TEST_OPENSEARCH_FS_REPO_PATH");
    home_ = std::filesystem::temp_directory_path() / unique("doctor-home");
    std::filesystem::create_directories(home_);
    std::ofstream(home_ / "credentials")
        << "[default]\naws_access_key_id = " << test::stack_var("ESSNAP_TEST_AWS_ACCESS_KEY_ID")
        << "\naws_secret_access_key = " << test::stack_var("ESSNAP_TEST_AWS_SECRET_ACCESS_KEY")
        << "\n";
    bucket_ = unique("doctor-bucket");
    repo_ = unique("doctor-repo");
    transport_ = http::make_transport({});
  }
  void TearDown() override {
    if (!transport_) return;
    http::Request del;
    del.method = "DELETE";
    del.url = opensearch_ + "/_snapshot/" + repo_;
    (void)transport_->send(del);
    std::error_code ec;
    std::filesystem::remove_all(std::filesystem::path(fs_path_) / repo_, ec);
    const std::string role = "essnap-snapshots-" + repo_;
    (void)aws("iam delete-role-policy --role-name " + role + " --policy-name essnap-snapshot-s3");
    (void)aws("iam delete-role --role-name " + role);
    (void)aws("s3api delete-bucket-lifecycle --bucket " + bucket_);
    (void)aws("s3 rb s3://" + bucket_ + " --force");
    std::filesystem::remove_all(home_, ec);
  }

  std::map<std::string, std::string> env() const {
    return {
        {"PATH", "/usr/bin:/bin:" + std::string(std::getenv("PATH") ? std::getenv("PATH") : "")},
        {"HOME", home_.string()},
        {"AWS_CONFIG_FILE", "/nonexistent"},
        {"AWS_SHARED_CREDENTIALS_FILE", (home_ / "credentials").string()},
        {"AWS_EC2_METADATA_DISABLED", "true"},
        {"AWS_DEFAULT_REGION", "us-east-1"},
        {"AWS_ENDPOINT_URL", aws_},
        {"ESSNAP_SETUP_REGISTER_AS_FS_PATH", fs_path_}};
  }
  test::ProcessResult run_argv(std::vector<std::string> argv) const {
    test::Command c;
    c.clear_env = true;
    c.env = env();
    c.argv = std::move(argv);
    return test::run(c);
  }
  // A shell command line as doctor prints it: `aws …` or `essnap …` (the binary under test).
  test::ProcessResult shell(std::string line) const {
    if (line.rfind("essnap ", 0) == 0) line = std::string(ESSNAP_BINARY) + line.substr(6);
    return run_argv({"/bin/sh", "-c", line});
  }
  test::ProcessResult aws(const std::string& args) const { return shell("aws " + args); }

  std::string target() const {
    return "--domain-endpoint " + opensearch_ + " --region us-east-1 --bucket s3://" + bucket_ +
           "/snapshots --repository " + repo_;
  }
  test::ProcessResult setup() const {
    return run_argv(test::argv({ESSNAP_BINARY, "--output", "json", "setup"}, target()));
  }
  // moto has no SimulatePrincipalPolicy: the caller's check cannot run here.
  json doctor(int* exit_code = nullptr) const {
    auto r = run_argv(test::argv({ESSNAP_BINARY, "--output", "json", "doctor"},
                                 target() + " --skip caller-permissions"));
    if (exit_code) *exit_code = r.exit_code;
    auto j = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out << r.err;
    return j;
  }
  static std::map<std::string, json> by_id(const json& report) {
    std::map<std::string, json> out;
    for (const auto& c : report.value("checks", json::array())) out[c["id"]] = c;
    return out;
  }
  static std::string not_ok(const json& report) {
    std::string out;
    for (const auto& c : report.value("checks", json::array()))
      if (c["status"] != "ok") out += c.dump() + "\n";
    return out;
  }

  void expect_all_ok() const {
    int code = -1;
    auto j = doctor(&code);
    EXPECT_EQ(code, 0) << not_ok(j);
    EXPECT_EQ(not_ok(j), "");
  }

  // Plants by `plant` (a shell line), expects exactly `id` at `status` with the exit code that
  // goes with it, runs the printed fix's first command, then expects all ok.
  void plant_find_fix(const std::string& plant, const std::string& id, const std::string& status) {
    auto s = setup();
    ASSERT_EQ(s.exit_code, 0) << s.err << s.out;
    expect_all_ok();
    if (!plant.empty()) {
      auto p = shell(plant);
      ASSERT_EQ(p.exit_code, 0) << plant << "\n" << p.err << p.out;
    }
    int code = -1;
    auto j = doctor(&code);
    EXPECT_EQ(code, status == "fail" ? 8 : 1) << not_ok(j);
    auto checks = by_id(j);
    ASSERT_TRUE(checks.count(id)) << j.dump(2);
    EXPECT_EQ(checks[id]["status"], status) << checks[id].dump();
    for (const auto& [other, c] : checks) {
      if (other != id) {
        EXPECT_EQ(c["status"], "ok") << c.dump();
      }
    }
    ASSERT_TRUE(checks[id]["fix"].is_string());
    const std::string fix = first_command(checks[id]["fix"]);
    auto applied = shell(fix);
    ASSERT_EQ(applied.exit_code, 0) << fix << "\n" << applied.err << applied.out;
    expect_all_ok();
  }

  // The runnable command a fix starts with: up to "; " or " (" outside single quotes (what
  // follows explains it).
  static std::string first_command(const std::string& fix) {
    bool quoted = false;
    for (std::size_t i = 0; i + 1 < fix.size(); ++i) {
      if (fix[i] == '\'') quoted = !quoted;
      if (!quoted && ((fix[i] == ';' && fix[i + 1] == ' ') || (fix[i] == ' ' && fix[i + 1] == '(')))
        return fix.substr(0, i);
    }
    return fix;
  }

  std::string aws_, opensearch_, fs_path_, bucket_, repo_;
  std::filesystem::path home_;
  std::unique_ptr<http::Transport> transport_;
};

TEST_F(DoctorStack, CorrectSetupIsAllOkAndTextOutputListsEveryCheck) {
  auto s = setup();
  ASSERT_EQ(s.exit_code, 0) << s.err << s.out;
  // setup's plan carries the doctor's checks.
  auto sj = json::parse(s.out);
  ASSERT_TRUE(sj.contains("checks")) << s.out;
  expect_all_ok();
  auto j = doctor();
  EXPECT_EQ(j["status"], "ok");
  EXPECT_NE(by_id(j)["role-s3-permissions"]["saw"].get<std::string>().find("evaluated locally"),
            std::string::npos);
  auto text =
      run_argv(test::argv({ESSNAP_BINARY, "doctor"}, target() + " --skip caller-permissions"));
  EXPECT_EQ(text.exit_code, 0) << text.out << text.err;
  EXPECT_NE(text.out.find("ok   lifecycle"), std::string::npos) << text.out;
  // Without --skip, moto's missing SimulatePrincipalPolicy is a warning: exit 1.
  auto warned = run_argv(test::argv({ESSNAP_BINARY, "--output", "json", "doctor"}, target()));
  EXPECT_EQ(warned.exit_code, 1) << warned.out;
}

TEST_F(DoctorStack, LifecycleToGlacierThenFixed) {
  plant_find_fix(
      "aws s3api put-bucket-lifecycle-configuration --bucket " + bucket_ +
          " --lifecycle-configuration '{\"Rules\":[{\"ID\":\"doctor-glacier\",\"Status\":"
          "\"Enabled\",\"Filter\":{\"Prefix\":\"\"},\"Transitions\":[{\"Days\":30,"
          "\"StorageClass\":\"GLACIER\"}]}]}'",
      "lifecycle", "fail");
}

TEST_F(DoctorStack, LifecycleExpiryThenFixed) {
  plant_find_fix("aws s3api put-bucket-lifecycle-configuration --bucket " + bucket_ +
                     " --lifecycle-configuration '{\"Rules\":[{\"ID\":\"doctor-expire\",\"Status\":"
                     "\"Enabled\",\"Filter\":{\"Prefix\":\"snapshots/\"},\"Expiration\":{\"Days\":"
                     "90}}]}'",
                 "lifecycle", "fail");
}

TEST_F(DoctorStack, VersioningWithoutNoncurrentExpiryThenFixed) {
  plant_find_fix("aws s3api put-bucket-versioning --bucket " + bucket_ +
                     " --versioning-configuration Status=Enabled",
                 "versioning", "warn");
}

TEST_F(DoctorStack, ReplicationThenFixed) {
  // Replication needs versioning; versioning with its noncurrent expiry is no finding.
  plant_find_fix("aws s3api put-bucket-versioning --bucket " + bucket_ +
                     " --versioning-configuration Status=Enabled && aws s3api "
                     "put-bucket-lifecycle-configuration --bucket " +
                     bucket_ +
                     " --lifecycle-configuration '{\"Rules\":[{\"ID\":\"doctor-nc\",\"Status\":"
                     "\"Enabled\",\"Filter\":{\"Prefix\":\"\"},\"NoncurrentVersionExpiration\":{"
                     "\"NoncurrentDays\":7}}]}' && aws s3api put-bucket-replication --bucket " +
                     bucket_ +
                     " --replication-configuration '{\"Role\":\"arn:aws:iam::123456789012:role/"
                     "doctor-r\",\"Rules\":[{\"ID\":\"doctor-dr\",\"Status\":\"Enabled\","
                     "\"Priority\":1,\"Filter\":{\"Prefix\":\"\"},\"DeleteMarkerReplication\":{"
                     "\"Status\":\"Disabled\"},\"Destination\":{\"Bucket\":\"arn:aws:s3:::"
                     "doctor-dr\"}}]}'",
                 "replication", "warn");
}

TEST_F(DoctorStack, NoDefaultEncryptionThenFixed) {
  plant_find_fix("aws s3api delete-bucket-encryption --bucket " + bucket_, "encryption", "warn");
}

TEST_F(DoctorStack, KmsKeyTheRoleMayNotUseThenFixed) {
  plant_find_fix("aws s3api put-bucket-encryption --bucket " + bucket_ +
                     " --server-side-encryption-configuration '{\"Rules\":[{"
                     "\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"aws:kms\","
                     "\"KMSMasterKeyID\":\"1234abcd-12ab-34cd-56ef-1234567890ab\"}}]}'",
                 "encryption", "fail");
}

TEST_F(DoctorStack, TrustWithoutSourceAccountThenFixed) {
  plant_find_fix("aws iam update-assume-role-policy --role-name essnap-snapshots-" + repo_ +
                     " --policy-document '{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
                     "\"Allow\",\"Principal\":{\"Service\":\"es.amazonaws.com\"},\"Action\":"
                     "\"sts:AssumeRole\"}]}'",
                 "role-trust", "warn");
}

TEST_F(DoctorStack, RolePolicyWithoutSlashStarThenFixed) {
  plant_find_fix("aws iam put-role-policy --role-name essnap-snapshots-" + repo_ +
                     " --policy-name essnap-snapshot-s3 --policy-document '{\"Version\":"
                     "\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
                     "\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::" +
                     bucket_ +
                     "\"},{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:PutObject\","
                     "\"s3:DeleteObject\"],\"Resource\":\"arn:aws:s3:::" +
                     bucket_ + "/snapshots\"}]}'",
                 "role-s3-permissions", "fail");
}

TEST_F(DoctorStack, ReadonlyRepositoryThenFixed) {
  plant_find_fix("curl -sf -XPUT -H 'Content-Type: application/json' " + opensearch_ +
                     "/_snapshot/" + repo_ + " -d '{\"type\":\"fs\",\"settings\":{\"location\":\"" +
                     fs_path_ + "/" + repo_ + "\",\"readonly\":true}}'",
                 "repository-settings", "warn");
}

TEST_F(DoctorStack, ObjectLockDefaultRetentionThenFixed) {
  // An Object Lock bucket (versioned, with its noncurrent expiry) made before setup.
  auto made = aws("s3api create-bucket --bucket " + bucket_ + " --object-lock-enabled-for-bucket");
  ASSERT_EQ(made.exit_code, 0) << made.err;
  auto rule = aws("s3api put-bucket-lifecycle-configuration --bucket " + bucket_ +
                  " --lifecycle-configuration '{\"Rules\":[{\"ID\":\"doctor-nc\",\"Status\":"
                  "\"Enabled\",\"Filter\":{\"Prefix\":\"\"},\"NoncurrentVersionExpiration\":{"
                  "\"NoncurrentDays\":7}}]}'");
  ASSERT_EQ(rule.exit_code, 0) << rule.err;
  plant_find_fix("aws s3api put-object-lock-configuration --bucket " + bucket_ +
                     " --object-lock-configuration '{\"ObjectLockEnabled\":\"Enabled\",\"Rule\":{"
                     "\"DefaultRetention\":{\"Mode\":\"GOVERNANCE\",\"Days\":1}}}'",
                 "object-lock", "warn");
}

TEST_F(DoctorStack, MissingBucketAndRepositoryFailWithTheSetupCommand) {
  int code = -1;
  auto j = doctor(&code);
  EXPECT_EQ(code, 8);
  auto c = by_id(j);
  EXPECT_EQ(c["bucket-region"]["status"], "fail");
  EXPECT_EQ(c["repository-settings"]["status"], "fail");
  EXPECT_NE(
      c["repository-settings"]["fix"].get<std::string>().find("essnap setup --domain-endpoint"),
      std::string::npos);
  // Read-only: doctor created nothing.
  EXPECT_NE(aws("s3api head-bucket --bucket " + bucket_).exit_code, 0);
}

}  // namespace
}  // namespace essnap
