// The S3 client against the stack's SeaweedFS (SigV4 enforced) and the IAM client against moto
// (auth on). Unique names per test: ctest runs in parallel. Absent stack: FAIL when CI=true.
#include <gtest/gtest.h>

#include <chrono>

#include "essnap/http/factory.hpp"
#include "essnap/iam/iam.hpp"
#include "essnap/s3/client.hpp"
#include "sts_test_env.hpp"
#include "support/unique_name.hpp"

namespace essnap {
namespace {

using test::unique_name;

using test::stack_var;

#define REQUIRE_S3() ESSNAP_REQUIRE_STACK("ESSNAP_TEST_S3_ENDPOINT")

s3::ClientOptions seaweed() {
  s3::ClientOptions o;
  o.endpoint = {stack_var("ESSNAP_TEST_S3_ENDPOINT"), "test"};
  o.region = stack_var("ESSNAP_TEST_S3_REGION");
  o.credentials = aws::make_static_provider({stack_var("ESSNAP_TEST_S3_ACCESS_KEY_ID"),
                                             stack_var("ESSNAP_TEST_S3_SECRET_ACCESS_KEY"), "",
                                             std::nullopt, "test"});
  return o;
}

TEST(S3Seaweed, BucketLifecycleObjectsAndMultipart) {
  REQUIRE_S3();
  auto transport = http::make_transport({});
  s3::Client c(*transport, seaweed());
  const std::string bucket = unique_name("essnap-s3it");
  auto head = c.head_bucket({bucket});
  ASSERT_TRUE(head.ok()) << head.error().message;
  EXPECT_EQ(head->access, s3::BucketAccess::kNotFound);
  auto created = c.create_bucket({bucket, ""});
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(c.head_bucket({bucket})->access, s3::BucketAccess::kAccessible);
  auto loc = c.get_bucket_location({bucket});
  ASSERT_TRUE(loc.ok()) << loc.error().message;

  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(c.put_object({bucket, "p/k" + std::to_string(i),
                              http::Body::from_string("v" + std::to_string(i)), ""})
                    .ok());
  s3::ListObjectsV2Request lr{bucket, "p/", "", "", 2};
  auto page = c.list_objects_v2(lr);
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_EQ(page->objects.size(), 2u);
  EXPECT_FALSE(page->next_continuation_token.empty());
  auto all = c.list_all(bucket, "p/");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 5u);
  auto got = c.get_object({bucket, "p/k3", {}});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->body, "v3");

  auto up = c.create_multipart_upload({bucket, "big/blob", ""});
  ASSERT_TRUE(up.ok()) << up.error().message;
  std::string part1(5 * 1024 * 1024, 'a');
  auto p1 = c.upload_part({bucket, "big/blob", up->upload_id, 1, http::Body::from_string(part1)});
  ASSERT_TRUE(p1.ok()) << p1.error().message;
  auto p2 = c.upload_part({bucket, "big/blob", up->upload_id, 2, http::Body::from_string("tail")});
  ASSERT_TRUE(p2.ok());
  auto done = c.complete_multipart_upload(
      {bucket, "big/blob", up->upload_id, {{1, p1->etag}, {2, p2->etag}}});
  ASSERT_TRUE(done.ok()) << done.error().message;
  auto big = c.get_object({bucket, "big/blob", {}});
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->body.size(), part1.size() + 4);

  auto up2 = c.create_multipart_upload({bucket, "big/aborted", ""});
  ASSERT_TRUE(up2.ok());
  EXPECT_TRUE(c.abort_multipart_upload({bucket, "big/aborted", up2->upload_id}).ok());

  auto remaining = c.list_all(bucket, "");
  ASSERT_TRUE(remaining.ok());
  for (const auto& o : *remaining) EXPECT_TRUE(c.delete_object({bucket, o.key}).ok());
  EXPECT_TRUE(c.list_all(bucket, "")->empty());
}

TEST(S3Seaweed, WrongSecretIsASignatureError) {
  REQUIRE_S3();
  auto transport = http::make_transport({});
  auto o = seaweed();
  o.credentials = aws::make_static_provider(
      {stack_var("ESSNAP_TEST_S3_ACCESS_KEY_ID"), "wrong-secret", "", std::nullopt, "t"});
  s3::Client c(*transport, o);
  auto r = c.list_objects_v2({stack_var("ESSNAP_TEST_S3_BUCKET"), "", "", "", 1});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kRemote);
  EXPECT_EQ(r.error().remote->http_status, 403);
}

TEST(IamMoto, RoleAndInlinePolicyRoundTrip) {
  ESSNAP_REQUIRE_STACK_AWS(aws_env);
  auto transport = http::make_transport({});
  iam::IamClient c(*transport, {aws_env.endpoint, "us-east-1", "test"},
                   aws::make_static_provider({aws_env.access_key_id, aws_env.secret_access_key, "",
                                              std::nullopt, "test"}));
  const std::string role = unique_name("essnap-it-role");
  auto missing = c.get_role({role});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

  nlohmann::json trust = {{"Version", "2012-10-17"},
                          {"Statement",
                           {{{"Effect", "Allow"},
                             {"Principal", {{"Service", "es.amazonaws.com"}}},
                             {"Action", "sts:AssumeRole"}}}}};
  auto created = c.create_role({role, trust, "essnap test", ""});
  ASSERT_TRUE(created.ok()) << created.error().message;
  auto got = c.get_role({role});
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_TRUE(iam::policies_equal(got->role.assume_role_policy, trust))
      << got->role.assume_role_policy.dump();

  nlohmann::json policy = {
      {"Version", "2012-10-17"},
      {"Statement",
       {{{"Effect", "Allow"}, {"Action", {"s3:ListBucket"}}, {"Resource", "arn:aws:s3:::b"}}}}};
  ASSERT_TRUE(c.put_role_policy({role, "essnap-s3", policy}).ok());
  auto rp = c.get_role_policy({role, "essnap-s3"});
  ASSERT_TRUE(rp.ok()) << rp.error().message;
  EXPECT_TRUE(iam::policies_equal(rp->policy, policy)) << rp->policy.dump();
  auto none = c.get_role_policy({role, "absent"});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);

  trust["Statement"][0]["Condition"] = {
      {"StringEquals", {{"aws:SourceAccount", aws_env.account_id}}}};
  ASSERT_TRUE(c.update_assume_role_policy({role, trust}).ok());
  EXPECT_TRUE(iam::policies_equal(c.get_role({role})->role.assume_role_policy, trust));
}

}  // namespace
}  // namespace essnap
