// essnap repo sync when things go wrong, on OpenSearch 2's repository on the S3 mount: the sync
// killed (SIGKILL) after some data blobs, just before the root and between the root and
// index.latest — DST passes `inspect verify` at each point and the next sync completes; SRC
// changing under the sync (a snapshot deleted: the sync starts again from SRC's new root and
// never copies it half); another writer's root appearing in DST (refused, exit 8, nothing
// overwritten); DST in another bucket. Absent stack: FAIL when CI=true, else skip.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "essnap/aws/credentials.hpp"
#include "essnap/blob/s3_store.hpp"
#include "essnap/cluster/client.hpp"
#include "essnap/s3/client.hpp"
#include "essnap/sync/sync.hpp"
#include "support/cluster_fixture.hpp"
#include "support/process.hpp"
#include "support/s3_versions.hpp"
#include "support/stack_env.hpp"
#include "support/stack_s3_process.hpp"

namespace essnap {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::stack_var;

class RepoSyncFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    ESSNAP_REQUIRE_STACK("ESSNAP_TEST_OPENSEARCH_URL", "ESSNAP_TEST_OPENSEARCH_S3_REPO_PATH",
                         "ESSNAP_TEST_S3_ENDPOINT", "ESSNAP_TEST_S3_BUCKET",
                         "ESSNAP_TEST_S3_ACCESS_KEY_ID", "ESSNAP_TEST_S3_SECRET_ACCESS_KEY",
                         "ESSNAP_TEST_S3_MOUNT");
    id_ = test::test_id("syncf");
    client_ = test::test_client(stack_var("ESSNAP_TEST_OPENSEARCH_URL"));
    src_dir_ = stack_var("ESSNAP_TEST_OPENSEARCH_S3_REPO_PATH") + "/" + id_ + "-src";
    dst_dir_ = stack_var("ESSNAP_TEST_OPENSEARCH_S3_REPO_PATH") + "/" + id_ + "-dst";
    auto r = client_->json(
        "PUT", "/_snapshot/" + id_ + "-src",
        json{{"type", "fs"}, {"settings", {{"location", src_dir_}, {"chunk_size", "4kb"}}}},
        http::Idempotency::kNonIdempotent);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_TRUE(client_
                    ->json("PUT", "/" + index(),
                           json{{"settings", {{"number_of_shards", 2}, {"number_of_replicas", 0}}}},
                           http::Idempotency::kNonIdempotent)
                    .ok());
  }
  void TearDown() override {
    if (!client_) return;
    test::drop_repository(*client_, id_ + "-src");
    (void)client_->json("DELETE", "/" + index());
    std::error_code ec;
    fs::remove_all(src_dir_, ec);
    fs::remove_all(dst_dir_, ec);
  }
  std::string index() const { return id_ + "-logs"; }
  std::string s3_of(const std::string& dir) const {
    const std::string mount = stack_var("ESSNAP_TEST_S3_MOUNT");
    return "s3://" + stack_var("ESSNAP_TEST_S3_BUCKET") + "/" + dir.substr(mount.size() + 1);
  }
  std::string prefix_of(const std::string& dir) const {
    return dir.substr(stack_var("ESSNAP_TEST_S3_MOUNT").size() + 1);
  }
  void docs(int from, int to) {
    std::string bulk;
    for (int i = from; i <= to; ++i)
      bulk += "{\"index\":{}}\n{\"n\":" + std::to_string(i) + ",\"t\":\"fault suite " +
              std::to_string(i) + "\"}\n";
    http::Request req;
    req.method = "POST";
    req.url = stack_var("ESSNAP_TEST_OPENSEARCH_URL") + "/" + index() + "/_bulk?refresh=true";
    req.headers = {{"Content-Type", "application/x-ndjson"}};
    req.body = http::Body::from_string(bulk);
    auto r = client_->transport().send(std::move(req));
    ASSERT_TRUE(r.ok() && r->status == 200);
  }
  void snapshot(const std::string& name) {
    auto r =
        client_->json("PUT", "/_snapshot/" + id_ + "-src/" + name + "?wait_for_completion=true",
                      json{{"indices", index()}, {"include_global_state", false}},
                      http::Idempotency::kNonIdempotent);
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  test::ProcessResult essnap(const std::string& args) {
    return test::run_essnap_with_stack_s3(args);
  }
  json sync_json(const std::string& extra, int want_exit) {
    auto r = essnap("-o json repo sync " + s3_of(src_dir_) + " " + s3_of(dst_dir_) + " " + extra);
    EXPECT_EQ(r.exit_code, want_exit) << extra << "\n" << r.out << r.err;
    auto j = json::parse(r.out, nullptr, false);
    return j.is_discarded() ? json::object() : j;
  }
  void expect_dst_verifies(const std::string& when) {
    auto r = essnap("inspect verify " + s3_of(dst_dir_));
    EXPECT_EQ(r.exit_code, 0) << when << "\n" << r.out << r.err;
  }
  std::unique_ptr<blob::S3Store> store(const std::string& bucket, const std::string& prefix) {
    aws::Credentials creds;
    creds.access_key_id = stack_var("ESSNAP_TEST_S3_ACCESS_KEY_ID");
    creds.secret_access_key = stack_var("ESSNAP_TEST_S3_SECRET_ACCESS_KEY");
    blob::S3StoreOptions o;
    o.bucket = bucket;
    o.prefix = prefix;
    o.client.endpoint = {stack_var("ESSNAP_TEST_S3_ENDPOINT"), "us-east-1"};
    o.client.addressing = s3::AddressingStyle::kPath;
    o.client.credentials = aws::make_static_provider(creds);
    return std::make_unique<blob::S3Store>(o);
  }

  // An S3 client of its own on `endpoint` with these keys (path-style), for bucket set-up.
  struct S3Side {
    std::unique_ptr<http::Transport> transport;
    std::unique_ptr<s3::Client> client;
  };
  static S3Side s3_side(const std::string& endpoint, const std::string& key,
                        const std::string& secret) {
    s3::ClientOptions co;
    aws::Credentials creds;
    creds.access_key_id = key;
    creds.secret_access_key = secret;
    co.endpoint = {endpoint, "us-east-1"};
    co.addressing = s3::AddressingStyle::kPath;
    co.credentials = aws::make_static_provider(creds);
    S3Side side;
    side.transport = http::make_transport({});
    side.client = std::make_unique<s3::Client>(*side.transport, co);
    return side;
  }

  std::string id_, src_dir_, dst_dir_;
  std::unique_ptr<cluster::Client> client_;
};

