// Progress lines and events.
#include <gtest/gtest.h>

#include "essnap/snapshot/progress.hpp"

namespace essnap::snapshot {
namespace {

using std::chrono::milliseconds;

TEST(SnapshotProgress, Bytes) {
  EXPECT_EQ(format_bytes(0), "0 B");
  EXPECT_EQ(format_bytes(1023), "1023 B");
  EXPECT_EQ(format_bytes(1536), "1.5 KiB");
  EXPECT_EQ(format_bytes(3LL * 1024 * 1024 * 1024), "3.0 GiB");
}

TEST(SnapshotProgress, Durations) {
  EXPECT_EQ(format_duration(milliseconds(0)), "0:00");
  EXPECT_EQ(format_duration(milliseconds(7'900)), "0:07");
  EXPECT_EQ(format_duration(milliseconds(3'723'000)), "1:02:03");
}

TEST(SnapshotProgress, Line) {
  Progress p{"snapshot", "s1", "STARTED", 3, 5, 1024 * 1024, 4 * 1024 * 1024, milliseconds(1000)};
  EXPECT_EQ(format_progress(p),
            "snapshot s1: 3/5 shards, 1.0 MiB/4.0 MiB, 1.0 MiB/s, ETA 0:03 [STARTED]");
  p.elapsed = milliseconds(100);
  EXPECT_EQ(format_progress(p), "snapshot s1: 3/5 shards, 1.0 MiB/4.0 MiB [STARTED]");
  p.bytes_total = 0;
  p.state = "";
  EXPECT_EQ(format_progress(p), "snapshot s1: 3/5 shards");
}

TEST(SnapshotProgress, JsonEvent) {
  Progress p{"restore", "s1", "", 1, 2, 10, 20, milliseconds(5)};
  auto j = progress_event(p);
  EXPECT_EQ(j["event"], "progress");
  EXPECT_EQ(j["operation"], "restore");
  EXPECT_EQ(j["shards_done"], 1);
  EXPECT_EQ(j["bytes_total"], 20);
  EXPECT_EQ(j["elapsed_ms"], 5);
}

}  // namespace
}  // namespace essnap::snapshot
