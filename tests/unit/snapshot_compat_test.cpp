// The version rules for restores, exhaustively over the engines' majors and edge minors.
#include <gtest/gtest.h>

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