TEST_F(RepoSyncFaults, AKilledSyncLeavesDstValidAndTheNextOneCompletes) {
  docs(1, 200);
  snapshot("s1");
  sync_json("", 0);
  const char* points[] = {"after-blobs:3", "before-root", "before-latest"};
  int n = 1;
  for (const char* point : points) {
    docs(200 * n + 1, 200 * n + 200);
    const std::string snap = "s" + std::to_string(++n);
    snapshot(snap);
    auto killed =
        essnap("repo sync " + s3_of(src_dir_) + " " + s3_of(dst_dir_) + " --crash-at " + point);
    EXPECT_NE(killed.exit_code, 0) << point;
    expect_dst_verifies(std::string("after a kill ") + point);
    auto again = sync_json("", 0);
    if (std::string(point) == "before-latest") {
      EXPECT_TRUE(again["up_to_date"].get<bool>()) << again.dump();  // the root had landed
    } else {
      EXPECT_EQ(again["plan"]["add"], json({snap})) << point << " " << again.dump();
      if (std::string(point) == "before-root")  // every data blob had arrived
        EXPECT_EQ(again["blobs_copied"], 0) << again.dump();
    }
    expect_dst_verifies(std::string("after the sync that followed ") + point);
  }
  // index.latest names the newest root again.
  auto dst = store(stack_var("ESSNAP_TEST_S3_BUCKET"), prefix_of(dst_dir_));
  auto latest = dst->read("index.latest", 8);
  ASSERT_TRUE(latest.ok());
  std::uint64_t g = 0;
  for (unsigned char c : *latest) g = (g << 8) | c;
  EXPECT_TRUE(dst->exists("index-" + std::to_string(g)).value());
  EXPECT_FALSE(dst->exists("index-" + std::to_string(g + 1)).value());
}

