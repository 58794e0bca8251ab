// The scheduler with the real ClusterRunner against a scripted loopback cluster: keep_last N
// keeps N when the new snapshot started within the current second, an indices list that names
// nothing is never sent as "every index", and the history read back at start.
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "essnap/schedule/runner.hpp"
#include "support/loopback_server.hpp"

namespace essnap::schedule {
namespace {

using namespace std::chrono;
using test::LoopbackServer;
using test::ServerRequest;
using test::ServerResponse;

// An OpenSearch 2.19.6 with repository "repo". A snapshot created through it starts at
// `engine_now` (the engine's clock, in milliseconds) and is SUCCESS at once.
class FakeCluster {
 public:
  std::int64_t engine_now = 0;

  void add(const std::string& name, std::int64_t start_ms, const std::string& policy,
           const std::string& state = "SUCCESS") {
    std::lock_guard lock(mu_);
    snaps_[name] = {{"snapshot", name},
                    {"state", state},
                    {"start_time_in_millis", start_ms},
                    {"end_time_in_millis", start_ms + 2000},
                    {"metadata", {{"essnap", {{"policy", policy}, {"version", "0.1.0"}}}}}};
  }
  std::vector<std::string> names() {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& [n, s] : snaps_) out.push_back(n);
    return out;
  }
  std::vector<nlohmann::json> created() {
    std::lock_guard lock(mu_);
    return created_;
  }

  ServerResponse handle(const ServerRequest& r) {
    std::lock_guard lock(mu_);
    const std::string path = r.target.substr(0, r.target.find('?'));
    if (path == "/")
      return ServerResponse::json(
          200, R"({"cluster_name":"c","version":{"distribution":"opensearch","number":"2.19.6"}})");
    const std::string prefix = "/_snapshot/repo/";
    if (!path.starts_with(prefix)) return ServerResponse::json(404, "{}");
    const std::string rest = path.substr(prefix.size());
    if (rest == "_status" || rest.ends_with("/_status"))
      return ServerResponse::json(200, R"({"snapshots":[]})");
    if (r.method == "PUT") {
      auto body = nlohmann::json::parse(r.body);
      created_.push_back(body);
      snaps_[rest] = {{"snapshot", rest},
                      {"state", "SUCCESS"},
                      {"start_time_in_millis", engine_now},
                      {"end_time_in_millis", engine_now + 100},
                      {"metadata", body.value("metadata", nlohmann::json::object())}};
      return ServerResponse::json(200, R"({"accepted":true})");
    }
    if (r.method == "DELETE") {
      for (std::size_t start = 0;;) {
        const auto comma = rest.find(',', start);
        snaps_.erase(rest.substr(start, comma - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      return ServerResponse::json(200, R"({"acknowledged":true})");
    }
    auto arr = nlohmann::json::array();
    for (const auto& [n, s] : snaps_)
      if (rest == "_all" || rest == n) arr.push_back(s);
    return ServerResponse::json(200, nlohmann::json{{"snapshots", arr}}.dump());
  }

 private:
  std::mutex mu_;
  std::map<std::string, nlohmann::json> snaps_;
  std::vector<nlohmann::json> created_;
};

struct Harness {
  FakeCluster cluster;
  LoopbackServer server{[this](const ServerRequest& r) { return cluster.handle(r); }};
  std::vector<std::string> logs;
  Logger log{LogFormat::kText, [this](const std::string& l) { logs.push_back(l); }};
  MetricsRegistry metrics;
  ClusterRunner runner{[](const ClusterConfig& c) -> Result<std::shared_ptr<cluster::Client>> {
                         http::TransportOptions o;
                         o.retry.max_attempts = 1;
                         return std::make_shared<cluster::Client>(http::make_transport(o), c.url);
                       },
                       log, [] { return false; }, fast_polls()};

  static snapshot::PollPolicy fast_polls() {
    snapshot::PollPolicy p;
    p.initial = milliseconds(5);
    p.max = milliseconds(5);
    return p;
  }
  Config config(const std::string& policy_extra) {
    const std::string yaml =
        "clusters: {a: {url: 'http://127.0.0.1:" + std::to_string(server.port()) +
        "'}}\npolicies:\n  p:\n    cluster: a\n    repository: repo\n"
        "    schedule: '@daily'\n" +
        policy_extra;
    auto c = parse_config(yaml, "t.yaml");
    EXPECT_TRUE(c.ok()) << c.error().message;
    return c.ok() ? *c : Config{};
  }
};

std::int64_t ms(Clock::time_point t) {
  return duration_cast<milliseconds>(t.time_since_epoch()).count();
}

TEST(ScheduleRunner, KeepLastKeepsExactlyNWhenTheSnapshotStartedWithinTheCurrentSecond) {
  Harness h;
  // 00:00:00.300 on the wall clock: the scheduler's `now` is 00:00:00, the engine starts the
  // snapshot at .400, and the prune runs at .900.
  const Clock::time_point wall = sys_days{year{2026} / 3 / 1} + milliseconds(300);
  h.cluster.engine_now = ms(wall) + 100;
  for (int day = 1; day <= 3; ++day)
    h.cluster.add("p-old-" + std::to_string(day), ms(wall) - day * 86'400'000LL, "p");
  h.cluster.add("other", ms(wall) - 5 * 86'400'000LL, "someone-else");
  SchedulerHooks hooks;
  hooks.now = [wall] { return floor<seconds>(wall); };
  hooks.precise_now = [wall] { return wall + milliseconds(600); };
  Scheduler s(h.config("    retention: {keep_last: 2}\n"), h.runner, hooks, h.log, h.metrics);
  ASSERT_EQ(s.run_once("p"), 0) << ::testing::PrintToString(h.logs);
  const auto names = h.cluster.names();
  EXPECT_EQ(names, (std::vector<std::string>{"other", "p-2026.03.01-000000", "p-old-1"}))
      << "keep_last 2: the new snapshot and the newest old one";
  const auto m = h.metrics.get("p");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->snapshots, 2);
  EXPECT_EQ(m->deleted, 2u);
}

TEST(ScheduleRunner, AnIndicesListNamingNothingIsNeverSentAsEveryIndex) {
  Harness h;
  Config c = h.config("    indices: ['logs-*']\n    retention: {keep_last: 2}\n");
  c.policies[0].indices = {""};  // as a Config built around the file check would hold it
  SchedulerHooks hooks;
  Scheduler s(c, h.runner, hooks, h.log, h.metrics);
  EXPECT_EQ(s.run_once("p"), 9);
  EXPECT_TRUE(h.cluster.created().empty()) << "no snapshot was requested";
}

TEST(ScheduleRunner, HistoryIsReadBackFromTheNewestOwnedSnapshots) {
  Harness h;
  const std::int64_t base = 1'780'000'000'000LL;
  h.cluster.add("p-1", base, "p");
  h.cluster.add("p-2", base + 60'000, "p");
  h.cluster.add("p-3", base + 120'000, "p", "FAILED");
  h.cluster.add("q-1", base + 180'000, "q");
  const Config c = h.config("    retention: {keep_last: 2}\n");
  h.runner.configure(c);
  const PolicyHistory got = h.runner.history(c.policies[0]);
  ASSERT_TRUE(got.newest_start && got.last_success && got.owned);
  EXPECT_EQ(got.newest_start->time_since_epoch().count(), (base + 120'000) / 1000);
  EXPECT_EQ(got.last_success->time_since_epoch().count(), (base + 60'000 + 2000) / 1000)
      << "the end of the newest SUCCESS one";
  EXPECT_EQ(*got.owned, 3);
}

}  // namespace
}  // namespace essnap::schedule
