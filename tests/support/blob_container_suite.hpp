// One behaviour suite for every repo::BlobContainer (after restic's backend test suite): the
// caller fills a container with the fixture below through its own back door (files, S3 PUTs,
// MemoryContainer::put) and runs expect_container_behaviour on it.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "essnap/repo/blob_container.hpp"

namespace essnap::test {

// The fixture: a root, nested directories, an empty blob, a blob bigger than any chunk size.
inline std::map<std::string, std::string> container_fixture() {
  std::string big(3 * 1024 * 1024 + 17, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 131) % 251);
  return {{"index-3", "{\"snapshots\":[]}"},
          {"index.latest", std::string("\0\0\0\0\0\0\0\3", 8)},
          {"indices/abc/0/__x", big},
          {"indices/abc/0/index-u1", "shard"},
          {"indices/abc/1/empty", ""},
          {"indices/def/meta-1.dat", "meta"},
          {"snap-1.dat", "snap"}};
}

inline void expect_container_behaviour(repo::BlobContainer& c) {
  const auto fx = container_fixture();

  auto root = c.list("");
  ASSERT_TRUE(root.ok()) << root.error().message;
  std::vector<std::string> names;
  for (const auto& b : root->blobs) names.push_back(b.name);
  EXPECT_EQ(names, (std::vector<std::string>{"index-3", "index.latest", "snap-1.dat"}));
  EXPECT_EQ(root->children, (std::vector<std::string>{"indices"}));
  EXPECT_EQ(root->blobs[1].size, 8u);

  auto shard = c.list("indices/abc/0");
  ASSERT_TRUE(shard.ok());
  ASSERT_EQ(shard->blobs.size(), 2u);
  EXPECT_EQ(shard->blobs[0].name, "__x");
  EXPECT_EQ(shard->blobs[0].size, fx.at("indices/abc/0/__x").size());
  EXPECT_TRUE(shard->children.empty());
  auto indices = c.list("indices");
  ASSERT_TRUE(indices.ok());
  EXPECT_EQ(indices->children, (std::vector<std::string>{"abc", "def"}));
  EXPECT_TRUE(indices->blobs.empty());

  auto none = c.list("indices/nope");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->blobs.empty() && none->children.empty());

  std::map<std::string, std::uint64_t> walked;
  ASSERT_TRUE(c.walk("", [&](const repo::BlobInfo& b) {
                 walked[b.name] = b.size;
                 return ok_status();
               }).ok());
  ASSERT_EQ(walked.size(), fx.size());
  for (const auto& [k, v] : fx) EXPECT_EQ(walked[k], v.size()) << k;
  std::set<std::string> under;
  ASSERT_TRUE(c.walk("indices/abc", [&](const repo::BlobInfo& b) {
                 under.insert(b.name);
                 return ok_status();
               }).ok());
  EXPECT_EQ(under, (std::set<std::string>{"indices/abc/0/__x", "indices/abc/0/index-u1",
                                          "indices/abc/1/empty"}));

  auto small = c.read("indices/def/meta-1.dat", 100);
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(*small, "meta");
  auto latest = c.read("index.latest", 8);
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(*latest, fx.at("index.latest"));
  auto empty = c.read("indices/abc/1/empty", 0);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  auto too_big = c.read("indices/abc/0/__x", 1000);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code, ErrorCode::kParse);
  auto missing = c.read("snap-2.dat", 100);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("snap-2.dat"), std::string::npos);

  std::string streamed;
  std::size_t chunks = 0;
  ASSERT_TRUE(c.stream("indices/abc/0/__x", [&](std::string_view ch) {
                 streamed.append(ch);
                 ++chunks;
                 return ok_status();
               }).ok());
  EXPECT_EQ(streamed, fx.at("indices/abc/0/__x"));
  EXPECT_GT(chunks, 1u);
  for (auto [off, len] : std::vector<std::pair<std::uint64_t, std::uint64_t>>{
           {0, 10}, {1'000'000, 2'500'000}, {fx.at("indices/abc/0/__x").size() - 5, 5}}) {
    std::string range;
    ASSERT_TRUE(c.stream_range("indices/abc/0/__x", off, len, [&](std::string_view ch) {
                   range.append(ch);
                   return ok_status();
                 }).ok());
    EXPECT_EQ(range, fx.at("indices/abc/0/__x").substr(off, len)) << off << "+" << len;
  }
  auto gone_range =
      c.stream_range("indices/abc/0/__y", 0, 3, [](std::string_view) { return ok_status(); });
  ASSERT_FALSE(gone_range.ok());
  EXPECT_EQ(gone_range.error().code, ErrorCode::kNotFound);
  auto stopped = c.stream("indices/abc/0/__x", [](std::string_view) -> Status {
    return make_error(ErrorCode::kInterrupted, "enough");
  });
  ASSERT_FALSE(stopped.ok());
  EXPECT_EQ(stopped.error().code, ErrorCode::kInterrupted);
  auto gone = c.stream("indices/abc/0/__y", [](std::string_view) { return ok_status(); });
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);

  auto sz = c.size("indices/abc/0/index-u1");
  ASSERT_TRUE(sz.ok());
  ASSERT_TRUE(sz->has_value());
  EXPECT_EQ(**sz, 5u);
  auto nosz = c.size("indices/abc/0/index-u");  // a prefix of an existing name is not it
  ASSERT_TRUE(nosz.ok());
  EXPECT_FALSE(nosz->has_value());

  auto escape = c.read("../etc/passwd", 100);
  ASSERT_FALSE(escape.ok());
  EXPECT_EQ(escape.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(c.list("indices/../..").ok());
}

}  // namespace essnap::test
