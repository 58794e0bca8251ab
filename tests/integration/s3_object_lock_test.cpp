// Storage class, Object Lock retention and server-side copies between buckets (issue 22) on the
// stack's S3 servers: moto (Object Lock implemented: a bucket created with
// x-amz-bucket-object-lock-enabled) and SeaweedFS (the stack's bucket plus one each test creates
// and removes). What a server does not keep is asserted on the one that keeps it and named here:
//  - moto's CreateMultipartUpload ignores the Object Lock headers (it keeps the storage class), so
//    an object written in parts (put_stream above the threshold, a copy in parts) has no
//    retention on moto; AWS applies them (documented for CreateMultipartUpload);
//  - the stack's moto refuses the SigV4 signature of an S3 GET whose query holds an encoded '/'
//    (ListObjectsV2 or ListObjectVersions with prefix=repo%2Fa) with SignatureDoesNotMatch, while
//    SeaweedFS accepts the same signer's requests (botocore encodes '/' in a query the same way);
//    the moto tests that list (copy, exists, remove by version) keep their blobs at the bucket's
//    root, which each test owns;
//  - SeaweedFS keeps the storage class (HeadObject answers STANDARD_IA after a STANDARD_IA put).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>

#include "essnap/aws/credentials.hpp"
#include "essnap/blob/s3_store.hpp"
#include "essnap/http/factory.hpp"
#include "essnap/s3/client.hpp"
#include "support/s3_versions.hpp"
#include "support/stack_env.hpp"

namespace essnap {
namespace {

using std::chrono::system_clock;
using test::stack_var;

struct Server {
  std::string name, endpoint, key, secret;
};

Server moto() {
  return {"moto", stack_var("ESSNAP_TEST_AWS_ENDPOINT"), stack_var("ESSNAP_TEST_AWS_ACCESS_KEY_ID"),
          stack_var("ESSNAP_TEST_AWS_SECRET_ACCESS_KEY")};
}
Server seaweed_server() {
  return {"seaweedfs", stack_var("ESSNAP_TEST_S3_ENDPOINT"),
          stack_var("ESSNAP_TEST_S3_ACCESS_KEY_ID"), stack_var("ESSNAP_TEST_S3_SECRET_ACCESS_KEY")};
}

s3::ClientOptions client_options(const Server& s) {
  s3::ClientOptions o;
  o.endpoint = {s.endpoint, "test"};
  o.addressing = s3::AddressingStyle::kPath;
  aws::Credentials c;
  c.access_key_id = s.key;
  c.secret_access_key = s.secret;
  o.credentials = aws::make_static_provider(c);
  return o;
}

// A bucket name unique to this process and test.
std::string bucket_name(const std::string& what) {
  return "essnap-s3w-" + what + "-" + std::to_string(::getpid());
}

std::string pattern(std::size_t n, char salt) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + salt) % 26);
  return s;
}

class S3Stack {
 public:
  explicit S3Stack(Server s)
      : server_(std::move(s)),
        transport_(http::make_transport({})),
        client_(*transport_, client_options(server_)) {}
  ~S3Stack() {
    for (const auto& b : created_) drop_bucket(b);
  }

  s3::Client& client() { return client_; }

  ::testing::AssertionResult create_bucket(const std::string& bucket, bool lock) {
    s3::CreateBucketRequest r{bucket, "us-east-1"};
    r.object_lock_enabled = lock;
    auto c = client_.create_bucket(r);
    if (!c.ok()) return ::testing::AssertionFailure() << c.error().message;
    created_.push_back(bucket);
    return ::testing::AssertionSuccess();
  }

  blob::S3StoreOptions store(const std::string& bucket, const std::string& prefix) {
    blob::S3StoreOptions o;
    o.bucket = bucket;
    o.prefix = prefix;
    o.client = client_options(server_);
    o.multipart_threshold = 1u << 20;
    o.part_size = 5u << 20;
    return o;
  }

