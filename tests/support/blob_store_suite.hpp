// One behaviour suite for every blob::BlobStore (after restic's backend test suite): the caller
// hands over an EMPTY store (a fresh directory, bucket prefix or memory) and runs
// expect_store_behaviour on it; the suite writes through the store itself and checks every
// operation of the contract: listing, walking (past 1000 keys), bounded reads, streamed and
// ranged reads, atomic puts of bytes and of streams, the conditional put that loses, batched
// removal, copies, names with spaces and non-ASCII, empty and large blobs, paths that try to
// escape — and, where the backend can inject a dropped connection, a ranged read that resumes
// byte-exactly.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "essnap/blob/blob_store.hpp"

namespace essnap::test {

struct StoreSuiteHooks {
  // Makes the next `times` read attempts drop the connection after `after_bytes` bytes; empty
  // when the backend has no connection to drop (a local directory).
  std::function<void(std::uint64_t after_bytes, int times)> drop_reads;
  // How many keys "listing past a page" writes (S3 pages hold 1000).
  int many = 1005;
};

// A blob bigger than any chunk or part size used in the tests, with a pattern that shows
// misplaced bytes.
inline std::string big_blob(std::size_t size = 3 * 1024 * 1024 + 17) {
  std::string big(size, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 131) % 251);
  return big;
}

// The fixture: a root, nested directories, an empty blob, a big blob, names with spaces and
// non-ASCII letters.
inline std::map<std::string, std::string> store_fixture() {
  return {{"index-3", "{\"snapshots\":[]}"},
          {"index.latest", std::string("\0\0\0\0\0\0\0\3", 8)},
          {"indices/abc/0/__x", big_blob()},
          {"indices/abc/0/index-u1", "shard"},
          {"indices/abc/1/empty", ""},
          {"indices/def/meta-1.dat", "meta"},
          {"names/with space/blå bær.dat", "non-ascii"},
          {"snap-1.dat", "snap"}};
}

inline std::string read_all(blob::BlobStore& s, const std::string& path) {
  auto r = s.read(path, 64u << 20);
  EXPECT_TRUE(r.ok()) << path << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : std::string("<unreadable>");
}

inline std::string stream_range_all(blob::BlobStore& s, const std::string& path, std::uint64_t off,
                                    std::uint64_t len, std::size_t* chunks = nullptr) {
  std::string out;
  Status st = s.stream_range(path, off, len, [&](std::string_view ch) {
    out.append(ch);
    if (chunks) ++*chunks;
    return ok_status();
  });
  EXPECT_TRUE(st.ok()) << path << ": " << (st.ok() ? "" : st.error().message);
  return out;
}

