// aws::partition_for_region, the partition table and parse_arn. The expected values for aws,
// aws-cn and aws-us-gov are written out (botocore 1.43.11 data/partitions.json and
// data/endpoints.json); when botocore is installed, every partition in its data files is also
// checked against the table.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "essnap/aws/partition.hpp"

namespace essnap::aws {
namespace {

using nlohmann::json;

TEST(AwsPartition, RegionsOfTheThreePublicPartitions) {
  for (const char* r : {"us-east-1", "eu-west-1", "ap-southeast-7", "mx-central-1", "il-central-1"})
    EXPECT_EQ(partition_for_region(r).id, "aws") << r;
  for (const char* r : {"cn-north-1", "cn-northwest-1"})
    EXPECT_EQ(partition_for_region(r).id, "aws-cn") << r;
  for (const char* r : {"us-gov-west-1", "us-gov-east-1"})
    EXPECT_EQ(partition_for_region(r).id, "aws-us-gov") << r;
  // botocore's default for what no pattern matches.
  for (const char* r : {"", "local", "us-east", "us-east-x", "cn--1", "xx-east-1"})
    EXPECT_EQ(partition_for_region(r).id, "aws") << r;
}

TEST(AwsPartition, TableValuesOfTheThreePublicPartitions) {
  const Partition& aws = *partition_by_id("aws");
  EXPECT_EQ(aws.dns_suffix, "amazonaws.com");
  EXPECT_EQ(aws.global_region, "us-east-1");
  EXPECT_EQ(iam_url(aws), "https://iam.amazonaws.com");
  const Partition& cn = *partition_by_id("aws-cn");
  EXPECT_EQ(cn.dns_suffix, "amazonaws.com.cn");
  EXPECT_EQ(cn.global_region, "cn-north-1");  // IAM's credentialScope in endpoints.json
  EXPECT_EQ(iam_url(cn), "https://iam.cn-north-1.amazonaws.com.cn");
  const Partition& gov = *partition_by_id("aws-us-gov");
  EXPECT_EQ(gov.dns_suffix, "amazonaws.com");
  EXPECT_EQ(gov.global_region, "us-gov-west-1");
  EXPECT_EQ(iam_url(gov), "https://iam.us-gov.amazonaws.com");
  for (const Partition* p : {&aws, &cn, &gov}) EXPECT_EQ(p->search_principal, "es.amazonaws.com");
  EXPECT_EQ(partition_by_id("aws-mars"), nullptr);
  EXPECT_EQ(sts_regional_url("cn-north-1"), "https://sts.cn-north-1.amazonaws.com.cn");
  EXPECT_EQ(regional_host("s3", "us-gov-east-1"), "s3.us-gov-east-1.amazonaws.com");
}

TEST(AwsPartition, ArnsBuiltPerPartition) {
  EXPECT_EQ(role_arn(*partition_by_id("aws-cn"), "1", "r"), "arn:aws-cn:iam::1:role/r");
  EXPECT_EQ(bucket_arn(*partition_by_id("aws-us-gov"), "b"), "arn:aws-us-gov:s3:::b");
  EXPECT_EQ(domain_arn("us-gov-west-1", "1", "logs/*"),
            "arn:aws-us-gov:es:us-gov-west-1:1:domain/logs/*");
  EXPECT_EQ(domain_arn("cn-north-1", "1", "*"), "arn:aws-cn:es:cn-north-1:1:domain/*");
}

TEST(AwsArn, ParsesFieldsAndKeepsColonsInTheResource) {
  auto a = parse_arn("arn:aws-us-gov:iam::111122223333:role/path/name");
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->partition, "aws-us-gov");
  EXPECT_EQ(a->service, "iam");
  EXPECT_EQ(a->region, "");
  EXPECT_EQ(a->account, "111122223333");
  EXPECT_EQ(a->resource, "role/path/name");
  auto b = parse_arn("arn:aws:logs:us-east-1:1:log-group:/x:*");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->resource, "log-group:/x:*");
  EXPECT_EQ(b->str(), "arn:aws:logs:us-east-1:1:log-group:/x:*");
  EXPECT_TRUE(parse_arn("arn:aws-cn:s3:::bucket").ok());
}

TEST(AwsArn, BadArnsAreRejected) {
  for (const char* bad : {"", "arn", "arn:", "ARN:aws:iam::1:role/r", "role/r", "arn:aws:iam::1",
                          "arn:aws:iam:", "arn:aws-mars:iam::1:role/r", "arn::iam::1:role/r",
                          "arn:aws::::role/r", " arn:aws:iam::1:role/r"}) {
    auto a = parse_arn(bad);
    ASSERT_FALSE(a.ok()) << bad;
    EXPECT_EQ(a.error().code, ErrorCode::kInvalidArgument) << bad;
  }
}

// The installed botocore's data directory, or "" (then the extra check has nothing to read).
std::filesystem::path botocore_data() {
  FILE* p = ::popen(
      "python3 -c 'import botocore,os;print(os.path.dirname(botocore.__file__))' 2>/dev/null", "r");
  if (!p) return {};
  char buf[4096] = {};
  std::string out = std::fgets(buf, sizeof buf, p) ? buf : "";
  ::pclose(p);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  if (out.empty()) return {};
  return std::filesystem::path(out) / "data";
}

json read_json(const std::filesystem::path& path) {
  std::ifstream f(path);
  return json::parse(f, nullptr, false);
}

TEST(AwsPartition, EveryPartitionOfTheInstalledBotocore) {
  const auto dir = botocore_data();
  if (dir.empty() || !std::filesystem::exists(dir / "partitions.json"))
    GTEST_SKIP() << "botocore is not installed: the written-out values above still apply";
  const json partitions = read_json(dir / "partitions.json");
  const json endpoints = read_json(dir / "endpoints.json");
  ASSERT_TRUE(partitions.contains("partitions"));
  for (const auto& bp : partitions["partitions"]) {
    const std::string id = bp["id"];
    const Partition* p = partition_by_id(id);
    ASSERT_NE(p, nullptr) << "partition " << id << " is missing from aws/partition.cpp";
    EXPECT_EQ(p->dns_suffix, bp["outputs"]["dnsSuffix"].get<std::string>()) << id;
    for (const auto& [region, _] : bp["regions"].items()) {
      // "aws-global" and the like are botocore's pseudo-regions, outside every regionRegex.
      if (region.rfind(id + "-global", 0) == 0 || region == "aws-global") continue;
      EXPECT_EQ(partition_for_region(region).id, id) << region;
    }
    // IAM: one global endpoint per partition, signed for its credentialScope region.
    std::string iam_host, scope = bp["outputs"]["implicitGlobalRegion"];
    for (const auto& ep : endpoints.value("partitions", json::array())) {
      if (ep.value("partition", "") != id || !ep["services"].contains("iam")) continue;
      const auto& iam = ep["services"]["iam"];
      const auto& global = iam["endpoints"][iam.value("partitionEndpoint", "")];
      iam_host = global.value("hostname", "");
      scope = global.value("credentialScope", json::object()).value("region", scope);
    }
    EXPECT_EQ(p->iam_host, iam_host) << id;
    EXPECT_EQ(p->global_region, scope) << id;
  }
}

}  // namespace
}  // namespace essnap::aws
