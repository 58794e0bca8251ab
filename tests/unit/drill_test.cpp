// essnap drill's pieces without a cluster: the document counts recorded in a snapshot's metadata
// (within the engines' 1 KiB), the source the drill compares with, the default scratch suffix;
// and the scheduler's side: `drill:` in a policy (keys, FILE:LINE errors), its metrics (only for
// policies that drill) and its job (its own schedule; a failure counted, never fatal).
#include "essnap/drill/drill.hpp"

#include <gtest/gtest.h>

#include "essnap/blob/memory_store.hpp"
#include "essnap/drill/documents.hpp"
#include "essnap/schedule/metrics.hpp"
#include "essnap/schedule/scheduler.hpp"
#include "essnap/snapshot/documents_metadata.hpp"

namespace essnap {
namespace {

using nlohmann::json;
using namespace std::chrono;

TEST(DrillDocumentsMetadata, CountsGoUnderEssnapBesideWhatIsThere) {
  const json md = snapshot::with_document_counts(
      json{{"essnap", {{"policy", "nightly"}}}, {"taken_by", "cron"}}, {{"a", 3}, {"b", 0}});
  EXPECT_EQ(md["essnap"]["policy"], "nightly");
  EXPECT_EQ(md["taken_by"], "cron");
  EXPECT_EQ(md["essnap"]["documents"], (json{{"a", 3}, {"b", 0}}));
  EXPECT_EQ(snapshot::recorded_document_counts(md),
            (std::map<std::string, std::int64_t>{{"a", 3}, {"b", 0}}));
  EXPECT_EQ(snapshot::with_document_counts(nullptr, {{"x", 1}}),
            (json{{"essnap", {{"documents", {{"x", 1}}}}}}));
}

TEST(DrillDocumentsMetadata, TheMetadataStaysUnderTheEnginesLimitInNameOrder) {
  std::map<std::string, std::int64_t> many;
  for (int i = 0; i < 200; ++i) many["logs-2026.12." + std::to_string(1000 + i)] = 123456789;
  const json md = snapshot::with_document_counts(json::object(), many);
  EXPECT_LE(md.dump().size(), snapshot::kMetadataBudget);
  EXPECT_LT(md.dump().size(), 1024u) << "the engines refuse metadata of 1024 bytes and more";
  const auto kept = snapshot::recorded_document_counts(md);
  ASSERT_FALSE(kept.empty());
  EXPECT_LT(kept.size(), many.size());
  EXPECT_EQ(kept.begin()->first, many.begin()->first) << "the first names by order are kept";
  // Nowhere to put them: unchanged.
  EXPECT_EQ(snapshot::with_document_counts(json{{"essnap", "x"}}, {{"a", 1}}),
            (json{{"essnap", "x"}}));
  EXPECT_EQ(snapshot::with_document_counts(json{{"big", std::string(1000, 'x')}}, {{"a", 1}}),
            (json{{"big", std::string(1000, 'x')}}));
}

TEST(DrillDocumentsMetadata, HostileMetadataReadsAsNoCounts) {
  for (const json& md :
       {json(nullptr), json("x"), json{{"essnap", 1}}, json{{"essnap", {{"documents", "a"}}}},
        json{{"essnap", {{"documents", {{"a", -1}, {"b", "7"}, {"c", 1.5}}}}}}})
    EXPECT_TRUE(snapshot::recorded_document_counts(md).empty()) << md.dump();
}

TEST(DrillDocuments, RecordedCountsAnswerCountsAndReadNoDocument) {
  cluster::SnapshotInfo info;
  info.metadata = json{{"essnap", {{"documents", {{"orders", 42}}}}}};
  std::string why;
  auto docs = drill::snapshot_documents(
      info, Error(ErrorCode::kNotFound, "/mnt/backups is not a directory"), &why);
  EXPECT_NE(why.find("/mnt/backups is not a directory"), std::string::npos) << why;
  auto n = docs->live_documents("orders");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, std::optional<std::int64_t>(42));
  auto none = docs->live_documents("other");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(*none) << "not recorded: not checked";
  EXPECT_FALSE(docs->reads_documents());
  EXPECT_NE(docs->count_source().find("recorded"), std::string::npos);
}

TEST(DrillDocuments, AStoreThatIsNoRepositoryFallsBackToTheRecordedCounts) {
  cluster::SnapshotInfo info;
  info.name = "nightly";
  std::string why;
  std::unique_ptr<blob::BlobStore> empty = std::make_unique<blob::MemoryStore>();
  auto docs = drill::snapshot_documents(info, std::move(empty), &why);
  EXPECT_FALSE(docs->reads_documents());
  EXPECT_FALSE(why.empty()) << "the fallback says why the segments are not read";
}

TEST(Drill, TheDefaultSuffixIsTheUtcDate) {
  const auto t = sys_days{year{2026} / 12 / 7} + hours(23) + minutes(59);
  EXPECT_EQ(drill::default_suffix(t), "-drill-20261207");
  EXPECT_EQ(drill::to_string(drill::Check::kNotChecked), std::string("not checked"));
}

// Seen on the stack: Elasticsearch 8 stamped a snapshot's start 200 ms before the creation date of
// an index created just before it (a cached clock), and OpenSearch 3.3 stamps a restored index
// anew. A SIGTERM'd restore may have created the index though the restore call never returned.
TEST(Drill, AScratchIndexIsTheDrillsCopyWhenCreatedBeforeTheSnapshotEndedOrAfterTheRestore) {
  const std::int64_t end = 1'000'000, sent = 2'000'000;
  EXPECT_TRUE(drill::is_drill_copy(900'000, end, sent)) << "kept creation date";
  EXPECT_TRUE(drill::is_drill_copy(end, end, std::nullopt)) << "created as the snapshot ended";
  EXPECT_TRUE(drill::is_drill_copy(sent, end, sent)) << "stamped by the restore";
  EXPECT_TRUE(drill::is_drill_copy(sent + 5, end, sent));
  EXPECT_FALSE(drill::is_drill_copy(1'500'000, end, sent)) << "someone else's, in between";
  EXPECT_FALSE(drill::is_drill_copy(sent + 5, end, std::nullopt)) << "no restore was sent";
  EXPECT_TRUE(drill::is_drill_copy(1'500'000, 0, sent)) << "no snapshot time: nothing to go by";
}

TEST(Drill, APlanWithABlockerIsReportedAndRunsNothing) {
  drill::DrillPlan plan;
  plan.restore.snapshot.name = "nightly";
  plan.restore_options.repository = "r";
  plan.restore.indices = {{"orders", "orders-drill-1"}};
  plan.scratch = {"orders-drill-1"};
  plan.snapshot_bytes = 10LL << 30;
  plan.free_bytes = 1LL << 30;
  plan.data_nodes = 1;
  plan.blocker = Error(ErrorCode::kConflict, "not enough disk for the drill");
  const util::Plan p = drill::describe_drill(plan);
  ASSERT_TRUE(p.blocker);
  EXPECT_EQ(p.confirm, util::NeedsConfirmation::kNo);
  bool cleanup = false;
  for (const auto& a : p.actions)
    cleanup = cleanup || a.find("essnap request DELETE /orders-drill-1") != std::string::npos;
  EXPECT_TRUE(cleanup) << "the plan prints the command that deletes the scratch indices";
  EXPECT_EQ(p.json["plan"]["scratch_indices"], json::array({"orders-drill-1"}));
}

}  // namespace

namespace schedule {
namespace {

const std::string kHead =
    "clusters: {a: {url: 'http://127.0.0.1:1'}, scratch: {url: 'http://127.0.0.1:2'}}\n"
    "policies:\n"
    "  p:\n"
    "    cluster: a\n"
    "    repository: r\n"
    "    schedule: '@every 1h'\n"
    "    prune: never\n";

TEST(ScheduleConfigDrill, ReadsEveryKey) {
  auto c = parse_config(kHead +
                            "    drill:\n"
                            "      schedule: '0 6 * * 0'\n"
                            "      cluster: scratch\n"
                            "      repository: r-readonly\n"
                            "      indices: ['orders*', '-orders-old']\n"
                            "      sample: 50\n"
                            "      into_suffix: -restore-test\n",
                        "c.yaml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  const auto& d = c->policies[0].drill;
  ASSERT_TRUE(d);
  EXPECT_EQ(d->schedule.text(), "0 6 * * 0");
  EXPECT_EQ(d->cluster, "scratch");
  EXPECT_EQ(d->repository, "r-readonly");
  EXPECT_EQ(d->indices, (std::vector<std::string>{"orders*", "-orders-old"}));
  EXPECT_EQ(d->sample, 50);
  EXPECT_EQ(d->into_suffix, "-restore-test");
  EXPECT_EQ(d->line, 9);

  auto dflt = parse_config(kHead + "    drill: {schedule: '@every 168h', cluster: scratch}\n", "c");
  ASSERT_TRUE(dflt.ok()) << dflt.error().message;
  EXPECT_EQ(dflt->policies[0].drill->repository, "r") << "the policy's repository";
  EXPECT_EQ(dflt->policies[0].drill->sample, 10);
  EXPECT_EQ(dflt->policies[0].drill->into_suffix, "");
  EXPECT_FALSE(parse_config(kHead, "c")->policies[0].drill);
}

TEST(ScheduleConfigDrill, EveryMistakeNamesFileAndLine) {
  struct Case {
    std::string yaml, want;
  };
  const Case cases[] = {
      {"    drill: {cluster: scratch}\n", "c.yaml:8: drill of policy 'p' has no schedule"},
      {"    drill: {schedule: '@every 1h'}\n", "c.yaml:8: drill of policy 'p' has no cluster"},
      {"    drill: {schedule: '@every 1h', cluster: nope}\n",
       "c.yaml:8: drill of policy 'p' names unknown cluster 'nope'"},
      {"    drill: {schedule: '@every 1h', cluster: scratch, smaple: 3}\n",
       "c.yaml:8: unknown key 'smaple' in drill of policy 'p'"},
      {"    drill:\n      schedule: '@every 1h'\n      cluster: scratch\n      sample: -1\n",
       "c.yaml:11: sample of drill of policy 'p' must be 0 or more"},
      {"    drill:\n      schedule: '@every 1h'\n      cluster: scratch\n      into_suffix: ''\n",
       "c.yaml:11: into_suffix of drill of policy 'p' is empty"},
      {"    drill:\n      schedule: 'every day'\n      cluster: scratch\n", "c.yaml:9: "},
      {"    drill: {schedule: '@every 1h', cluster: scratch, indices: []}\n",
       "c.yaml:8: indices of drill of policy 'p' is an empty list"},
      {"    drill: nightly\n", "c.yaml:8: drill of policy 'p' must be a mapping"},
  };
  for (const auto& c : cases) {
    auto r = parse_config(kHead + c.yaml, "c.yaml");
    ASSERT_FALSE(r.ok()) << c.yaml;
    EXPECT_NE(r.error().message.find(c.want), std::string::npos)
        << c.yaml << " -> " << r.error().message;
  }
}

TEST(ScheduleMetricsDrill, DrillFamiliesOnlyForPoliciesThatDrill) {
  PolicyMetrics drills;
  drills.drills = true;
  drills.drill_last_success = 1767225600;
  drills.drill_duration = 12.5;
  drills.drill_restored_bytes = 1048576;
  drills.drill_failures = 2;
  PolicyMetrics plain;
  const std::string out = render_metrics({{"nightly", drills}, {"plain", plain}}, 1767225600);
  const std::string want =
      "# HELP essnap_drill_last_success_timestamp_seconds Unix time the policy's last drill "
      "(restore, check, clean up) passed (0 = never).\n"
      "# TYPE essnap_drill_last_success_timestamp_seconds gauge\n"
      "essnap_drill_last_success_timestamp_seconds{policy=\"nightly\"} 1767225600\n"
      "# HELP essnap_drill_duration_seconds How long the restore of the policy's last drill "
      "took: the measured recovery time.\n"
      "# TYPE essnap_drill_duration_seconds gauge\n"
      "essnap_drill_duration_seconds{policy=\"nightly\"} 12.500\n"
      "# HELP essnap_drill_restored_bytes Bytes the policy's last drill restored.\n"
      "# TYPE essnap_drill_restored_bytes gauge\n"
      "essnap_drill_restored_bytes{policy=\"nightly\"} 1048576\n"
      "# HELP essnap_drill_failures_total Drills of the policy that failed or could not finish.\n"
      "# TYPE essnap_drill_failures_total counter\n"
      "essnap_drill_failures_total{policy=\"nightly\"} 2\n";
  const auto at = out.find("# HELP essnap_drill_");
  ASSERT_NE(at, std::string::npos) << out;
  EXPECT_EQ(out.substr(at), want);
  EXPECT_EQ(render_metrics({{"plain", plain}}, 1767225600).find("essnap_drill_"),
            std::string::npos);
}

struct DrillingRunner : Runner {
  SysSeconds* now;
  std::vector<std::string> calls;
  std::vector<DrillOutcome> drills;
  explicit DrillingRunner(SysSeconds* n) : now(n) {}
  void configure(const Config&) override {}
  RunOutcome snapshot(const PolicyConfig& p, SysSeconds) override {
    calls.push_back(p.name + ":snapshot");
    return {};
  }
  RunOutcome prune(const PolicyConfig& p, Clock::time_point) override {
    calls.push_back(p.name + ":prune");
    return {};
  }
  PolicyHistory history(const PolicyConfig&) override { return {}; }
  DrillOutcome drill(const PolicyConfig& p) override {
    calls.push_back(p.name + ":drill@" + iso8601(Clock::time_point(*now)));
    *now += seconds(30);
    DrillOutcome d = drills.empty() ? DrillOutcome{} : drills.front();
    if (!drills.empty()) drills.erase(drills.begin());
    return d;
  }
};

TEST(ScheduleSchedulerDrill, ADrillRunsOnItsOwnScheduleAndFeedsTheMetrics) {
  SysSeconds now = sys_days{year{2026} / 1 / 1} + seconds(0);
  DrillingRunner runner{&now};
  DrillOutcome bad;
  bad.snapshot = "p-1";
  bad.problems = {"index orders (restored as orders-drill-20260101) failed to restore"};
  DrillOutcome good;
  good.passed = true;
  good.snapshot = "p-2";
  good.restore_seconds = 42;
  good.restored_bytes = 4096;
  runner.drills = {bad, good};
  std::vector<std::string> logs;
  Logger log{LogFormat::kText, [&](const std::string& l) { logs.push_back(l); },
             [&] { return Clock::time_point(now); }};
  MetricsRegistry metrics;
  SchedulerHooks hooks;
  hooks.now = [&] { return now; };
  hooks.sleep_until = [&](SysSeconds t) { now = std::max(now, t); };
  auto cfg = parse_config(
      "clusters: {a: {url: 'http://127.0.0.1:1'}}\npolicies:\n"
      "  p: {cluster: a, repository: r, schedule: '0 * * * *', prune: never,\n"
      "      drill: {schedule: '30 0 * * *', cluster: a}}\n",
      "t.yaml");
  ASSERT_TRUE(cfg.ok()) << cfg.error().message;
  Scheduler s(*cfg, runner, hooks, log, metrics);
  s.start();
  while (now < sys_days{year{2026} / 1 / 3} && s.step()) {
  }
  std::vector<std::string> drills;
  for (const auto& c : runner.calls)
    if (c.find(":drill@") != std::string::npos) drills.push_back(c);
  EXPECT_EQ(drills, (std::vector<std::string>{"p:drill@2026-01-01T00:30:00.000Z",
                                              "p:drill@2026-01-02T00:30:00.000Z"}));
  auto m = metrics.get("p");
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->drills);
  EXPECT_EQ(m->drill_failures, 1u);
  EXPECT_EQ(
      m->drill_last_success,
      (sys_days{year{2026} / 1 / 2} + minutes(30) + seconds(30)).time_since_epoch() / seconds(1));
  EXPECT_EQ(m->drill_duration, 42);
  EXPECT_EQ(m->drill_restored_bytes, 4096);
  EXPECT_EQ(m->consecutive_failures, 0) << "a failed drill does not fail the snapshots";
  bool failed = false, passed = false;
  for (const auto& l : logs) {
    failed = failed || l.find("drill failed") != std::string::npos;
    passed = passed || l.find("drill passed") != std::string::npos;
  }
  EXPECT_TRUE(failed && passed);
}

}  // namespace
}  // namespace schedule
}  // namespace essnap
