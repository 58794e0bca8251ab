// The blob store contract (tests/support/blob_store_suite.hpp) on the memory and local-directory
// stores; the S3 store runs the same suite against the stack's S3 (integration/blob_s3_store_test).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "essnap/blob/local_store.hpp"
#include "essnap/blob/memory_store.hpp"
#include "essnap/blob/open.hpp"
#include "support/blob_store_suite.hpp"

namespace essnap::blob {
namespace {

namespace fs = std::filesystem;

fs::path fresh_dir(const std::string& name) {
  fs::path dir =
      fs::temp_directory_path() / ("essnap-blob-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  return dir;
}

TEST(BlobStore, MemoryStoreKeepsTheContract) {
  MemoryStore store(64 * 1024);
  test::StoreSuiteHooks hooks;
  hooks.drop_reads = [&](std::uint64_t after, int times) { store.drop_reads_after(after, times); };
  test::expect_store_behaviour(store, hooks);
}

TEST(BlobStore, MemoryStoreInSmallChunksKeepsTheContract) {
  MemoryStore store(7);
  test::StoreSuiteHooks hooks;
  hooks.many = 20;
  hooks.drop_reads = [&](std::uint64_t after, int times) { store.drop_reads_after(after, times); };
  test::expect_store_behaviour(store, hooks);
}

TEST(BlobStore, LocalStoreKeepsTheContract) {
  const fs::path dir = fresh_dir("local");
  LocalStore store(dir.string() + "/");  // a trailing slash is dropped
  test::expect_store_behaviour(store);
  // Nothing but the blobs: no temporary file stays behind after the failed and conditional puts.
  for (const auto& e : fs::recursive_directory_iterator(dir))
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
  fs::remove_all(dir);
}

TEST(BlobStore, ResumesAreBoundedAndNeedProgress) {
  MemoryStore store(1000);
  store.set("b", test::big_blob(50'000));
  // Dropping at byte 0 is no progress: the failure is returned, not retried for ever.
  store.drop_reads_after(0, 1);
  auto s = store.stream("b", [](std::string_view) { return ok_status(); });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kNetwork);
  // More drops than the resume budget: the read fails, having delivered each byte once.
  store.drop_reads_after(100, 50);
  std::string got;
  auto t = store.stream("b", [&](std::string_view ch) {
    got.append(ch);
    return ok_status();
  });
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(got, test::big_blob(50'000).substr(0, got.size()));
  EXPECT_LT(got.size(), 50'000u);
}

TEST(BlobStore, LocalPutOnAnUnwritablePlaceIsAnIoError) {
  LocalStore store("/proc/essnap-cannot-write-here");
  auto s = store.put("a/b", "x");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kIo);
}

TEST(BlobStore, OpenTurnsAPlaceIntoAStore) {
  const fs::path dir = fresh_dir("open");
  auto absent = open_blob_store(dir.string(), Access::kRead, {});
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.error().code, ErrorCode::kNotFound);
  auto made = open_blob_store(dir.string(), Access::kWrite, {});
  ASSERT_TRUE(made.ok());
  ASSERT_TRUE((*made)->put("x/y", "z").ok());
  auto again = open_blob_store(dir.string(), Access::kRead, {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->read("x/y", 10).value(), "z");
  EXPECT_EQ((*again)->describe(), dir.string());
  EXPECT_FALSE(open_blob_store("", Access::kRead, {}).ok());
  auto bad = open_blob_store("s3://Not_A_Bucket/x", Access::kRead, {});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(is_s3_uri("s3://b/p"));
  EXPECT_FALSE(is_s3_uri("/s3://b"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace essnap::blob
