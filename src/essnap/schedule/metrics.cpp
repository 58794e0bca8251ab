#include "essnap/schedule/metrics.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>

namespace essnap::schedule {
namespace {

std::string metric_number(double v) {
  if (std::floor(v) == v && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

std::string label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

struct Family {
  const char* name;
  const char* type;
  const char* help;
  std::function<double(const PolicyMetrics&, std::int64_t now)> value;
};

}  // namespace

const char* to_string(RunResult r) {
  switch (r) {
    case RunResult::kSuccess:
      return "success";
    case RunResult::kPartial:
      return "partial";
    case RunResult::kFailed:
      return "failed";
  }
  return "failed";
}

bool PolicyMetrics::healthy(std::int64_t now) const {
  if (!scheduled) return false;
  if (!alert_within) return consecutive_failures == 0;
  const std::int64_t from = last_success > 0 ? last_success : since;
  return now - from <= alert_within->count();
}

std::string render_metrics(const std::vector<std::pair<std::string, PolicyMetrics>>& policies,
                           std::int64_t now) {
  static const Family kGauges[] = {
      {"essnap_policy_last_success_timestamp_seconds", "gauge",
       "Unix time of the policy's last successful snapshot (0 = never).",
       [](const PolicyMetrics& m, std::int64_t) { return double(m.last_success); }},
      {"essnap_policy_last_run_timestamp_seconds", "gauge",
       "Unix time the policy's last run started.",
       [](const PolicyMetrics& m, std::int64_t) { return double(m.last_run); }},
      {"essnap_policy_last_duration_seconds", "gauge", "How long the policy's last run took.",
       [](const PolicyMetrics& m, std::int64_t) { return m.last_duration; }},
      {"essnap_policy_last_snapshot_bytes", "gauge", "Size of the policy's last snapshot in bytes.",
       [](const PolicyMetrics& m, std::int64_t) { return double(m.last_snapshot_bytes); }},
      {"essnap_policy_consecutive_failures", "gauge", "Runs in a row that did not succeed.",
       [](const PolicyMetrics& m, std::int64_t) { return double(m.consecutive_failures); }},
  };
  static const Family kTail[] = {
      {"essnap_policy_snapshots_deleted_total", "counter",
       "Snapshots deleted by the policy's prunes.",
       [](const PolicyMetrics& m, std::int64_t) { return double(m.deleted); }},
      {"essnap_policy_snapshots", "gauge", "Snapshots the policy owns in its repository.",
       [](const PolicyMetrics& m, std::int64_t) { return double(m.snapshots); }},
      {"essnap_policy_healthy", "gauge",
       "1 while the policy succeeded within alert_if_no_success_within, else 0.",
       [](const PolicyMetrics& m, std::int64_t t) { return m.healthy(t) ? 1.0 : 0.0; }},
  };
  std::string out;
  enum class Only { kAll, kCopies, kDrills };
  auto family = [&](const Family& f, Only only = Only::kAll) {
    out +=
        std::string("# HELP ") + f.name + " " + f.help + "\n# TYPE " + f.name + " " + f.type + "\n";
    for (const auto& [name, m] : policies)
      if (only == Only::kAll || (only == Only::kCopies && m.copies) ||
          (only == Only::kDrills && m.drills))
        out += std::string(f.name) + "{policy=\"" + label(name) + "\"} " +
               metric_number(f.value(m, now)) + "\n";
  };
  for (const auto& f : kGauges) family(f);
  out +=
      "# HELP essnap_policy_runs_total Runs of the policy by result.\n"
      "# TYPE essnap_policy_runs_total counter\n";
  for (const auto& [name, m] : policies)
    for (RunResult r : {RunResult::kSuccess, RunResult::kPartial, RunResult::kFailed}) {
      const auto it = m.runs.find(r);
      out += "essnap_policy_runs_total{policy=\"" + label(name) + "\",result=\"" + to_string(r) +
             "\"} " + std::to_string(it == m.runs.end() ? 0 : it->second) + "\n";
    }
  for (const auto& f : kTail) family(f);
  static const Family kCopy[] = {
      {"essnap_copy_last_success_timestamp_seconds", "gauge",
       "Unix time the policy's last copy_to sync succeeded (0 = never).",
       [](const PolicyMetrics& m, std::int64_t) { return double(m.copy_last_success); }},
      {"essnap_copy_bytes_total", "counter", "Bytes the policy's copy_to syncs wrote to DST.",
       [](const PolicyMetrics& m, std::int64_t) { return double(m.copy_bytes); }},
      {"essnap_copy_lag_snapshots", "gauge",
       "Snapshots the policy owns in its repository that its copy_to DST does not hold yet.",
       [](const PolicyMetrics& m, std::int64_t) { return double(m.copy_lag); }},
      {"essnap_copy_failures_total", "counter", "copy_to syncs of the policy that failed.",
       [](const PolicyMetrics& m, std::int64_t) { return double(m.copy_failures); }},
  };
  const bool any_copy =
      std::any_of(policies.begin(), policies.end(), [](const auto& e) { return e.second.copies; });
  if (any_copy)
    for (const auto& f : kCopy) family(f, Only::kCopies);
  static const Family kDrill[] = {
      {"essnap_drill_last_success_timestamp_seconds", "gauge",
       "Unix time the policy's last drill (restore, check, clean up) passed (0 = never).",
       [](const PolicyMetrics& m, std::int64_t) { return double(m.drill_last_success); }},
      {"essnap_drill_duration_seconds", "gauge",
       "How long the restore of the policy's last drill took: the measured recovery time.",
       [](const PolicyMetrics& m, std::int64_t) { return m.drill_duration; }},
      {"essnap_drill_restored_bytes", "gauge", "Bytes the policy's last drill restored.",
       [](const PolicyMetrics& m, std::int64_t) { return double(m.drill_restored_bytes); }},
      {"essnap_drill_failures_total", "counter",
       "Drills of the policy that failed or could not finish.",
       [](const PolicyMetrics& m, std::int64_t) { return double(m.drill_failures); }},
  };
  const bool any_drill =
      std::any_of(policies.begin(), policies.end(), [](const auto& e) { return e.second.drills; });
  if (any_drill)
    for (const auto& f : kDrill) family(f, Only::kDrills);
  return out;
}

void MetricsRegistry::set_policies(
    const std::vector<std::pair<std::string, std::optional<Seconds>>>& policies, std::int64_t now) {
  std::lock_guard lock(mu_);
  std::vector<std::pair<std::string, PolicyMetrics>> next;
  for (const auto& [name, alert] : policies) {
    PolicyMetrics m;
    m.since = now;
    for (const auto& [old_name, old] : entries_)
      if (old_name == name) m = old;
    m.alert_within = alert;
    m.scheduled = true;  // the caller says again which ones are not
    next.emplace_back(name, std::move(m));
  }
  entries_ = std::move(next);
}

std::optional<PolicyMetrics> MetricsRegistry::get(const std::string& policy) const {
  std::lock_guard lock(mu_);
  for (const auto& [name, m] : entries_)
    if (name == policy) return m;
  return std::nullopt;
}

std::string MetricsRegistry::render(std::int64_t now) const {
  std::lock_guard lock(mu_);
  return render_metrics(entries_, now);
}

bool is_loopback_address(const sockaddr* a) {
  if (a->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(a);
    return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
  }
  if (a->sa_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6*>(a)->sin6_addr;
    if (IN6_IS_ADDR_LOOPBACK(&in6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&in6) && in6.s6_addr[12] == 127;
  }
  return false;
}

bool resolves_to_loopback(const std::string& host) {
  if (host.empty()) return false;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (::getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0 || !res) return false;
  bool all = true;
  for (const addrinfo* r = res; r; r = r->ai_next) all = all && is_loopback_address(r->ai_addr);
  ::freeaddrinfo(res);
  return all;
}

bool is_numeric_host(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_flags = AI_NUMERICHOST;
  addrinfo* res = nullptr;
  if (host.empty() || ::getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0) return false;
  ::freeaddrinfo(res);
  return true;
}

MetricsServer::~MetricsServer() {
  stop();
}

Status MetricsServer::start(const std::string& host, int port, RemoteAccess remote) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  const std::string service = std::to_string(port);
  if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &res); rc != 0)
    return Error(ErrorCode::kInvalidArgument,
                 "metrics.listen: cannot resolve '" + host + "': " + gai_strerror(rc));
  if (remote == RemoteAccess::kLoopbackOnly)
    for (const addrinfo* r = res; r; r = r->ai_next)
      if (!is_loopback_address(r->ai_addr)) {
        ::freeaddrinfo(res);
        return Error(ErrorCode::kInvalidArgument,
                     "metrics.listen: '" + host + "' resolves to an address that is not loopback",
                     "listen on 127.0.0.1 or ::1, or set metrics.allow_remote: true to serve "
                     "metrics to the network");
      }
  int fd = ::socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, 0);
  const int one = 1;
  if (fd >= 0) ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const bool bound =
      fd >= 0 && ::bind(fd, res->ai_addr, res->ai_addrlen) == 0 && ::listen(fd, 64) == 0;
  const int err = errno;
  ::freeaddrinfo(res);
  if (!bound) {
    if (fd >= 0) ::close(fd);
    return Error(ErrorCode::kIo,
                 "metrics: cannot listen on " + host + ":" + service + ": " + std::strerror(err),
                 "another process may hold the port; change metrics.listen");
  }
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port
                                           : reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  listen_fd_ = fd;
  if (::pipe2(stop_pipe_, O_CLOEXEC) != 0) return Error(ErrorCode::kIo, "metrics: pipe failed");
  thread_ = std::thread([this] { serve(); });
  return ok_status();
}

