// S3 client against a recording fake transport: addressing, LocationConstraint, region
// redirects, errors inside 200 answers, pagination, bucket-name rules.
#include <gtest/gtest.h>

#include <map>

#include "essnap/aws/credentials.hpp"
#include "essnap/s3/client.hpp"
#include "support/recording_transport.hpp"

namespace essnap::s3 {
namespace {

using testing::RecordingTransport;

ClientOptions opts(std::string endpoint = {}, std::string region = "us-east-1") {
  ClientOptions o;
  const std::string source = endpoint.empty() ? "aws" : "test";
  o.endpoint = {std::move(endpoint), source};
  o.region = std::move(region);
  o.credentials = aws::make_static_provider({"AKIDEXAMPLE", "secret", "", std::nullopt, "test"});
  return o;
}

const std::string* header(const http::Request& r, const char* name) {
  return http::find_header(r.headers, name);
}

TEST(S3BucketName, AcceptsValidNames) {
  const std::string names[] = {"abc", "my-bucket", "my.bucket.name", "a1b2c3",
                               std::string(63, 'a')};
  for (const auto& n : names) EXPECT_TRUE(validate_bucket_name(n).ok()) << n;
}

TEST(S3BucketName, RefusesInvalidNamesWithTheRule) {
  struct Case {
    std::string name, why;
  } cases[] = {{"ab", "3 to 63"},
               {std::string(64, 'a'), "3 to 63"},
               {"My-Bucket", "character 'M'"},
               {"my_bucket", "character '_'"},
               {"-bucket", "begin and end"},
               {"bucket-", "begin and end"},
               {"my..bucket", "'..'"},
               {"my.-bucket", "touch"},
               {"192.168.5.4", "IP address"},
               {"xn--bucket", "prefix"},
               {"sthree-bucket", "prefix"},
               {"bucket-s3alias", "suffix"},
               {"bucket--ol-s3", "suffix"}};
  for (const auto& c : cases) {
    auto s = validate_bucket_name(c.name);
    ASSERT_FALSE(s.ok()) << c.name;
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(s.error().message.find(c.why), std::string::npos) << s.error().message;
  }
}

TEST(S3BucketUri, ParsesBucketAndPrefix) {
  auto u = parse_bucket_uri("s3://my-bucket/snapshots/prod/");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->bucket, "my-bucket");
  EXPECT_EQ(u->prefix, "snapshots/prod");
  auto bare = parse_bucket_uri("my-bucket");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->prefix, "");
  EXPECT_FALSE(parse_bucket_uri("s3://Bad_Bucket/x").ok());
  EXPECT_FALSE(parse_bucket_uri("https://my-bucket/x").ok());
}

// Issue 21: a prefix with ".." reached S3 and came back as a 403 with a wrong-secret hint.
TEST(S3BucketUri, RefusesDotSegmentsAndControlCharacters) {
  for (const char* bad :
       {"s3://my-bucket/../other", "s3://my-bucket/a/../b", "s3://my-bucket/a/./b",
        "s3://my-bucket/..", "s3://my-bucket/a/..", "s3://my-bucket/a\nb"}) {
    auto u = parse_bucket_uri(bad);
    ASSERT_FALSE(u.ok()) << bad;
    EXPECT_EQ(u.error().code, ErrorCode::kInvalidArgument) << bad;
  }
  auto dots = parse_bucket_uri("s3://my-bucket/a..b/...c/.d");  // dots inside a name are fine
  ASSERT_TRUE(dots.ok()) << dots.error().message;
  EXPECT_EQ(dots->prefix, "a..b/...c/.d");
}

