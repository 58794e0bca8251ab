#include "essnap/snapshot/progress.hpp"

#include <algorithm>

namespace essnap::snapshot {

util::ProgressEvent to_event(const Progress& p) {
  util::ProgressEvent e;
  e.operation = p.operation;
  e.subject = p.name;
  e.state = p.state;
  e.done = static_cast<std::uint64_t>(std::max(0, p.shards_done));
  e.total = static_cast<std::uint64_t>(std::max(0, p.shards_total));
  e.unit = "shards";
  if (p.bytes_total > 0) {  // bytes done say nothing without their total
    e.bytes_done = static_cast<std::uint64_t>(std::max<std::int64_t>(0, p.bytes_done));
    e.bytes_total = static_cast<std::uint64_t>(p.bytes_total);
  }
  e.elapsed = p.elapsed;
  util::set_byte_rate(e);
  e.detail = progress_event(p);
  return e;
}

std::string format_progress(const Progress& p) {
  return util::progress_line(to_event(p));
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
