// The version rules for restores, exhaustively over the engines' majors and edge minors.
#include <gtest/gtest.h>

#include <cstdint>

#include "essnap/snapshot/compat.hpp"

namespace essnap::snapshot {
namespace {

using cluster::Distribution;

EngineVersion es(const char* v) {
  return {Distribution::kElasticsearch, *cluster::Version::parse(v)};
}
EngineVersion os(const char* v) {
  return {Distribution::kOpenSearch, *cluster::Version::parse(v)};
}

bool ok(const EngineVersion& s, const EngineVersion& t) {
  return !restore_incompatibility(s, t).has_value();
}

TEST(SnapshotCompat, EngineFromVersionId) {
  EXPECT_EQ(snapshot_engine("2.19.6", 136408427).distribution, Distribution::kOpenSearch);
  EXPECT_EQ(snapshot_engine("8.19.0-8.19.7", 8536000).distribution, Distribution::kElasticsearch);
  EXPECT_EQ(snapshot_engine("8.19.0-8.19.7", 8536000).version.minor, 19);
  EXPECT_EQ(snapshot_engine("7.10.2", 7100299).distribution, Distribution::kElasticsearch);
  EXPECT_EQ(snapshot_engine("1.3.0", 1030099 ^ 0x08000000).distribution, Distribution::kOpenSearch);
}

// The (version, version_id) pairs the stack's engines report, as measured by
// tests/integration/restore_matrix_test.cpp: the text depends on the engine reading the
// repository, the id does not.
TEST(SnapshotCompat, WriterFromTheMeasuredIds) {
  struct Case {
    const char* text;
    std::int64_t id;
    const char* want;
  } cases[] = {
      {"2.19.6", 136408427, "OpenSearch 2.19.6"},
      {"8.19.8-[136408427]", 136408427, "OpenSearch 2.19.6"},  // as Elasticsearch 8 shows it
      {"36.40.84-beta2", 136408427, "OpenSearch 2.19.6"},      // as Elasticsearch 7 shows it
      {"9.2.1-[137247827]", 137247827, "OpenSearch 3.3.0"},    // as Elasticsearch 9 shows it
      {"1.3.20", 135249827, "OpenSearch 1.3.20"},
      {"7.17.29", 7172999, "Elasticsearch 7.17.29"},
      {"7.17.25-8.0.0", 7172999, "Elasticsearch 7.17.29"},  // as Elasticsearch 9 shows it
      {"7.10.2", 7100299, "Elasticsearch 7.10.2"},
      {"8.19.0-8.19.7", 8536000, "Elasticsearch 8.19.0"},
      {"8.53.60-alpha0", 8536000, "Elasticsearch 8.x"},  // as Elasticsearch 7 shows it
      {"9.2.0", 9039001, "Elasticsearch 9.2.0"},
      {"9.3.90-alpha1", 9039001, "Elasticsearch 9.x"},
      {"8.1.0", 8010099, "Elasticsearch 8.1.0"},  // 8.0-8.10 still use the old ids
  };
  for (const auto& c : cases)
    EXPECT_EQ(engine_name(snapshot_engine(c.text, c.id)), c.want) << c.text;
  EXPECT_EQ(engine_name(snapshot_engine("7.10.2", 0)), "Elasticsearch 7.10.2") << "no id: the text";
}

TEST(SnapshotCompat, NoOpenSearchEightNineteen) {
  // The defect: Elasticsearch 8's view of an OpenSearch snapshot was named "OpenSearch 8.19.8".
  auto r = restore_incompatibility(snapshot_engine("8.19.8-[136408427]", 136408427), es("8.19.7"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->find("8.19.8"), std::string::npos) << *r;
  EXPECT_NE(r->find("OpenSearch 2.19.6"), std::string::npos) << *r;
  EXPECT_NE(r->find("essnap copy --url"), std::string::npos) << "names the way that works: " << *r;
  EXPECT_EQ(r->find("_reindex"), std::string::npos)
      << "essnap's own command, not a raw API: " << *r;
  EXPECT_EQ(r->find("essnap export"), std::string::npos)
      << "no command that does not exist: " << *r;
}

TEST(SnapshotCompat, MajorOnlyWritersCompareByMajor) {
  const auto es8x = snapshot_engine("8.53.60-alpha0", 8536000);
  EXPECT_FALSE(ok(es8x, es("7.17.29")));
  EXPECT_TRUE(ok(es8x, es("9.2.0")));
  EXPECT_TRUE(ok(es8x, es("8.19.7")));
  EXPECT_FALSE(ok(snapshot_engine("9.3.90-alpha1", 9039001), es("8.19.7")));
  EXPECT_FALSE(ok(es8x, os("2.19.6")));
}

TEST(SnapshotCompat, RefusalsNameThePathThatWorks) {
  auto r = restore_incompatibility(es("7.17.29"), es("9.2.0"));
  ASSERT_TRUE(r);
  EXPECT_NE(r->find("restore into Elasticsearch 8 first, reindex"), std::string::npos) << *r;
  r = restore_incompatibility(os("1.3.20"), os("3.3.0"));
  ASSERT_TRUE(r);
  EXPECT_NE(r->find("restore into OpenSearch 2 first, reindex"), std::string::npos) << *r;
  r = restore_incompatibility(es("7.10.2"), os("3.3.0"));
  ASSERT_TRUE(r);
  EXPECT_NE(r->find("restore into OpenSearch 2 first"), std::string::npos) << *r;
  r = restore_incompatibility(es("8.19.7"), os("2.19.6"));
  ASSERT_TRUE(r);
  EXPECT_NE(r->find("essnap copy"), std::string::npos) << *r;
  r = restore_incompatibility(os("3.3.0"), os("2.19.6"));
  ASSERT_TRUE(r);
  EXPECT_NE(r->find("restore into OpenSearch 3.3.0 or later"), std::string::npos) << *r;
}

TEST(SnapshotCompat, UnreadableRepositoryIsARefusal) {
  Error e(ErrorCode::kRemote, "HTTP 500 repository_exception: ...");
  RemoteDetail d;
  d.http_status = 500;
  d.error_type = "repository_exception";
  d.reason =
      "[r] Unexpected exception when loading repository data (root cause: parsing_exception: "
      "Failed to parse object: unknown field [uuid] found)";
  e.remote = d;
  auto refused = unreadable_repository(e, "r", os("2.19.6"));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code, ErrorCode::kConflict);
  EXPECT_NE(refused->message.find("restore refused: OpenSearch 2.19.6 cannot read repository r"),
            std::string::npos)
      << refused->message;
  EXPECT_NE(refused->message.find("7.10.2"), std::string::npos);
  EXPECT_NE(refused->hint.find("essnap copy"), std::string::npos) << refused->hint;
  EXPECT_TRUE(unreadable_repository(e, "r", es("7.10.2")));
  d.reason = "[r] could not read repository data from index blob";
  e.remote = d;
  EXPECT_FALSE(unreadable_repository(e, "r", os("2.19.6"))) << "another failure stays what it is";
  EXPECT_FALSE(unreadable_repository(Error(ErrorCode::kNetwork, "x"), "r", os("2.19.6")));
}

TEST(SnapshotCompat, EngineVersionRefusalsGetAHint) {
  EXPECT_NE(version_refusal_hint("cannot restore index [x] because it cannot be upgraded")
                .find("created"),
            std::string::npos);
  EXPECT_NE(version_refusal_hint("the snapshot was created with Elasticsearch version "
                                 "[7.17.25-8.0.0] which is below the current versions minimum "
                                 "index compatibility version [8.0.0]")
                .find("reindex"),
            std::string::npos);
  EXPECT_NE(version_refusal_hint("which is higher than the version of this node [8.19.7]")
                .find("newer version"),
            std::string::npos);
  EXPECT_EQ(version_refusal_hint("index [x] already exists"), "");
}

TEST(SnapshotCompat, ElasticsearchTargets) {
  EXPECT_TRUE(ok(es("8.19.7"), es("8.19.7")));
  EXPECT_TRUE(ok(es("8.1.0"), es("8.19.7")));
  EXPECT_TRUE(ok(es("7.17.0"), es("8.19.7")));
  EXPECT_TRUE(ok(es("7.0.0"), es("8.0.0")));
  EXPECT_FALSE(ok(es("6.8.0"), es("8.19.7")));
  EXPECT_FALSE(ok(es("8.19.8"), es("8.19.7"))) << "never into an older version";
  EXPECT_FALSE(ok(es("9.0.0"), es("8.19.7")));
  EXPECT_TRUE(ok(es("8.18.0"), es("9.1.0")));
  EXPECT_FALSE(ok(es("7.17.0"), es("9.1.0")));
  EXPECT_TRUE(ok(es("6.8.0"), es("7.17.0")));
  EXPECT_FALSE(ok(es("5.6.0"), es("7.17.0")));
  // Measured: 7.10.2 reads nothing newer (it cannot even parse 7.17's repository).
  EXPECT_TRUE(ok(es("7.10.2"), es("7.17.29")));
  EXPECT_TRUE(ok(es("7.10.2"), es("8.19.7")));
  EXPECT_FALSE(ok(es("7.10.2"), es("9.2.0")));
  EXPECT_FALSE(ok(es("7.17.29"), es("7.10.2")));
  EXPECT_TRUE(ok(es("8.19.7"), es("9.2.0")));
  for (const char* v : {"1.3.0", "2.19.6", "3.3.0"}) {
    EXPECT_FALSE(ok(os(v), es("8.19.7"))) << v;
    EXPECT_FALSE(ok(os(v), es("9.0.0"))) << v;
    EXPECT_FALSE(ok(os(v), es("7.10.2"))) << v;
  }
}

TEST(SnapshotCompat, OpenSearchTargets) {
  // OpenSearch 1.x: Elasticsearch 6.0-7.10.2 and OpenSearch 1.x.
  EXPECT_TRUE(ok(es("6.8.0"), os("1.3.0")));
  EXPECT_TRUE(ok(es("7.10.2"), os("1.3.0")));
  EXPECT_FALSE(ok(es("5.6.0"), os("1.3.0")));
  EXPECT_FALSE(ok(es("7.11.0"), os("1.3.0")));
  EXPECT_TRUE(ok(os("1.0.0"), os("1.3.0")));
  EXPECT_FALSE(ok(os("2.0.0"), os("1.3.0")));
  // OpenSearch 2.x: Elasticsearch 7.0-7.10.2, OpenSearch 1.x-2.x.
  EXPECT_TRUE(ok(es("7.0.0"), os("2.19.6")));
  EXPECT_TRUE(ok(es("7.10.2"), os("2.19.6")));
  EXPECT_FALSE(ok(es("6.8.0"), os("2.19.6")));
  EXPECT_FALSE(ok(es("7.17.0"), os("2.19.6")));
  EXPECT_FALSE(ok(es("8.19.7"), os("2.19.6")));
  EXPECT_TRUE(ok(os("1.3.0"), os("2.19.6")));
  EXPECT_TRUE(ok(os("2.19.6"), os("2.19.6")));
  EXPECT_FALSE(ok(os("2.19.7"), os("2.19.6")));
  EXPECT_FALSE(ok(os("3.0.0"), os("2.19.6")));
  // OpenSearch 3.x: OpenSearch 2.x-3.x only.
  EXPECT_TRUE(ok(os("2.0.0"), os("3.3.0")));
  EXPECT_TRUE(ok(os("2.19.6"), os("3.3.0")));
  EXPECT_TRUE(ok(os("3.3.0"), os("3.3.0")));
  EXPECT_FALSE(ok(os("1.3.0"), os("3.3.0")));
  EXPECT_FALSE(ok(os("3.4.0"), os("3.3.0")));
  EXPECT_FALSE(ok(es("7.10.2"), os("3.3.0")));
  EXPECT_FALSE(ok(es("8.19.7"), os("3.3.0")));
  // Measured: OpenSearch 1 and 2 read Elasticsearch 7.10.2; none reads 7.17, 8 or 9.
  for (const char* t : {"1.3.20", "2.19.6", "3.3.0"})
    for (const char* v : {"7.17.29", "8.19.7", "9.2.0"}) EXPECT_FALSE(ok(es(v), os(t))) << v << t;
  EXPECT_TRUE(ok(es("7.10.2"), os("1.3.20")));
  EXPECT_FALSE(ok(os("2.19.6"), os("1.3.20")));
}

TEST(SnapshotCompat, ReasonsNameBothSides) {
  auto r = restore_incompatibility(os("2.19.6"), es("8.19.7"));
  ASSERT_TRUE(r);
  EXPECT_NE(r->find("OpenSearch 2.19.6"), std::string::npos) << *r;
  EXPECT_NE(r->find("Elasticsearch 8.19.7"), std::string::npos) << *r;
  r = restore_incompatibility(es("7.17.0"), os("2.19.6"));
  ASSERT_TRUE(r);
  EXPECT_NE(r->find("7.10.2"), std::string::npos) << *r;
}

}  // namespace
}  // namespace essnap::snapshot