inline void expect_reads(blob::BlobStore& c) {
  const auto fx = store_fixture();
  const std::string& big = fx.at("indices/abc/0/__x");

  auto root = c.list("");
  ASSERT_TRUE(root.ok()) << root.error().message;
  std::vector<std::string> names;
  for (const auto& b : root->blobs) names.push_back(b.name);
  EXPECT_EQ(names, (std::vector<std::string>{"index-3", "index.latest", "snap-1.dat"}));
  EXPECT_EQ(root->children, (std::vector<std::string>{"indices", "names"}));
  ASSERT_EQ(root->blobs.size(), 3u);
  EXPECT_EQ(root->blobs[1].size, 8u);

  auto shard = c.list("indices/abc/0");
  ASSERT_TRUE(shard.ok());
  ASSERT_EQ(shard->blobs.size(), 2u);
  EXPECT_EQ(shard->blobs[0].name, "__x");
  EXPECT_EQ(shard->blobs[0].size, big.size());
  EXPECT_TRUE(shard->children.empty());
  auto indices = c.list("indices");
  ASSERT_TRUE(indices.ok());
  EXPECT_EQ(indices->children, (std::vector<std::string>{"abc", "def"}));
  EXPECT_TRUE(indices->blobs.empty());
  auto spaced = c.list("names/with space");
  ASSERT_TRUE(spaced.ok());
  ASSERT_EQ(spaced->blobs.size(), 1u);
  EXPECT_EQ(spaced->blobs[0].name, "blå bær.dat");

  auto none = c.list("indices/nope");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->blobs.empty() && none->children.empty());

  std::map<std::string, std::uint64_t> walked;
  ASSERT_TRUE(c.walk("", [&](const blob::BlobInfo& b) {
                 walked[b.name] = b.size;
                 return ok_status();
               }).ok());
  ASSERT_EQ(walked.size(), fx.size());
  for (const auto& [k, v] : fx) EXPECT_EQ(walked[k], v.size()) << k;
  std::set<std::string> under;
  ASSERT_TRUE(c.walk("indices/abc", [&](const blob::BlobInfo& b) {
                 under.insert(b.name);
                 return ok_status();
               }).ok());
  EXPECT_EQ(under, (std::set<std::string>{"indices/abc/0/__x", "indices/abc/0/index-u1",
                                          "indices/abc/1/empty"}));

  EXPECT_EQ(read_all(c, "indices/def/meta-1.dat"), "meta");
  EXPECT_EQ(read_all(c, "names/with space/blå bær.dat"), "non-ascii");
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
  EXPECT_EQ(streamed, big);
  EXPECT_GT(chunks, 1u);
  std::string empty_stream = "x";
  ASSERT_TRUE(c.stream("indices/abc/1/empty", [&](std::string_view ch) {
                 empty_stream.append(ch);
                 return ok_status();
               }).ok());
  EXPECT_EQ(empty_stream, "x");
  for (auto [off, len] : std::vector<std::pair<std::uint64_t, std::uint64_t>>{
           {0, 10}, {1'000'000, 2'500'000}, {big.size() - 5, 5}, {big.size() - 5, 100}}) {
    EXPECT_EQ(stream_range_all(c, "indices/abc/0/__x", off, len), big.substr(off, len))
        << off << "+" << len;
  }
  EXPECT_EQ(stream_range_all(c, "indices/abc/0/__x", big.size() + 10, 5), "");
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
  EXPECT_TRUE(c.exists("snap-1.dat").value());
  EXPECT_FALSE(c.exists("snap-1.da").value());

  auto escape = c.read("../etc/passwd", 100);
  ASSERT_FALSE(escape.ok());
  EXPECT_EQ(escape.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(c.list("indices/../..").ok());
  EXPECT_EQ(c.put("../outside", "x").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(c.put("a//b", "x").error().code, ErrorCode::kInvalidArgument);
}

inline void expect_store_behaviour(blob::BlobStore& c, const StoreSuiteHooks& hooks = {}) {
  // An empty store lists, walks and sizes as empty.
  auto first = c.list("");
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(first->blobs.empty() && first->children.empty()) << c.describe();
  EXPECT_FALSE(c.size("index-3").value().has_value());

  // Fill it through the store's own writes: plain puts, and the big blob as a stream of pieces.
  for (const auto& [path, bytes] : store_fixture()) {
    if (path == "indices/abc/0/__x") {
      Status s = c.put_stream(path, [&](const blob::ChunkSink& sink) -> Status {
        for (std::size_t i = 0; i < bytes.size(); i += 300'001)
          ESSNAP_TRY_STATUS(sink(std::string_view(bytes).substr(i, 300'001)));
        return ok_status();
      });
      ASSERT_TRUE(s.ok()) << path << ": " << s.error().message;
    } else {
      Status s = c.put(path, bytes);
      ASSERT_TRUE(s.ok()) << path << ": " << s.error().message;
    }
  }
  expect_reads(c);

  // A put replaces the blob whole; a failed stream leaves the old blob as it was.
  ASSERT_TRUE(c.put("snap-1.dat", "snap, second version").ok());
  EXPECT_EQ(read_all(c, "snap-1.dat"), "snap, second version");
  auto broken = c.put_stream("snap-1.dat", [](const blob::ChunkSink& sink) -> Status {
    ESSNAP_TRY_STATUS(sink("half of a "));
    return make_error(ErrorCode::kInterrupted, "the producer stopped");
  });
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code, ErrorCode::kInterrupted);
  EXPECT_EQ(read_all(c, "snap-1.dat"), "snap, second version");
  auto half_new = c.put_stream("never-written", [](const blob::ChunkSink& sink) -> Status {
    ESSNAP_TRY_STATUS(sink(big_blob(6 * 1024 * 1024)));  // past a part: an upload to abort
    return make_error(ErrorCode::kInterrupted, "the producer stopped");
  });
  ASSERT_FALSE(half_new.ok());
  EXPECT_FALSE(c.exists("never-written").value());
  // A big blob put whole from bytes reads back byte for byte.
  const std::string big2 = big_blob(11 * 1024 * 1024 + 3);  // three parts on S3 (5 + 5 + 1 MiB)
  ASSERT_TRUE(c.put("big/two.bin", big2).ok());
  EXPECT_EQ(read_all(c, "big/two.bin"), big2);

  // The conditional put: wins on a free name, loses (nothing written) on a taken one.
  {
    Status won = c.put_if_absent("index-4", "generation 4");
    ASSERT_TRUE(won.ok()) << won.error().message;
  }
  EXPECT_EQ(read_all(c, "index-4"), "generation 4");
  auto lost = c.put_if_absent("index-4", "another writer's generation 4");
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().code, ErrorCode::kConflict);
  EXPECT_EQ(read_all(c, "index-4"), "generation 4");

  // Copies: whole, to a new name and over an old one; a missing source is kNotFound.
  ASSERT_TRUE(c.copy("indices/abc/0/__x", "copies/__x").ok());
  EXPECT_EQ(read_all(c, "copies/__x"), store_fixture().at("indices/abc/0/__x"));
  ASSERT_TRUE(c.copy("names/with space/blå bær.dat", "copies/snap").ok());
  ASSERT_TRUE(c.copy("indices/def/meta-1.dat", "copies/snap").ok());
  EXPECT_EQ(read_all(c, "copies/snap"), "meta");
  ASSERT_TRUE(c.copy("indices/abc/1/empty", "copies/empty").ok());
  EXPECT_EQ(c.size("copies/empty").value(), std::optional<std::uint64_t>(0));
  auto no_source = c.copy("copies/absent", "copies/x");
  ASSERT_FALSE(no_source.ok());
  EXPECT_EQ(no_source.error().code, ErrorCode::kNotFound);

  // Listing and walking past a page of keys, then removing them all in one (batched) call.
  std::vector<std::string> many;
  for (int i = 0; i < hooks.many; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "many/k-%05d", i);
    many.push_back(name);
    ASSERT_TRUE(c.put(name, std::to_string(i)).ok()) << name;
  }
  auto listed = c.list("many");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->blobs.size(), many.size());
  EXPECT_EQ(listed->blobs.front().name, "k-00000");
  EXPECT_EQ(listed->blobs.back().name, many.back().substr(5));
  std::size_t walked = 0;
  ASSERT_TRUE(c.walk("many", [&](const blob::BlobInfo&) {
                 ++walked;
                 return ok_status();
               }).ok());
  EXPECT_EQ(walked, many.size());
  many.push_back("many/never-there");  // an absent name is not an error
  ASSERT_TRUE(c.remove(many).ok());
  EXPECT_TRUE(c.list("many").value().blobs.empty());
  ASSERT_TRUE(c.remove({"copies/__x", "copies/snap"}).ok());
  EXPECT_FALSE(c.exists("copies/__x").value());
  EXPECT_TRUE(c.exists("copies/empty").value());

  // A ranged read through dropped connections resumes at the first byte not yet received.
  if (hooks.drop_reads) {
    const std::string big = store_fixture().at("indices/abc/0/__x");
    hooks.drop_reads(100'000, 2);
    EXPECT_EQ(stream_range_all(c, "indices/abc/0/__x", 1'000, 2'500'000),
              big.substr(1'000, 2'500'000));
    hooks.drop_reads(777'777, 1);
    std::string whole;
    ASSERT_TRUE(c.stream("indices/abc/0/__x", [&](std::string_view ch) {
                   whole.append(ch);
                   return ok_status();
                 }).ok());
    EXPECT_EQ(whole, big);
    // A consumer that stops is not resumed.
    hooks.drop_reads(1'000, 1);
    auto stop = c.stream_range("indices/abc/0/__x", 0, big.size(), [](std::string_view) {
      return make_error(ErrorCode::kInterrupted, "enough");
    });
    EXPECT_EQ(stop.error().code, ErrorCode::kInterrupted);
  }
}

}  // namespace essnap::test