  // Every version under `prefix` (GOVERNANCE locks bypassed: the test's own objects), then the
  // bucket when it is one this test made.
  void drop_prefix(const std::string& bucket, const std::string& prefix) {
    const std::string refused = test::delete_every_version(client_, bucket, prefix);
    EXPECT_TRUE(refused.empty()) << "clean-up of " << bucket << ": " << refused;
  }

 private:
  void drop_bucket(const std::string& bucket) {
    drop_prefix(bucket, "");
    auto d = client_.delete_bucket({bucket});
    EXPECT_TRUE(d.ok()) << "deleting bucket " << bucket << ": " << d.error().message;
  }

  Server server_;
  std::unique_ptr<http::Transport> transport_;
  s3::Client client_;
  std::vector<std::string> created_;
};

#define REQUIRE_MOTO()                                                              \
  ESSNAP_REQUIRE_STACK("ESSNAP_TEST_AWS_ENDPOINT", "ESSNAP_TEST_AWS_ACCESS_KEY_ID", \
                       "ESSNAP_TEST_AWS_SECRET_ACCESS_KEY")
#define REQUIRE_SEAWEED()                                                  \
  ESSNAP_REQUIRE_STACK("ESSNAP_TEST_S3_ENDPOINT", "ESSNAP_TEST_S3_BUCKET", \
                       "ESSNAP_TEST_S3_ACCESS_KEY_ID", "ESSNAP_TEST_S3_SECRET_ACCESS_KEY")

// retain-until = now + 1 day, give or take the test's own duration.
void expect_one_day(system_clock::time_point until, system_clock::time_point before) {
  const auto day = std::chrono::hours(24);
  EXPECT_GE(until, before + day - std::chrono::seconds(1));
  EXPECT_LE(until, system_clock::now() + day + std::chrono::seconds(2));
}

TEST(S3ObjectLockMoto, ConfigurationSaysWhichBucketHasIt) {
  REQUIRE_MOTO();
  S3Stack st(moto());
  const std::string locked = bucket_name("cfg-lock"), plain = bucket_name("cfg-plain");
  ASSERT_TRUE(st.create_bucket(locked, true));
  ASSERT_TRUE(st.create_bucket(plain, false));
  auto on = st.client().get_object_lock_configuration(locked);
  ASSERT_TRUE(on.ok()) << on.error().message;
  EXPECT_TRUE(on->enabled);
  EXPECT_EQ(on->default_mode, "");  // no default retention was set
  auto off = st.client().get_object_lock_configuration(plain);
  ASSERT_TRUE(off.ok()) << off.error().message;
  EXPECT_FALSE(off->enabled);
  blob::S3Store store(st.store(locked, "repo"));  // the same through the store
  auto via_store = store.object_lock_configuration();
  ASSERT_TRUE(via_store.ok()) << via_store.error().message;
  EXPECT_TRUE(via_store->enabled);
}