TEST_F(RepoSyncFaults, ASnapshotDeletedFromSrcDuringTheSyncIsNeverCopiedHalf) {
  docs(1, 300);
  snapshot("s1");
  docs(301, 600);
  snapshot("s2");
  auto src = store(stack_var("ESSNAP_TEST_S3_BUCKET"), prefix_of(src_dir_));
  auto dst = store(stack_var("ESSNAP_TEST_S3_BUCKET"), prefix_of(dst_dir_));
  sync::SyncOptions o;
  o.concurrency = 1;
  std::atomic<bool> deleted{false};
  o.progress = [&](const util::ProgressEvent& e) {
    if (e.state == "data" && !deleted.exchange(true))
      EXPECT_TRUE(client_->json("DELETE", "/_snapshot/" + id_ + "-src/s1").ok());
  };
  auto r = sync::sync_repository(*src, *dst, o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(deleted.load());
  EXPECT_GE(r->restarts, 1u);
  EXPECT_EQ(r->plan.add, std::vector<std::string>{"s2"});
  expect_dst_verifies("after SRC changed");
}

TEST_F(RepoSyncFaults, AnotherWritersRootInDstIsRefusedAndNothingIsOverwritten) {
  docs(1, 100);
  snapshot("s1");
  sync_json("", 0);  // DST at generation 0
  docs(101, 200);
  snapshot("s2");
  auto src = store(stack_var("ESSNAP_TEST_S3_BUCKET"), prefix_of(src_dir_));
  auto dst = store(stack_var("ESSNAP_TEST_S3_BUCKET"), prefix_of(dst_dir_));
  sync::SyncOptions o;
  std::atomic<bool> planted{false};
  o.progress = [&](const util::ProgressEvent&) {
    if (!planted.exchange(true)) EXPECT_TRUE(dst->put("index-5", "another writer").ok());
  };
  auto r = sync::sync_repository(*src, *dst, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_NE(r.error().message.find("index-5"), std::string::npos) << r.error().message;
  EXPECT_EQ(dst->read("index-5", 100).value(), "another writer");
  EXPECT_FALSE(dst->exists("index-1").value());
  // The CLI says so with exit 8.
  auto cli = essnap("repo sync " + s3_of(src_dir_) + " " + s3_of(dst_dir_));
  EXPECT_EQ(cli.exit_code, 8) << cli.out << cli.err;
}

TEST_F(RepoSyncFaults, DstInAnotherBucketThroughTheS3Api) {
  docs(1, 100);
  snapshot("s1");
  const std::string bucket = id_.substr(0, 40) + "-b";
  auto side =
      s3_side(stack_var("ESSNAP_TEST_S3_ENDPOINT"), stack_var("ESSNAP_TEST_S3_ACCESS_KEY_ID"),
              stack_var("ESSNAP_TEST_S3_SECRET_ACCESS_KEY"));
  s3::Client& s3c = *side.client;
  s3::CreateBucketRequest cb;
  cb.bucket = bucket;
  ASSERT_TRUE(s3c.create_bucket(cb).ok());
  auto r = essnap("-o json repo sync " + s3_of(src_dir_) + " s3://" + bucket + "/copy");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  auto v = essnap("inspect verify s3://" + bucket + "/copy --read-data");
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  auto other = store(bucket, "copy");
  std::vector<std::string> all;
  ASSERT_TRUE(other
                  ->walk("",
                         [&](const blob::BlobInfo& b) {
                           all.push_back(b.name);
                           return ok_status();
                         })
                  .ok());
  EXPECT_TRUE(other->remove(all).ok());  // the empty bucket stays (the client has no DeleteBucket)
}

// DST in a bucket with Object Lock on moto's S3 (SRC on SeaweedFS, each side its own keys and
// endpoint through --to-profile): s1 synced unlocked, s2 with --object-lock-days 1, then s3 with
// --keep-last 1: s1 goes (root first, then its blobs: every version), s2 is held by its lock and
// stays whole; DST verifies.
TEST_F(RepoSyncFaults, RetentionOnAnObjectLockDstKeepsLockedSnapshotsAndRemovesTheRest) {
  ESSNAP_REQUIRE_STACK("ESSNAP_TEST_AWS_ENDPOINT", "ESSNAP_TEST_AWS_ACCESS_KEY_ID",
                       "ESSNAP_TEST_AWS_SECRET_ACCESS_KEY");
  const std::string moto = stack_var("ESSNAP_TEST_AWS_ENDPOINT");
  const std::string bucket = "essnap-synclock-" + std::to_string(::getpid());
  const std::string key = stack_var("ESSNAP_TEST_AWS_ACCESS_KEY_ID"),
                    secret = stack_var("ESSNAP_TEST_AWS_SECRET_ACCESS_KEY");
  auto side = s3_side(moto, key, secret);
  s3::Client& s3c = *side.client;
  s3::CreateBucketRequest cb;
  cb.bucket = bucket;
  cb.object_lock_enabled = true;
  ASSERT_TRUE(s3c.create_bucket(cb).ok());
  // The DST profile: moto's keys, in a credentials file of the test's own.
  const std::string home = fs::temp_directory_path() / (id_ + "-home");
  fs::create_directories(home);
  {
    std::ofstream f(home + "/credentials");
    f << "[moto]\naws_access_key_id = " << key << "\naws_secret_access_key = " << secret << "\n";
  }
  auto sync = [&](const std::string& extra) {
    test::Command c;
    c.clear_env = true;
    c.env = {{"PATH", "/usr/bin:/bin"},
             {"HOME", "/nonexistent"},
             {"AWS_EC2_METADATA_DISABLED", "true"},
             {"AWS_SHARED_CREDENTIALS_FILE", home + "/credentials"},
             {"AWS_CONFIG_FILE", home + "/config"},
             {"AWS_ACCESS_KEY_ID", stack_var("ESSNAP_TEST_S3_ACCESS_KEY_ID")},
             {"AWS_SECRET_ACCESS_KEY", stack_var("ESSNAP_TEST_S3_SECRET_ACCESS_KEY")},
             {"AWS_REGION", "us-east-1"}};
    c.argv = test::argv({ESSNAP_BINARY},
                        "-o json repo sync " + s3_of(src_dir_) + " s3://" + bucket +
                            "/copy --s3-endpoint-url " + stack_var("ESSNAP_TEST_S3_ENDPOINT") +
                            " --to-profile moto --to-s3-endpoint-url " + moto + " " + extra);
    auto r = test::run(c);
    EXPECT_EQ(r.exit_code, 0) << extra << "\n" << r.out << r.err;
    auto j = json::parse(r.out, nullptr, false);
    return j.is_discarded() ? json::object() : j;
  };
  docs(1, 100);
  snapshot("s1");
  auto first = sync("");
  EXPECT_EQ(first["plan"]["add"], json({"s1"})) << first.dump();
  docs(101, 200);
  snapshot("s2");
  auto locked = sync("--object-lock-days 1");
  EXPECT_EQ(locked["plan"]["add"], json({"s2"})) << locked.dump();
  docs(201, 300);
  snapshot("s3");
  auto kept = sync("--object-lock-days 1 --keep-last 1");
  EXPECT_EQ(kept["plan"]["add"], json({"s3"})) << kept.dump();
  EXPECT_EQ(kept["plan"]["remove"], json({"s1"})) << kept.dump();
  ASSERT_EQ(kept["plan"]["held"].size(), 1u) << kept.dump();
  EXPECT_EQ(kept["plan"]["held"][0]["snapshot"], "s2");
  EXPECT_GT(kept["blobs_deleted"].get<long>(), 0) << kept.dump();
  // What the bucket holds: s2 and s3 whole (verified), s1's root blob gone with every version.
  auto s1 = client_->json("GET", "/_snapshot/" + id_ + "-src/s1");
  ASSERT_TRUE(s1.ok());
  const std::string s1_uuid = (*s1)["snapshots"][0]["uuid"].get<std::string>();
  auto versions = s3c.list_object_versions({bucket, "copy/snap-" + s1_uuid});
  ASSERT_TRUE(versions.ok()) << versions.error().message;
  EXPECT_TRUE(versions->versions.empty()) << "s1's snap blob has versions left";
  // The same rules again: s1 is not brought back (retention would drop it), nothing to do.
  auto again = sync("--keep-last 1 --dry-run");
  EXPECT_TRUE(again["plan"]["add"].empty()) << again.dump();
  EXPECT_EQ(again["plan"]["held"].size(), 1u) << again.dump();
  // Clean up: every version, GOVERNANCE locks bypassed (the test's own), then the bucket.
  (void)test::delete_every_version(s3c, bucket, "");
  (void)s3c.delete_bucket({bucket});
  fs::remove_all(home);
}

}  // namespace
}  // namespace essnap