void MetricsServer::stop() {
  if (thread_.joinable()) {
    (void)!::write(stop_pipe_[1], "x", 1);  // never read: every poll on it wakes from now on
    thread_.join();
  }
  for (int* fd : {&listen_fd_, &stop_pipe_[0], &stop_pipe_[1]})
    if (*fd >= 0) {
      ::close(*fd);
      *fd = -1;
    }
}

// Joins the connection threads that finished (all of them, waiting, with `all`).
void MetricsServer::reap(bool all) {
  for (auto it = connections_.begin(); it != connections_.end();) {
    if (all || it->done->load()) {
      it->thread.join();
      it = connections_.erase(it);
    } else {
      ++it;
    }
  }
}

void MetricsServer::serve() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    const int ready = ::poll(fds, 2, 1000);  // wakes now and then to reap finished threads
    reap(false);
    if (ready < 0 && errno != EINTR) break;
    if (fds[1].revents) break;
    if (ready <= 0 || !(fds[0].revents & POLLIN)) continue;
    const int c = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) continue;
    if (static_cast<int>(connections_.size()) >= options_.max_connections) {
      static const char kBusy[] =
          "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      (void)!::send(c, kBusy, sizeof kBusy - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
      ::close(c);
      continue;
    }
    auto done = std::make_shared<std::atomic<bool>>(false);
    connections_.push_back({std::thread([this, c, done] {
                              answer(c);
                              ::close(c);
                              done->store(true);
                            }),
                            done});
  }
  reap(true);  // each ends within its timeouts, or at once now that the stop pipe is readable
}