TEST(S3Endpoint, FlagThenServiceVariableThenGlobalVariable) {
  aws::MapEnvironment env(std::map<std::string, std::string>{
      {"AWS_ENDPOINT_URL_S3", "http://s3.local/"}, {"AWS_ENDPOINT_URL", "http://all.local"}});
  EXPECT_EQ(resolve_s3_endpoint(env, "http://flag.local").url, "http://flag.local");
  EXPECT_EQ(resolve_s3_endpoint(env).url, "http://s3.local");
  aws::MapEnvironment global(
      std::map<std::string, std::string>{{"AWS_ENDPOINT_URL", "http://all.local"}});
  EXPECT_EQ(resolve_s3_endpoint(global).source, "AWS_ENDPOINT_URL");
  aws::MapEnvironment ignored(std::map<std::string, std::string>{
      {"AWS_ENDPOINT_URL", "http://all.local"}, {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"}});
  EXPECT_EQ(resolve_s3_endpoint(ignored).url, "");
}

TEST(S3Addressing, VirtualHostedOnAwsPathStyleElsewhere) {
  RecordingTransport t;
  Client aws_client(t, opts({}, "eu-west-1"));
  EXPECT_EQ(aws_client.object_url("my-bucket", "a b/c"),
            "https://my-bucket.s3.eu-west-1.amazonaws.com/a%20b/c");
  // Dotted names over TLS would fail the wildcard certificate.
  EXPECT_EQ(aws_client.object_url("my.bucket", "k"),
            "https://s3.eu-west-1.amazonaws.com/my.bucket/k");
  Client local(t, opts("http://127.0.0.1:8333"));
  EXPECT_EQ(local.object_url("my-bucket", "k"), "http://127.0.0.1:8333/my-bucket/k");
  auto o = opts({}, "us-west-2");
  o.addressing = AddressingStyle::kPath;
  Client forced(t, o);
  EXPECT_EQ(forced.object_url("b-1", "k"), "https://s3.us-west-2.amazonaws.com/b-1/k");
}

TEST(S3CreateBucket, NoLocationConstraintInUsEast1) {
  RecordingTransport t;
  t.push(200);
  Client c(t, opts());
  ASSERT_TRUE(c.create_bucket({"snap-bucket", "us-east-1"}).ok());
  ASSERT_EQ(t.requests.size(), 1u);
  EXPECT_EQ(t.requests[0].method, "PUT");
  EXPECT_EQ(t.requests[0].body.data(), "");
  ASSERT_NE(header(t.requests[0], "Authorization"), nullptr);
  EXPECT_NE(header(t.requests[0], "Authorization")->find("/us-east-1/s3/aws4_request"),
            std::string::npos);
}

TEST(S3CreateBucket, LocationConstraintElsewhereSignedForThatRegion) {
  RecordingTransport t;
  t.push(200);
  Client c(t, opts());
  ASSERT_TRUE(c.create_bucket({"snap-bucket", "eu-central-1"}).ok());
  EXPECT_NE(t.requests[0].body.data().find("<LocationConstraint>eu-central-1</LocationConstraint>"),
            std::string::npos);
  EXPECT_EQ(t.requests[0].url, "https://snap-bucket.s3.eu-central-1.amazonaws.com/");
  EXPECT_NE(header(t.requests[0], "Authorization")->find("/eu-central-1/s3/"), std::string::npos);
}

TEST(S3CreateBucket, OwnedElsewhereIsAConflictOwnedByYouIsFine) {
  RecordingTransport t;
  t.push(409,
         "<Error><Code>BucketAlreadyExists</Code><Message>The requested bucket name is not "
         "available.</Message><RequestId>R1</RequestId></Error>");
  t.push(409, "<Error><Code>BucketAlreadyOwnedByYou</Code><Message>yours</Message></Error>");
  Client c(t, opts());
  auto taken = c.create_bucket({"taken-bucket", ""});
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.error().code, ErrorCode::kConflict);
  EXPECT_NE(taken.error().hint.find("another account"), std::string::npos);
  EXPECT_EQ(taken.error().remote->request_id, "R1");
  auto mine = c.create_bucket({"mine-bucket", ""});
  ASSERT_TRUE(mine.ok());
  EXPECT_TRUE(mine->already_owned);
}

TEST(S3CreateBucket, InvalidNameSendsNothing) {
  RecordingTransport t;
  Client c(t, opts());
  auto r = c.create_bucket({"Invalid_Name", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(t.requests.empty());
}

TEST(S3Redirect, FollowedOnceAndRemembered) {
  RecordingTransport t;
  t.push(301, "", {{"x-amz-bucket-region", "ap-southeast-2"}});
  t.push(200, "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>");
  t.push(200, "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>");
  Client c(t, opts());
  ASSERT_TRUE(c.list_objects_v2({"far-bucket", "", "", "", 1000}).ok());
  ASSERT_TRUE(c.list_objects_v2({"far-bucket", "", "", "", 1000}).ok());
  ASSERT_EQ(t.requests.size(), 3u);
  EXPECT_NE(t.requests[0].url.find("s3.us-east-1"), std::string::npos);
  EXPECT_NE(t.requests[1].url.find("far-bucket.s3.ap-southeast-2.amazonaws.com"),
            std::string::npos);
  EXPECT_NE(header(t.requests[1], "Authorization")->find("/ap-southeast-2/s3/"), std::string::npos);
  EXPECT_NE(t.requests[2].url.find("ap-southeast-2"), std::string::npos);
  EXPECT_EQ(c.bucket_region("far-bucket"), "ap-southeast-2");
}

TEST(S3Redirect, FollowedOnlyOnce) {
  RecordingTransport t;
  t.push(400,
         "<Error><Code>AuthorizationHeaderMalformed</Code><Message>wrong region</Message></Error>",
         {{"x-amz-bucket-region", "eu-west-1"}});
  t.push(301, "", {{"x-amz-bucket-region", "eu-west-2"}});
  Client c(t, opts());
  auto r = c.get_object({"b-bucket", "k", {}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(t.requests.size(), 2u);
}

TEST(S3HeadBucket, MapsStatuses) {
  RecordingTransport t;
  t.push(200, "", {{"x-amz-bucket-region", "us-east-1"}});
  t.push(404);
  t.push(403);
  Client c(t, opts());
  EXPECT_EQ(c.head_bucket({"b-one"})->access, BucketAccess::kAccessible);
  EXPECT_EQ(c.head_bucket({"b-two"})->access, BucketAccess::kNotFound);
  EXPECT_EQ(c.head_bucket({"b-three"})->access, BucketAccess::kForbidden);
  EXPECT_EQ(t.requests[0].method, "HEAD");
}

TEST(S3Location, EmptyMeansUsEast1) {
  RecordingTransport t;
  t.push(200, "<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>");
  t.push(200, "<LocationConstraint>EU</LocationConstraint>");
  Client c(t, opts());
  EXPECT_EQ(c.get_bucket_location({"b-one"})->region, "us-east-1");
  EXPECT_EQ(c.get_bucket_location({"b-one"})->region, "eu-west-1");
  EXPECT_NE(t.requests[0].url.find("?location="), std::string::npos);
}

TEST(S3BucketConfig, PublicAccessBlockAndEncryptionDocuments) {
  RecordingTransport t;
  t.push(200);
  t.push(200);
  t.push(200);
  Client c(t, opts());
  ASSERT_TRUE(c.put_public_access_block({"b-one", {}}).ok());
  ASSERT_TRUE(c.put_bucket_encryption({"b-one", {}}).ok());
  ASSERT_TRUE(
      c.put_bucket_encryption({"b-one", {"aws:kms", "arn:aws:kms:us-east-1:1:key/k"}}).ok());
  EXPECT_NE(t.requests[0].body.data().find("<BlockPublicAcls>true</BlockPublicAcls>"),
            std::string::npos);
  EXPECT_NE(t.requests[0].body.data().find("<RestrictPublicBuckets>true</RestrictPublicBuckets>"),
            std::string::npos);
  ASSERT_NE(header(t.requests[0], "Content-MD5"), nullptr);
  EXPECT_NE(t.requests[1].body.data().find("<SSEAlgorithm>AES256</SSEAlgorithm>"),
            std::string::npos);
  EXPECT_NE(t.requests[2].body.data().find("<KMSMasterKeyID>arn:aws:kms:us-east-1:1:key/k<"),
            std::string::npos);
}

TEST(S3BucketConfig, MissingConfigurationIsNotAnError) {
  RecordingTransport t;
  t.push(404, "<Error><Code>NoSuchPublicAccessBlockConfiguration</Code></Error>");
  t.push(404, "<Error><Code>ServerSideEncryptionConfigurationNotFoundError</Code></Error>");
  t.push(200,
         "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>"
         "<SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule>"
         "</ServerSideEncryptionConfiguration>");
  Client c(t, opts());
  EXPECT_FALSE(c.get_public_access_block({"b-one"})->config.has_value());
  EXPECT_FALSE(c.get_bucket_encryption({"b-one"})->encryption.has_value());
  EXPECT_EQ(c.get_bucket_encryption({"b-one"})->encryption->algorithm, "AES256");
}

TEST(S3List, FollowsContinuationTokens) {
  RecordingTransport t;
  t.push(200,
         "<ListBucketResult><Contents><Key>p/a</Key><Size>3</Size><ETag>\"e1\"</ETag></Contents>"
         "<IsTruncated>true</IsTruncated><NextContinuationToken>tok/1=</NextContinuationToken>"
         "</ListBucketResult>");
  t.push(200,
         "<ListBucketResult><Contents><Key>p/b</Key><Size>4</Size></Contents>"
         "<IsTruncated>false</IsTruncated></ListBucketResult>");
  Client c(t, opts("http://127.0.0.1:1"));
  auto all = c.list_all("b-one", "p/");
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].etag, "e1");
  EXPECT_EQ((*all)[1].size, 4u);
  EXPECT_NE(t.requests[1].url.find("continuation-token=tok%2F1%3D"), std::string::npos);
  EXPECT_NE(t.requests[0].url.find("prefix=p%2F"), std::string::npos);
}

TEST(S3Objects, PutGetDelete) {
  RecordingTransport t;
  t.push(200, "", {{"ETag", "\"abc\""}});
  t.push(200, "hello", {{"Content-Length", "5"}});
  t.push(204);
  t.push(404, "<Error><Code>NoSuchKey</Code></Error>");
  Client c(t, opts("http://127.0.0.1:1"));
  EXPECT_EQ(c.put_object({"b-one", "dir/k", http::Body::from_string("hello"), ""})->etag, "abc");
  EXPECT_EQ(c.get_object({"b-one", "dir/k", {}})->body, "hello");
  EXPECT_TRUE(c.delete_object({"b-one", "dir/k"}).ok());
  auto missing = c.get_object({"b-one", "nope", {}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  // The body is hashed into the signature, not sent UNSIGNED.
  EXPECT_NE(*header(t.requests[0], "X-Amz-Content-SHA256"), "UNSIGNED-PAYLOAD");
}

TEST(S3Multipart, CompleteWithErrorInsideA200) {
  RecordingTransport t;
  t.push(200,
         "<InitiateMultipartUploadResult><UploadId>U+1</UploadId></InitiateMultipartUploadResult>");
  t.push(200, "", {{"ETag", "\"p1\""}});
  t.push(200,
         "<?xml version=\"1.0\"?>\n<Error><Code>InternalError</Code><Message>We encountered an "
         "internal error.</Message></Error>");
  t.push(204);
  Client c(t, opts("http://127.0.0.1:1"));
  auto up = c.create_multipart_upload({"b-one", "big", ""});
  ASSERT_TRUE(up.ok());
  EXPECT_EQ(t.requests[0].idempotency, http::Idempotency::kNonIdempotent);
  auto part = c.upload_part({"b-one", "big", up->upload_id, 1, http::Body::from_string("x")});
  ASSERT_TRUE(part.ok());
  EXPECT_NE(t.requests[1].url.find("partNumber=1&uploadId=U%2B1"), std::string::npos);
  auto done = c.complete_multipart_upload({"b-one", "big", up->upload_id, {{1, part->etag}}});
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.error().remote->error_type, "InternalError");
  EXPECT_NE(done.error().message.find("inside a 200"), std::string::npos);
  EXPECT_NE(t.requests[2].body.data().find("<ETag>\"p1\"</ETag>"), std::string::npos);
  EXPECT_TRUE(c.abort_multipart_upload({"b-one", "big", up->upload_id}).ok());
}

TEST(S3Copy, ErrorInside200Detected) {
  RecordingTransport t;
  t.push(200, "<Error><Code>SlowDown</Code><Message>slow</Message></Error>");
  Client c(t, opts("http://127.0.0.1:1"));
  auto r = c.copy_object({"b-one", "a", "b-one", "b"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().remote->error_type, "SlowDown");
}

}  // namespace
}  // namespace essnap::s3
