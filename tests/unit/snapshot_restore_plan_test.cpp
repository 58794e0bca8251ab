// make_restore_plan / check_restore_plan: conflicts, renames, system indices, versions, and the
// pre-flight checks made before any change (settings, shard counts, aliases).
#include <gtest/gtest.h>

#include "essnap/snapshot/restore.hpp"

namespace essnap::snapshot {
namespace {

cluster::SnapshotInfo plan_snap() {
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
  std::vector<cluster::IndexEntry> existing = {{"orders", cluster::parse_index_status("open"), 3},
                                               {"logs-1", cluster::parse_index_status("close"), 1}};
  auto plan = make_restore_plan(plan_snap(), kTarget, RestoreFacts{existing}, o);
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
  auto plan = make_restore_plan(plan_snap(), kTarget, RestoreFacts{existing}, o);
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
  auto plan = make_restore_plan(plan_snap(), kTarget, {}, o);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->indices[1].second, "old-logs-2");
  o.rename_pattern = "(";
  EXPECT_EQ(make_restore_plan(plan_snap(), kTarget, {}, o).error().code,
            ErrorCode::kInvalidArgument);
  o.rename_pattern = "logs-.*";
  o.rename_replacement = "same";
  EXPECT_EQ(make_restore_plan(plan_snap(), kTarget, {}, o).error().code,
            ErrorCode::kInvalidArgument);
}

// A rename makes names the user never typed: each is held to the engines' index-name rules in
// the plan, before any request (--close-existing / --delete-existing would act first otherwise).
TEST(SnapshotRestorePlan, RenamedTargetsAreValidIndexNames) {
  for (const auto& [pattern, replacement] :
       std::vector<std::pair<std::string, std::string>>{{"(.+)", "$1_X"},
                                                        {"(.+)", "$1/x"},
                                                        {"(.+)", "_$1"},
                                                        {"(.+)", "a,$1"},
                                                        {"(.+)", "$1*"},
                                                        {".+", ".."}}) {
    RestoreOptions o;
    o.rename_pattern = pattern;
    o.rename_replacement = replacement;
    auto plan = make_restore_plan(plan_snap(), kTarget, {}, o);
    ASSERT_FALSE(plan.ok()) << replacement;
    EXPECT_EQ(plan.error().code, ErrorCode::kInvalidArgument) << replacement;
    EXPECT_NE(plan.error().message.find("new name of index"), std::string::npos)
        << plan.error().message;
  }
  RestoreOptions ok;
  std::tie(ok.rename_pattern, ok.rename_replacement) = suffix_rename("-copy_1");
  EXPECT_TRUE(make_restore_plan(plan_snap(), kTarget, {}, ok).ok());
}

TEST(SnapshotRestorePlan, SystemIndicesExcludedUnlessAsked) {
  RestoreOptions o;
  auto plan = make_restore_plan(plan_snap(), kTarget, {}, o);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->excluded_system, (std::vector<std::string>{".kibana_1", ".opendistro_security"}));
  EXPECT_EQ(plan->indices.size(), 3u);
  o.system = SystemIndices::kInclude;
  plan = make_restore_plan(plan_snap(), kTarget, {}, o);
  EXPECT_EQ(plan->indices.size(), 5u);
  o.system = SystemIndices::kExclude;
  o.patterns = {".kibana*"};
  EXPECT_EQ(make_restore_plan(plan_snap(), kTarget, {}, o).error().code, ErrorCode::kConflict);
}