// Reads the request head (header_timeout from accept, at most 8 KiB) and answers; the
// connection then closes.
void MetricsServer::answer(int fd) {
  using SteadyClock = std::chrono::steady_clock;
  const auto deadline = SteadyClock::now() + options_.header_timeout;
  std::string head;
  char buf[1024];
  while (head.find("\r\n\r\n") == std::string::npos && head.size() < 8192) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
    if (left.count() <= 0) return;  // too slow: dropped
    pollfd p[2] = {{fd, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (::poll(p, 2, static_cast<int>(left.count())) <= 0 || p[1].revents) return;
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    head.append(buf, static_cast<size_t>(n));
  }
  const auto eol = head.find("\r\n");
  const std::string line = head.substr(0, eol);
  const bool get = line.starts_with("GET ") || line.starts_with("HEAD ");
  const auto sp1 = line.find(' '), sp2 = line.find(' ', sp1 + 1);
  std::string path = sp1 == std::string::npos ? "" : line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (auto q = path.find('?'); q != std::string::npos) path.resize(q);
  std::string status = "404 Not Found", type = "text/plain; charset=utf-8",
              body = "not found; try /metrics\n";
  if (get && path == "/metrics") {
    status = "200 OK";
    type = "text/plain; version=0.0.4; charset=utf-8";
    body = registry_.render(
        std::chrono::duration_cast<Seconds>(Clock::now().time_since_epoch()).count());
  }
  std::string resp = "HTTP/1.1 " + status + "\r\nContent-Type: " + type +
                     "\r\nContent-Length: " + std::to_string(body.size()) +
                     "\r\nConnection: close\r\n\r\n";
  if (!line.starts_with("HEAD ")) resp += body;
  const auto ms = options_.send_timeout.count();
  timeval tv{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  size_t off = 0;
  while (off < resp.size()) {
    const ssize_t n = ::send(fd, resp.data() + off, resp.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

}  // namespace essnap::schedule
