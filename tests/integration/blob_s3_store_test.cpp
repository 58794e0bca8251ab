// The blob store contract (tests/support/blob_store_suite.hpp) on the S3 store against the stack's
// SeaweedFS (SigV4): multipart puts (a 1 MiB threshold, 5 MiB parts), If-None-Match: * for the
// conditional put, DeleteObjects past 1000 keys, listings past a 1000-key page, CopyObject, and
// ranged reads through connections dropped by a fault layer in the transport stack (inside the
// retry loop, like a reset from the network), resumed byte-exactly by the store.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>

#include "essnap/aws/credentials.hpp"
#include "essnap/blob/s3_store.hpp"
#include "essnap/http/factory.hpp"
#include "essnap/s3/client.hpp"
#include "support/blob_store_suite.hpp"
#include "support/stack_env.hpp"

namespace essnap {
namespace {

using test::stack_var;

// Cuts the body of the next GETs after a number of bytes, as a reset connection would.
struct Faults {
  std::atomic<std::uint64_t> after{0};
  std::atomic<int> left{0};
  std::atomic<int> dropped{0};
  std::atomic<int> lose_put_answers{0};  // the next conditional PUTs land, their answers are lost
  std::atomic<int> fail_puts{0};         // the next conditional PUTs answer 503 and do not land
};

class DroppingTransport final : public http::Transport {
 public:
  DroppingTransport(std::unique_ptr<http::Transport> inner, std::shared_ptr<Faults> f)
      : inner_(std::move(inner)), f_(std::move(f)) {}
  Result<http::Response> send(http::Request r) override {
    const bool conditional =
        r.method == "PUT" && http::find_header(r.headers, "If-None-Match") != nullptr;
    if (conditional && f_->fail_puts.load() > 0 && f_->fail_puts.fetch_sub(1) > 0) {
      http::Response busy;
      busy.status = 503;
      busy.body = "<Error><Code>ServiceUnavailable</Code><Message>busy</Message></Error>";
      return busy;
    }
    if (conditional && f_->lose_put_answers.load() > 0 && f_->lose_put_answers.fetch_sub(1) > 0) {
      auto landed = inner_->send(std::move(r));
      if (!landed.ok()) return landed;
      return make_error(ErrorCode::kNetwork, "connection reset by peer (injected, after the PUT)");
    }
    if (r.method == "GET" && r.body_sink && f_->left.load() > 0 && f_->left.fetch_sub(1) > 0) {
      auto sink = std::move(r.body_sink);
      auto seen = std::make_shared<std::uint64_t>(0);
      const std::uint64_t after = f_->after.load();
      auto faults = f_;
      r.body_sink = [sink, seen, after, faults](std::string_view chunk) -> Status {
        if (*seen + chunk.size() > after) {
          const std::size_t keep = static_cast<std::size_t>(after - *seen);
          if (keep > 0) ESSNAP_TRY_STATUS(sink(chunk.substr(0, keep)));
          *seen = after;
          ++faults->dropped;
          return make_error(ErrorCode::kNetwork, "connection reset by peer (injected)");
        }
        *seen += chunk.size();
        return sink(chunk);
      };
    }
    return inner_->send(std::move(r));
  }

 private:
  std::unique_ptr<http::Transport> inner_;
  std::shared_ptr<Faults> f_;
};

class BlobS3Store : public ::testing::Test {
 protected:
  void SetUp() override {
    ESSNAP_REQUIRE_STACK("ESSNAP_TEST_S3_ENDPOINT", "ESSNAP_TEST_S3_BUCKET",
                         "ESSNAP_TEST_S3_ACCESS_KEY_ID", "ESSNAP_TEST_S3_SECRET_ACCESS_KEY");
    aws::Credentials creds;
    creds.access_key_id = stack_var("ESSNAP_TEST_S3_ACCESS_KEY_ID");
    creds.secret_access_key = stack_var("ESSNAP_TEST_S3_SECRET_ACCESS_KEY");
    client_.endpoint = {stack_var("ESSNAP_TEST_S3_ENDPOINT"), "test"};
    client_.addressing = s3::AddressingStyle::kPath;
    client_.credentials = aws::make_static_provider(creds);
    bucket_ = stack_var("ESSNAP_TEST_S3_BUCKET");
  }

  blob::S3StoreOptions options(const std::string& prefix) {
    blob::S3StoreOptions o;
    o.bucket = bucket_;
    o.prefix = prefix + "/";
    o.client = client_;
    o.multipart_threshold = 1u << 20;
    o.part_size = 5u << 20;
    auto faults = faults_;
    o.transports = [faults] {
      return http::make_transport({}, [faults](std::unique_ptr<http::Transport> inner) {
        return std::unique_ptr<http::Transport>(
            std::make_unique<DroppingTransport>(std::move(inner), faults));
      });
    };
    return o;
  }

