// `essnap inspect` as a process on a real repository (tests/data/inspect/es8) and a damaged copy:
// the output contract (-o json documents and their field names, as issue 11 gives them), the
// exit codes (0 intact, 1 damaged, 2 could not read / usage) and the rolling --state file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <vector>

#include "support/essnap_process.hpp"

namespace essnap {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kRepo = std::string(ESSNAP_TEST_DATA_DIR) + "/inspect/es8";

using test::run_essnap_clean;

json doc(const test::ProcessResult& r) {
  auto j = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.out << r.err;
  return j.is_discarded() ? json::object() : j;
}

class CliInspect : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("essnap-cli-inspect-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::copy(kRepo, dir_, fs::copy_options::recursive);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(CliInspect, SnapshotsDocument) {
  auto r = run_essnap_clean("-o json inspect snapshots " + kRepo);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = doc(r);
  EXPECT_EQ(j["generation"], 3);
  ASSERT_EQ(j["snapshots"].size(), 2u);
  for (const char* k : {"name", "uuid", "state", "version", "start_time", "end_time", "indices"})
    EXPECT_TRUE(j["snapshots"][0].contains(k)) << k;
  EXPECT_EQ(j["snapshots"][1]["name"], "s3");
  EXPECT_EQ(j["snapshots"][1]["indices"], json::array({"insp-fx-logs", "insp-fx-solo"}));
  auto text = run_essnap_clean("inspect snapshots " + kRepo);
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("s3  q8keFeh2QZGskIBxqqmzEw  SUCCESS"), std::string::npos) << text.out;
}

TEST_F(CliInspect, VerifyExitsOneNamingTheDamage) {
  auto ok = run_essnap_clean("-o json inspect verify " + dir_.string() + " --read-data");
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(doc(ok)["intact"], true);
  const std::string part = "indices/9drT39a1QP-A671pXbbYNQ/0/__hFw0E7FRTEWIqi4N_9zokA.part1";
  fs::remove(dir_ / part);
  auto bad = run_essnap_clean("-o json inspect verify " + dir_.string());
  ASSERT_EQ(bad.exit_code, 1) << bad.err;
  auto j = doc(bad);
  EXPECT_EQ(j["intact"], false);
  ASSERT_EQ(j["problems"].size(), 1u);
  EXPECT_EQ(j["problems"][0]["path"], part);
  EXPECT_FALSE(j["problems"][0]["lucene_file"].get<std::string>().empty());
  EXPECT_FALSE(j["problems"][0]["snapshots"].empty());
  EXPECT_EQ(j["problems"][0]["indices"], json::array({"insp-fx-logs"}));
  auto text = run_essnap_clean("inspect verify " + dir_.string());
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_NE(text.out.find("PROBLEM " + part + ": missing blob"), std::string::npos) << text.out;
}

TEST_F(CliInspect, CouldNotReadAndBadUsageExitTwo) {
  for (const std::string& args : std::vector<std::string>{
           "inspect snapshots /nonexistent/repo", "inspect verify " + kRepo + " no-such-snapshot",
           "inspect verify " + kRepo + " --read-data-subset 0/3",
           "inspect verify " + kRepo + " --state /tmp/x.json", "inspect du",
           "inspect du " + kRepo + " extra", "inspect verify " + kRepo + " --concurrency 0",
           "inspect snapshots " + std::string(ESSNAP_TEST_DATA_DIR)}) {
    auto r = run_essnap_clean(args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
    EXPECT_NE(r.err.find("essnap: "), std::string::npos) << args;
  }
  auto j = run_essnap_clean("-o json inspect snapshots /nonexistent/repo");
  EXPECT_EQ(j.exit_code, 2);
  auto e = json::parse(j.out, nullptr, false);
  ASSERT_FALSE(e.is_discarded()) << j.err;
  EXPECT_EQ(e["error"]["exit_code"], 2);
}

TEST_F(CliInspect, DuAndOrphansDocuments) {
  auto du = run_essnap_clean("-o json inspect du " + kRepo);
  ASSERT_EQ(du.exit_code, 0) << du.err;
  auto j = doc(du);
  ASSERT_EQ(j["snapshots"].size(), 2u);
  for (const char* k : {"name", "total_bytes", "unique_bytes", "shared_bytes"})
    EXPECT_TRUE(j["snapshots"][0].contains(k)) << k;
  EXPECT_TRUE(j["repository"].contains("data_bytes"));
  EXPECT_EQ(j["indices"].size(), 2u);
  { std::ofstream(dir_ / "indices/9drT39a1QP-A671pXbbYNQ/0/__stray") << "12345"; }
  auto o = run_essnap_clean("-o json inspect orphans " + dir_.string());
  ASSERT_EQ(o.exit_code, 0) << o.err;
  auto oj = doc(o);
  ASSERT_EQ(oj["orphans"].size(), 1u);
  EXPECT_EQ(oj["orphans"][0]["path"], "indices/9drT39a1QP-A671pXbbYNQ/0/__stray");
  EXPECT_EQ(oj["orphans"][0]["bytes"], 5);
  EXPECT_TRUE(fs::exists(dir_ / "indices/9drT39a1QP-A671pXbbYNQ/0/__stray")) << "read-only";
}

TEST_F(CliInspect, LimitDownloadIsAcceptedAndChecked) {
  auto ok =
      run_essnap_clean("-o json inspect verify " + kRepo + " --read-data --limit-download 50");
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(doc(ok)["intact"], true);
  auto bad = run_essnap_clean("inspect verify " + kRepo + " --read-data --limit-download -1");
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
}

TEST_F(CliInspect, TheStateFileSkipsWhatWasJustRead) {
  const std::string state = (dir_.string() + "-state.json");
  auto first =
      run_essnap_clean("-o json inspect verify " + dir_.string() + " --read-data --state " + state);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const auto files = doc(first)["data_files"].get<int>();
  EXPECT_EQ(doc(first)["data_files_read"], files);
  auto second = run_essnap_clean("-o json inspect verify " + dir_.string() +
                                 " --read-data --state " + state + " --max-age 7d");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(doc(second)["data_files_read"], 0);
  EXPECT_EQ(doc(second)["data_files_skipped_fresh"], files);
  fs::remove(state);
}

TEST_F(CliInspect, ABareMMaxAgeIsAUsageErrorNamingMinutesAndMonths) {
  const std::string state = (dir_.string() + "-state.json");
  // Before, --max-age 30m was 30 months; a bare m is now refused before the repository is read.
  auto r =
      run_essnap_clean("inspect verify " + dir_.string() + " --state " + state + " --max-age 30m");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("--max-age '30m' is ambiguous: write 30min for minutes or 30mo for months"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(state));
  auto j = run_essnap_clean("-o json inspect verify " + dir_.string() + " --state " + state +
                            " --max-age 30m");
  EXPECT_EQ(j.exit_code, 2);
  EXPECT_EQ(doc(j)["error"]["code"], "invalid argument") << j.out;
  auto ok = run_essnap_clean("-o json inspect verify " + dir_.string() + " --read-data --state " +
                             state + " --max-age 30min");
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  fs::remove(state);
}

}  // namespace
}  // namespace essnap
