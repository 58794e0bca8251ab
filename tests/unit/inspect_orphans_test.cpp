// `inspect orphans` on a real repository given known orphans, and the safety rule: a shard
// whose references cannot be read is not judged.
#include <gtest/gtest.h>

#include "essnap/inspect/orphans.hpp"
#include "inspect_test_util.hpp"
#include "inspect_verify_util.hpp"

namespace essnap::inspect {
using namespace essnap::format;
using namespace essnap::blob;
namespace {

using namespace essnap::format::testing;

TEST(RepoOrphans, ARealRepositoryHasNoneAndPlantedOnesAreFoundExactly) {
  auto c = load_fixture("es8");
  OrphansOptions o;
  o.concurrency = 3;
  auto clean = find_orphans(*c, o);
  ASSERT_TRUE(clean.ok()) << clean.error().message;
  for (const auto& x : clean->orphans) ADD_FAILURE() << "unexpected orphan " << x.path;
  auto os2 = load_fixture("os2");
  auto clean2 = find_orphans(*os2, o);
  ASSERT_TRUE(clean2.ok());
  for (const auto& x : clean2->orphans) ADD_FAILURE() << "unexpected orphan (os2) " << x.path;

  const std::size_t before = c->blob_count();
  c->set("index-1", "{}");                          // stale root generation
  c->set("snap-deadbeefdeadbeefdeadbe.dat", "xx");  // snapshot the root dropped
  c->set("meta-deadbeefdeadbeefdeadbe.dat", "xxx");
  c->set("indices/gone-index-id/0/__abc", "12345");  // an index no snapshot uses
  c->set("indices/gone-index-id/meta-x.dat", "1");
  c->set(kLogs + "/0/__stray", "123456");               // leftover in a live shard
  c->set(kLogs + "/0/index-oldgeneration", "1234567");  // an older shard generation
  c->set(kLogs + "/meta-unused.dat", "12");             // index metadata nobody uses
  c->set(kLogs + "/7/__beyond", "1");                   // a shard past the shard count
  c->set("tests-abc/data-1.dat", "1");                  // a repository-verify leftover
  auto r = find_orphans(*c, o);
  ASSERT_TRUE(r.ok());
  std::map<std::string, std::pair<std::uint64_t, bool>> got;
  for (const auto& x : r->orphans) got[x.path] = {x.bytes, x.removed_by_cleanup};
  const std::map<std::string, std::pair<std::uint64_t, bool>> want = {
      {"index-1", {2, true}},
      {"snap-deadbeefdeadbeefdeadbe.dat", {2, true}},
      {"meta-deadbeefdeadbeefdeadbe.dat", {3, true}},
      {"indices/gone-index-id/0/__abc", {5, true}},
      {"indices/gone-index-id/meta-x.dat", {1, true}},
      {kLogs + "/0/__stray", {6, false}},
      {kLogs + "/0/index-oldgeneration", {7, false}},
      {kLogs + "/meta-unused.dat", {2, false}},
      {kLogs + "/7/__beyond", {1, false}},
      {"tests-abc/data-1.dat", {1, false}},
  };
  EXPECT_EQ(got, want);
  EXPECT_EQ(r->bytes, 30u);
  EXPECT_EQ(r->cleanup_blobs, 5u);
  EXPECT_EQ(r->cleanup_bytes, 13u);
  EXPECT_EQ(c->blob_count(), before + 10) << "orphans is read-only";
}

TEST(RepoOrphans, EveryEngineVersionsRepositoryHasOnlyItsStaleRootGeneration) {
  for (const char* name : {"es6", "es710", "es717", "es8-c", "es8-u", "es9", "os1", "os3-z"}) {
    SCOPED_TRACE(name);
    auto c = load_fixture(std::string("repo/") + name);
    OrphansOptions o;
    auto r = find_orphans(*c, o);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(r->not_judged.empty());
    if (std::string(name) == "es6") {  // 6.8 kept index-0 beside index-1
      ASSERT_EQ(r->orphans.size(), 1u);
      EXPECT_EQ(r->orphans[0].path, "index-0");
      EXPECT_TRUE(r->orphans[0].removed_by_cleanup);
    } else {
      for (const auto& x : r->orphans) ADD_FAILURE() << x.path;
    }
  }
}

TEST(RepoOrphans, AShardWithADamagedReferenceIsNotJudged) {
  auto c = load_fixture("es8");
  const std::string snap = kLogs + "/1/snap-q8keFeh2QZGskIBxqqmzEw.dat";
  std::string bytes = c->get(snap);
  bytes[bytes.size() / 2] ^= 0x08;
  c->set(snap, bytes);
  OrphansOptions o;
  auto r = find_orphans(*c, o);
  ASSERT_TRUE(r.ok());
  for (const auto& x : r->orphans)
    EXPECT_NE(x.path.rfind(kLogs + "/1/", 0), 0u) << "judged a shard it could not read: " << x.path;
  EXPECT_EQ(r->not_judged, (std::vector<std::string>{kLogs + "/1"}));
}

}  // namespace
}  // namespace essnap::inspect