TEST(SnapshotRestorePlan, VersionAndStateRefusals) {
  RestoreOptions o;
  const EngineVersion es8{cluster::Distribution::kElasticsearch,
                          *cluster::Version::parse("8.19.7")};
  auto plan = make_restore_plan(plan_snap(), es8, {}, o);
  ASSERT_TRUE(plan.ok());
  ASSERT_TRUE(plan->incompatibility);
  auto st = check_restore_plan(*plan, o);
  EXPECT_EQ(st.error().code, ErrorCode::kConflict);
  EXPECT_NE(st.error().message.find("cannot be restored"), std::string::npos);
  auto s = plan_snap();
  s.state = cluster::parse_snapshot_state("IN_PROGRESS");
  EXPECT_EQ(make_restore_plan(s, kTarget, {}, o).error().code, ErrorCode::kConflict);
  s.state = cluster::parse_snapshot_state("FAILED");
  EXPECT_EQ(make_restore_plan(s, kTarget, {}, o).error().code, ErrorCode::kConflict);
  o.patterns = {"nothing"};
  EXPECT_EQ(make_restore_plan(plan_snap(), kTarget, {}, o).error().code, ErrorCode::kNotFound);
}

cluster::IndexEntry open_index(const std::string& name) {
  return {name, cluster::parse_index_status("open"), 1};
}
cluster::IndexEntry closed_index(const std::string& name) {
  return {name, cluster::parse_index_status("close"), -1};
}

TEST(SnapshotRestorePreflight, UnmodifiableSettingsAreUsageErrorsBeforeAnything) {
  for (const char* key :
       {"index.number_of_shards", "number_of_shards", "index.uuid", "index.version.created",
        "index.creation_date", "index.history.uuid", "index.remote_store.enabled"}) {
    RestoreOptions o;
    o.index_settings[key] = "3";
    auto st = validate_restore_settings(o);
    ASSERT_FALSE(st.ok()) << key;
    EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument) << key;
    EXPECT_NE(st.error().message.find(key), std::string::npos) << st.error().message;
    // The plan refuses it too, whatever the cluster said.
    EXPECT_EQ(make_restore_plan(plan_snap(), kTarget, {}, o).error().code,
              ErrorCode::kInvalidArgument);
  }
  RestoreOptions ok;
  ok.index_settings["index.number_of_replicas"] = "0";
  ok.ignore_index_settings = {"index.refresh_interval", "index.*"};  // patterns skip them
  EXPECT_TRUE(validate_restore_settings(ok).ok());
  for (const char* key : {"index.number_of_shards", "index.number_of_replicas",
                          "index.auto_expand_replicas", "index.uuid"}) {
    RestoreOptions o;
    o.ignore_index_settings = {key};
    auto st = validate_restore_settings(o);
    ASSERT_FALSE(st.ok()) << key;
    EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(SnapshotRestorePreflight, CloseExistingRefusedWhenShardCountsDiffer) {
  RestoreOptions o;
  o.patterns = {"orders"};
  o.conflicts = ConflictPolicy::kCloseExisting;
  RestoreFacts f;
  f.existing = {open_index("orders")};
  f.live_shards = {{"orders", 2}};
  f.snapshot_shards = {{"orders", 1}};
  auto plan = make_restore_plan(plan_snap(), kTarget, f, o);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  ASSERT_EQ(plan->shard_mismatches.size(), 1u);
  auto st = check_restore_plan(*plan, o);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kConflict);
  EXPECT_NE(st.error().message.find("orders has 2 primary shard(s)"), std::string::npos)
      << st.error().message;
  EXPECT_NE(st.error().hint.find("--rename-suffix"), std::string::npos);
  EXPECT_NE(st.error().hint.find("--delete-existing"), std::string::npos);
  // Deleting first makes the shard count irrelevant; so does an equal count.
  o.conflicts = ConflictPolicy::kDeleteExisting;
  EXPECT_TRUE(check_restore_plan(*plan, o).ok());
  o.conflicts = ConflictPolicy::kCloseExisting;
  f.live_shards["orders"] = 1;
  plan = make_restore_plan(plan_snap(), kTarget, f, o);
  EXPECT_TRUE(plan->shard_mismatches.empty());
  EXPECT_TRUE(check_restore_plan(*plan, o).ok());
}

