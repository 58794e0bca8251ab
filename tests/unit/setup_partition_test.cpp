// `essnap setup` outside the aws partition: a GovCloud and a China plan name their partition's
// ARNs, and the IAM, STS and S3 endpoints resolved for those regions are botocore's
// (1.43.11 data/endpoints.json). Also: --role ARNs checked with aws::parse_arn, and the plan
// executed on its own.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "essnap/aws/partition.hpp"
#include "essnap/aws/sts.hpp"
#include "essnap/iam/iam.hpp"
#include "essnap/setup/setup.hpp"
#include "setup_world.hpp"

namespace essnap::setup {
namespace {

using fake::Harness;
using nlohmann::json;

SetupOptions options_in(const std::string& region, const std::string& dns_suffix) {
  SetupOptions o;
  o.mode = SetupMode::kAwsManaged;
  o.repository = "nightly";
  o.bucket = "acme-snapshots";
  o.prefix = "prod/logs";
  o.region = region;
  o.domain_endpoint = "https://search-logs-abc123xyz." + region + ".es." + dns_suffix;
  o.execution = Execution::kDryRun;
  return o;
}

struct PartitionCase {
  std::string region, dns_suffix, arn_prefix, iam_url, sts_url, s3_host;
};

const PartitionCase kGovCloud{"us-gov-west-1",
                              "amazonaws.com",
                              "arn:aws-us-gov:",
                              "https://iam.us-gov.amazonaws.com",
                              "https://sts.us-gov-west-1.amazonaws.com",
                              "s3.us-gov-west-1.amazonaws.com"};
const PartitionCase kChina{"cn-north-1",
                           "amazonaws.com.cn",
                           "arn:aws-cn:",
                           "https://iam.cn-north-1.amazonaws.com.cn",
                           "https://sts.cn-north-1.amazonaws.com.cn",
                           "s3.cn-north-1.amazonaws.com.cn"};

void expect_plan_in_partition(const PartitionCase& p) {
  Harness h;
  h.world.caller = p.arn_prefix + "iam::111122223333:user/ops";
  auto rep = run_setup(options_in(p.region, p.dns_suffix), h.clients());
  ASSERT_TRUE(rep.ok()) << rep.error().message;
  EXPECT_EQ(h.mutating(), 0u);
  EXPECT_EQ(rep->role_arn, p.arn_prefix + "iam::111122223333:role/essnap-snapshots-nightly");
  EXPECT_EQ(rep->role_policy["Statement"][0]["Resource"], p.arn_prefix + "s3:::acme-snapshots");
  EXPECT_EQ(rep->role_policy["Statement"][1]["Resource"],
            p.arn_prefix + "s3:::acme-snapshots/prod/logs/*");
  EXPECT_EQ(rep->caller_policy["Statement"][0]["Resource"], rep->role_arn);
  EXPECT_EQ(rep->caller_policy["Statement"][1]["Resource"],
            p.arn_prefix + "es:" + p.region + ":111122223333:domain/logs/*");
  EXPECT_EQ(rep->trust_policy["Statement"][0]["Principal"]["Service"],
            std::string(aws::partition_for_region(p.region).search_principal));
  EXPECT_EQ(rep->repository_body["settings"]["role_arn"], rep->role_arn);
  EXPECT_EQ(rep->repository_body["settings"]["region"], p.region);
  // The bucket is created in the region, not in the partition's default.
  auto bucket = std::find_if(rep->items.begin(), rep->items.end(), [](const auto& i) {
    return i.what == "s3://acme-snapshots/prod/logs";
  });
  ASSERT_NE(bucket, rep->items.end());
  EXPECT_EQ(bucket->document["CreateBucketConfiguration"]["LocationConstraint"], p.region);
}

void expect_endpoints(const PartitionCase& p) {
  aws::MapEnvironment none(std::map<std::string, std::string>{});
  auto iam_endpoint = iam::resolve_iam_endpoint(p.region, none);
  EXPECT_EQ(iam_endpoint.url, p.iam_url);
  // IAM is signed for the partition's global region: us-gov-west-1 and cn-north-1 here.
  EXPECT_EQ(iam_endpoint.region, p.region);
  auto sts_endpoint = aws::resolve_sts_endpoint(p.region, none);
  EXPECT_EQ(sts_endpoint.url, p.sts_url);
  EXPECT_EQ(sts_endpoint.region, p.region);
  EXPECT_EQ(aws::regional_host("s3", p.region), p.s3_host);
}

TEST(SetupPartition, GovCloudPlanNamesAwsUsGovArns) {
  expect_plan_in_partition(kGovCloud);
}
TEST(SetupPartition, ChinaPlanNamesAwsCnArns) {
  expect_plan_in_partition(kChina);
}
TEST(SetupPartition, GovCloudEndpoints) {
  expect_endpoints(kGovCloud);
}
TEST(SetupPartition, ChinaEndpoints) {
  expect_endpoints(kChina);
}

// --print-policies asks no cluster: it writes for OpenSearch 3.x (hashed_prefix by default, the
// superset), so it matches the plan made against an OpenSearch 3 domain.
TEST(SetupPartition, PrintPoliciesDocumentsMatchThePlan) {
  Harness h;
  h.world.engine_version = {{"distribution", "opensearch"}, {"number", "3.3.0"}};
  const auto o = options_in(kGovCloud.region, kGovCloud.dns_suffix);
  auto rep = run_setup(o, h.clients());
  ASSERT_TRUE(rep.ok()) << rep.error().message;
  auto docs = policy_documents(o, "111122223333");
  ASSERT_TRUE(docs.ok()) << docs.error().message;
  EXPECT_EQ(docs->role.role_arn, rep->role_arn);
  EXPECT_EQ(docs->trust_policy, rep->trust_policy);
  EXPECT_EQ(docs->role_policy, rep->role_policy);
  EXPECT_EQ(docs->caller_policy, rep->caller_policy);
  EXPECT_EQ(docs->repository_body, rep->repository_body);
}

TEST(SetupRoleArn, ArnWithPathGivesTheBareNameAndIsKeptVerbatim) {
  auto o = options_in(kChina.region, kChina.dns_suffix);
  o.role = "arn:aws-cn:iam::111122223333:role/service/snapshots";
  auto t = role_target(o, "111122223333");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->role_name, "snapshots");
  EXPECT_EQ(t->role_arn, o.role);
}

TEST(SetupRoleArn, ArnOfAnotherPartitionOrServiceIsRefused) {
  auto o = options_in(kGovCloud.region, kGovCloud.dns_suffix);
  o.role = "arn:aws:iam::111122223333:role/snapshots";
  EXPECT_TRUE(validate_names(o).ok());  // the partition needs the region
  auto v = validate(o);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(v.error().message.find("aws-us-gov"), std::string::npos) << v.error().message;
  for (const char* bad : {"arn:aws-us-gov:s3:::snapshots", "arn:aws-us-gov:iam::1:user/ops",
                          "arn:nope:iam::1:role/x", "arn:aws-us-gov:iam"}) {
    o.role = bad;
    EXPECT_FALSE(validate_names(o).ok()) << bad;
  }
}

TEST(SetupPlan, IsDataExecutedSeparately) {
  Harness h;
  auto o = options_in("us-east-1", "amazonaws.com");
  o.execution = Execution::kExecute;
  auto plan = plan_setup(o, h.clients());
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_EQ(h.mutating(), 0u);  // planning only reads
  int actions = 0;
  for (const auto& item : plan->items)
    if (item.action != Action::kNone && item.action != Action::kVerifyRepository) ++actions;
  EXPECT_EQ(actions, 6);
  EXPECT_EQ(plan->items.back().action, Action::kVerifyRepository);
  auto rep = execute(*plan, h.clients());
  ASSERT_TRUE(rep.ok()) << rep.error().message;
  EXPECT_EQ(rep->mutating_calls, 6);
  EXPECT_EQ(h.mutating(), 6u);
  EXPECT_EQ(rep->items.back().outcome, Outcome::kChecked);
}

}  // namespace
}  // namespace essnap::setup
