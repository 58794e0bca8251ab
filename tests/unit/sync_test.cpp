// sync::sync_repository on the repositories real engines wrote (tests/data/repo: Elasticsearch
// 6.8, 7.10, 7.17, 8 compressed and not, 9, OpenSearch 1 and 3 with zstd; tests/data/inspect) into
// a memory store: DST verifies with --read-data, lists SRC's snapshots under its own repository
// uuid, and a second sync is up to date. Selection by glob, retention with Object Lock holds
// (a store wrapper that locks blobs), and a conflicting snapshot name refused.
#include "essnap/sync/sync.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <set>

#include "essnap/blob/local_store.hpp"
#include "essnap/blob/memory_store.hpp"
#include "essnap/format/root_index.hpp"
#include "essnap/format/shard_snapshot.hpp"
#include "essnap/inspect/verify.hpp"
#include "essnap/inspect/walker.hpp"
#include "support/essnap_process.hpp"

namespace essnap {
namespace {

namespace fs = std::filesystem;
using SyncClock = std::chrono::system_clock;

std::string data_dir() {
  return ESSNAP_TEST_DATA_DIR;
}

std::set<std::string> snapshot_names(blob::BlobStore& store) {
  auto repo = inspect::Repository::open(store);
  EXPECT_TRUE(repo.ok()) << (repo.ok() ? "" : repo.error().message);
  std::set<std::string> out;
  if (repo.ok())
    for (const auto& s : (*repo)->data().snapshots) out.insert(s.name);
  return out;
}

void expect_intact(blob::BlobStore& store, const std::string& what) {
  inspect::VerifyOptions v;
  v.read_data = inspect::ReadData::kYes;
  auto r = inspect::verify(store, v);
  ASSERT_TRUE(r.ok()) << what << ": " << r.error().message;
  EXPECT_TRUE(r->intact()) << what << ": "
                           << (r->problems.empty()
                                   ? ""
                                   : r->problems[0].path + " " + r->problems[0].problem);
}

std::vector<std::string> fixture_repositories() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(data_dir() + "/repo"))
    if (e.is_directory()) out.push_back(e.path().string());
  for (const char* d : {"/inspect/es8", "/inspect/os2"}) out.push_back(data_dir() + d);
  std::sort(out.begin(), out.end());
  return out;
}

TEST(SyncFixtures, EveryEnginesRepositorySyncsVerifiesAndKeepsItsOwnUuid) {
  for (const auto& dir : fixture_repositories()) {
    SCOPED_TRACE(dir);
    blob::LocalStore src(dir);
    blob::MemoryStore dst;
    sync::SyncOptions o;
    auto r = sync::sync_repository(src, dst, o);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->plan.dst_generation, std::nullopt);
    EXPECT_EQ(r->plan.new_generation, 0u);
    EXPECT_EQ(r->server_side_copies, 0u);  // a memory store copies nothing server-side
    EXPECT_GE(r->streamed_copies, r->blobs_copied);
    EXPECT_GT(r->blobs_copied, 0u);
    EXPECT_EQ(snapshot_names(dst), snapshot_names(src));
    expect_intact(dst, dir);
    auto s = inspect::Repository::open(src);
    auto d = inspect::Repository::open(dst);
    ASSERT_TRUE(s.ok() && d.ok());
    if ((*s)->data().uuid) {
      ASSERT_TRUE((*d)->data().uuid.has_value());
      EXPECT_NE(*(*d)->data().uuid, *(*s)->data().uuid) << "DST has a uuid of its own";
    } else {
      EXPECT_FALSE((*d)->data().uuid.has_value()) << "SRC's format: no uuid before 7.12";
    }
    EXPECT_EQ((*d)->data().min_version, (*s)->data().min_version);
    EXPECT_EQ(dst.read("index.latest", 8).value(), format::write_index_latest(0));
    // Nothing new: nothing copied, nothing written.
    auto again = sync::sync_repository(src, dst, o);
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_TRUE(again->plan.up_to_date());
    EXPECT_EQ(again->blobs_copied, 0u);
    EXPECT_FALSE(dst.exists("index-1").value());
  }
}