  s3::ClientOptions client_;
  std::string bucket_;
  std::shared_ptr<Faults> faults_ = std::make_shared<Faults>();
};

TEST_F(BlobS3Store, KeepsTheContract) {
  const std::string prefix = "blob-it/store-" + std::to_string(::getpid());
  blob::S3Store store(options(prefix));
  EXPECT_EQ(store.describe(), "s3://" + bucket_ + "/" + prefix);
  EXPECT_TRUE(store.supports(blob::Capability::kConditionalPut));
  EXPECT_TRUE(store.supports(blob::Capability::kServerSideCopy));
  test::StoreSuiteHooks hooks;
  hooks.drop_reads = [this](std::uint64_t after, int times) {
    faults_->after = after;
    faults_->left = times;
  };
  test::expect_store_behaviour(store, hooks);
  EXPECT_GE(faults_->dropped.load(), 3);  // the drops did happen: the reads above resumed
  // Clean up what the suite left.
  std::vector<std::string> left;
  ASSERT_TRUE(store
                  .walk("",
                        [&](const blob::BlobInfo& b) {
                          left.push_back(b.name);
                          return ok_status();
                        })
                  .ok());
  ASSERT_TRUE(store.remove(left).ok());
  std::size_t remaining = 0;  // SeaweedFS may keep empty folders; no object may remain
  ASSERT_TRUE(store
                  .walk("",
                        [&](const blob::BlobInfo&) {
                          ++remaining;
                          return ok_status();
                        })
                  .ok());
  EXPECT_EQ(remaining, 0u);
}

// A conditional PUT whose answer is lost (it landed) or that fails without landing is settled by
// looking at the blob: ours there is success, nothing there is another attempt, and another
// writer's bytes are a conflict. Without that, a reset after the write reads as a failure (or a
// blind repeat as a lost race).
TEST_F(BlobS3Store, AConditionalPutWithoutAVerdictIsSettledByLooking) {
  const std::string prefix = "blob-it/settle-" + std::to_string(::getpid());
  blob::S3Store store(options(prefix));
  faults_->lose_put_answers = 1;
  Status landed = store.put_if_absent("index-7", "generation 7");
  ASSERT_TRUE(landed.ok()) << landed.error().message;
  EXPECT_EQ(faults_->lose_put_answers.load(), 0);
  EXPECT_EQ(store.read("index-7", 100).value(), "generation 7");

  faults_->fail_puts = 2;
  Status retried = store.put_if_absent("index-8", "generation 8");
  ASSERT_TRUE(retried.ok()) << retried.error().message;
  EXPECT_EQ(store.read("index-8", 100).value(), "generation 8");

  faults_->lose_put_answers = 1;  // lands nothing (the name is taken): the 412 is the verdict
  Status lost = store.put_if_absent("index-8", "another writer's 8");
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().code, ErrorCode::kConflict);
  faults_->fail_puts = 1;  // no verdict, then the look finds another writer's bytes
  Status other = store.put_if_absent("index-7", "generation 7, other");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kConflict);
  EXPECT_EQ(store.read("index-7", 100).value(), "generation 7");
  ASSERT_TRUE(store.remove({"index-7", "index-8"}).ok());
}

TEST_F(BlobS3Store, SmallPagesAndAMissingBucket) {
  const std::string prefix = "blob-it/pages-" + std::to_string(::getpid());
  auto o = options(prefix);
  o.page_size = 2;  // every listing paginates
  blob::S3Store store(o);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(store.put("d/" + std::to_string(i), "x").ok());
  ASSERT_TRUE(store.put("d/sub/y", "y").ok());
  auto l = store.list("d");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->blobs.size(), 5u);
  EXPECT_EQ(l->children, std::vector<std::string>{"sub"});
  ASSERT_TRUE(store.remove({"d/0", "d/1", "d/2", "d/3", "d/4", "d/sub/y"}).ok());
  // A missing bucket is a read error, not a missing blob or an empty listing.
  auto nb = options("");
  nb.bucket = "essnap-no-such-bucket-" + std::to_string(::getpid());
  blob::S3Store nobucket(nb);
  auto missing = nobucket.list("");
  ASSERT_FALSE(missing.ok());
  auto read = nobucket.read("x", 10);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().message.find("no such blob"), std::string::npos) << read.error().message;
}

}  // namespace
}  // namespace essnap
