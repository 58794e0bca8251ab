// Progress of snapshot and restore waits: what a poll saw, turned into the one progress event
// (util/progress.hpp) that every output style draws, and the JSON event waits have always printed
// with --output json.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "essnap/util/progress.hpp"

namespace essnap::snapshot {

struct Progress {
  std::string operation;  // "snapshot" | "restore"
  std::string name;
  std::string state;
  int shards_done = 0;
  int shards_total = 0;
  std::int64_t bytes_done = 0;
  std::int64_t bytes_total = 0;
  std::chrono::milliseconds elapsed{0};
};

using util::format_bytes;     // "0 B", "1.5 KiB", "3.2 GiB"
using util::format_duration;  // "0:07", "1:02:03"

// The one event: shards as units; bytes (with their rate and ETA) only when the cluster gave a
// total; the JSON event below as its detail.
util::ProgressEvent to_event(const Progress& p);

// "snapshot s1: 3/5 shards, 1.2 MiB/4.0 MiB, 2.3 MiB/s, ETA 0:02" (util::progress_line)
std::string format_progress(const Progress& p);
nlohmann::json progress_event(const Progress& p);

}  // namespace essnap::snapshot
