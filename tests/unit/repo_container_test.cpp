// The blob-container behaviour suite (tests/support/blob_container_suite.hpp) on the local
// directory and in-memory containers; the S3 one runs it in tests/integration/inspect_s3_test.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "essnap/repo/local_container.hpp"
#include "essnap/repo/memory_container.hpp"
#include "support/blob_container_suite.hpp"

namespace essnap::repo {
namespace {

TEST(RepoContainer, MemoryContainerBehaves) {
  MemoryContainer c(64 * 1024);
  for (const auto& [k, v] : test::container_fixture()) c.put(k, v);
  test::expect_container_behaviour(c);
}

TEST(RepoContainer, LocalContainerBehaves) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("essnap-container-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  for (const auto& [k, v] : test::container_fixture()) {
    fs::create_directories((dir / k).parent_path());
    std::ofstream(dir / k, std::ios::binary) << v;
  }
  LocalContainer c(dir.string() + "/");
  EXPECT_EQ(c.describe(), dir.string());
  test::expect_container_behaviour(c);
  fs::remove_all(dir);
}

TEST(RepoContainer, PathsStayInsideTheRepository) {
  EXPECT_TRUE(check_relative_path("indices/a/0/__b").ok());
  EXPECT_TRUE(check_relative_path("").ok());
  for (const char* bad : {"/etc", "a//b", "a/./b", "a/../b", "..", "a/"})
    EXPECT_EQ(check_relative_path(bad).error().code, ErrorCode::kInvalidArgument) << bad;
  EXPECT_EQ(join_path("", "x"), "x");
  EXPECT_EQ(join_path("a/b", "x"), "a/b/x");
  EXPECT_EQ(join_path("a/b", ""), "a/b");
}

}  // namespace
}  // namespace essnap::repo
