#include "essnap/util/progress.hpp"

#include <cstdio>
#include <utility>

namespace essnap::util {

ProgressEvent progress_notice(std::string message) {
  ProgressEvent e;
  e.kind = ProgressKind::kNotice;
  e.message = std::move(message);
  return e;
}

void report(const ProgressSink& sink, const ProgressEvent& e) {
  if (sink) sink(e);
}

void notify(const ProgressSink& sink, std::string message) {
  if (sink) sink(progress_notice(std::move(message)));
}

void set_byte_rate(ProgressEvent& e) {
  e.rate = 0;
  e.rate_of = RateOf::kBytes;
  e.eta_seconds = -1;
  const double secs = static_cast<double>(e.elapsed.count()) / 1000.0;
  if (e.bytes_total == 0 || secs < 0.5 || e.bytes_done == 0) return;
  e.rate = static_cast<double>(e.bytes_done) / secs;
  if (e.bytes_done < e.bytes_total)
    e.eta_seconds = static_cast<double>(e.bytes_total - e.bytes_done) / e.rate;
}

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

std::string progress_line(const ProgressEvent& e) {
  if (e.kind == ProgressKind::kNotice) return e.message;
  auto bytes = [](std::uint64_t b) { return format_bytes(static_cast<std::int64_t>(b)); };
  std::string out = e.operation + " " + e.subject + ": " + std::to_string(e.done) + "/" +
                    std::to_string(e.total) + (e.unit.empty() ? "" : " " + e.unit);
  if (e.bytes_total > 0)
    out += ", " + bytes(e.bytes_done) + "/" + bytes(e.bytes_total);
  else if (e.bytes_done > 0)
    out += ", " + bytes(e.bytes_done);
  if (e.rate > 0) {
    if (e.rate_of == RateOf::kBytes)
      out += ", " + bytes(static_cast<std::uint64_t>(e.rate)) + "/s";
    else
      out += ", " + std::to_string(static_cast<long long>(e.rate)) +
             (e.unit.empty() ? "" : " " + e.unit) + "/s";
  }
  if (e.eta_seconds >= 0)
    out += ", ETA " + format_duration(std::chrono::milliseconds(
                          static_cast<std::int64_t>(1000.0 * e.eta_seconds)));
  if (!e.state.empty()) out += " [" + e.state + "]";
  return out;
}

nlohmann::json progress_json(const ProgressEvent& e) {
  if (e.kind == ProgressKind::kNotice) return {{"event", "notice"}, {"message", e.message}};
  if (!e.detail.is_null()) return e.detail;
  return {{"event", "progress"},
          {"operation", e.operation},
          {"name", e.subject},
          {"state", e.state},
          {"done", e.done},
          {"total", e.total},
          {"unit", e.unit},
          {"bytes_done", e.bytes_done},
          {"bytes_total", e.bytes_total},
          {"rate", e.rate},
          {"eta_seconds", e.eta_seconds >= 0 ? nlohmann::json(e.eta_seconds) : nlohmann::json()},
          {"elapsed_ms", e.elapsed.count()}};
}

}  // namespace essnap::util
