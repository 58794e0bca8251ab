// The blob-container behaviour suite (tests/support/blob_container_suite.hpp) on the S3
// container against the stack's SeaweedFS (SigV4), with one-key pages so every listing paginates.
#include <gtest/gtest.h>
#include <unistd.h>

#include "essnap/aws/credentials.hpp"
#include "essnap/http/factory.hpp"
#include "essnap/repo/s3_container.hpp"
#include "essnap/s3/client.hpp"
#include "support/blob_container_suite.hpp"
#include "support/stack_env.hpp"

namespace essnap {
namespace {

using test::stack_var;

TEST(InspectS3, TheS3ContainerBehavesLikeTheOthers) {
  ESSNAP_REQUIRE_STACK("ESSNAP_TEST_S3_ENDPOINT", "ESSNAP_TEST_S3_BUCKET",
                       "ESSNAP_TEST_S3_ACCESS_KEY_ID", "ESSNAP_TEST_S3_SECRET_ACCESS_KEY");
  aws::Credentials creds;
  creds.access_key_id = stack_var("ESSNAP_TEST_S3_ACCESS_KEY_ID");
  creds.secret_access_key = stack_var("ESSNAP_TEST_S3_SECRET_ACCESS_KEY");
  s3::ClientOptions o;
  o.endpoint = {stack_var("ESSNAP_TEST_S3_ENDPOINT"), "test"};
  o.addressing = s3::AddressingStyle::kPath;
  o.credentials = aws::make_static_provider(creds);
  auto transport = http::make_transport({});
  s3::Client client(*transport, o);
  const std::string bucket = stack_var("ESSNAP_TEST_S3_BUCKET");
  const std::string prefix = "inspect-it/container-" + std::to_string(::getpid());
  for (const auto& [k, v] : test::container_fixture()) {
    auto put = client.put_object({bucket, prefix + "/" + k, http::Body::from_string(v), ""});
    ASSERT_TRUE(put.ok()) << put.error().message;
  }
  repo::S3Container c(bucket, prefix + "/", o, [] { return http::make_transport({}); });
  c.set_page_size(2);
  EXPECT_EQ(c.describe(), "s3://" + bucket + "/" + prefix);
  test::expect_container_behaviour(c);
  // A missing bucket is a read error, not a missing blob.
  repo::S3Container nobucket("essnap-no-such-bucket-" + std::to_string(::getpid()), "", o, {});
  auto l = nobucket.list("");
  ASSERT_FALSE(l.ok());
  for (const auto& [k, v] : test::container_fixture())
    (void)client.delete_object({bucket, prefix + "/" + k});
}

}  // namespace
}  // namespace essnap
