// The repository walker and `inspect snapshots`/`show` on real repositories written by the
// stack's engines (tests/data/inspect/): generation, index.latest, the root as the truth,
// index metadata through the lookup tables, OpenSearch hashed shard paths.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "essnap/inspect/show.hpp"
#include "essnap/inspect/walker.hpp"
#include "inspect_test_util.hpp"

namespace essnap::inspect {
using namespace essnap::format;
using namespace essnap::blob;
namespace {

using namespace essnap::format::testing;

TEST(RepoWalker, OpensTheHighestRootGenerationAndAgreesWithIndexLatest) {
  auto c = load_fixture("es8");
  auto r = Repository::open(*c);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)->generation(), 3u);
  EXPECT_EQ((*r)->index_latest(), std::optional<std::uint64_t>(3));
  EXPECT_TRUE((*r)->notes().empty());
  ASSERT_EQ((*r)->data().snapshots.size(), 2u);  // s2 was deleted
  EXPECT_EQ((*r)->data().snapshots[0].name, "s1");
  EXPECT_EQ((*r)->data().snapshots[1].name, "s3");
}

TEST(RepoWalker, TheListingWinsOverAStaleIndexLatestAndSaysSo) {
  auto c = load_fixture("es8");
  c->set("index.latest", std::string("\0\0\0\0\0\0\0\2", 8));
  auto r = Repository::open(*c);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->generation(), 3u);
  ASSERT_EQ((*r)->notes().size(), 1u);
  EXPECT_TRUE(contains((*r)->notes()[0], "index.latest names generation 2")) << (*r)->notes()[0];
}

TEST(RepoWalker, AnEmptyLocationIsNotARepository) {
  MemoryStore c;
  auto r = Repository::open(c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(contains(r.error().message, "not a snapshot repository"));
}

TEST(RepoWalker, ACorruptRootIndexIsNamed) {
  auto c = load_fixture("es8");
  c->set("index-3", "{\"snapshots\": [");
  auto r = Repository::open(*c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kParse);
  EXPECT_TRUE(contains(r.error().message, "index-3")) << r.error().message;
}

TEST(RepoWalker, SnapshotsListedAsTheEngineListsThem) {
  auto c = load_fixture("es8");
  auto list = list_snapshots(*c, 4);
  ASSERT_TRUE(list.ok()) << list.error().message;
  auto engine = nlohmann::json::parse(slurp(inspect_data("es8.snapshots.json")));
  ASSERT_EQ(list->snapshots.size(), engine["snapshots"].size());
  for (std::size_t i = 0; i < list->snapshots.size(); ++i) {
    const auto& ours = list->snapshots[i];
    const auto& theirs = engine["snapshots"][i];
    EXPECT_EQ(ours.name, theirs["snapshot"]);
    EXPECT_EQ(ours.uuid, theirs["uuid"]);
    EXPECT_EQ(ours.state, theirs["state"]);
    EXPECT_EQ(*ours.start_time_millis, theirs["start_time_in_millis"].get<std::int64_t>());
    EXPECT_EQ(*ours.end_time_millis, theirs["end_time_in_millis"].get<std::int64_t>());
    EXPECT_EQ(inspect::iso8601_millis(*ours.start_time_millis), theirs["start_time"]);
    auto idx = theirs["indices"].get<std::vector<std::string>>();
    std::sort(idx.begin(), idx.end());
    EXPECT_EQ(ours.indices, idx);
    EXPECT_EQ(ours.total_shards, theirs["shards"]["total"].get<std::int64_t>());
    EXPECT_EQ(ours.successful_shards, theirs["shards"]["successful"].get<std::int64_t>());
    EXPECT_TRUE(ours.problem.empty()) << ours.problem;
  }
}

TEST(RepoWalker, HashedShardPathsAreReadFromSnapshotShardPaths) {
  auto c = load_fixture("os2");
  auto r = Repository::open(*c);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const RepoIndex& idx = (*r)->data().indices.at(0);
  ASSERT_TRUE(idx.shard_path_type.has_value());
  EXPECT_EQ(*idx.shard_path_type, 1);
  for (std::int64_t shard = 0; shard < 2; ++shard) {
    auto dir = (*r)->shard_dir(idx, shard);
    ASSERT_TRUE(dir.ok()) << dir.error().message;
    EXPECT_TRUE(ends_with(*dir, "/indices/" + idx.id + "/" + std::to_string(shard))) << *dir;
    EXPECT_NE(dir->rfind("indices/", 0), 0u) << "a hashed prefix comes first: " << *dir;
    auto listing = c->list(*dir);
    ASSERT_TRUE(listing.ok());
    EXPECT_FALSE(listing->blobs.empty()) << *dir;
  }
  auto engine = nlohmann::json::parse(slurp(inspect_data("os2.snapshots.json")));
  auto list = list_snapshots(*c, 2);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->snapshots.size(), 1u);
  EXPECT_EQ(list->snapshots[0].name, engine["snapshots"][0]["snapshot"]);
  EXPECT_EQ(list->snapshots[0].uuid, engine["snapshots"][0]["uuid"]);
}

TEST(RepoWalker, ShowCountsFilesAndIncrementalSizesPerShard) {
  auto c = load_fixture("es8");
  auto d = show_snapshot(*c, "s3", 3);
  ASSERT_TRUE(d.ok()) << d.error().message;
  ASSERT_EQ(d->indices.size(), 2u);
  EXPECT_EQ(d->indices[0].name, "insp-fx-logs");
  ASSERT_EQ(d->indices[0].shards.size(), 2u);
  EXPECT_EQ(d->indices[1].name, "insp-fx-solo");
  ASSERT_EQ(d->indices[1].shards.size(), 1u);
  std::uint64_t files = 0, bytes = 0;
  for (const auto& i : d->indices)
    for (const auto& s : i.shards) {
      EXPECT_TRUE(s.problem.empty()) << s.problem;
      EXPECT_GT(s.files, 0u);
      EXPECT_LE(s.incremental_bytes, s.bytes);
      files += s.files;
      bytes += s.bytes;
    }
  EXPECT_EQ(files, d->files);
  EXPECT_EQ(bytes, d->bytes);
  // s1 came first: all of its files were new when it was taken.
  auto first = show_snapshot(*c, "s1", 3);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->incremental_bytes, first->bytes);
  EXPECT_EQ(first->incremental_files, first->files);
  auto missing = show_snapshot(*c, "s2", 3);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(contains(missing.error().message, "snapshot s2"));
}

}  // namespace
}  // namespace essnap::inspect
