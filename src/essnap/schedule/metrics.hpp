// Health metrics of `essnap run`: per-policy counters and gauges, their Prometheus text
// exposition (format 0.0.4), and a tiny HTTP/1.1 server answering GET /metrics.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "essnap/schedule/cron.hpp"
#include "essnap/util/result.hpp"

struct sockaddr;

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
  // first success); without it, unhealthy while the last run failed; never healthy when its
  // schedule never fires.
  std::optional<Seconds> alert_within;
  std::int64_t since = 0;
  bool scheduled = true;  // false: a schedule that never fires (never healthy)
  // copy_to: rendered only for a policy that has one.
  bool copies = false;
  std::int64_t copy_last_success = 0;  // Unix seconds; 0 = never
  std::uint64_t copy_bytes = 0;        // bytes written to DST by the policy's copies
  std::int64_t copy_lag = 0;           // owned snapshots in SRC not (yet) in DST
  std::uint64_t copy_failures = 0;
  // drill: rendered only for a policy that has one.
  bool drills = false;
  std::int64_t drill_last_success = 0;  // Unix seconds; 0 = never
  double drill_duration = 0;            // the last drill's restore, seconds (the measured RTO)
  std::int64_t drill_restored_bytes = 0;
  std::uint64_t drill_failures = 0;

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

// True for 127.0.0.0/8, ::1 and IPv4-mapped 127.0.0.0/8.
bool is_loopback_address(const struct sockaddr* addr);
// True when `host` (a name or a numeric address) resolves and every address it resolves to is
// loopback. A resolver failure is false.
bool resolves_to_loopback(const std::string& host);
// True when `host` is an IPv4 or IPv6 address, not a name (no lookup).
bool is_numeric_host(const std::string& host);

enum class RemoteAccess { kLoopbackOnly, kAllowed };

struct MetricsServerOptions {
  // From accept to the end of the request head: a client that trickles its head slower is
  // dropped, so one slow scraper cannot hold a connection slot for long.
  std::chrono::milliseconds header_timeout{5000};
  std::chrono::milliseconds send_timeout{5000};  // a client that does not read its answer
  int max_connections = 16;                      // beyond it: 503 and close, at once
};

// Serves GET /metrics (200, the exposition) and 404 for anything else, each connection on its
// own thread (so a slow client never blocks another scrape), the listener on a thread of its
// own. Port 0 picks a free port (see port()). With kLoopbackOnly, start refuses a host that
// resolves to any address that is not loopback.
class MetricsServer {
 public:
  explicit MetricsServer(const MetricsRegistry& registry, MetricsServerOptions options = {})
      : registry_(registry), options_(options) {}
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  Status start(const std::string& host, int port,
               RemoteAccess remote = RemoteAccess::kLoopbackOnly);
  void stop();
  int port() const { return port_; }

 private:
  struct Connection {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  void serve();
  void answer(int fd);
  void reap(bool all);

  const MetricsRegistry& registry_;
  MetricsServerOptions options_;
  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  int port_ = 0;
  std::thread thread_;
  std::vector<Connection> connections_;  // the listener thread's own
};

}  // namespace essnap::schedule