TEST(SyncSelection, GlobsPickSnapshotsAndShardIndicesListOnlyWhatDstHolds) {
  blob::LocalStore src(data_dir() + "/repo/es8-c");
  blob::MemoryStore dst;
  sync::SyncOptions o;
  o.snapshots = {"s1"};
  auto r = sync::sync_repository(src, dst, o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->plan.add, std::vector<std::string>{"s1"});
  EXPECT_EQ(snapshot_names(dst), std::set<std::string>{"s1"});
  expect_intact(dst, "s1 only");
  // Every shard index DST holds names only s1, and its files only what s1 needs.
  std::size_t shard_indices = 0;
  ASSERT_TRUE(dst.walk("indices",
                       [&](const blob::BlobInfo& b) {
                         const std::string name = b.name.substr(b.name.rfind('/') + 1);
                         if (name.rfind("index-", 0) != 0) return ok_status();
                         auto bytes = dst.read(b.name, 1 << 20);
                         EXPECT_TRUE(bytes.ok());
                         auto s = format::read_shard_snapshots(
                             {reinterpret_cast<const std::uint8_t*>(bytes->data()), bytes->size()});
                         EXPECT_TRUE(s.ok()) << b.name;
                         if (!s.ok()) return ok_status();
                         ++shard_indices;
                         for (const auto& e : s->snapshots) EXPECT_EQ(e.snapshot, "s1") << b.name;
                         return ok_status();
                       })
                  .ok());
  EXPECT_GT(shard_indices, 0u);
  // Then the rest: s2 joins, what s1 already brought is not copied again.
  sync::SyncOptions all;
  auto r2 = sync::sync_repository(src, dst, all);
  ASSERT_TRUE(r2.ok()) << r2.error().message;
  EXPECT_EQ(r2->plan.add, std::vector<std::string>{"s2"});
  EXPECT_EQ(r2->plan.kept, std::vector<std::string>{"s1"});
  EXPECT_EQ(r2->plan.new_generation, 1u);
  EXPECT_EQ(snapshot_names(dst), (std::set<std::string>{"s1", "s2"}));
  expect_intact(dst, "s1 then s2");
  EXPECT_TRUE(dst.exists("index-0").value());  // the previous root stays (the engines keep two)
}

TEST(SyncConflicts, ASnapshotNameDstHoldsWithAnotherUuidIsRefusedAndNothingWritten) {
  blob::LocalStore a(data_dir() + "/repo/es8-c"), b(data_dir() + "/repo/es8-u");
  blob::MemoryStore dst;
  ASSERT_TRUE(sync::sync_repository(a, dst, {}).ok());
  auto r = sync::sync_repository(b, dst, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_NE(r.error().message.find("s1"), std::string::npos) << r.error().message;
  EXPECT_FALSE(dst.exists("index-1").value());
}

TEST(SyncConflicts, DstThatHoldsOtherFilesIsRefused) {
  blob::LocalStore src(data_dir() + "/repo/es8-c");
  blob::MemoryStore dst;
  ASSERT_TRUE(dst.put("notes.txt", "mine").ok());
  auto r = sync::sync_repository(src, dst, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(dst.read("notes.txt", 10).value(), "mine");
}

// A memory store whose blobs can be locked, as S3 Object Lock does: locked_until answers, and a
// remove of a locked blob is refused (reported, nothing of the batch removed).
class LockingStore final : public blob::BlobStore {
 public:
  std::map<std::string, SyncClock::time_point> locks;
  blob::MemoryStore inner;

  Result<blob::Listing> list(std::string_view d) override { return inner.list(d); }
  Status walk(std::string_view d, const blob::BlobVisitor& v) override { return inner.walk(d, v); }
  Status stream(std::string_view p, const blob::ChunkSink& s) override {
    return inner.stream(p, s);
  }
  Status stream_range(std::string_view p, std::uint64_t o, std::uint64_t l,
                      const blob::ChunkSink& s) override {
    return inner.stream_range(p, o, l, s);
  }
  Result<std::optional<std::uint64_t>> size(std::string_view p) override { return inner.size(p); }
  Status put(std::string_view p, std::string_view b) override { return inner.put(p, b); }
  Status put_stream(std::string_view p, const blob::ChunkProducer& f) override {
    return inner.put_stream(p, f);
  }
  Status put_if_absent(std::string_view p, std::string_view b) override {
    return inner.put_if_absent(p, b);
  }
  Status remove(const std::vector<std::string>& paths) override {
    for (const auto& p : paths)
      if (auto it = locks.find(p); it != locks.end() && it->second > SyncClock::now())
        return make_error(ErrorCode::kRemote, p + " is locked");
    return inner.remove(paths);
  }
  Status copy(std::string_view f, std::string_view t) override { return inner.copy(f, t); }
  bool supports(blob::Capability c) const override { return inner.supports(c); }
  std::string describe() const override { return "locking:"; }
  Result<std::optional<TimePoint>> locked_until(std::string_view p) override {
    auto it = locks.find(std::string(p));
    if (it == locks.end() || it->second <= SyncClock::now()) return std::optional<TimePoint>();
    return std::optional<TimePoint>(it->second);
  }
};

TEST(SyncRetention, LockedSnapshotsAreHeldAndTheUnlockedGoAfterTheRoot) {
  blob::LocalStore src(data_dir() + "/repo/es8-c");  // s1 then s2
  LockingStore dst;
  ASSERT_TRUE(sync::sync_repository(src, dst, {}).ok());
  std::vector<std::string> before;
  ASSERT_TRUE(dst.walk("",
                       [&](const blob::BlobInfo& b) {
                         before.push_back(b.name);
                         return ok_status();
                       })
                  .ok());
  // Every blob of DST locked for a day: keep-last 1 would drop s1, the lock holds it.
  const auto until = SyncClock::now() + std::chrono::hours(24);
  for (const auto& p : before) dst.locks[p] = until;
  sync::SyncOptions o;
  retention::Policy keep;
  keep.last = 1;
  o.retention = keep;
  o.check_locks = true;
  auto held = sync::sync_repository(src, dst, o);
  ASSERT_TRUE(held.ok()) << held.error().message;
  ASSERT_EQ(held->plan.held.size(), 1u);
  EXPECT_EQ(held->plan.held[0].name, "s1");
  EXPECT_TRUE(held->plan.remove.empty());
  EXPECT_EQ(snapshot_names(dst), (std::set<std::string>{"s1", "s2"}));
  for (const auto& p : before) EXPECT_TRUE(dst.exists(p).value()) << p;
  // The lock past: s1 goes, the root first, then the blobs only it referenced.
  dst.locks.clear();
  auto gone = sync::sync_repository(src, dst, o);
  ASSERT_TRUE(gone.ok()) << gone.error().message;
  EXPECT_EQ(gone->plan.remove, std::vector<std::string>{"s1"});
  EXPECT_GT(gone->blobs_deleted, 0u);
  EXPECT_EQ(snapshot_names(dst), std::set<std::string>{"s2"});
  expect_intact(dst, "after retention");
  auto s1 = inspect::Repository::open(src);
  ASSERT_TRUE(s1.ok());
  const auto* snap1 = (*s1)->data().snapshot_by_name("s1");
  ASSERT_NE(snap1, nullptr);
  EXPECT_FALSE(dst.exists("snap-" + snap1->uuid + ".dat").value());
}

}  // namespace
}  // namespace essnap

