#include "essnap/aws/region.hpp"

#include <gtest/gtest.h>

#include "support/aws_test_util.hpp"
#include "support/loopback_server.hpp"

namespace essnap::aws {
namespace {

using essnap::testing::TempHome;

RegionOptions no_imds() {
  RegionOptions o;
  o.imds = ImdsLookup::kNo;
  return o;
}

TEST(Region, PrecedenceFlagEnvProfile) {
  TempHome home;
  home.write(".aws/config", "[default]\nregion = ap-south-1\n[profile x]\nregion = sa-east-1\n");
  MapEnvironment all(
      {{"HOME", home.path()}, {"AWS_REGION", "eu-west-1"}, {"AWS_DEFAULT_REGION", "eu-west-2"}});
  auto o = no_imds();
  o.flag = "us-west-2";
  EXPECT_EQ(resolve_region(o, all)->source, "--region");
  auto r = resolve_region(no_imds(), all);
  EXPECT_EQ(r->region, "eu-west-1");
  EXPECT_EQ(r->source, "AWS_REGION");
  MapEnvironment def({{"HOME", home.path()}, {"AWS_DEFAULT_REGION", "eu-west-2"}});
  EXPECT_EQ(resolve_region(no_imds(), def)->region, "eu-west-2");
  MapEnvironment prof({{"HOME", home.path()}});
  EXPECT_EQ(resolve_region(no_imds(), prof)->region, "ap-south-1");
  auto px = no_imds();
  px.profile = "x";
  EXPECT_EQ(resolve_region(px, prof)->region, "sa-east-1");
}

TEST(Region, EndpointHostOutranksConfigAndContradictingFlagIsAnError) {
  TempHome home;
  MapEnvironment env({{"HOME", home.path()}, {"AWS_REGION", "us-east-1"}});
  auto o = no_imds();
  o.endpoint_host = "search-logs-abc123.eu-central-1.es.amazonaws.com";
  auto r = resolve_region(o, env);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->region, "eu-central-1");
  EXPECT_EQ(r->source, "endpoint host");
  EXPECT_NE(r->note.find("AWS_REGION"), std::string::npos);
  o.flag = "us-east-1";
  auto e = resolve_region(o, env);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("ambiguous region"), std::string::npos);
  o.flag = "eu-central-1";
  EXPECT_TRUE(resolve_region(o, env).ok());
}

TEST(Region, MissingAndMalformed) {
  TempHome home;
  MapEnvironment env({{"HOME", home.path()}});
  auto e = resolve_region(no_imds(), env);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(e.error().hint.find("--region"), std::string::npos);
  auto o = no_imds();
  o.flag = "not a region";
  EXPECT_FALSE(resolve_region(o, env).ok());
}

// Issue 21: a malformed AWS_REGION (or profile region) was silently replaced by us-east-1 where a
// default applies (S3 clients, whoami). Only an unset region falls back.
TEST(Region, FallbackOnlyWhenUnset) {
  TempHome home;
  MapEnvironment none({{"HOME", home.path()}});
  auto r = resolve_region_or(no_imds(), "us-east-1", none);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->region, "us-east-1");
  EXPECT_EQ(r->source, "default");

  MapEnvironment typo({{"HOME", home.path()}, {"AWS_REGION", "us-east1"}});
  auto e = resolve_region_or(no_imds(), "us-east-1", typo);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(e.error().message.find("AWS_REGION"), std::string::npos) << e.error().message;
  EXPECT_NE(e.error().message.find("us-east1"), std::string::npos) << e.error().message;

  home.write(".aws/config", "[default]\nregion = eu west 1\n");
  EXPECT_FALSE(resolve_region_or(no_imds(), "us-east-1", none).ok());

  MapEnvironment good({{"HOME", home.path()}, {"AWS_REGION", "eu-central-1"}});
  EXPECT_EQ(resolve_region_or(no_imds(), "us-east-1", good)->region, "eu-central-1");
}

TEST(Region, FromImdsV2) {
  TempHome home;
  essnap::test::LoopbackServer imds([](const essnap::test::ServerRequest& r) {
    essnap::test::ServerResponse resp;
    if (r.method == "PUT") {
      resp.body = "tok";
    } else if (r.target == "/latest/meta-data/placement/region" &&
               r.header("X-aws-ec2-metadata-token")) {
      resp.body = "ca-central-1";
    } else {
      resp.status = 404;
    }
    return resp;
  });
  MapEnvironment env({{"HOME", home.path()}, {"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url()}});
  RegionOptions o;
  auto r = resolve_region(o, env);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->region, "ca-central-1");
  EXPECT_EQ(r->source, "IMDS");
}

}  // namespace
}  // namespace essnap::aws
