// Retention: essnap's safety rules on top of restic's (policy.hpp lists them): running and
// unknown states, failed snapshots, the newest successful snapshot, the keep-min floor, the future.
#include <gtest/gtest.h>

#include "essnap/retention/policy.hpp"
#include "unit/retention_test_util.hpp"

namespace essnap::retention {
namespace {

using cluster::SnapshotStateKind;
using namespace retention_test;

const char* const kFailedKept = "failed: kept (pass --prune-failed to remove)";

TEST(RetentionSafety, InProgressAndUnknownAreNeverTouchedAndTakeNoSlot) {
  Policy p;
  p.last = 1;
  p.keep_min = 0;
  auto ds = run(p, {snap("2026-01-03T00:00:00Z", SnapshotStateKind::kInProgress),
                    snap("2026-01-02T00:00:00Z", SnapshotStateKind::kUnknown),
                    snap("2026-01-01T00:00:00Z"), snap("2025-12-31T00:00:00Z")});
  EXPECT_EQ(ds[0].action, Action::kKeep);
  EXPECT_EQ(ds[0].reasons, std::vector<std::string>{"in progress: never touched"});
  EXPECT_EQ(ds[1].reasons, std::vector<std::string>{"in progress: never touched"});
  // keep-last 1 went to the newest SUCCESS, not to the running one
  EXPECT_EQ(ds[2].action, Action::kKeep);
  EXPECT_EQ(ds[2].reasons[0], "last snapshot");
  EXPECT_EQ(ds[3].action, Action::kRemove);
  p.prune_failed = PruneFailed::kYes;  // prune_failed does not reach running snapshots
  EXPECT_EQ(run(p, {snap("2026-01-03T00:00:00Z", SnapshotStateKind::kInProgress)})[0].action,
            Action::kKeep);
}

TEST(RetentionSafety, FailedOnesOccupyNoBucket) {
  Policy p;
  p.daily = 2;
  p.keep_min = 0;
  const std::vector<Candidate> s{
      snap("2026-01-03T20:00:00Z", SnapshotStateKind::kFailed),       snap("2026-01-03T10:00:00Z"),
      snap("2026-01-02T20:00:00Z", SnapshotStateKind::kPartial),      snap("2026-01-02T10:00:00Z"),
      snap("2026-01-01T20:00:00Z", SnapshotStateKind::kIncompatible), snap("2026-01-01T10:00:00Z")};
  auto ds = run(p, s);
  // The SUCCESS ones of 01-03 and 01-02 fill the two days, though failed ones are newer.
  EXPECT_EQ(find(ds, "2026-01-03T10:00:00Z").reasons[0], "daily snapshot 2026-01-03");
  EXPECT_EQ(find(ds, "2026-01-02T10:00:00Z").reasons[0], "daily snapshot 2026-01-02");
  EXPECT_EQ(find(ds, "2026-01-01T10:00:00Z").action, Action::kRemove);
  for (const char* t : {"2026-01-03T20:00:00Z", "2026-01-02T20:00:00Z", "2026-01-01T20:00:00Z"}) {
    EXPECT_EQ(find(ds, t).action, Action::kKeep) << t;
    EXPECT_EQ(find(ds, t).reasons, std::vector<std::string>{kFailedKept}) << t;
  }
  p.prune_failed = PruneFailed::kYes;
  ds = run(p, s);
  for (const char* t : {"2026-01-03T20:00:00Z", "2026-01-02T20:00:00Z", "2026-01-01T20:00:00Z"}) {
    EXPECT_EQ(find(ds, t).action, Action::kRemove) << t;
    EXPECT_EQ(find(ds, t).reasons, std::vector<std::string>{"failed snapshot"}) << t;
  }
  EXPECT_EQ(kept(ds), (std::vector<std::string>{"2026-01-03T10:00:00Z", "2026-01-02T10:00:00Z"}));
}

TEST(RetentionSafety, NewestSuccessIsKeptWhenTheNewestFailed) {
  Policy p;
  p.within = dur("1h");
  p.keep_min = 0;
  p.prune_failed = PruneFailed::kYes;
  auto ds = run(p, {snap("2026-01-05T00:00:00Z", SnapshotStateKind::kFailed),
                    snap("2026-01-01T00:00:00Z"), snap("2025-12-31T23:00:00Z")});
  EXPECT_EQ(ds[0].action, Action::kRemove);
  // within is measured from the newest SUCCESS (01-01), not the failed 01-05
  EXPECT_EQ(ds[1].action, Action::kKeep);
  EXPECT_EQ(ds[1].reasons, (std::vector<std::string>{"within 1h", "newest successful snapshot"}));
  EXPECT_EQ(ds[2].action, Action::kRemove);  // exactly 1h before: not after newest - 1h
}

TEST(RetentionSafety, NewestSuccessReasonNamesTheNewestNotInTheFuture) {
  // restic's rules always keep the newest snapshot they see, so this safety rule shows as an
  // extra reason; it names the newest SUCCESS one that is not dated in the future.
  Policy p;
  p.last = 1;
  p.keep_min = 0;
  auto ds = run(p, {snap("2031-01-01T00:00:00Z"), snap("2026-01-01T00:00:00Z"),
                    snap("2025-01-01T00:00:00Z")});
  EXPECT_EQ(ds[0].reasons, std::vector<std::string>{"dated in the future"});
  EXPECT_EQ(ds[1].reasons,
            (std::vector<std::string>{"last snapshot", "newest successful snapshot"}));
  EXPECT_EQ(ds[2].action, Action::kRemove);
}

TEST(RetentionSafety, KeepMinFloorKeepsTheNewestRemovedOnesBack) {
  Policy p;
  p.last = 1;
  p.keep_min = 3;
  auto ds = run(
      p,
      {snap("2026-01-04T00:00:00Z"), snap("2026-01-03T00:00:00Z", SnapshotStateKind::kFailed),
       snap("2026-01-02T00:00:00Z"), snap("2026-01-01T00:00:00Z"), snap("2025-12-31T00:00:00Z")});
  EXPECT_EQ(kept(ds), (std::vector<std::string>{"2026-01-04T00:00:00Z", "2026-01-03T00:00:00Z",
                                                "2026-01-02T00:00:00Z", "2026-01-01T00:00:00Z"}));
  EXPECT_EQ(find(ds, "2026-01-02T00:00:00Z").reasons, std::vector<std::string>{"keep-min 3 floor"});
  EXPECT_EQ(find(ds, "2026-01-01T00:00:00Z").reasons, std::vector<std::string>{"keep-min 3 floor"});
  EXPECT_EQ(find(ds, "2025-12-31T00:00:00Z").reasons,
            std::vector<std::string>{"matched no keep rule"});
  p.keep_min = 10;  // more than there are: all SUCCESS stay, nothing breaks
  EXPECT_EQ(kept(run(p, snaps({"2026-01-02T00:00:00Z", "2026-01-01T00:00:00Z"}))).size(), 2U);
}

TEST(RetentionSafety, DefaultKeepMinIsOne) {
  EXPECT_EQ(Policy{}.keep_min, 1);
}

TEST(RetentionSafety, FutureDatedAreKeptAndExcludedFromRules) {
  Policy p;
  p.last = 1;
  p.within = dur("1d");
  p.keep_min = 0;
  auto ds = run(p, snaps({"2026-01-10T00:00:00Z", "2026-01-01T12:00:00Z", "2026-01-01T00:00:00Z"}),
                "2026-01-05T00:00:00Z");
  EXPECT_EQ(ds[0].reasons, std::vector<std::string>{"dated in the future"});
  // within 1d is measured from 01-01T12 (the newest not in the future), last 1 goes to it too
  EXPECT_EQ(ds[1].reasons,
            (std::vector<std::string>{"within 1d", "last snapshot", "newest successful snapshot"}));
  EXPECT_EQ(ds[2].reasons, std::vector<std::string>{"within 1d"});
  // a snapshot exactly at `now` is not in the future
  ds = run(p, snaps({"2026-01-05T00:00:00Z"}), "2026-01-05T00:00:00Z");
  EXPECT_EQ(ds[0].reasons[0], "within 1d");
}

TEST(RetentionSafety, OnlyFailedAndRunningSnapshots) {
  Policy p;
  p.daily = 7;
  p.prune_failed = PruneFailed::kYes;
  auto ds = run(p, {snap("2026-01-02T00:00:00Z", SnapshotStateKind::kInProgress),
                    snap("2026-01-01T00:00:00Z", SnapshotStateKind::kPartial)});
  EXPECT_EQ(ds[0].action, Action::kKeep);
  EXPECT_EQ(ds[1].action, Action::kRemove);
}

}  // namespace
}  // namespace essnap::retention
