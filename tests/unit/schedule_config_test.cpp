// The `essnap run` config: a valid file read in full, and every kind of error reported as
// FILE:LINE: message (unknown keys, wrong types, unknown cluster, bad schedule and duration,
// inline secrets, non-loopback metrics).
#include <gtest/gtest.h>

#include "essnap/schedule/config.hpp"

namespace essnap::schedule {
namespace {

const char* kGoodConfig = R"(clusters:
  prod: {url: "https://search-logs-abc.us-east-1.es.amazonaws.com", auth: aws, region: us-east-1}
  local:
    url: http://127.0.0.1:9200
    auth: basic
    user: backup
    password_env: ES_PASSWORD
policies:
  nightly:
    cluster: prod
    repository: nightly
    schedule: "0 2 * * *"
    indices: ["logs-*", "-logs-debug*"]
    name: "nightly-{now:%Y.%m.%d-%H%M}"
    retention: {keep_daily: 7, keep_weekly: 4, keep_monthly: 12}
    prune: after_snapshot
    alert_if_no_success_within: 26h
  hourly:
    cluster: local
    repository: r2
    schedule: "@every 1h"
    retention: {keep_last: 24, keep_min: 3, prune_failed: true}
    prune: "30 3 * * *"
    match: "cs-*"
metrics: {listen: "127.0.0.1:9464"}
jitter: 30s
)";

std::string config_errors(const std::string& yaml) {
  auto c = parse_config(yaml, "e.yaml");
  return c.ok() ? "OK" : c.error().message;
}

TEST(ScheduleConfig, ReadsEverySection) {
  auto c = parse_config(kGoodConfig, "essnap.yaml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_EQ(c->policies.size(), 2u);
  const auto& n = c->policies[0];
  EXPECT_EQ(n.name, "nightly");
  EXPECT_EQ(n.line, 10);
  EXPECT_EQ(n.indices, (std::vector<std::string>{"logs-*", "-logs-debug*"}));
  EXPECT_EQ(n.retention.daily, 7);
  EXPECT_EQ(n.retention.monthly, 12);
  EXPECT_EQ(n.prune, PruneMode::kAfterSnapshot);
  EXPECT_EQ(n.alert_within, std::chrono::hours(26));
  const auto& h = c->policies[1];
  EXPECT_EQ(h.prune, PruneMode::kOnSchedule);
  ASSERT_TRUE(h.prune_schedule);
  EXPECT_EQ(h.prune_schedule->text(), "30 3 * * *");
  EXPECT_EQ(h.retention.keep_min, 3);
  EXPECT_EQ(h.retention.prune_failed, retention::PruneFailed::kYes);
  EXPECT_EQ(h.match, std::vector<std::string>{"cs-*"});
  EXPECT_EQ(c->clusters.at("local").password_env, "ES_PASSWORD");
  EXPECT_EQ(c->metrics.port, 9464);
  EXPECT_EQ(c->jitter, std::chrono::seconds(30));
  auto name =
      snapshot_name(n, Clock::time_point(std::chrono::sys_days{std::chrono::year{2026} / 1 / 2}));
  EXPECT_EQ(name.value(), "nightly-2026.01.02-0000");
}

TEST(ScheduleConfig, UnknownKeysAndWrongTypesNameTheLine) {
  std::string y = kGoodConfig;
  y.replace(y.find("    schedule: \"0 2"), 4, "    shedule: x\n    ");
  EXPECT_NE(config_errors(y).find("e.yaml:12: unknown key 'shedule' in policy 'nightly'"),
            std::string::npos)
      << config_errors(y);
  EXPECT_EQ(
      config_errors(
          "clusters: {a: {url: 'http://x'}}\npolicies:\n  p:\n    cluster: a\n    repository: r\n"
          "    schedule: '@daily'\n    retention: {keep_last: many, keep_daily: 3}\n"),
      "e.yaml:7: keep_last must be an integer, not 'many'");
  EXPECT_EQ(
      config_errors(
          "clusters: {a: {url: 'http://x'}}\npolicies:\n  p:\n    cluster: a\n    repository: [r]\n"
          "    schedule: '@daily'\n    prune: never\n"),
      "e.yaml:5: repository of policy 'p' must be a string");
}

TEST(ScheduleConfig, UnknownClusterBadScheduleAndDuration) {
  const std::string e = config_errors(
      "clusters: {a: {url: 'http://x'}}\n"
      "policies:\n"
      "  p:\n"
      "    cluster: b\n"
      "    repository: r\n"
      "    schedule: '0 2 * *'\n"
      "    prune: never\n"
      "    alert_if_no_success_within: 1week\n");
  EXPECT_EQ(e,
            "e.yaml:4: policy 'p' names unknown cluster 'b'\n"
            "e.yaml:6: bad schedule '0 2 * *': expected 5 fields, found 4\n"
            "e.yaml:8: alert_if_no_success_within '1week' has the unknown unit 'week' (units: s, "
            "min, h, d, w, mo, y)");
}

TEST(ScheduleConfig, JitterIsAClockSpanAndABareMIsRefused) {
  const std::string base = "clusters: {}\npolicies: {}\n";
  auto c = parse_config(base + "jitter: 30min\n", "e.yaml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->jitter, std::chrono::seconds(1800));
  EXPECT_EQ(parse_config(base + "jitter: 1h30min\n", "e.yaml")->jitter, std::chrono::minutes(90));
  EXPECT_EQ(parse_config(base + "jitter: 0\n", "e.yaml")->jitter, std::chrono::seconds(0));
  // Before, "30m" was 30 minutes here and 30 months in keep_within; now it means nothing.
  EXPECT_EQ(config_errors(base + "jitter: 30m\n"),
            "e.yaml:3: jitter '30m' is ambiguous: write 30min for minutes or 30mo for months");
  EXPECT_NE(config_errors(base + "jitter: 1fortnight\n")
                .find("e.yaml:3: jitter '1fortnight' has the unknown unit"),
            std::string::npos);
}

TEST(ScheduleConfig, AlertWithinIsAClockSpanToo) {
  const std::string p =
      "clusters: {a: {url: 'http://x'}}\npolicies:\n  p:\n    cluster: a\n    repository: r\n"
      "    schedule: '@daily'\n    prune: never\n    alert_if_no_success_within: ";
  auto c = parse_config(p + "1h30min\n", "e.yaml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->policies[0].alert_within, std::chrono::minutes(90));
  // Before, "90m" was 90 minutes here (the s|m|h|d grammar); now a bare m is refused.
  EXPECT_EQ(config_errors(p + "90m\n"),
            "e.yaml:8: alert_if_no_success_within '90m' is ambiguous: write 90min for minutes or "
            "90mo for months");
  EXPECT_EQ(config_errors(p + "0s\n"), "e.yaml:8: alert_if_no_success_within '0s' is zero");
}

TEST(ScheduleConfig, KeepWithinKeepsResticsGrammarWhereMIsMonths) {
  auto c = parse_config(
      "clusters: {a: {url: 'http://x'}}\npolicies:\n  p:\n    cluster: a\n    repository: r\n"
      "    schedule: '@daily'\n    retention: {keep_within: 30m, keep_within_daily: 1y6mo}\n",
      "e.yaml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_TRUE(c->policies[0].retention.within);
  EXPECT_EQ(c->policies[0].retention.within->months, 30);
  EXPECT_EQ(c->policies[0].retention.within_daily->years, 1);
  EXPECT_EQ(c->policies[0].retention.within_daily->months, 6);
}

TEST(ScheduleConfig, InlineSecretsAreRefused) {
  const std::string e = config_errors(
      "clusters:\n  a:\n    url: x\n    auth: basic\n    user: u\n    password: hunter2\n"
      "policies: {}\n");
  EXPECT_NE(
      e.find("e.yaml:6: inline secrets are refused: 'password' in cluster 'a'; use password_env"),
      std::string::npos)
      << e;
  EXPECT_EQ(e.find("hunter2"), std::string::npos) << "the secret itself is never echoed";
  EXPECT_NE(config_errors("clusters:\n  a: {url: x, api_key: k}\npolicies: {}\n")
                .find("e.yaml:2: inline secrets"),
            std::string::npos);
}

TEST(ScheduleConfig, PruningWithoutRulesAndRemoteMetricsAreRefused) {
  EXPECT_EQ(
      config_errors(
          "clusters: {a: {url: 'http://x'}}\npolicies:\n  p: {cluster: a, repository: r, schedule: "
          "'@daily'}\n"),
      "e.yaml:3: policy 'p' prunes (prune: after_snapshot) but its retention keeps nothing by "
      "rule; add keep_* rules or set prune: never");
  EXPECT_NE(config_errors("clusters: {}\npolicies: {}\nmetrics: {listen: '0.0.0.0:9464'}\n")
                .find("e.yaml:3: metrics.listen '0.0.0.0:9464' is not a loopback address"),
            std::string::npos);
  EXPECT_EQ(
      config_errors(
          "clusters: {}\npolicies: {}\nmetrics: {listen: '0.0.0.0:9464', allow_remote: true}\n"),
      "OK");
  EXPECT_EQ(config_errors("clusters: {}\npolicies: {}\nmetrics: {listen: '[::1]:9464'}\n"), "OK");
}

TEST(ScheduleConfig, YamlSyntaxErrorsHaveALineToo) {
  EXPECT_NE(config_errors("clusters:\n  a: {url: x\npolicies: {}\n").find("e.yaml:"),
            std::string::npos);
  const std::string e = config_errors("clusters: {}\npolicies:\n  p: [unclosed\n");
  EXPECT_EQ(e.rfind("e.yaml:", 0), 0u) << e;
}

// Issue 21 item 5: configs that passed `config check` and then snapshot the whole cluster, never
// run, silently merge two entries, or fail at 3 a.m.
std::string one_policy(const std::string& extra, const std::string& url = "http://127.0.0.1:9200",
                       const std::string& schedule = "@daily", const std::string& repo = "r") {
  return "clusters:\n  a: {url: '" + url +
         "'}\npolicies:\n  p:\n    cluster: a\n    repository: '" + repo + "'\n    schedule: '" +
         schedule + "'\n    retention: {keep_last: 3}\n" + extra;
}

TEST(ScheduleConfig, IndicesThatNameNoIndexAreRefusedNotTakenAsEveryIndex) {
  for (const char* indices : {"['']", "''", "[',']", "[' ']", "['logs-*', '']", "[]"}) {
    const std::string e = config_errors(one_policy(std::string("    indices: ") + indices + "\n"));
    EXPECT_EQ(e.rfind("e.yaml:9: indices of policy 'p'", 0), 0u) << indices << ": " << e;
    EXPECT_NE(e.find("every index"), std::string::npos) << e;
  }
  EXPECT_EQ(config_errors(one_policy("    indices: ['logs-*', '-logs-debug*']\n")), "OK");
  EXPECT_EQ(config_errors(one_policy("    indices: 'a,b'\n")), "OK");
}

TEST(ScheduleConfig, SchedulesThatNeverFireAreErrors) {
  for (const char* s :
       {"0 0 31 2 *", "0 0 30 2 *", "0 0 31 4,6,9,11 *", "0 0 30,31 feb *",
        "CRON_TZ=Europe/Berlin 0 3 31 2 *", "@every 999999999d", "@every 367d", "@every 3650d"}) {
    const std::string e = config_errors(one_policy("", "http://127.0.0.1:9200", s));
    EXPECT_EQ(e.rfind("e.yaml:7: bad schedule", 0), 0u) << s << ": " << e;
  }
  EXPECT_NE(
      config_errors(one_policy("", "http://127.0.0.1:9200", "0 0 31 2 *")).find("never fires"),
      std::string::npos);
  for (const char* s : {"0 0 29 2 *", "0 0 31 2 mon", "0 0 31 1-12 *", "@every 366d", "@yearly"})
    EXPECT_EQ(config_errors(one_policy("", "http://127.0.0.1:9200", s)), "OK") << s;
  // A prune schedule too.
  EXPECT_EQ(
      config_errors(one_policy("    prune: '0 0 31 2 *'\n")).rfind("e.yaml:9: bad schedule", 0),
      0u);
}

TEST(ScheduleConfig, DuplicateKeysAreErrorsNamingBothLines) {
  const std::string two_clusters =
      "clusters:\n  a: {url: 'http://127.0.0.1:9200'}\n  a: {url: 'http://127.0.0.1:9201'}\n"
      "policies: {}\n";
  EXPECT_EQ(config_errors(two_clusters)
                .rfind("e.yaml:3: duplicate key 'a' in clusters (first at line 2); each key may "
                       "appear once: remove or rename one",
                       0),
            0u)
      << config_errors(two_clusters);
  const std::string two_policies = one_policy(
      "  p:\n    cluster: a\n    repository: r2\n    schedule: '@hourly'\n"
      "    retention: {keep_last: 1}\n");
  EXPECT_EQ(config_errors(two_policies),
            "e.yaml:9: duplicate key 'p' in policies (first at line 4); each key may appear once: "
            "remove or rename one");
  const std::string e =
      config_errors(one_policy("    schedule: '@hourly'\n    retention: {keep_last: 1, "
                               "keep_last: 9}\n"));
  EXPECT_NE(e.find("e.yaml:9: duplicate key 'schedule' in policies.p (first at line 7)"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("e.yaml:10: duplicate key 'retention' in policies.p (first at line 8)"),
            std::string::npos)
      << e;
  EXPECT_NE(
      e.find("e.yaml:10: duplicate key 'keep_last' in policies.p.retention (first at line 10)"),
      std::string::npos)
      << e;
  EXPECT_NE(config_errors("clusters: {}\nclusters: {}\npolicies: {}\n")
                .find("e.yaml:2: duplicate key 'clusters' in the configuration"),
            std::string::npos);
}

TEST(ScheduleConfig, ClusterUrlsWithCredentialsOrAnotherSchemeAreErrors) {
  const std::string with_password =
      config_errors(one_policy("", "https://backup:hunter2@es.internal:9200"));
  // The one cluster definition parser (context/definition) refuses it as an inline secret.
  EXPECT_EQ(with_password.rfind("e.yaml:2: inline secrets are refused: the url of cluster 'a' "
                                "holds user:password@",
                                0),
            0u)
      << with_password;
  EXPECT_EQ(with_password.find("hunter2"), std::string::npos) << "never echoed";
  for (const char* url :
       {"ftp://es.internal", "file:///etc/passwd", "es.internal:9200", "https://", "http://[::1"}) {
    const std::string e = config_errors(one_policy("", url));
    EXPECT_EQ(e.rfind("e.yaml:2: url of cluster 'a': malformed URL", 0), 0u) << url << ": " << e;
  }
  EXPECT_EQ(config_errors(one_policy("", "https://es.internal:9200/prefix")), "OK");
}

TEST(ScheduleConfig, RepositoryNamesTheEnginesRefuseAreErrors) {
  for (const char* repo : {"_all", "", "a b", "a/b", "a#b", "..", "_snapshot"}) {
    const std::string e = config_errors(one_policy("", "http://127.0.0.1:9200", "@daily", repo));
    EXPECT_EQ(e.rfind("e.yaml:6: ", 0), 0u) << repo << ": " << e;
    EXPECT_NE(e.find("repository of policy 'p'"), std::string::npos) << e;
  }
  const std::string cs =
      config_errors(one_policy("", "http://127.0.0.1:9200", "@daily", "cs-automated"));
  EXPECT_EQ(cs.rfind("e.yaml:6: policy 'p' prunes repository 'cs-automated'", 0), 0u) << cs;
  EXPECT_EQ(config_errors(one_policy("    prune: never\n", "http://127.0.0.1:9200", "@daily",
                                     "cs-automated")),
            "OK");
}

TEST(ScheduleConfig, MetricsLoopbackIsDecidedByTheResolvedAddressNotTheText) {
  for (const char* host :
       {"127.evil.example:9464", "0.0.0.0:9464", "[::]:9464", "[::ffff:10.0.0.1]:9464"}) {
    const std::string e = config_errors(
        std::string("clusters: {}\npolicies: {}\nmetrics: {listen: '") + host + "'}\n");
    EXPECT_EQ(e.rfind("e.yaml:3: metrics.listen", 0), 0u) << host << ": " << e;
  }
  for (const char* host :
       {"127.0.0.1:9464", "127.0.0.2:0", "localhost:9464", "[::1]:9464", "[::ffff:127.0.0.1]:9464"})
    EXPECT_EQ(config_errors(std::string("clusters: {}\npolicies: {}\nmetrics: {listen: '") + host +
                            "'}\n"),
              "OK")
        << host;
}

}  // namespace
}  // namespace essnap::schedule

namespace essnap::schedule {
namespace {

const std::string kCopyHead =
    "clusters: {a: {url: 'http://127.0.0.1:1'}}\n"
    "policies:\n"
    "  p:\n"
    "    cluster: a\n"
    "    repository: r\n"
    "    schedule: '@every 1h'\n"
    "    prune: never\n";

TEST(ScheduleConfigCopyTo, ReadsEveryKey) {
  auto c = parse_config(kCopyHead +
                            "    copy_to:\n"
                            "      to: s3://acme-vault/prod\n"
                            "      profile: vault\n"
                            "      region: eu-west-1\n"
                            "      s3_endpoint_url: http://127.0.0.1:9000\n"
                            "      s3_path_style: true\n"
                            "      snapshots: ['p-*']\n"
                            "      retention: {keep_daily: 30}\n"
                            "      object_lock_days: 30\n"
                            "      object_lock_mode: compliance\n"
                            "      storage_class: standard_ia\n"
                            "      verify_data: true\n"
                            "      location_map: {/srv/snap: /mnt/snap}\n",
                        "c.yaml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  const auto& t = c->policies[0].copy_to;
  ASSERT_TRUE(t);
  EXPECT_EQ(t->to, "s3://acme-vault/prod");
  EXPECT_EQ(t->profile, "vault");
  EXPECT_EQ(t->region, "eu-west-1");
  EXPECT_EQ(t->s3_endpoint_url, "http://127.0.0.1:9000");
  EXPECT_TRUE(t->s3_path_style);
  EXPECT_EQ(t->snapshots, (std::vector<std::string>{"p-*"}));
  ASSERT_TRUE(t->retention);
  EXPECT_EQ(t->retention->daily, 30);
  EXPECT_EQ(t->object_lock_days, 30);
  EXPECT_EQ(t->object_lock_mode, "COMPLIANCE");
  EXPECT_EQ(t->storage_class, "STANDARD_IA");
  EXPECT_TRUE(t->verify_data);
  ASSERT_EQ(t->location_map.size(), 1u);
  EXPECT_EQ(t->location_map[0].first, "/srv/snap");
  EXPECT_EQ(t->location_map[0].second, "/mnt/snap");
  EXPECT_EQ(t->line, 9);
}

TEST(ScheduleConfigCopyTo, DefaultsToTheSnapshotsThePolicyOwns) {
  auto c = parse_config(kCopyHead + "    copy_to: {to: /mnt/second-copy}\n", "c.yaml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  const auto& t = c->policies[0].copy_to;
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->snapshots.empty());
  EXPECT_FALSE(t->retention);
  EXPECT_EQ(t->object_lock_days, 0);
  EXPECT_FALSE(c->policies[0].copy_to->verify_data);
  auto none = parse_config(kCopyHead, "c.yaml");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->policies[0].copy_to);
}

TEST(ScheduleConfigCopyTo, EveryErrorNamesFileAndLine) {
  const std::string e = config_errors(kCopyHead +
                                      "    copy_to:\n"                      // 8
                                      "      too: /x\n"                     // 9
                                      "      object_lock_days: 3\n"         // 10
                                      "      object_lock_mode: forever\n"   // 11
                                      "      storage_class: GLACIER\n"      // 12
                                      "      verify_data: maybe\n"          // 13
                                      "      retention: {keep_dayly: 3}\n"  // 14
                                      "      snapshots: []\n");             // 15
  EXPECT_NE(e.find("e.yaml:9: copy_to of policy 'p' has no 'to'"), std::string::npos) << e;
  EXPECT_NE(e.find("e.yaml:9: unknown key 'too' in copy_to of policy 'p'"), std::string::npos) << e;
  EXPECT_NE(e.find("e.yaml:11: object_lock_mode of copy_to of policy 'p' must be governance or "
                   "compliance"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("e.yaml:12: storage_class of copy_to of policy 'p': "), std::string::npos) << e;
  EXPECT_NE(e.find("e.yaml:13: verify_data must be true or false"), std::string::npos) << e;
  EXPECT_NE(e.find("e.yaml:14: unknown key 'keep_dayly'"), std::string::npos) << e;
  EXPECT_NE(e.find("e.yaml:15: snapshots of copy_to of policy 'p' is an empty list"),
            std::string::npos)
      << e;
}

TEST(ScheduleConfigCopyTo, ObjectLockAndStorageClassNeedAnS3Destination) {
  const std::string e = config_errors(kCopyHead +
                                      "    copy_to:\n"
                                      "      to: /mnt/copy\n"
                                      "      object_lock_days: 7\n"
                                      "      storage_class: STANDARD_IA\n");
  EXPECT_NE(e.find("e.yaml:10: object_lock_days of copy_to of policy 'p' needs an S3 DST"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("e.yaml:11: storage_class of copy_to of policy 'p' needs an S3 DST"),
            std::string::npos)
      << e;
  EXPECT_NE(config_errors(kCopyHead + "    copy_to: {to: /x, object_lock_days: -1}\n")
                .find("e.yaml:8: object_lock_days of copy_to of policy 'p' must be 0 or more"),
            std::string::npos);
  EXPECT_NE(config_errors(kCopyHead + "    copy_to: {to: s3://b/p, storage_class: DEEP_ARCHIVE}\n")
                .find("e.yaml:8: storage_class of copy_to of policy 'p': "),
            std::string::npos);
  EXPECT_NE(config_errors(kCopyHead + "    copy_to: /x\n")
                .find("e.yaml:8: copy_to of policy 'p' must be a mapping"),
            std::string::npos);
}

}  // namespace
}  // namespace essnap::schedule
