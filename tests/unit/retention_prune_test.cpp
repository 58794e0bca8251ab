// retention/prune: which snapshots a policy owns, the plan over them (cs-* refused, reasons in the
// JSON, SLM/SM names shown) and the DELETE batches snapshot/delete cuts.
#include <gtest/gtest.h>

#include "essnap/retention/prune.hpp"
#include "essnap/snapshot/delete.hpp"

namespace essnap {
namespace {

using namespace std::chrono_literals;
using retention::Ownership;

cluster::SnapshotInfo snap(const std::string& name, std::int64_t start_s,
                           nlohmann::json metadata = nullptr,
                           cluster::SnapshotStateKind st = cluster::SnapshotStateKind::kSuccess) {
  cluster::SnapshotInfo s;
  s.name = name;
  s.start_ms = start_s * 1000;
  s.state = cluster::make_snapshot_state(st);
  s.metadata = std::move(metadata);
  return s;
}

const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));

std::vector<cluster::SnapshotInfo> two_policies() {
  return {snap("a-1", 1'799'000'000, retention::policy_metadata("a")),
          snap("a-2", 1'799'100'000, retention::policy_metadata("a")),
          snap("a-3", 1'799'200'000, retention::policy_metadata("a")),
          snap("b-1", 1'799'050'000, retention::policy_metadata("b")),
          snap("hand-1", 1'799'060'000),
          snap("slm-1", 1'799'070'000, {{"policy", "daily-slm"}}),
          snap("sm-1", 1'799'080'000, {{"sm_policy", "os-sm"}})};
}

retention::PruneOptions options(Ownership o, int last = 1) {
  retention::PruneOptions p;
  p.repository = "repo";
  p.ownership = std::move(o);
  p.policy.last = last;
  return p;
}

TEST(RetentionOwns, ByMetadataOrByGlob) {
  const auto a = snap("x", 1, retention::policy_metadata("a"));
  const auto b = snap("nightly-1", 1, retention::policy_metadata("b"));
  const auto hand = snap("nightly-2", 1);
  EXPECT_TRUE(retention::owns({"a", {}}, a));
  EXPECT_FALSE(retention::owns({"a", {}}, b));
  EXPECT_FALSE(retention::owns({"a", {}}, hand));
  EXPECT_TRUE(retention::owns({"a", {"nightly-*"}}, hand));
  EXPECT_TRUE(retention::owns({"", {"nightly-*"}}, b));
  EXPECT_FALSE(retention::owns({"", {"nightly-*"}}, a));
  EXPECT_FALSE(retention::owns({"", {}}, a));
  // Metadata that is not ours, or not an object, owns nothing.
  EXPECT_FALSE(retention::owns({"a", {}}, snap("y", 1, {{"essnap", "a"}})));
  EXPECT_FALSE(retention::owns({"a", {}}, snap("y", 1, {{"policy", "a"}})));
}

TEST(RetentionOwns, PolicyMetadataNamesPolicyAndVersion) {
  const auto m = retention::policy_metadata("nightly");
  EXPECT_EQ(m["essnap"]["policy"], "nightly");
  EXPECT_TRUE(m["essnap"]["version"].is_string());
}

TEST(RetentionPrunePlan, AwsManagedRepositoriesAreRefused) {
  for (const char* repo : {"cs-automated", "cs-automated-enc", "cs-ultrawarm"}) {
    auto o = options({"a", {}});
    o.repository = repo;
    auto p = retention::make_prune_plan(o, two_policies(), kNow);
    ASSERT_FALSE(p.ok()) << repo;
    EXPECT_EQ(p.error().code, ErrorCode::kConflict);
    EXPECT_NE(p.error().message.find(repo), std::string::npos);
  }
}

TEST(RetentionPrunePlan, OnlyTheOwnedSnapshotsArePlanned) {
  auto p = retention::make_prune_plan(options({"a", {}}), two_policies(), kNow);
  ASSERT_TRUE(p.ok()) << p.error().message;
  ASSERT_EQ(p->decisions.size(), 3u);
  EXPECT_EQ(p->decisions[0].snapshot.name, "a-3");  // newest first
  EXPECT_EQ(p->remove, (std::vector<std::string>{"a-2", "a-1"}));
  EXPECT_EQ(p->listed, 7);
  EXPECT_EQ(p->plan.confirm, util::NeedsConfirmation::kYes);
  const auto j = retention::plan_json(*p);
  EXPECT_EQ(j["repository"], "repo");
  EXPECT_EQ(j["remove"], nlohmann::json::array({"a-2", "a-1"}));
  ASSERT_EQ(j["snapshots"].size(), 3u);
  for (const auto& s : j["snapshots"]) {
    EXPECT_TRUE(s["reasons"].is_array() && !s["reasons"].empty()) << s.dump();
    EXPECT_EQ(s["state"], "SUCCESS");
    EXPECT_TRUE(s["start_time"].is_string());
    EXPECT_EQ(s["managed_by"], "essnap:a");
  }
  EXPECT_EQ(j["snapshots"][0]["action"], "keep");
  EXPECT_EQ(j["snapshots"][0]["start_time"], "2027-01-06T01:46:40Z");
  EXPECT_NE(j["snapshots"][0]["reasons"][0].get<std::string>().find("last"), std::string::npos);
  EXPECT_EQ(j["snapshots"][2]["action"], "remove");
}

TEST(RetentionPrunePlan, MatchAdoptsAndShowsSlmAndSmNames) {
  auto p = retention::make_prune_plan(options({"", {"slm-*", "sm-*", "hand-*"}}, 1), two_policies(),
                                      kNow);
  ASSERT_TRUE(p.ok()) << p.error().message;
  ASSERT_EQ(p->decisions.size(), 3u);
  std::map<std::string, std::string> by;
  for (std::size_t i = 0; i < p->decisions.size(); ++i)
    by[p->decisions[i].snapshot.name] = p->managed_by[i];
  EXPECT_EQ(by["slm-1"], "slm:daily-slm");
  EXPECT_EQ(by["sm-1"], "sm:os-sm");
  EXPECT_EQ(by["hand-1"], "");
  EXPECT_EQ(p->remove.size(), 2u);
}

TEST(RetentionPrunePlan, NothingOwnedNothingToConfirm) {
  auto p = retention::make_prune_plan(options({"zzz", {}}), two_policies(), kNow);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_TRUE(p->remove.empty());
  EXPECT_EQ(p->plan.confirm, util::NeedsConfirmation::kNo);
}

TEST(RetentionPrunePlan, NoOwnershipOrEmptyPolicyIsRefused) {
  auto none = retention::make_prune_plan(options({"", {}}), two_policies(), kNow);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kInvalidArgument);
  auto empty = retention::make_prune_plan(options({"a", {}}, 0), two_policies(), kNow);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);
}

TEST(RetentionPrunePlan, RunningSnapshotsAreKept) {
  auto snaps = two_policies();
  snaps.push_back(snap("a-0", 1'798'000'000, retention::policy_metadata("a"),
                       cluster::SnapshotStateKind::kInProgress));
  auto p = retention::make_prune_plan(options({"a", {}}), snaps, kNow);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(std::count(p->remove.begin(), p->remove.end(), "a-0"), 0);
}

TEST(RetentionListing, PaginatesOnlyWhereTheEngineCan) {
  using cluster::Distribution;
  auto info = [](Distribution d, const char* v) {
    return cluster::ClusterInfo{d, *cluster::Version::parse(v), "c"};
  };
  EXPECT_EQ(retention::listing_plan(info(Distribution::kElasticsearch, "8.19.7")).page_size, 1000);
  EXPECT_FALSE(retention::listing_plan(info(Distribution::kElasticsearch, "8.19.7")).index_names);
  EXPECT_EQ(retention::listing_plan(info(Distribution::kElasticsearch, "7.14.0")).page_size, 1000);
  EXPECT_EQ(retention::listing_plan(info(Distribution::kElasticsearch, "7.13.4")).page_size, 0);
  EXPECT_EQ(retention::listing_plan(info(Distribution::kOpenSearch, "3.3.0")).page_size, 0);
  EXPECT_EQ(retention::listing_plan(info(Distribution::kOpenSearch, "2.19.6")).page_size, 0);
}

TEST(SnapshotDeleteBatches, BoundedByCountAndUrlLength) {
  std::vector<std::string> names;
  for (int i = 0; i < 120; ++i) names.push_back("s-" + std::to_string(i));
  auto b = snapshot::delete_batches("r", names, snapshot::MultiDelete::kSupported, {});
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[0].size(), 50u);
  EXPECT_EQ(b[2].size(), 20u);
  EXPECT_EQ(b[0][0], "s-0");
  EXPECT_EQ(b[2].back(), "s-119");
  std::vector<std::string> longs(10, std::string(200, 'x'));
  for (const auto& batch :
       snapshot::delete_batches("r", longs, snapshot::MultiDelete::kSupported, {50, 1000}))
    EXPECT_LE(cluster::delete_snapshots_path({"r", batch}).size(), 1000u);
  EXPECT_EQ(snapshot::delete_batches("r", names, snapshot::MultiDelete::kOneByOne, {}).size(),
            120u);
}

TEST(SnapshotDeleteBatches, EngineSupport) {
  using cluster::Distribution;
  auto at = [](Distribution d, const char* v) {
    return snapshot::multi_delete_support({d, *cluster::Version::parse(v), "c"});
  };
  EXPECT_EQ(at(Distribution::kElasticsearch, "7.8.0"), snapshot::MultiDelete::kSupported);
  EXPECT_EQ(at(Distribution::kElasticsearch, "7.7.1"), snapshot::MultiDelete::kOneByOne);
  EXPECT_EQ(at(Distribution::kOpenSearch, "1.0.0"), snapshot::MultiDelete::kSupported);
}

// The engines' start times come from a cached clock (~200 ms), so quick snapshots tie; the plan
// must not depend on listing order: the end time, then the name, decides which is newer.
TEST(RetentionPrunePlan, TiedStartTimesAreOrderedByEndTimeThenName) {
  auto tied = [](const std::string& name, std::int64_t end_ms) {
    auto s = snap(name, 1'799'000'000);
    s.end_ms = end_ms;
    return s;
  };
  for (bool reversed : {false, true}) {
    std::vector<cluster::SnapshotInfo> listing = {tied("hand-1", 5), tied("hand-2", 5),
                                                  tied("hand-3", 5), tied("early", 1)};
    if (reversed) std::reverse(listing.begin(), listing.end());
    auto p = retention::make_prune_plan(options({"", {"hand-*", "early"}}, 1), listing, kNow);
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(p->remove, (std::vector<std::string>{"hand-2", "hand-1", "early"}))
        << (reversed ? "reversed listing" : "listing order");
  }
}

}  // namespace
}  // namespace essnap
