// The Prometheus exposition, exactly, and the HTTP endpoint: GET /metrics answers it, anything
// else 404 (on 127.0.0.1, a port of its own); a slow client blocks no other scrape and is dropped
// when its head does not arrive in time; loopback is decided on the resolved address.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "essnap/schedule/metrics.hpp"

namespace essnap::schedule {
namespace {

TEST(ScheduleMetrics, ExpositionTextIsExact) {
  PolicyMetrics m;
  m.last_success = 1767225600;
  m.last_run = 1767225590;
  m.last_duration = 10.25;
  m.last_snapshot_bytes = 4096;
  m.consecutive_failures = 0;
  m.runs[RunResult::kSuccess] = 3;
  m.runs[RunResult::kFailed] = 1;
  m.deleted = 2;
  m.snapshots = 5;
  m.alert_within = std::chrono::hours(26);
  PolicyMetrics never;  // no run yet, no alert window: healthy until a run fails
  never.since = 1767225000;
  const std::string want =
      "# HELP essnap_policy_last_success_timestamp_seconds Unix time of the policy's last "
      "successful snapshot (0 = never).\n"
      "# TYPE essnap_policy_last_success_timestamp_seconds gauge\n"
      "essnap_policy_last_success_timestamp_seconds{policy=\"nightly\"} 1767225600\n"
      "essnap_policy_last_success_timestamp_seconds{policy=\"new\"} 0\n"
      "# HELP essnap_policy_last_run_timestamp_seconds Unix time the policy's last run started.\n"
      "# TYPE essnap_policy_last_run_timestamp_seconds gauge\n"
      "essnap_policy_last_run_timestamp_seconds{policy=\"nightly\"} 1767225590\n"
      "essnap_policy_last_run_timestamp_seconds{policy=\"new\"} 0\n"
      "# HELP essnap_policy_last_duration_seconds How long the policy's last run took.\n"
      "# TYPE essnap_policy_last_duration_seconds gauge\n"
      "essnap_policy_last_duration_seconds{policy=\"nightly\"} 10.250\n"
      "essnap_policy_last_duration_seconds{policy=\"new\"} 0\n"
      "# HELP essnap_policy_last_snapshot_bytes Size of the policy's last snapshot in bytes.\n"
      "# TYPE essnap_policy_last_snapshot_bytes gauge\n"
      "essnap_policy_last_snapshot_bytes{policy=\"nightly\"} 4096\n"
      "essnap_policy_last_snapshot_bytes{policy=\"new\"} 0\n"
      "# HELP essnap_policy_consecutive_failures Runs in a row that did not succeed.\n"
      "# TYPE essnap_policy_consecutive_failures gauge\n"
      "essnap_policy_consecutive_failures{policy=\"nightly\"} 0\n"
      "essnap_policy_consecutive_failures{policy=\"new\"} 0\n"
      "# HELP essnap_policy_runs_total Runs of the policy by result.\n"
      "# TYPE essnap_policy_runs_total counter\n"
      "essnap_policy_runs_total{policy=\"nightly\",result=\"success\"} 3\n"
      "essnap_policy_runs_total{policy=\"nightly\",result=\"partial\"} 0\n"
      "essnap_policy_runs_total{policy=\"nightly\",result=\"failed\"} 1\n"
      "essnap_policy_runs_total{policy=\"new\",result=\"success\"} 0\n"
      "essnap_policy_runs_total{policy=\"new\",result=\"partial\"} 0\n"
      "essnap_policy_runs_total{policy=\"new\",result=\"failed\"} 0\n"
      "# HELP essnap_policy_snapshots_deleted_total Snapshots deleted by the policy's prunes.\n"
      "# TYPE essnap_policy_snapshots_deleted_total counter\n"
      "essnap_policy_snapshots_deleted_total{policy=\"nightly\"} 2\n"
      "essnap_policy_snapshots_deleted_total{policy=\"new\"} 0\n"
      "# HELP essnap_policy_snapshots Snapshots the policy owns in its repository.\n"
      "# TYPE essnap_policy_snapshots gauge\n"
      "essnap_policy_snapshots{policy=\"nightly\"} 5\n"
      "essnap_policy_snapshots{policy=\"new\"} 0\n"
      "# HELP essnap_policy_healthy 1 while the policy succeeded within "
      "alert_if_no_success_within, else 0.\n"
      "# TYPE essnap_policy_healthy gauge\n"
      "essnap_policy_healthy{policy=\"nightly\"} 1\n"
      "essnap_policy_healthy{policy=\"new\"} 1\n";
  EXPECT_EQ(render_metrics({{"nightly", m}, {"new", never}}, 1767225600 + 3600), want);
}

TEST(ScheduleMetrics, HealthFollowsTheAlertWindow) {
  PolicyMetrics m;
  m.alert_within = std::chrono::hours(26);
  m.since = 1000;
  EXPECT_TRUE(m.healthy(1000 + 26 * 3600));
  EXPECT_FALSE(m.healthy(1001 + 26 * 3600)) << "no success since start within the window";
  m.last_success = 50000;
  EXPECT_TRUE(m.healthy(50000 + 3600));
  PolicyMetrics plain;
  plain.consecutive_failures = 2;
  EXPECT_FALSE(plain.healthy(0));
}

std::string http_get(int port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{30, 0};  // a server stuck on another client fails the test instead of hanging it
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return "connect failed";
  }
  const std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  (void)!::write(fd, req.data(), req.size());
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

TEST(ScheduleMetrics, ServerAnswersMetricsAnd404) {
  MetricsRegistry reg;
  reg.set_policies({{"p", std::nullopt}}, 0);
  reg.update("p", [](PolicyMetrics& m) { m.runs[RunResult::kSuccess] = 7; });
  MetricsServer server(reg);
  ASSERT_TRUE(server.start("127.0.0.1", 0).ok());
  ASSERT_GT(server.port(), 0);
  const std::string ok = http_get(server.port(), "/metrics");
  EXPECT_EQ(ok.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << ok;
  EXPECT_NE(ok.find("Content-Type: text/plain; version=0.0.4"), std::string::npos);
  EXPECT_NE(ok.find("essnap_policy_runs_total{policy=\"p\",result=\"success\"} 7\n"),
            std::string::npos);
  EXPECT_EQ(http_get(server.port(), "/").rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u);
  server.stop();
  EXPECT_EQ(http_get(server.port(), "/metrics"), "connect failed");
}

TEST(ScheduleMetrics, APolicyWhoseScheduleNeverFiresIsNeverHealthy) {
  PolicyMetrics m;
  m.scheduled = false;
  EXPECT_FALSE(m.healthy(0));
  m.alert_within = std::chrono::hours(1);
  m.last_success = 100;
  EXPECT_FALSE(m.healthy(100));
}

int connect_to(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{30, 0};  // a guard against a hang: far beyond what any answer here takes
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// A scraper that trickles its request head one byte at a time, until told to stop or the server
// closes the connection. `closed` says which.
struct SlowClient {
  std::atomic<bool> stop{false}, closed{false};
  std::thread thread;
  explicit SlowClient(int port) {
    const int fd = connect_to(port);
    thread = std::thread([this, fd] {
      const std::string head = "GET /metrics HTTP/1.1\r\nX-Padding: " + std::string(100000, 'a');
      for (std::size_t i = 0; i < head.size() && !stop; ++i) {
        if (::send(fd, &head[i], 1, MSG_NOSIGNAL) != 1) {
          closed = true;
          break;
        }
        pollfd p{fd, POLLIN, 0};  // the server closing shows as readable (EOF)
        if (::poll(&p, 1, 50) > 0) {
          char c;
          if (::recv(fd, &c, 1, MSG_DONTWAIT) <= 0) {
            closed = true;
            break;
          }
        }
      }
      ::close(fd);
    });
  }
  ~SlowClient() {
    stop = true;
    thread.join();
  }
};

TEST(ScheduleMetrics, ASlowClientDoesNotBlockOtherScrapes) {
  MetricsRegistry reg;
  reg.set_policies({{"p", std::nullopt}}, 0);
  MetricsServerOptions o;
  o.header_timeout = std::chrono::minutes(5);  // the slow client stays for the whole test
  MetricsServer server(reg, o);
  ASSERT_TRUE(server.start("127.0.0.1", 0).ok());
  SlowClient slow(server.port());
  SlowClient slower(server.port());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // both connected and trickling
  for (int i = 0; i < 3; ++i) {
    const std::string got = http_get(server.port(), "/metrics");
    EXPECT_EQ(got.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << "scrape " << i << ": " << got;
  }
  EXPECT_FALSE(slow.closed) << "still trickling while the others were answered";
  server.stop();  // ends the slow connections too
}

TEST(ScheduleMetrics, AClientTooSlowToSendItsHeadIsDropped) {
  MetricsRegistry reg;
  MetricsServerOptions o;
  o.header_timeout = std::chrono::milliseconds(300);
  MetricsServer server(reg, o);
  ASSERT_TRUE(server.start("127.0.0.1", 0).ok());
  SlowClient slow(server.port());
  for (int i = 0; i < 600 && !slow.closed; ++i)  // bounded by the trickle: 100000 bytes
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(slow.closed) << "the server kept a connection whose head never ended";
  EXPECT_EQ(http_get(server.port(), "/metrics").rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
}

TEST(ScheduleMetrics, LoopbackIsTheResolvedAddress) {
  EXPECT_TRUE(resolves_to_loopback("127.0.0.1"));
  EXPECT_TRUE(resolves_to_loopback("127.1.2.3"));
  EXPECT_TRUE(resolves_to_loopback("::1"));
  EXPECT_TRUE(resolves_to_loopback("localhost"));
  EXPECT_FALSE(resolves_to_loopback("0.0.0.0"));
  EXPECT_FALSE(resolves_to_loopback("10.0.0.1"));
  EXPECT_FALSE(resolves_to_loopback(""));
  EXPECT_TRUE(is_numeric_host("127.0.0.1"));
  EXPECT_TRUE(is_numeric_host("::1"));
  EXPECT_FALSE(is_numeric_host("127.evil.example")) << "a name, whatever it starts with";
  EXPECT_FALSE(is_numeric_host("localhost"));
  MetricsRegistry reg;
  MetricsServer server(reg);
  auto refused = server.start("0.0.0.0", 0);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("not loopback"), std::string::npos);
}

}  // namespace
}  // namespace essnap::schedule

namespace essnap::schedule {
namespace {

// copy_to's metrics: only for the policies that copy, after every per-policy family.
TEST(ScheduleMetricsCopy, CopyFamiliesOnlyForPoliciesThatCopy) {
  PolicyMetrics copies;
  copies.copies = true;
  copies.copy_last_success = 1767225600;
  copies.copy_bytes = 123456;
  copies.copy_lag = 2;
  copies.copy_failures = 1;
  PolicyMetrics plain;
  const std::string out = render_metrics({{"vault", copies}, {"plain", plain}}, 1767225600);
  const std::string want =
      "# HELP essnap_copy_last_success_timestamp_seconds Unix time the policy's last copy_to "
      "sync succeeded (0 = never).\n"
      "# TYPE essnap_copy_last_success_timestamp_seconds gauge\n"
      "essnap_copy_last_success_timestamp_seconds{policy=\"vault\"} 1767225600\n"
      "# HELP essnap_copy_bytes_total Bytes the policy's copy_to syncs wrote to DST.\n"
      "# TYPE essnap_copy_bytes_total counter\n"
      "essnap_copy_bytes_total{policy=\"vault\"} 123456\n"
      "# HELP essnap_copy_lag_snapshots Snapshots the policy owns in its repository that its "
      "copy_to DST does not hold yet.\n"
      "# TYPE essnap_copy_lag_snapshots gauge\n"
      "essnap_copy_lag_snapshots{policy=\"vault\"} 2\n"
      "# HELP essnap_copy_failures_total copy_to syncs of the policy that failed.\n"
      "# TYPE essnap_copy_failures_total counter\n"
      "essnap_copy_failures_total{policy=\"vault\"} 1\n";
  const auto at = out.find("# HELP essnap_copy_");
  ASSERT_NE(at, std::string::npos) << out;
  EXPECT_EQ(out.substr(at), want);
  EXPECT_EQ(render_metrics({{"plain", plain}}, 1767225600).find("essnap_copy_"), std::string::npos);
}

}  // namespace
}  // namespace essnap::schedule
