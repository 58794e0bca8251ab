// Storage class and Object Lock on S3 writes (issue 22): the headers PutObject,
// CreateMultipartUpload and CopyObject send, Content-MD5 where S3 demands it, the signature still
// covering all of it, the retain-until date's format, the storage classes a repository may use,
// HeadObject's lock headers and GetObjectLockConfiguration's document; then the S3 store above
// it (WriteOptions on every write, locked_until, copy_from another store) and the refusal of
// write options by stores that cannot keep them.
#include <gtest/gtest.h>

#include <filesystem>

#include "essnap/aws/credentials.hpp"
#include "essnap/aws/sigv4.hpp"
#include "essnap/blob/memory_store.hpp"
#include "essnap/blob/open.hpp"
#include "essnap/blob/s3_store.hpp"
#include "essnap/s3/client.hpp"
#include "support/recording_transport.hpp"

namespace essnap::s3 {
namespace {

using std::chrono::system_clock;
using testing::RecordingTransport;

// 2026-12-07T15:00:00.250Z
system_clock::time_point pinned() {
  return system_clock::time_point(std::chrono::milliseconds(1796655600250LL));
}

ClientOptions lock_opts(std::string endpoint = "http://127.0.0.1:1") {
  ClientOptions o;
  o.endpoint = {std::move(endpoint), "test"};
  o.credentials = aws::make_static_provider({"AKIDEXAMPLE", "secret", "", std::nullopt, "test"});
  o.clock = pinned;
  return o;
}

const std::string* lock_header(const http::Request& r, const char* name) {
  return http::find_header(r.headers, name);
}

// The signature of the request as it went out, recomputed from what is on the wire: equal only
// when every header (the new ones too) was in place before the client signed.
void expect_signature_covers(const http::Request& r, std::initializer_list<const char*> names) {
  aws::SigningRequest sr;
  sr.method = r.method;
  sr.url = r.url;
  for (const auto& h : r.headers) sr.headers.push_back(h);
  sr.body = r.body.data();
  aws::SigningParams p;
  p.region = "us-east-1";
  p.service = "s3";
  p.time = pinned();
  auto s = aws::sign(sr, {"AKIDEXAMPLE", "secret", "", std::nullopt, "test"}, p);
  ASSERT_TRUE(s.ok()) << s.error().message;
  std::string auth;
  for (const auto& h : s->headers_to_add)
    if (h.first == "Authorization") auth = h.second;
  ASSERT_NE(lock_header(r, "Authorization"), nullptr);
  EXPECT_EQ(*lock_header(r, "Authorization"), auth);
  for (const char* n : names)
    EXPECT_NE((";" + s->signed_headers + ";").find(std::string(";") + n + ";"), std::string::npos)
        << n << " not signed: " << s->signed_headers;
}

ObjectWriteSettings locked(const char* mode = "GOVERNANCE") {
  ObjectWriteSettings w;
  w.storage_class = "STANDARD_IA";
  w.object_lock_mode = mode;
  w.object_lock_retain_until = pinned() + std::chrono::hours(24);
  return w;
}

TEST(S3RetainUntil, IsoUtcRoundedUpToTheSecond) {
  EXPECT_EQ(format_retain_until(pinned()), "2026-12-07T15:00:01Z");
  EXPECT_EQ(format_retain_until(pinned() - std::chrono::milliseconds(250)), "2026-12-07T15:00:00Z");
  // What AWS sends back (HeadObject), what moto echoes, and an offset.
  for (const char* t :
       {"2026-12-07T15:00:01.000Z", "2026-12-07T15:00:01Z", "2026-12-07T16:00:01+01:00"}) {
    auto p = parse_retain_until(t);
    ASSERT_TRUE(p.ok()) << t;
    EXPECT_EQ(format_retain_until(*p), "2026-12-07T15:00:01Z") << t;
  }
  auto bad = parse_retain_until("tomorrow");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kParse);
}

TEST(S3StorageClass, ReadableClassesOnlyForARepository) {
  for (const char* c : {"STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
                        "GLACIER_IR", "REDUCED_REDUNDANCY", "EXPRESS_ONEZONE"})
    EXPECT_TRUE(check_repository_storage_class(c).ok()) << c;
  for (const char* c : {"GLACIER", "DEEP_ARCHIVE"}) {
    auto s = check_repository_storage_class(c);
    ASSERT_FALSE(s.ok()) << c;
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(s.error().message.find("without a retrieval"), std::string::npos)
        << s.error().message;
  }
  for (const char* c : {"", "standard_ia", "OUTPOSTS", "SNOW", "GLACIER IR"}) {
    auto s = check_repository_storage_class(c);
    ASSERT_FALSE(s.ok()) << c;
    EXPECT_NE(s.error().message.find("without a retrieval"), std::string::npos);
  }
}

TEST(S3WriteHeaders, PutObjectWithLockSendsModeDateClassAndContentMd5AllSigned) {
  RecordingTransport t;
  t.push(200, "", {{"ETag", "\"e\""}});
  Client c(t, lock_opts());
  PutObjectRequest r{"b-one", "dir/k", http::Body::from_string("hello"), ""};
  r.write = locked();
  ASSERT_TRUE(c.put_object(r).ok());
  const auto& q = t.requests.at(0);
  EXPECT_EQ(*lock_header(q, "x-amz-storage-class"), "STANDARD_IA");
  EXPECT_EQ(*lock_header(q, "x-amz-object-lock-mode"), "GOVERNANCE");
  EXPECT_EQ(*lock_header(q, "x-amz-object-lock-retain-until-date"), "2026-12-08T15:00:01Z");
  // base64(MD5("hello")) = base64(5d41402abc4b2a76b9719d911017c592)
  ASSERT_NE(lock_header(q, "Content-MD5"), nullptr);
  EXPECT_EQ(*lock_header(q, "Content-MD5"), "XUFAKrxLKna5cZ2REBfFkg==");
  expect_signature_covers(q, {"content-md5", "x-amz-object-lock-mode",
                              "x-amz-object-lock-retain-until-date", "x-amz-storage-class"});
}

TEST(S3WriteHeaders, NothingAddedWithoutSettingsAndMd5OnRequest) {
  RecordingTransport t;
  t.push(200);
  t.push(200);
  t.push(200);
  Client c(t, lock_opts());
  ASSERT_TRUE(c.put_object({"b-one", "k", http::Body::from_string("hello"), ""}).ok());
  for (const char* n : {"x-amz-storage-class", "x-amz-object-lock-mode",
                        "x-amz-object-lock-retain-until-date", "Content-MD5"})
    EXPECT_EQ(lock_header(t.requests[0], n), nullptr) << n;
  PutObjectRequest only_class{"b-one", "k", http::Body::from_string(""), ""};
  only_class.write.storage_class = "GLACIER_IR";
  ASSERT_TRUE(c.put_object(only_class).ok());
  EXPECT_EQ(*lock_header(t.requests[1], "x-amz-storage-class"), "GLACIER_IR");
  EXPECT_EQ(lock_header(t.requests[1], "x-amz-object-lock-mode"), nullptr);
  EXPECT_EQ(lock_header(t.requests[1], "Content-MD5"), nullptr);
  PutObjectRequest md5{"b-one", "k", http::Body::from_string(""), ""};
  md5.content_md5 = true;  // a bucket with a default retention: asked for explicitly
  ASSERT_TRUE(c.put_object(md5).ok());
  EXPECT_EQ(*lock_header(t.requests[2], "Content-MD5"), "1B2M2Y8AsgTpgAmY7PhCfg==");  // MD5("")
  expect_signature_covers(t.requests[2], {"content-md5"});
}

TEST(S3WriteHeaders, ModeAndDateGoTogetherAndAreChecked) {
  RecordingTransport t;
  Client c(t, lock_opts());
  PutObjectRequest no_date{"b-one", "k", http::Body::from_string("x"), ""};
  no_date.write.object_lock_mode = "GOVERNANCE";
  PutObjectRequest no_mode{"b-one", "k", http::Body::from_string("x"), ""};
  no_mode.write.object_lock_retain_until = pinned();
  PutObjectRequest bad_mode{"b-one", "k", http::Body::from_string("x"), ""};
  bad_mode.write = locked("governance");
  PutObjectRequest bad_class{"b-one", "k", http::Body::from_string("x"), ""};
  bad_class.write.storage_class = "standard\r\nx: y";
  for (const auto* r : {&no_date, &no_mode, &bad_mode, &bad_class}) {
    auto put = c.put_object(*r);
    ASSERT_FALSE(put.ok());
    EXPECT_EQ(put.error().code, ErrorCode::kInvalidArgument) << put.error().message;
  }
  EXPECT_TRUE(t.requests.empty());  // nothing was sent
}

TEST(S3WriteHeaders, MultipartCarriesSettingsOnCreateAndMd5OnParts) {
  RecordingTransport t;
  t.push(200,
         "<InitiateMultipartUploadResult><UploadId>U1</UploadId></InitiateMultipartUploadResult>");
  t.push(200, "", {{"ETag", "\"p1\""}});
  t.push(200, "", {{"ETag", "\"p2\""}});
  Client c(t, lock_opts());
  CreateMultipartUploadRequest cr{"b-one", "big", "application/octet-stream"};
  cr.write = locked("COMPLIANCE");
  ASSERT_TRUE(c.create_multipart_upload(cr).ok());
  EXPECT_EQ(*lock_header(t.requests[0], "x-amz-object-lock-mode"), "COMPLIANCE");
  EXPECT_EQ(*lock_header(t.requests[0], "x-amz-object-lock-retain-until-date"),
            "2026-12-08T15:00:01Z");
  EXPECT_EQ(*lock_header(t.requests[0], "x-amz-storage-class"), "STANDARD_IA");
  EXPECT_EQ(lock_header(t.requests[0], "Content-MD5"), nullptr);  // no body
  expect_signature_covers(t.requests[0], {"x-amz-object-lock-mode", "x-amz-storage-class"});
  UploadPartRequest part{"b-one", "big", "U1", 1, http::Body::from_string("hello")};
  part.content_md5 = true;
  ASSERT_TRUE(c.upload_part(part).ok());
  EXPECT_EQ(*lock_header(t.requests[1], "Content-MD5"), "XUFAKrxLKna5cZ2REBfFkg==");
  expect_signature_covers(t.requests[1], {"content-md5"});
  ASSERT_TRUE(c.upload_part({"b-one", "big", "U1", 2, http::Body::from_string("x")}).ok());
  EXPECT_EQ(lock_header(t.requests[2], "Content-MD5"), nullptr);
}

TEST(S3WriteHeaders, CopyObjectCarriesSettingsAndKeepsMetadata) {
  RecordingTransport t;
  t.push(200, "<CopyObjectResult><ETag>\"e\"</ETag></CopyObjectResult>");
  Client c(t, lock_opts());
  CopyObjectRequest r{"src-bucket", "p/a b", "dst-bucket", "q/a b"};
  r.write = locked();
  ASSERT_TRUE(c.copy_object(r).ok());
  const auto& q = t.requests[0];
  EXPECT_EQ(*lock_header(q, "x-amz-copy-source"), "/src-bucket/p/a%20b");
  EXPECT_EQ(*lock_header(q, "x-amz-object-lock-mode"), "GOVERNANCE");
  EXPECT_EQ(*lock_header(q, "x-amz-storage-class"), "STANDARD_IA");
  EXPECT_EQ(lock_header(q, "x-amz-metadata-directive"), nullptr);         // COPY, S3's default
  EXPECT_EQ(*lock_header(q, "Content-MD5"), "1B2M2Y8AsgTpgAmY7PhCfg==");  // MD5 of the empty body
  expect_signature_covers(
      q, {"x-amz-copy-source", "x-amz-object-lock-retain-until-date", "content-md5"});
}

// Headers as in the AWS S3 API Reference, HeadObject, "Response Syntax" (x-amz-object-lock-*,
// x-amz-storage-class), with the date in the form S3 sends it.
TEST(S3HeadObject, ReadsLockAndStorageClass) {
  RecordingTransport t;
  t.push(200, "",
         {{"Content-Length", "3191"},
          {"ETag", "\"3e25960a79dbc69b674cd4ec67a72c62\""},
          {"Last-Modified", "Mon, 07 Dec 2026 15:00:00 GMT"},
          {"x-amz-storage-class", "STANDARD_IA"},
          {"x-amz-object-lock-mode", "GOVERNANCE"},
          {"x-amz-object-lock-retain-until-date", "2026-12-08T15:00:01.000Z"},
          {"x-amz-object-lock-legal-hold", "OFF"}});
  t.push(200, "", {{"Content-Length", "0"}, {"x-amz-object-lock-legal-hold", "ON"}});
  t.push(404);
  Client c(t, lock_opts());
  auto h = c.head_object({"b-one", "k"});
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(t.requests[0].method, "HEAD");
  EXPECT_EQ(h->content_length, 3191u);
  EXPECT_EQ(h->etag, "3e25960a79dbc69b674cd4ec67a72c62");
  EXPECT_EQ(h->storage_class, "STANDARD_IA");
  EXPECT_EQ(h->object_lock_mode, "GOVERNANCE");
  ASSERT_TRUE(h->object_lock_retain_until.has_value());
  EXPECT_EQ(format_retain_until(*h->object_lock_retain_until), "2026-12-08T15:00:01Z");
  EXPECT_FALSE(h->object_lock_legal_hold);
  auto held = c.head_object({"b-one", "k2"});
  ASSERT_TRUE(held.ok());
  EXPECT_TRUE(held->object_lock_legal_hold);
  EXPECT_EQ(held->storage_class, "STANDARD");  // S3 omits the header for STANDARD
  EXPECT_FALSE(held->object_lock_retain_until.has_value());
  auto missing = c.head_object({"b-one", "nope"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("s3://b-one/nope"), std::string::npos);
}

// Bodies from the AWS S3 API Reference, GetObjectLockConfiguration ("Response Syntax") and the
// error S3 answers for a bucket without Object Lock (ObjectLockConfigurationNotFoundError).
TEST(S3ObjectLockConfiguration, EnabledWithDefaultDisabledAndAbsent) {
  RecordingTransport t;
  t.push(200,
         "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<ObjectLockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
         "<ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention>"
         "<Mode>COMPLIANCE</Mode><Days>30</Days></DefaultRetention></Rule>"
         "</ObjectLockConfiguration>");
  t.push(200,
         "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled>"
         "</ObjectLockConfiguration>");
  t.push(404,
         "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>"
         "ObjectLockConfigurationNotFoundError</Code><Message>Object Lock configuration does not "
         "exist for this bucket</Message><BucketName>b-one</BucketName></Error>");
  t.push(404, "<Error><Code>NoSuchBucket</Code><Message>gone</Message></Error>");
  t.push(403, "<Error><Code>AccessDenied</Code><Message>no</Message></Error>");
  Client c(t, lock_opts());
  auto with_default = c.get_object_lock_configuration("b-one");
  ASSERT_TRUE(with_default.ok());
  EXPECT_NE(t.requests[0].url.find("?object-lock="), std::string::npos) << t.requests[0].url;
  EXPECT_EQ(t.requests[0].method, "GET");
  EXPECT_TRUE(with_default->enabled);
  EXPECT_EQ(with_default->default_mode, "COMPLIANCE");
  EXPECT_EQ(with_default->default_days, 30);
  EXPECT_EQ(with_default->default_years, 0);
  auto no_default = c.get_object_lock_configuration("b-one");
  ASSERT_TRUE(no_default.ok());
  EXPECT_TRUE(no_default->enabled);
  EXPECT_EQ(no_default->default_mode, "");
  auto none = c.get_object_lock_configuration("b-one");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->enabled);
  auto no_bucket = c.get_object_lock_configuration("b-one");
  ASSERT_FALSE(no_bucket.ok());
  EXPECT_EQ(no_bucket.error().code, ErrorCode::kNotFound);
  auto denied = c.get_object_lock_configuration("b-one");
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().remote->http_status, 403);
}

}  // namespace
}  // namespace essnap::s3

