// Progress lines for snapshot and restore waits: the same numbers drawn as an updating line on a
// terminal, one line per change otherwise, or one JSON object per line with --output json.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

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

std::string format_bytes(std::int64_t bytes);              // "0 B", "1.5 KiB", "3.2 GiB"
std::string format_duration(std::chrono::milliseconds d);  // "0:07", "1:02:03"

// "snapshot s1: 3/5 shards, 1.2 MiB/4.0 MiB, 2.3 MiB/s, ETA 0:02"
std::string format_progress(const Progress& p);
nlohmann::json progress_event(const Progress& p);

}  // namespace essnap::snapshot
