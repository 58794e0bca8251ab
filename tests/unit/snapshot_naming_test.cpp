// Snapshot name templates and validation.
#include <gtest/gtest.h>

#include "essnap/snapshot/naming.hpp"

namespace essnap::snapshot {
namespace {

// 2026-11-28T23:59:30Z, a Saturday.
std::chrono::system_clock::time_point naming_at() {
  return std::chrono::system_clock::from_time_t(1795910370);
}

std::string expand(const std::string& t) {
  auto r = expand_snapshot_name(t, naming_at());
  return r.ok() ? *r : "ERR:" + r.error().message;
}

TEST(SnapshotNaming, StrftimeTemplates) {
  EXPECT_EQ(expand("nightly-{now:%Y.%m.%d-%H%M}"), "nightly-2026.11.28-2359");
  EXPECT_EQ(expand("plain"), "plain");
  EXPECT_EQ(expand("a-{now:%Y}-b-{now:%m}"), "a-2026-b-11");
}

TEST(SnapshotNaming, DateMath) {
  EXPECT_EQ(expand("<snap-{now/d}>"), "snap-2026.11.28");
  EXPECT_EQ(expand("<snap-{now+1d/d}>"), "snap-2026.11.29");
  EXPECT_EQ(expand("<snap-{now-1M/M}>"), "snap-2026.10.01");
  EXPECT_EQ(expand("<snap-{now/M{yyyy.MM}}>"), "snap-2026.11");
  EXPECT_EQ(expand("<snap-{now{yyyy.MM.dd-HH.mm.ss}}>"), "snap-2026.11.28-23.59.30");
  EXPECT_EQ(expand("<snap-{now/w}>"), "snap-2026.11.23");
  EXPECT_EQ(expand("<snap-{now/y}>"), "snap-2026.01.01");
}

TEST(SnapshotNaming, BadTemplatesAreUsageErrors) {
  for (const char* t : {"<snap-{now/d}", "<snap-{now/q}>", "<snap-{yesterday}>", "x-{now:%Y",
                        "x-{foo}", "<snap-{now/d{yyyy|+01:00}}>", "<snap-{now/d{QQ}}>"}) {
    auto r = expand_snapshot_name(t, naming_at());
    ASSERT_FALSE(r.ok()) << t;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << t;
  }
}

// Names of existing snapshots resolve like new ones when they are date math or templates; any
// other name, including one with a literal brace, is left as typed.
TEST(SnapshotNaming, ReferencesToExistingSnapshots) {
  auto ref = [](const std::string& n) {
    auto r = resolve_snapshot_reference(n, naming_at());
    return r.ok() ? *r : "ERR:" + r.error().message;
  };
  EXPECT_EQ(ref("<snap-{now/d}>"), "snap-2026.11.28");
  EXPECT_EQ(ref("<snap-{now-1d/d}>"), "snap-2026.11.27");
  EXPECT_EQ(ref("nightly-{now:%Y.%m.%d}"), "nightly-2026.11.28");
  EXPECT_EQ(ref("snapshot_1"), "snapshot_1");
  EXPECT_EQ(ref("odd{name}"), "odd{name}");
  EXPECT_EQ(ref("nightly-*"), "nightly-*");
  EXPECT_EQ(ref("<snap-{now/q}>").rfind("ERR:", 0), 0u);
}

TEST(SnapshotNaming, Validation) {
  for (const char* ok : {"snapshot_1", "nightly-2026.11.28", "a"})
    EXPECT_TRUE(validate_snapshot_name(ok).ok()) << ok;
  for (const char* bad : {"", "Upper", "_x", "-x", "a b", "a/b", "a*", "a,b", "a#b", "a?", "a<b",
                          "a\"b", "a|b", "a\\b"})
    EXPECT_FALSE(validate_snapshot_name(bad).ok()) << bad;
  EXPECT_FALSE(expand_snapshot_name("Nightly-{now:%Y}", naming_at()).ok());
}

}  // namespace
}  // namespace essnap::snapshot