namespace essnap::blob {
namespace {

using std::chrono::system_clock;

system_clock::time_point pinned() {
  return system_clock::time_point(std::chrono::milliseconds(1796655600250LL));
}

// Every pooled client of a store sends through one shared recorder.
class Forward final : public http::Transport {
 public:
  explicit Forward(testing::RecordingTransport& t) : t_(t) {}
  Result<http::Response> send(http::Request r) override { return t_.send(std::move(r)); }

 private:
  testing::RecordingTransport& t_;
};

S3StoreOptions store_options(testing::RecordingTransport& t, std::string bucket,
                             std::string endpoint = "http://127.0.0.1:1") {
  S3StoreOptions o;
  o.bucket = std::move(bucket);
  o.prefix = "repo";
  o.client.endpoint = {std::move(endpoint), "test"};
  o.client.credentials =
      aws::make_static_provider({"AKIDEXAMPLE", "secret", "", std::nullopt, "test"});
  o.client.clock = pinned;
  o.transports = [&t] { return std::unique_ptr<http::Transport>(std::make_unique<Forward>(t)); };
  return o;
}

const std::string* lock_header(const http::Request& r, const char* name) {
  return http::find_header(r.headers, name);
}

TEST(BlobWriteOptions, CheckedAndRefusedOutsideS3) {
  EXPECT_TRUE(check_write_options({}, false, "/tmp/x").ok());
  EXPECT_TRUE(check_write_options({"GLACIER_IR", "GOVERNANCE", 1}, true, "s3://b/p").ok());
  EXPECT_TRUE(check_write_options({"", "COMPLIANCE", 36500}, true, "s3://b/p").ok());
  const WriteOptions bad[] = {{"DEEP_ARCHIVE", "", 0}, {"GLACIER", "", 0},
                              {"", "GOVERNANCE", 0},   {"", "", 3},
                              {"", "governance", 3},   {"", "COMPLIANCE", 36501}};
  for (const auto& w : bad) {
    auto s = check_write_options(w, true, "s3://b/p");
    ASSERT_FALSE(s.ok()) << w.storage_class << "/" << w.object_lock_mode << "/"
                         << w.object_lock_days;
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  }
  auto local = check_write_options({"STANDARD_IA", "", 0}, false, "/tmp/x");
  ASSERT_FALSE(local.ok());
  EXPECT_NE(local.error().message.find("S3 only"), std::string::npos);
}

TEST(BlobWriteOptions, OpenRefusesThemForADirectoryAndAnUnreadableClass) {
  const auto dir = std::filesystem::temp_directory_path() / "essnap-s3w-open-write-options";
  std::filesystem::create_directories(dir);
  OpenOptions o;
  o.write.storage_class = "STANDARD_IA";
  auto local = open_blob_store(dir.string(), Access::kWrite, o);
  ASSERT_FALSE(local.ok());
  EXPECT_EQ(local.error().code, ErrorCode::kInvalidArgument);
  o.write = {};
  EXPECT_TRUE(open_blob_store(dir.string(), Access::kWrite, o).ok());
  o.write.storage_class = "DEEP_ARCHIVE";
  auto glacier = open_blob_store("s3://essnap-s3w-bucket/p", Access::kWrite, o);
  ASSERT_FALSE(glacier.ok());
  EXPECT_EQ(glacier.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(glacier.error().message.find("DEEP_ARCHIVE"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(BlobCopyFrom, StoresWithoutItSayNoAndLockNothing) {
  MemoryStore a, b;
  EXPECT_FALSE(a.can_copy_from(b));
  b.set("x", "1");
  auto s = a.copy_from(b, "x", "y", 1);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInternal);
  auto l = b.locked_until("x");
  ASSERT_TRUE(l.ok());
  EXPECT_FALSE(l->has_value());
}

TEST(BlobS3WriteOptions, EveryWriteCarriesThem) {
  testing::RecordingTransport t;
  t.set_handler([](const http::Request& r) -> Result<http::Response> {
    if (r.method == "POST" && r.url.find("?uploads=") != std::string::npos)
      return http::Response{
          200,
          {},
          "<InitiateMultipartUploadResult><UploadId>U</UploadId></InitiateMultipartUploadResult>",
          1};
    if (r.method == "POST")
      return http::Response{
          200,
          {},
          "<CompleteMultipartUploadResult><ETag>\"e\"</ETag></CompleteMultipartUploadResult>",
          1};
    if (r.method == "GET")  // size() for copy: one listed object of 3 bytes
      return http::Response{200,
                            {},
                            "<ListBucketResult><Contents><Key>repo/a</Key><Size>3</Size></"
                            "Contents></ListBucketResult>",
                            1};
    if (r.method == "PUT" && http::find_header(r.headers, "x-amz-copy-source"))
      return http::Response{200, {}, "<CopyObjectResult><ETag>\"e\"</ETag></CopyObjectResult>", 1};
    return http::Response{200, {{"ETag", "\"e\""}}, "", 1};
  });
  auto o = store_options(t, "dst-bucket");
  o.write = {"STANDARD_IA", "GOVERNANCE", 1};
  o.multipart_threshold = 1;
  o.part_size = 5u << 20;
  S3Store store(o);
  ASSERT_TRUE(store.put_if_absent("a", "abc").ok());
  ASSERT_TRUE(
      store
          .put_stream("big",
                      [](const ChunkSink& sink) { return sink(std::string((5u << 20) + 1, 'z')); })
          .ok());
  ASSERT_TRUE(store.copy("a", "b").ok());
  std::vector<std::string> seen;
  for (const auto& r : t.requests) {
    if (r.method == "GET") continue;
    const bool part = r.url.find("partNumber=") != std::string::npos;
    const bool complete = r.method == "POST" && r.url.find("uploadId=") != std::string::npos;
    if (part) {
      EXPECT_NE(lock_header(r, "Content-MD5"), nullptr) << r.url;
      continue;
    }
    if (complete) continue;
    seen.push_back(r.method + " " + r.url.substr(r.url.find("/repo/")));
    ASSERT_NE(lock_header(r, "x-amz-object-lock-mode"), nullptr) << r.url;
    EXPECT_EQ(*lock_header(r, "x-amz-object-lock-mode"), "GOVERNANCE");
    EXPECT_EQ(*lock_header(r, "x-amz-object-lock-retain-until-date"), "2026-12-08T15:00:01Z");
    EXPECT_EQ(*lock_header(r, "x-amz-storage-class"), "STANDARD_IA");
    if (r.method == "PUT" && !lock_header(r, "x-amz-copy-source"))
      EXPECT_NE(lock_header(r, "Content-MD5"), nullptr) << r.url;
  }
  EXPECT_EQ(seen,
            (std::vector<std::string>{"PUT /repo/a", "POST /repo/big?uploads=", "PUT /repo/b"}));
}

TEST(BlobS3WriteOptions, AnUnusableOneFailsTheWriteBeforeAnyRequest) {
  testing::RecordingTransport t;
  auto o = store_options(t, "dst-bucket");
  o.write = {"GLACIER", "", 0};
  S3Store store(o);
  auto s = store.put("a", "x");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(t.requests.empty());
}

TEST(BlobS3CopyFrom, SameEndpointOnly) {
  testing::RecordingTransport t;
  S3Store dst(store_options(t, "dst-bucket", "http://127.0.0.1:8333"));
  S3Store same(store_options(t, "src-bucket", "http://127.0.0.1:8333/"));
  S3Store other_port(store_options(t, "src-bucket", "http://127.0.0.1:8334"));
  S3Store other_scheme(store_options(t, "src-bucket", "https://127.0.0.1:8333"));
  S3Store aws_a(store_options(t, "src-bucket", ""));
  S3Store aws_b(store_options(t, "dst-bucket", ""));
  auto cn = store_options(t, "src-bucket", "");
  cn.client.region = "cn-north-1";
  S3Store aws_cn(cn);
  MemoryStore mem;
  EXPECT_TRUE(dst.can_copy_from(same));
  EXPECT_TRUE(dst.can_copy_from(dst));
  EXPECT_FALSE(dst.can_copy_from(other_port));
  EXPECT_FALSE(dst.can_copy_from(other_scheme));
  EXPECT_FALSE(dst.can_copy_from(aws_a));
  EXPECT_FALSE(dst.can_copy_from(mem));
  EXPECT_TRUE(aws_b.can_copy_from(aws_a));
  EXPECT_FALSE(aws_b.can_copy_from(aws_cn));
  auto refused = dst.copy_from(mem, "a", "b", 1);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(t.requests.empty());
}

TEST(BlobS3CopyFrom, CopyObjectThenPartsAndAccessDeniedKept) {
  testing::RecordingTransport t;
  t.push(200, "<CopyObjectResult><ETag>\"e\"</ETag></CopyObjectResult>");
  t.push(200,
         "<InitiateMultipartUploadResult><UploadId>U</UploadId></InitiateMultipartUploadResult>");
  t.push(200, "<CopyPartResult><ETag>\"p1\"</ETag></CopyPartResult>");
  t.push(200, "<CopyPartResult><ETag>\"p2\"</ETag></CopyPartResult>");
  t.push(200, "<CompleteMultipartUploadResult><ETag>\"e\"</ETag></CompleteMultipartUploadResult>");
  t.push(403, "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>");
  auto o = store_options(t, "dst-bucket");
  o.copy_part_size = 1;  // kept at S3's 5 MiB minimum
  o.write = {"STANDARD_IA", "", 0};
  S3Store dst(o);
  auto so = store_options(t, "src-bucket");
  so.prefix = "other/prefix";
  S3Store src(so);
  ASSERT_TRUE(dst.copy_from(src, "indices/x/0/__a", "indices/x/0/__a", 5u << 20).ok());
  EXPECT_EQ(*lock_header(t.requests[0], "x-amz-copy-source"),
            "/src-bucket/other/prefix/indices/x/0/__a");
  EXPECT_NE(t.requests[0].url.find("/dst-bucket/repo/indices/x/0/__a"), std::string::npos);
  EXPECT_EQ(*lock_header(t.requests[0], "x-amz-storage-class"), "STANDARD_IA");
  ASSERT_TRUE(dst.copy_from(src, "big", "big", (5u << 20) + 1).ok());
  EXPECT_EQ(*lock_header(t.requests[1], "x-amz-storage-class"), "STANDARD_IA");
  EXPECT_EQ(*lock_header(t.requests[2], "x-amz-copy-source-range"), "bytes=0-5242879");
  EXPECT_EQ(*lock_header(t.requests[3], "x-amz-copy-source-range"), "bytes=5242880-5242880");
  EXPECT_EQ(*lock_header(t.requests[3], "x-amz-copy-source"), "/src-bucket/other/prefix/big");
  auto denied = dst.copy_from(src, "c", "c", 1);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, ErrorCode::kRemote);
  ASSERT_TRUE(denied.error().remote.has_value());
  EXPECT_EQ(denied.error().remote->http_status, 403);
}

TEST(BlobS3LockedUntil, RetentionAheadHoldAndNothing) {
  testing::RecordingTransport t;
  t.push(200, "",
         {{"x-amz-object-lock-mode", "GOVERNANCE"},
          {"x-amz-object-lock-retain-until-date", "2026-12-08T15:00:01.000Z"}});
  t.push(200, "",
         {{"x-amz-object-lock-mode", "GOVERNANCE"},
          {"x-amz-object-lock-retain-until-date", "2026-12-01T00:00:00.000Z"}});
  t.push(200, "", {{"x-amz-object-lock-legal-hold", "ON"}});
  t.push(200, "");
  t.push(404);
  S3Store store(store_options(t, "dst-bucket"));
  auto ahead = store.locked_until("a");
  ASSERT_TRUE(ahead.ok());
  ASSERT_TRUE(ahead->has_value());
  EXPECT_EQ(s3::format_retain_until(**ahead), "2026-12-08T15:00:01Z");
  EXPECT_NE(t.requests[0].url.find("/dst-bucket/repo/a"), std::string::npos);
  EXPECT_FALSE(store.locked_until("past")->has_value());
  EXPECT_EQ(**store.locked_until("held"), system_clock::time_point::max());
  EXPECT_FALSE(store.locked_until("plain")->has_value());
  EXPECT_FALSE(store.locked_until("gone")->has_value());
}

}  // namespace
}  // namespace essnap::blob