TEST(S3ObjectLockMoto, EveryWriteIsLockedOneDayAndDeletesAreRefusedAndReported) {
  REQUIRE_MOTO();
  S3Stack st(moto());
  const std::string locked = bucket_name("lock"), plain = bucket_name("lock-src");
  ASSERT_TRUE(st.create_bucket(locked, true));
  ASSERT_TRUE(st.create_bucket(plain, false));
  auto src_o = st.store(plain, "src");
  blob::S3Store src(src_o);
  ASSERT_TRUE(src.put("from-elsewhere", "copied across buckets").ok());

  auto o = st.store(locked, "");
  o.write = {"STANDARD_IA", "GOVERNANCE", 1};
  blob::S3Store store(o);
  const auto before = system_clock::now();
  Status s = store.put("a", "bytes of a");
  ASSERT_TRUE(s.ok()) << s.error().message;
  s = store.put_if_absent("b", "bytes of b");
  ASSERT_TRUE(s.ok()) << s.error().message;
  s = store.copy("a", "c");
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_TRUE(store.can_copy_from(src));
  s = store.copy_from(src, "from-elsewhere", "d", 21);
  ASSERT_TRUE(s.ok()) << s.error().message;
  const std::string big = pattern((5u << 20) + 100, 1);
  s = store.put_stream("e", [&](const blob::ChunkSink& sink) { return sink(big); });
  ASSERT_TRUE(s.ok()) << s.error().message;

  for (const char* name : {"a", "b", "c", "d"}) {
    SCOPED_TRACE(name);
    auto h = st.client().head_object({locked, std::string(name)});
    ASSERT_TRUE(h.ok()) << h.error().message;
    EXPECT_EQ(h->object_lock_mode, "GOVERNANCE");
    ASSERT_TRUE(h->object_lock_retain_until.has_value());
    expect_one_day(*h->object_lock_retain_until, before);
    EXPECT_EQ(h->storage_class, "STANDARD_IA");
    auto until = store.locked_until(name);
    ASSERT_TRUE(until.ok()) << until.error().message;
    ASSERT_TRUE(until->has_value());
    EXPECT_EQ(**until, *h->object_lock_retain_until);
  }
  EXPECT_EQ(store.read("d", 100).value(), "copied across buckets");
  // The multipart object: moto keeps the storage class, not the lock (see the file comment).
  auto e = st.client().head_object({locked, "e"});
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->content_length, big.size());
  EXPECT_EQ(e->storage_class, "STANDARD_IA");
  EXPECT_EQ(store.read("e", big.size()).value(), big);

  // A locked object: the delete is refused and the store says so, naming it; it is still there.
  Status gone = store.remove({"a"});
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, ErrorCode::kRemote);
  EXPECT_NE(gone.error().message.find(" a:"), std::string::npos) << gone.error().message;
  EXPECT_NE(gone.error().message.find("AccessDenied"), std::string::npos) << gone.error().message;
  EXPECT_NE(gone.error().hint.find("Object Lock"), std::string::npos) << gone.error().hint;
  EXPECT_EQ(store.read("a", 100).value(), "bytes of a");
  // What a plain delete (the store before delete_versions) does in the same bucket: it succeeds,
  // silently, by adding a delete marker; the locked version and its bytes stay.
  auto plain_o = st.store(locked, "");
  blob::S3Store plain_store(plain_o);
  Status marker = plain_store.remove({"b"});
  ASSERT_TRUE(marker.ok()) << marker.error().message;
  EXPECT_FALSE(plain_store.exists("b").value());
  auto kept = st.client().list_object_versions({locked, "b"});
  ASSERT_TRUE(kept.ok()) << kept.error().message;
  int data_versions = 0;
  for (const auto& v : kept->versions) data_versions += v.delete_marker ? 0 : 1;
  EXPECT_EQ(data_versions, 1);
  // An object without a lock goes, every version of it.
  Status unlocked = store.remove({"e"});
  ASSERT_TRUE(unlocked.ok()) << unlocked.error().message;
  EXPECT_FALSE(store.exists("e").value());
  auto versions = st.client().list_object_versions({locked, "e"});
  ASSERT_TRUE(versions.ok());
  EXPECT_TRUE(versions->versions.empty());
  auto nothing = store.locked_until("e");
  ASSERT_TRUE(nothing.ok());
  EXPECT_FALSE(nothing->has_value());
}

// Without Object Lock on the bucket, the lock headers are refused by the server: the put fails
// rather than writing an unprotected object.
TEST(S3ObjectLockMoto, ALockedWriteIntoABucketWithoutLockFails) {
  REQUIRE_MOTO();
  S3Stack st(moto());
  const std::string plain = bucket_name("nolock");
  ASSERT_TRUE(st.create_bucket(plain, false));
  auto o = st.store(plain, "");
  o.write = {"", "COMPLIANCE", 1};
  blob::S3Store store(o);
  Status s = store.put("a", "x");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kRemote) << s.error().message;
  EXPECT_FALSE(store.exists("a").value());
}

