// `essnap config check` as a process: every duration of the file spelt out in words (keep_within
// in restic's grammar where m is months, jitter and alert_if_no_success_within as clock spans),
// in text and in -o json next to the unchanged fields; a bare "30m" jitter refused, exit 2.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/essnap_process.hpp"
#include "support/process.hpp"

namespace essnap {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using test::run_essnap_bare;

class CliConfigCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ =
        fs::temp_directory_path() / ("essnap-cli-config-" + std::to_string(::getpid()) + ".yaml");
  }
  void TearDown() override { fs::remove(file_); }
  void write(const std::string& jitter) {
    std::ofstream(file_)
        << "clusters: {a: {url: 'http://127.0.0.1:9200'}}\n"
           "policies:\n"
           "  nightly:\n"
           "    cluster: a\n"
           "    repository: r\n"
           "    schedule: '0 2 * * *'\n"
           "    retention: {keep_daily: 7, keep_within: 30m, keep_within_weekly: 1y2m3d}\n"
           "    alert_if_no_success_within: 26h\n"
           "jitter: "
        << jitter << "\n";
  }
  fs::path file_;
};

TEST_F(CliConfigCheck, PrintsEveryDurationInWords) {
  write("30min");
  auto r = run_essnap_bare("config check " + file_.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\n  jitter: 30 minutes\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\n      keep_within: 30 months\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\n      keep_within_weekly: 1 year 2 months 3 days\n"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\n      alert_if_no_success_within: 1 day 2 hours\n"), std::string::npos)
      << r.out;
}

TEST_F(CliConfigCheck, JsonKeepsItsFieldsAndAddsTheWords) {
  write("1h30min");
  auto r = run_essnap_bare("-o json config check " + file_.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  for (const char* k : {"ok", "file", "clusters", "policies", "metrics"})
    EXPECT_TRUE(j.contains(k)) << k;
  ASSERT_EQ(j["policies"].size(), 1u);
  const auto& p = j["policies"][0];
  for (const char* k :
       {"name", "cluster", "repository", "schedule", "next_run", "prune", "retention"})
    EXPECT_TRUE(p.contains(k)) << k;
  EXPECT_EQ(p["retention"], "daily=7 within=30m min=1");
  EXPECT_EQ(p["durations"]["keep_within"], "30 months");
  EXPECT_EQ(p["durations"]["keep_within_weekly"], "1 year 2 months 3 days");
  EXPECT_EQ(p["durations"]["alert_if_no_success_within"], "1 day 2 hours");
  EXPECT_EQ(j["jitter"], "1 hour 30 minutes");
  EXPECT_EQ(j["jitter_seconds"], 5400);
}

TEST_F(CliConfigCheck, ABareMJitterIsAUsageErrorNamingBothSpellings) {
  write("30m");
  auto r = run_essnap_bare("config check " + file_.string());
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(":9: jitter '30m' is ambiguous: write 30min for minutes or 30mo for months"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace essnap