TEST(SnapshotRestorePreflight, ClosedTargetWithOtherShardCountIsRefusedWhateverThePolicy) {
  RestoreOptions o;
  o.patterns = {"orders"};
  RestoreFacts f;
  f.existing = {closed_index("orders")};
  f.live_shards = {{"orders", 3}};
  f.snapshot_shards = {{"orders", 1}};
  for (auto policy :
       {ConflictPolicy::kRefuse, ConflictPolicy::kCloseExisting, ConflictPolicy::kDeleteExisting}) {
    o.conflicts = policy;
    auto plan = make_restore_plan(plan_snap(), kTarget, f, o);
    ASSERT_TRUE(plan.ok());
    ASSERT_EQ(plan->shard_mismatches.size(), 1u);
    EXPECT_TRUE(plan->shard_mismatches[0].closed);
    EXPECT_EQ(check_restore_plan(*plan, o).error().code, ErrorCode::kConflict);
  }
}

TEST(SnapshotRestorePreflight, RenameLeavesAliasesOutUnlessAsked) {
  RestoreOptions o;
  EXPECT_TRUE(restores_aliases(o));
  std::tie(o.rename_pattern, o.rename_replacement) = suffix_rename("_copy");
  EXPECT_FALSE(restores_aliases(o));
  auto plan = make_restore_plan(plan_snap(), kTarget, {}, o);
  ASSERT_TRUE(plan.ok());
  EXPECT_FALSE(plan->aliases_restored);
  EXPECT_FALSE(plan->to_json()["aliases_restored"].get<bool>());
  bool said = false;
  for (const auto& a : describe_restore(*plan, o).actions)
    said = said || a.find("--include-aliases") != std::string::npos;
  EXPECT_TRUE(said) << "the plan says the aliases are left out";
  o.aliases = Aliases::kInclude;
  EXPECT_TRUE(restores_aliases(o));
  o.rename_pattern.clear();
  o.aliases = Aliases::kExclude;
  EXPECT_FALSE(restores_aliases(o));
}

TEST(SnapshotRestorePreflight, SecondWriteIndexForALiveAliasIsRefusedNamingIt) {
  RestoreOptions o;
  o.patterns = {"orders"};
  std::tie(o.rename_pattern, o.rename_replacement) = suffix_rename("_copy");
  o.aliases = Aliases::kInclude;
  RestoreFacts f;
  f.existing = {open_index("orders")};
  f.aliases = {{"orders-write", "orders", true}, {"orders-read", "orders", false}};
  auto plan = make_restore_plan(plan_snap(), kTarget, f, o);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->write_alias_clashes.size(), 1u);
  auto st = check_restore_plan(*plan, o);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kConflict);
  EXPECT_NE(st.error().message.find("orders-write"), std::string::npos) << st.error().message;
  EXPECT_EQ(st.error().message.find("orders-read"), std::string::npos) << "a read alias is fine";
  // Without the aliases (the default with a rename) there is nothing to clash.
  o.aliases = Aliases::kDefault;
  plan = make_restore_plan(plan_snap(), kTarget, f, o);
  EXPECT_TRUE(plan->write_alias_clashes.empty());
  EXPECT_TRUE(check_restore_plan(*plan, o).ok());
  // Restored over itself (no rename), the index stays its alias' one write index.
  RestoreOptions same;
  same.patterns = {"orders"};
  same.conflicts = ConflictPolicy::kDeleteExisting;
  plan = make_restore_plan(plan_snap(), kTarget, f, same);
  EXPECT_TRUE(plan->write_alias_clashes.empty());
  EXPECT_TRUE(check_restore_plan(*plan, same).ok());
}

TEST(SnapshotRestorePreflight, ConflictHintSaysRenamesLeaveAliasesOut) {
  RestoreOptions o;
  auto plan = make_restore_plan(plan_snap(), kTarget, RestoreFacts{{open_index("orders")}}, o);
  auto st = check_restore_plan(*plan, o);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().hint.find("aliases are then left out unless --include-aliases"),
            std::string::npos)
      << st.error().hint;
}

}  // namespace
}  // namespace essnap::snapshot
