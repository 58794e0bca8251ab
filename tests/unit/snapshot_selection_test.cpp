// Index patterns with exclusions, and system-index detection.
#include <gtest/gtest.h>

#include "essnap/snapshot/selection.hpp"

namespace essnap::snapshot {
namespace {

const std::vector<std::string> kAll = {"logs-1", "logs-2",    "logs-debug",
                                       "orders", ".kibana_1", "metrics"};

std::vector<std::string> sel(std::vector<std::string> args) {
  return select_names(kAll, split_patterns(args));
}

TEST(SnapshotSelection, Glob) {
  EXPECT_TRUE(glob_match("*", "x"));
  EXPECT_TRUE(glob_match("logs-*", "logs-1"));
  EXPECT_TRUE(glob_match("*-1", "logs-1"));
  EXPECT_TRUE(glob_match("l*s*1", "logs-1"));
  EXPECT_FALSE(glob_match("logs-*", "log"));
  EXPECT_FALSE(glob_match("orders", "orders2"));
  EXPECT_TRUE(glob_match("", ""));
}

TEST(SnapshotSelection, PatternsAndExclusionsInOrder) {
  using V = std::vector<std::string>;
  EXPECT_EQ(sel({}), kAll);
  EXPECT_EQ(sel({"orders"}), V({"orders"}));
  EXPECT_EQ(sel({"logs-*,-logs-debug"}), V({"logs-1", "logs-2"}));
  EXPECT_EQ(sel({"logs-*", "-logs-debug", "orders"}), V({"logs-1", "logs-2", "orders"}));
  EXPECT_EQ(sel({"-logs-*"}), V({"orders", ".kibana_1", "metrics"}));
  EXPECT_EQ(sel({"-*"}), V());
  EXPECT_EQ(sel({"nothing*"}), V());
  EXPECT_EQ(sel({" orders , metrics "}), V({"orders", "metrics"}));
}

TEST(SnapshotSelection, SystemIndices) {
  for (const char* s : {".kibana", ".kibana_1", ".opendistro_security", ".opensearch-notifications",
                        ".plugins-ml-config", ".security-7", ".tasks", ".geoip_databases",
                        ".opendistro-job-scheduler-lock", ".async-search"})
    EXPECT_TRUE(is_system_index(s)) << s;
  for (const char* s : {"kibana", "logs", ".my-own-index", "security", "tasks"})
    EXPECT_FALSE(is_system_index(s)) << s;
}

}  // namespace
}  // namespace essnap::snapshot
