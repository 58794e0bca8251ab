// The local store's one symlink rule: a symbolic link, to a file or a directory, is followed only
// when it resolves inside the store's root; one leading outside is neither listed, read, sized
// nor written through.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "essnap/blob/local_store.hpp"

namespace essnap::blob {
namespace {

namespace fs = std::filesystem;

class LocalSymlinks : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("essnap-symlinks-" + std::to_string(::getpid()));
    fs::remove_all(base_);
    fs::create_directories(base_ / "repo" / "indices" / "real");
    fs::create_directories(base_ / "outside" / "dir");
    std::ofstream(base_ / "repo" / "inside.dat") << "inside";
    std::ofstream(base_ / "repo" / "indices" / "real" / "blob") << "real";
    std::ofstream(base_ / "outside" / "secret") << "secret";
    std::ofstream(base_ / "outside" / "dir" / "blob") << "outside";
    fs::create_symlink(base_ / "outside" / "secret", base_ / "repo" / "file-out");
    fs::create_symlink(base_ / "outside" / "dir", base_ / "repo" / "indices" / "dir-out");
    fs::create_symlink("../inside.dat", base_ / "repo" / "indices" / "file-in");
    fs::create_symlink("real", base_ / "repo" / "indices" / "dir-in");
    fs::create_symlink("../../outside/secret", base_ / "repo" / "indices" / "relative-out");
  }
  void TearDown() override { fs::remove_all(base_); }
  fs::path base_;
};

TEST_F(LocalSymlinks, OnlyLinksThatStayInsideTheRootAreFollowed) {
  LocalStore s((base_ / "repo").string());
  auto root = s.list("");
  ASSERT_TRUE(root.ok());
  for (const auto& b : root->blobs) EXPECT_NE(b.name, "file-out");
  auto idx = s.list("indices");
  ASSERT_TRUE(idx.ok());
  std::vector<std::string> blobs, dirs = idx->children;
  for (const auto& b : idx->blobs) blobs.push_back(b.name);
  EXPECT_EQ(blobs, std::vector<std::string>{"file-in"});
  EXPECT_EQ(dirs, (std::vector<std::string>{"dir-in", "real"}));
  // Reads: inside links work, outside ones are refused, files and directories alike.
  EXPECT_EQ(*s.read("indices/file-in", 100), "inside");
  EXPECT_EQ(*s.read("indices/dir-in/blob", 100), "real");
  for (const char* p : {"file-out", "indices/dir-out/blob", "indices/relative-out"}) {
    SCOPED_TRACE(p);
    auto r = s.read(p, 100);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
    auto sz = s.size(p);
    ASSERT_TRUE(sz.ok());
    EXPECT_FALSE(sz->has_value());
  }
  EXPECT_TRUE(s.list("indices/dir-out")->blobs.empty());
  // Writes through a directory link leading outside are refused; nothing lands outside.
  EXPECT_FALSE(s.put("indices/dir-out/new", "x").ok());
  EXPECT_FALSE(fs::exists(base_ / "outside" / "dir" / "new"));
  EXPECT_FALSE(s.remove({"indices/dir-out/blob"}).ok());
  EXPECT_TRUE(fs::exists(base_ / "outside" / "dir" / "blob"));
}

TEST_F(LocalSymlinks, ARootThatIsItselfALinkWorks) {
  fs::create_symlink(base_ / "repo", base_ / "repo-link");
  LocalStore s((base_ / "repo-link").string());
  EXPECT_EQ(*s.read("inside.dat", 100), "inside");
  EXPECT_EQ(*s.read("indices/dir-in/blob", 100), "real");
  EXPECT_FALSE(s.read("file-out", 100).ok());
}

}  // namespace
}  // namespace essnap::blob