// copy_from between two buckets of one server: one CopyObject for a small blob, UploadPartCopy
// parts (copy_part_size 5 MiB) for one above the part size; the bytes arrive equal.
void copy_between_buckets(S3Stack& st, const std::string& src_bucket, const std::string& dst_bucket,
                          const std::string& prefix) {
  auto so = st.store(src_bucket, prefix + "/src");
  blob::S3Store src(so);
  auto dopt = st.store(dst_bucket, prefix + "/dst");
  dopt.copy_part_size = 5u << 20;
  blob::S3Store dst(dopt);
  ASSERT_TRUE(dst.can_copy_from(src));
  const std::string small = pattern(1000, 2), big = pattern((11u << 20) + 3, 3);
  ASSERT_TRUE(src.put("indices/i/0/__small", small).ok());
  ASSERT_TRUE(src.put("indices/i/0/__big", big).ok());
  Status s = dst.copy_from(src, "indices/i/0/__small", "indices/i/0/__small", small.size());
  ASSERT_TRUE(s.ok()) << s.error().message;
  s = dst.copy_from(src, "indices/i/0/__big", "indices/i/0/__big", big.size());
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(dst.read("indices/i/0/__small", small.size()).value(), small);
  auto got = dst.read("indices/i/0/__big", big.size());
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_TRUE(*got == big) << "the copy in parts differs (" << got->size() << " bytes)";
  auto missing = dst.copy_from(src, "indices/i/0/__none", "x", 5);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound) << missing.error().message;
  ASSERT_TRUE(src.remove({"indices/i/0/__small", "indices/i/0/__big"}).ok());
  ASSERT_TRUE(dst.remove({"indices/i/0/__small", "indices/i/0/__big"}).ok());
}

TEST(S3CopyBetweenBuckets, SeaweedFs) {
  REQUIRE_SEAWEED();
  S3Stack st(seaweed_server());
  const std::string dst = bucket_name("copy-dst");
  ASSERT_TRUE(st.create_bucket(dst, false));
  copy_between_buckets(st, stack_var("ESSNAP_TEST_S3_BUCKET"), dst,
                       "s3w-copy-" + std::to_string(::getpid()));
}

TEST(S3CopyBetweenBuckets, Moto) {
  REQUIRE_MOTO();
  S3Stack st(moto());
  const std::string src = bucket_name("copy-src"), dst = bucket_name("copy-dst");
  ASSERT_TRUE(st.create_bucket(src, false));
  ASSERT_TRUE(st.create_bucket(dst, false));
  copy_between_buckets(st, src, dst, "s3w");
}

// put with STANDARD_IA: HeadObject shows it where the server keeps storage classes.
TEST(S3StorageClass, KeptByMoto) {
  REQUIRE_MOTO();
  S3Stack st(moto());
  const std::string b = bucket_name("class");
  ASSERT_TRUE(st.create_bucket(b, false));
  auto o = st.store(b, "repo");
  o.write.storage_class = "STANDARD_IA";
  blob::S3Store store(o);
  ASSERT_TRUE(store.put("a", "x").ok());
  auto h = st.client().head_object({b, "repo/a"});
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(h->storage_class, "STANDARD_IA");
  EXPECT_EQ(h->object_lock_mode, "");
  EXPECT_FALSE(h->object_lock_retain_until.has_value());
}

TEST(S3StorageClass, KeptBySeaweedFs) {
  REQUIRE_SEAWEED();
  S3Stack st(seaweed_server());
  const std::string bucket = stack_var("ESSNAP_TEST_S3_BUCKET");
  const std::string prefix = "s3w-class-" + std::to_string(::getpid());
  auto o = st.store(bucket, prefix);
  o.write.storage_class = "STANDARD_IA";
  blob::S3Store store(o);
  Status s = store.put("a", "x");
  ASSERT_TRUE(s.ok()) << s.error().message;
  auto h = st.client().head_object({bucket, prefix + "/a"});
  ASSERT_TRUE(h.ok()) << h.error().message;
  // The stack's bucket was made without Object Lock: whatever SeaweedFS answers (no
  // configuration, or not implemented), it reads as not enabled.
  auto cfg = st.client().get_object_lock_configuration(bucket);
  ASSERT_TRUE(cfg.ok()) << cfg.error().message;
  EXPECT_FALSE(cfg->enabled);
  EXPECT_EQ(h->storage_class, "STANDARD_IA");
  ASSERT_TRUE(store.remove({"a"}).ok());
}

}  // namespace
}  // namespace essnap
