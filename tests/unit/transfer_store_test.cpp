// The local-directory Store: writes are whole or absent (no temporary left behind), reads never
// go past their limit, a missing file is kNotFound, and exists() is exact.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "essnap/transfer/store.hpp"

namespace essnap::transfer {
namespace {

namespace fs = std::filesystem;

TEST(TransferLocalStore, PutGetExistsAndLimits) {
  const fs::path dir = fs::temp_directory_path() / ("essnap-store-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto store = make_local_store(dir.string() + "/");
  EXPECT_EQ(store->describe(), dir.string());
  EXPECT_FALSE(store->exists("a/b.json").value());
  EXPECT_EQ(store->get("a/b.json", 10).error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(store->put("a/b.json", "first").ok());  // parent directories created
  ASSERT_TRUE(store->put("a/b.json", "second").ok());  // replaced whole
  EXPECT_EQ(store->get("a/b.json", 6).value(), "second");
  EXPECT_EQ(store->get("a/b.json", 5).error().code, ErrorCode::kParse);
  EXPECT_TRUE(store->exists("a/b.json").value());
  EXPECT_FALSE(store->exists("a/b.jso").value());
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) files += e.is_regular_file() ? 1 : 0;
  EXPECT_EQ(files, 1);  // no temporary file left
  EXPECT_EQ(store->get("a", 10).error().code, ErrorCode::kIo);  // a directory is not a file
  fs::remove_all(dir);
  EXPECT_FALSE(is_s3_uri("/tmp/x"));
  EXPECT_TRUE(is_s3_uri("s3://b/p"));
}

TEST(TransferLocalStore, UnwritablePlaceIsAnIoError) {
  auto store = make_local_store("/proc/essnap-cannot-write-here");
  auto s = store->put("x/y", "z");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kIo);
}

}  // namespace
}  // namespace essnap::transfer
