#include "essnap/snapshot/progress.hpp"

#include <cstdio>

namespace essnap::snapshot {

std::string format_bytes(std::int64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 5) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[u]);
  return buf;
}

std::string format_duration(std::chrono::milliseconds d) {
  long s = static_cast<long>(d.count() / 1000);
  if (s < 0) s = 0;
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

std::string format_progress(const Progress& p) {
  std::string out = p.operation + " " + p.name + ": " + std::to_string(p.shards_done) + "/" +
                    std::to_string(p.shards_total) + " shards";
  if (p.bytes_total > 0) {
    out += ", " + format_bytes(p.bytes_done) + "/" + format_bytes(p.bytes_total);
    const double secs = static_cast<double>(p.elapsed.count()) / 1000.0;
    if (secs >= 0.5 && p.bytes_done > 0) {
      const double rate = static_cast<double>(p.bytes_done) / secs;
      out += ", " + format_bytes(static_cast<std::int64_t>(rate)) + "/s";
      if (p.bytes_done < p.bytes_total)
        out += ", ETA " + format_duration(std::chrono::milliseconds(static_cast<std::int64_t>(
                              1000.0 * static_cast<double>(p.bytes_total - p.bytes_done) / rate)));
    }
  }
  if (!p.state.empty()) out += " [" + p.state + "]";
  return out;
}

nlohmann::json progress_event(const Progress& p) {
  return {{"event", "progress"},
          {"operation", p.operation},
          {"name", p.name},
          {"state", p.state},
          {"shards_done", p.shards_done},
          {"shards_total", p.shards_total},
          {"bytes_done", p.bytes_done},
          {"bytes_total", p.bytes_total},
          {"elapsed_ms", p.elapsed.count()}};
}

}  // namespace essnap::snapshot
