// Health metrics of `essnap run`: per-policy counters and gauges, their Prometheus text
// exposition (format 0.0.4), and a tiny HTTP/1.1 server thread answering GET /metrics.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "essnap/schedule/cron.hpp"
#include "essnap/util/result.hpp"

namespace essnap::schedule {

enum class RunResult { kSuccess, kPartial, kFailed };
const char* to_string(RunResult r);  // "success" | "partial" | "failed"

struct PolicyMetrics {
  std::int64_t last_success = 0;  // Unix seconds; 0 = never
  std::int64_t last_run = 0;
  double last_duration = 0;  // seconds
  std::int64_t last_snapshot_bytes = 0;
  int consecutive_failures = 0;
  std::map<RunResult, std::uint64_t> runs;
  std::uint64_t deleted = 0;
  std::int64_t snapshots = 0;  // owned snapshots in the repository at the last look
  // Health: unhealthy when no success within `alert_within` (counted from `since` before the
  // first success); without it, unhealthy while the last run failed.
  std::optional<Seconds> alert_within;
  std::int64_t since = 0;

  bool healthy(std::int64_t now) const;
};

// The exposition text for these policies, in the given order. Pure.
std::string render_metrics(const std::vector<std::pair<std::string, PolicyMetrics>>& policies,
                           std::int64_t now);

// The scheduler's metrics, shared with the server thread.
class MetricsRegistry {
 public:
  // Keeps the values of policies that stay; drops the others (after a reload).
  void set_policies(const std::vector<std::pair<std::string, std::optional<Seconds>>>& policies,
                    std::int64_t now);
  template <typename F>
  void update(const std::string& policy, F&& f) {
    std::lock_guard lock(mu_);
    for (auto& [name, m] : entries_)
      if (name == policy) f(m);
  }
  std::optional<PolicyMetrics> get(const std::string& policy) const;
  std::string render(std::int64_t now) const;

 private:
  mutable std::mutex mu_;
  std::vector<std::pair<std::string, PolicyMetrics>> entries_;
};

// Serves GET /metrics (200, the exposition) and 404 for anything else, one connection at a
// time, on its own thread. Port 0 picks a free port (see port()).
class MetricsServer {
 public:
  explicit MetricsServer(const MetricsRegistry& registry) : registry_(registry) {}
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  Status start(const std::string& host, int port);
  void stop();
  int port() const { return port_; }

 private:
  void serve();
  void answer(int fd);

  const MetricsRegistry& registry_;
  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  int port_ = 0;
  std::thread thread_;
};

}  // namespace essnap::schedule
