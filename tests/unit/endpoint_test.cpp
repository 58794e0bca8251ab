#include "essnap/aws/endpoint.hpp"

#include <gtest/gtest.h>

namespace essnap::aws {
namespace {

TEST(Endpoint, RegionAndServiceFromManagedDomainHosts) {
  struct Case {
    const char* host;
    const char* region;
    const char* service;
  };
  const Case cases[] = {
      {"search-x-abc.us-east-1.es.amazonaws.com", "us-east-1", "es"},
      {"vpc-logs-7fz2kq.eu-west-3.es.amazonaws.com", "eu-west-3", "es"},
      {"SEARCH-X-ABC.US-EAST-1.ES.AMAZONAWS.COM.", "us-east-1", "es"},
      {"search-x-abc.us-east-1.es.amazonaws.com:443", "us-east-1", "es"},
      {"https://search-x-abc.ap-southeast-2.es.amazonaws.com/_cat", "ap-southeast-2", "es"},
      {"abc123def.us-west-2.aoss.amazonaws.com", "us-west-2", "aoss"},
      {"search-x.cn-north-1.es.amazonaws.com.cn", "cn-north-1", "es"},
      {"search-x-abc.aos.eu-west-1.on.aws", "eu-west-1", "es"},
      {"search-x.us-gov-west-1.es.amazonaws.com", "us-gov-west-1", "es"},
      {"es.us-east-2.amazonaws.com", "us-east-2", "es"},
      {"bucket.s3.us-west-2.amazonaws.com", "us-west-2", "s3"},
      {"sts.eu-central-1.amazonaws.com", "eu-central-1", ""},
  };
  for (const auto& c : cases) {
    auto ep = parse_aws_endpoint(c.host);
    ASSERT_TRUE(ep.has_value()) << c.host;
    EXPECT_EQ(ep->region, c.region) << c.host;
    EXPECT_EQ(ep->service, c.service) << c.host;
    EXPECT_EQ(region_from_host(c.host), c.region) << c.host;
    EXPECT_TRUE(is_aws_host(c.host)) << c.host;
  }
}

TEST(Endpoint, NonAwsHostsHaveNoRegion) {
  for (const char* host :
       {"localhost", "127.0.0.1", "[::1]:9200", "es.example.com", "us-east-1.example.com",
        "amazonaws.com.evil.example", "search-x.es.amazonaws.com", "iam.amazonaws.com"}) {
    EXPECT_EQ(region_from_host(host), std::nullopt) << host;
  }
  EXPECT_FALSE(is_aws_host("amazonaws.com.evil.example"));
  EXPECT_FALSE(is_aws_host("localhost:9200"));
  EXPECT_TRUE(is_aws_host("iam.amazonaws.com"));
}

TEST(Endpoint, RegionShape) {
  for (const char* r : {"us-east-1", "eu-central-2", "us-gov-west-1", "us-isob-east-1",
                        "cn-northwest-1", "il-central-1", "ap-southeast-5"})
    EXPECT_TRUE(looks_like_region(r)) << r;
  for (const char* r :
       {"", "us", "us-east", "useast1", "search-x-abc", "us-east-1a", "es", "USA-east-1", "1-2-3"})
    EXPECT_FALSE(looks_like_region(r)) << r;
}

}  // namespace
}  // namespace essnap::aws