namespace essnap {
namespace {

test::ProcessResult run_sync_cli(const std::string& args) {
  return test::run_essnap_clean(args);
}

// The command from a terminal-less shell: directory to directory (every fixture repository's
// format through the CLI), --verify-data reading the new data back, and the refusals with their
// exit codes before anything is written.
TEST(SyncCommand, DirectoryToDirectoryWithVerifyDataAndClearRefusals) {
  const std::string dst =
      (fs::temp_directory_path() / ("essnap-sync-cli-" + std::to_string(::getpid()))).string();
  fs::remove_all(dst);
  const std::string src = data_dir() + "/repo/es717";
  auto plan = run_sync_cli("-o json repo sync " + src + " " + dst + " --dry-run");
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  EXPECT_FALSE(fs::exists(dst + "/index-0"));
  auto r = run_sync_cli("-o json repo sync " + src + " " + dst + " --verify-data");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["verified_snapshots"], 2);
  EXPECT_GT(j["streamed_copies"].get<long>(), 0);
  EXPECT_EQ(j["server_side_copies"], 0);
  auto text = run_sync_cli("repo sync " + src + " " + dst);
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("DST is up to date"), std::string::npos) << text.out;
  auto verify = run_sync_cli("inspect verify " + dst + " --read-data");
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;

  struct Refusal {
    std::string args;
    int exit;
    std::string says;
  };
  const Refusal refusals[] = {
      {"repo sync " + src, 2, "SRC and DST are required"},
      {"repo sync " + src + " " + src, 2, "the same place"},
      {"repo sync " + src + " " + dst + "-x --storage-class GLACIER", 2, "GLACIER"},
      {"repo sync " + src + " " + dst + "-x --object-lock-days 3", 2, "S3 DST"},
      {"repo sync " + src + " " + dst + "-x --object-lock-mode forever", 2,
       "governance or compliance"},
      {"repo sync " + src + " " + data_dir() + "/retention", 2, "not a snapshot repository"},
      {"repo sync " + data_dir() + "/retention " + dst + "-x", 6, "not a snapshot repository"},
  };
  for (const auto& f : refusals) {
    auto got = run_sync_cli(f.args);
    EXPECT_EQ(got.exit_code, f.exit) << f.args << "\n" << got.out << got.err;
    EXPECT_NE(got.err.find(f.says), std::string::npos) << f.args << "\n" << got.err;
    EXPECT_FALSE(fs::exists(dst + "-x")) << f.args;
  }
  fs::remove_all(dst);
}

}  // namespace
}  // namespace essnap
