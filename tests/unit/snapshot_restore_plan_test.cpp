// make_restore_plan / check_restore_plan: conflicts, renames, system indices, versions.
#include <gtest/gtest.h>

#include "essnap/snapshot/restore.hpp"

namespace essnap::snapshot {
namespace {

cluster::SnapshotInfo snap() {
  cluster::SnapshotInfo s;
  s.name = "s1";
  s.repository = "r";
  s.state = cluster::parse_snapshot_state("SUCCESS");
  s.version = "2.19.6";
  s.version_id = 136408427;
  s.indices = {"orders", "logs-1", "logs-2", ".kibana_1", ".opendistro_security"};
  return s;
}
const EngineVersion kTarget{cluster::Distribution::kOpenSearch, *cluster::Version::parse("2.19.6")};

TEST(SnapshotRestorePlan, ConflictsWithOpenIndicesAreRefusedWithThreeWaysOut) {
  RestoreOptions o;
  o.patterns = {"orders", "logs-*"};
  std::vector<cluster::IndexEntry> existing = {{"orders", cluster::parse_index_status("open"), 3}, {"logs-1", cluster::parse_index_status("close"), 1}};
  auto plan = make_restore_plan(snap(), kTarget, existing, o);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_EQ(plan->conflicts, std::vector<std::string>{"orders"});
  EXPECT_EQ(plan->closed_targets, std::vector<std::string>{"logs-1"});
  auto st = check_restore_plan(*plan, o);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kConflict);
  EXPECT_NE(st.error().message.find("orders"), std::string::npos);
  for (const char* way :
       {"--rename-suffix _restored", "--close-existing", "--delete-existing --yes"})
    EXPECT_NE(st.error().hint.find(way), std::string::npos) << way;
  o.conflicts = ConflictPolicy::kCloseExisting;
  EXPECT_TRUE(check_restore_plan(*plan, o).ok());
  o.conflicts = ConflictPolicy::kDeleteExisting;
  EXPECT_TRUE(check_restore_plan(*plan, o).ok());
}

TEST(SnapshotRestorePlan, RenameSuffixAvoidsTheConflict) {
  RestoreOptions o;
  std::tie(o.rename_pattern, o.rename_replacement) = suffix_rename("_restored");
  std::vector<cluster::IndexEntry> existing = {{"orders", cluster::parse_index_status("open"), 3}};
  auto plan = make_restore_plan(snap(), kTarget, existing, o);
  ASSERT_TRUE(plan.ok());
  EXPECT_TRUE(plan->conflicts.empty());
  ASSERT_EQ(plan->indices.size(), 3u);
  EXPECT_EQ(plan->indices[0],
            std::make_pair(std::string("orders"), std::string("orders_restored")));
  EXPECT_TRUE(check_restore_plan(*plan, o).ok());
}

TEST(SnapshotRestorePlan, RegexRename) {
  RestoreOptions o;
  o.patterns = {"logs-*"};
  o.rename_pattern = "logs-(.+)";
  o.rename_replacement = "old-logs-$1";
  auto plan = make_restore_plan(snap(), kTarget, {}, o);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->indices[1].second, "old-logs-2");
  o.rename_pattern = "(";
  EXPECT_EQ(make_restore_plan(snap(), kTarget, {}, o).error().code, ErrorCode::kInvalidArgument);
  o.rename_pattern = "logs-.*";
  o.rename_replacement = "same";
  EXPECT_EQ(make_restore_plan(snap(), kTarget, {}, o).error().code, ErrorCode::kInvalidArgument);
}

TEST(SnapshotRestorePlan, SystemIndicesExcludedUnlessAsked) {
  RestoreOptions o;
  auto plan = make_restore_plan(snap(), kTarget, {}, o);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->excluded_system, (std::vector<std::string>{".kibana_1", ".opendistro_security"}));
  EXPECT_EQ(plan->indices.size(), 3u);
  o.system = SystemIndices::kInclude;
  plan = make_restore_plan(snap(), kTarget, {}, o);
  EXPECT_EQ(plan->indices.size(), 5u);
  o.system = SystemIndices::kExclude;
  o.patterns = {".kibana*"};
  EXPECT_EQ(make_restore_plan(snap(), kTarget, {}, o).error().code, ErrorCode::kConflict);
}

TEST(SnapshotRestorePlan, VersionAndStateRefusals) {
  RestoreOptions o;
  const EngineVersion es8{cluster::Distribution::kElasticsearch,
                          *cluster::Version::parse("8.19.7")};
  auto plan = make_restore_plan(snap(), es8, {}, o);
  ASSERT_TRUE(plan.ok());
  ASSERT_TRUE(plan->incompatibility);
  auto st = check_restore_plan(*plan, o);
  EXPECT_EQ(st.error().code, ErrorCode::kConflict);
  EXPECT_NE(st.error().message.find("cannot be restored"), std::string::npos);
  auto s = snap();
  s.state = cluster::parse_snapshot_state("IN_PROGRESS");
  EXPECT_EQ(make_restore_plan(s, kTarget, {}, o).error().code, ErrorCode::kConflict);
  s.state = cluster::parse_snapshot_state("FAILED");
  EXPECT_EQ(make_restore_plan(s, kTarget, {}, o).error().code, ErrorCode::kConflict);
  o.patterns = {"nothing"};
  EXPECT_EQ(make_restore_plan(snap(), kTarget, {}, o).error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace essnap::snapshot
