// `inspect verify` on real repositories (tests/data/inspect/) and on damaged copies of them in
// memory: each fault is detected and named by its path, Lucene file, snapshots and indices.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "essnap/blob/local_store.hpp"
#include "essnap/inspect/verify.hpp"
#include "inspect_test_util.hpp"
#include "inspect_verify_util.hpp"

namespace essnap::inspect {
using namespace essnap::format;
using namespace essnap::blob;
namespace {

using namespace essnap::format::testing;

const std::string kSolo = "indices/Gvaztz16TN2Mq13xSMDOdQ";  // insp-fx-solo in s3 only

TEST(RepoVerify, RealRepositoriesAreIntactStructurallyAndByContent) {
  for (const char* name : {"es8", "os2"}) {
    auto c = load_fixture(name);
    auto st = run(*c);
    EXPECT_TRUE(st.intact()) << name << "\n" << dump(st);
    EXPECT_GT(st.metadata_blobs, 4u);
    EXPECT_GT(st.data_files, 0u);
    EXPECT_EQ(st.data_files_read, 0u);
    auto full = run(*c, ReadData::kYes);
    EXPECT_TRUE(full.intact()) << name << "\n" << dump(full);
    EXPECT_EQ(full.data_files_read, full.data_files);
    EXPECT_GT(full.bytes_read, 0u);
  }
  // The local-directory container reads the same repository the same way.
  LocalStore local(inspect_data("es8"));
  auto l = run(local, ReadData::kYes);
  EXPECT_TRUE(l.intact()) << dump(l);
  EXPECT_EQ(l.shards, 3u);
  EXPECT_EQ(l.snapshots, (std::vector<std::string>{"s1", "s3"}));
}

// wt-repo's fixtures (tests/data/repo/): Elasticsearch 6.8 (numeric shard generations, index
// metadata by snapshot uuid), 7.10, 7.17, 8.19 (compressed and not, split blobs), 9.2, OpenSearch
// 1.3 and 3.3 (zstd, hashed shard paths): each read whole and found intact.
TEST(RepoVerify, EveryEngineVersionsRepositoryIsIntact) {
  for (const char* name : {"es6", "es710", "es717", "es8-c", "es8-u", "es9", "os1", "os3-z"}) {
    SCOPED_TRACE(name);
    auto c = load_fixture(std::string("repo/") + name);
    auto r = run(*c, ReadData::kYes);
    EXPECT_TRUE(r.intact()) << dump(r);
    auto names = r.snapshots;
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"s1", "s2"}));
    EXPECT_EQ(r.shards, 2u);
    EXPECT_GT(r.data_files_read, 0u);
    EXPECT_EQ(r.data_files_read, r.data_files);
  }
}

TEST(RepoVerify, ANumericShardGenerationMissingIsFound) {
  // Before 7.6 the root has no shard_generations: the shard's highest index-<n> is current.
  auto c = load_fixture("repo/es6");
  auto gens = blobs_where(*c, [](const BlobInfo& b) {
    return b.name.rfind("indices/", 0) == 0 && contains(b.name, "/0/index-");
  });
  ASSERT_EQ(gens.size(), 1u);
  c->erase(gens[0]);
  auto r = run(*c);
  // Without it the shard has no generation at all: its snapshots' blobs are still checked.
  EXPECT_TRUE(r.intact()) << dump(r);
  c->set(gens[0].substr(0, gens[0].rfind('/')) + "/index-7", "garbage");
  auto r2 = run(*c);
  ASSERT_EQ(r2.problems.size(), 1u) << dump(r2);
  EXPECT_TRUE(ends_with(r2.problems[0].path, "/0/index-7")) << r2.problems[0].path;
}

TEST(RepoVerify, AFlippedByteInADataBlobIsFoundByReadDataOnly) {
  auto c = load_fixture("es8");
  // A single-part data file of the solo index (only s3 holds it).
  auto blobs = blobs_where(*c, [](const BlobInfo& b) {
    return b.name.rfind(kSolo + "/0/__", 0) == 0 && !contains(b.name, ".part");
  });
  ASSERT_FALSE(blobs.empty());
  const std::string victim = blobs[0];
  std::string bytes = c->get(victim);
  ASSERT_GT(bytes.size(), 20u);
  bytes[bytes.size() / 2] ^= 0x01;
  c->set(victim, bytes);
  EXPECT_TRUE(run(*c).intact()) << "sizes are unchanged: structural cannot see it";
  auto r = run(*c, ReadData::kYes);
  ASSERT_EQ(r.problems.size(), 1u) << dump(r);
  const Problem& p = r.problems[0];
  EXPECT_EQ(p.path, victim);
  EXPECT_TRUE(contains(p.problem, "CRC-32")) << p.problem;
  EXPECT_FALSE(p.lucene_file.empty());
  EXPECT_EQ(p.snapshots, (std::vector<std::string>{"s3"}));
  EXPECT_EQ(p.indices, (std::vector<std::string>{"insp-fx-solo"}));
}

TEST(RepoVerify, AFlippedByteInAPartOfASplitFileNamesTheFileAndBothSnapshots) {
  auto c = load_fixture("es8");
  const std::string part = kLogs + "/0/__QXoQR5hDR96KVDvReuSz4w.part2";
  std::string bytes = c->get(part);
  ASSERT_FALSE(bytes.empty());
  bytes[0] ^= 0x40;
  c->set(part, bytes);
  auto r = run(*c, ReadData::kYes);
  ASSERT_EQ(r.problems.size(), 1u) << dump(r);
  EXPECT_TRUE(r.problems[0].path.rfind(kLogs + "/0/__QXoQR5hDR96KVDvReuSz4w", 0) == 0)
      << r.problems[0].path;
  EXPECT_EQ(r.problems[0].indices, (std::vector<std::string>{"insp-fx-logs"}));
  EXPECT_FALSE(r.problems[0].snapshots.empty());
}

TEST(RepoVerify, AFlippedByteInAMetadataBlobIsFoundStructurally) {
  auto c = load_fixture("es8");
  const std::string shard_snap = kLogs + "/1/snap-9CsmFVumTSSqmQZ0437V4A.dat";  // s1's
  std::string bytes = c->get(shard_snap);
  ASSERT_FALSE(bytes.empty());
  bytes[bytes.size() / 2] ^= 0x10;
  c->set(shard_snap, bytes);
  auto r = run(*c);
  ASSERT_EQ(r.problems.size(), 1u) << dump(r);
  EXPECT_EQ(r.problems[0].path, shard_snap);
  EXPECT_EQ(r.problems[0].snapshots, (std::vector<std::string>{"s1"}));
  EXPECT_EQ(r.problems[0].indices, (std::vector<std::string>{"insp-fx-logs"}));

  auto root_snap = load_fixture("es8");
  std::string s = root_snap->get("snap-q8keFeh2QZGskIBxqqmzEw.dat");
  s[30] ^= 0x01;
  root_snap->set("snap-q8keFeh2QZGskIBxqqmzEw.dat", s);
  auto r2 = run(*root_snap);
  ASSERT_EQ(r2.problems.size(), 1u) << dump(r2);
  EXPECT_EQ(r2.problems[0].path, "snap-q8keFeh2QZGskIBxqqmzEw.dat");
  EXPECT_EQ(r2.problems[0].snapshots, (std::vector<std::string>{"s3"}));
}

TEST(RepoVerify, ATruncatedBlobIsFoundStructurally) {
  auto c = load_fixture("es8");
  const std::string part = kLogs + "/1/__6SXzSvkERCiXBjJrdY-98g.part4";
  std::string bytes = c->get(part);
  ASSERT_GT(bytes.size(), 3u);
  c->set(part, bytes.substr(0, bytes.size() - 3));
  auto r = run(*c);
  ASSERT_EQ(r.problems.size(), 1u) << dump(r);
  EXPECT_EQ(r.problems[0].path, part);
  EXPECT_TRUE(contains(r.problems[0].problem, "truncated")) << r.problems[0].problem;
  EXPECT_FALSE(r.problems[0].lucene_file.empty());
}

TEST(RepoVerify, AMissingBlobIsFoundStructurally) {
  auto c = load_fixture("es8");
  const std::string part = kLogs + "/0/__hFw0E7FRTEWIqi4N_9zokA.part1";
  ASSERT_TRUE(c->contains(part));
  c->erase(part);
  auto r = run(*c);
  ASSERT_EQ(r.problems.size(), 1u) << dump(r);
  EXPECT_EQ(r.problems[0].path, part);
  EXPECT_TRUE(contains(r.problems[0].problem, "missing blob")) << r.problems[0].problem;
  EXPECT_TRUE(contains(r.problems[0].problem, "part 2 of 5")) << r.problems[0].problem;
}

TEST(RepoVerify, AMissingShardIndexGenerationIsFound) {
  auto c = load_fixture("es8");
  const std::string gen = kLogs + "/1/index-yhDO2B0RTdWJtLvOtP2roA";
  c->erase(gen);
  auto r = run(*c);
  ASSERT_EQ(r.problems.size(), 1u) << dump(r);
  EXPECT_EQ(r.problems[0].path, gen);
  EXPECT_EQ(r.problems[0].snapshots, (std::vector<std::string>{"s1", "s3"}));
}

TEST(RepoVerify, ACorruptRootIndexIsReportedAsDamageNamingIt) {
  auto c = load_fixture("es8");
  c->set("index-3", "{\"snapshots\": 7}");
  auto r = run(*c);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].path, "index-3");
  EXPECT_EQ(r.generation, 3u);
}

TEST(RepoVerify, AMissingRootGenerationNamedByIndexLatestIsFound) {
  auto c = load_fixture("es8");
  c->set("index.latest", std::string("\0\0\0\0\0\0\0\4", 8));
  auto r = run(*c);
  ASSERT_EQ(r.problems.size(), 1u) << dump(r);
  EXPECT_EQ(r.problems[0].path, "index-4");
}

TEST(RepoVerify, OnlyTheNamedSnapshotsAreChecked) {
  auto c = load_fixture("es8");
  c->erase(kSolo + "/0/snap-q8keFeh2QZGskIBxqqmzEw.dat");  // only s3 has the solo index
  VerifyOptions o;
  o.snapshots = {"s1"};
  auto only_s1 = run(*c, ReadData::kNo, o);
  EXPECT_TRUE(only_s1.intact()) << dump(only_s1);
  o.snapshots = {"s3"};
  EXPECT_FALSE(run(*c, ReadData::kNo, o).intact());
  o.snapshots = {"nope"};
  o.concurrency = 2;
  auto bad = verify(*c, o);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kNotFound);
}

TEST(RepoVerify, SubsetsPartitionTheDataFiles) {
  auto c = load_fixture("es8");
  const auto all = run(*c, ReadData::kYes);
  std::uint64_t read = 0;
  for (int n = 1; n <= 3; ++n) {
    VerifyOptions o;
    o.subset = *parse_subset(std::to_string(n) + "/3");
    auto r = run(*c, ReadData::kYes, o);
    read += r.data_files_read;
    EXPECT_EQ(r.data_files_read + r.data_files_skipped_subset, all.data_files);
  }
  EXPECT_EQ(read, all.data_files);
  VerifyOptions pct;
  pct.subset = *parse_subset("100%");
  EXPECT_EQ(run(*c, ReadData::kYes, pct).data_files_read, all.data_files);
}

TEST(RepoVerify, TheStateFileMakesChecksRolling) {
  namespace fs = std::filesystem;
  const std::string path =
      (fs::temp_directory_path() / ("essnap-state-" + std::to_string(::getpid()) + ".json"))
          .string();
  fs::remove(path);
  auto c = load_fixture("es8");
  auto t0 = std::chrono::system_clock::time_point(std::chrono::hours(24 * 20000));
  auto pass = [&](std::chrono::system_clock::time_point now) {
    auto st = VerifyState::load(path, "memory:");
    EXPECT_TRUE(st.ok());
    VerifyState state = std::move(st).value();
    VerifyOptions o;
    o.state = &state;
    o.max_age = std::chrono::hours(24 * 7);
    o.now = [now] { return now; };
    auto r = run(*c, ReadData::kYes, o);
    EXPECT_TRUE(state.save().ok());
    return r;
  };
  auto first = pass(t0);
  EXPECT_EQ(first.data_files_read, first.data_files);
  auto second = pass(t0 + std::chrono::hours(24));
  EXPECT_EQ(second.data_files_read, 0u);
  EXPECT_EQ(second.data_files_skipped_fresh, first.data_files);
  auto later = pass(t0 + std::chrono::hours(24 * 8));
  EXPECT_EQ(later.data_files_read, first.data_files);
  // A corrupted file is never recorded as verified.
  auto blobs = blobs_where(*c, [](const BlobInfo& b) {
    return b.name.rfind(kSolo + "/0/__", 0) == 0 && !contains(b.name, ".part");
  });
  std::string bytes = c->get(blobs[0]);
  bytes[bytes.size() / 3] ^= 0x02;
  c->set(blobs[0], bytes);
  fs::remove(path);
  pass(t0);
  auto again = pass(t0 + std::chrono::hours(1));
  EXPECT_EQ(again.data_files_read, 1u);
  EXPECT_EQ(again.problems.size(), 1u);
  fs::remove(path);
}

// s3 rewritten as PARTIAL with the solo index's only shard failed: that shard's missing blobs
// are what PARTIAL means, not damage; the same snapshot as an OpenSearch shallow copy is not
// checked below its root blob and says so.
nlohmann::json s3_info(const std::string& state) {
  return {{"snapshot",
           {{"name", "s3"},
            {"uuid", "q8keFeh2QZGskIBxqqmzEw"},
            {"version_id", 8536000},
            {"indices", {"insp-fx-logs", "insp-fx-solo"}},
            {"state", state},
            {"start_time", 1796119579621},
            {"end_time", 1796119579621},
            {"total_shards", 3},
            {"successful_shards", 2},
            {"include_global_state", false},
            {"failures", nlohmann::json::array()}}}};
}

TEST(RepoVerify, APartialSnapshotsFailedShardIsNotAProblem) {
  auto c = load_fixture("es8");
  auto info = s3_info("PARTIAL");
  info["snapshot"]["failures"] = {{{"index", "insp-fx-solo"},
                                   {"shard_id", 0},
                                   {"reason", "node left"},
                                   {"status", "INTERNAL_SERVER_ERROR"}}};
  c->set("snap-q8keFeh2QZGskIBxqqmzEw.dat", frame_smile("snapshot", info));
  c->erase(kSolo + "/0/snap-q8keFeh2QZGskIBxqqmzEw.dat");
  auto r = run(*c, ReadData::kYes);
  EXPECT_TRUE(r.intact()) << dump(r);
  // The same missing blob under a SUCCESS snapshot is damage.
  c->set("snap-q8keFeh2QZGskIBxqqmzEw.dat", frame_smile("snapshot", s3_info("SUCCESS")));
  auto r2 = run(*c);
  ASSERT_EQ(r2.problems.size(), 1u) << dump(r2);
  EXPECT_EQ(r2.problems[0].path, kSolo + "/0/snap-q8keFeh2QZGskIBxqqmzEw.dat");
}

TEST(RepoVerify, AShallowSnapshotIsNotCheckedBelowItsRootAndSaysSo) {
  auto c = load_fixture("es8");
  auto info = s3_info("SUCCESS");
  info["snapshot"]["remote_store_index_shallow_copy"] = true;
  c->set("snap-q8keFeh2QZGskIBxqqmzEw.dat", frame_smile("snapshot", info));
  // Its shards hold shallow-snap-<uuid>.dat (segment names in the remote store), no data blobs.
  const nlohmann::json shallow{{"version", "1"},
                               {"name", "s3"},
                               {"index_version", 1},
                               {"start_time", 1},
                               {"time", 1},
                               {"number_of_files", 3},
                               {"total_size", 999},
                               {"index_uuid", "u"},
                               {"remote_store_repository", "remote"},
                               {"commit_generation", 2},
                               {"primary_term", 1},
                               {"remote_store_repository_base_path", "base"},
                               {"file_names", {"_0.cfs", "_0.cfe", "segments_2"}}};
  const std::vector<std::string> dirs = {kLogs + "/0", kLogs + "/1", kSolo + "/0"};
  for (const auto& d : dirs) {
    c->erase(d + "/snap-q8keFeh2QZGskIBxqqmzEw.dat");
    c->set(d + "/shallow-snap-q8keFeh2QZGskIBxqqmzEw.dat", frame_smile("snapshot", shallow));
  }
  auto r = run(*c, ReadData::kYes);
  EXPECT_TRUE(r.intact()) << dump(r);
  bool said = false;
  for (const auto& n : r.notes) said |= contains(n, "remote store, not checked here");
  EXPECT_TRUE(said);
  // The shallow-snap blob itself is checked.
  std::string bytes = c->get(kSolo + "/0/shallow-snap-q8keFeh2QZGskIBxqqmzEw.dat");
  bytes[bytes.size() / 2] ^= 0x01;
  c->set(kSolo + "/0/shallow-snap-q8keFeh2QZGskIBxqqmzEw.dat", bytes);
  auto r2 = run(*c);
  ASSERT_EQ(r2.problems.size(), 1u) << dump(r2);
  EXPECT_EQ(r2.problems[0].path, kSolo + "/0/shallow-snap-q8keFeh2QZGskIBxqqmzEw.dat");
  c->erase(kLogs + "/1/shallow-snap-q8keFeh2QZGskIBxqqmzEw.dat");
  auto r3 = run(*c);
  EXPECT_EQ(r3.problems.size(), 2u) << dump(r3);
}

TEST(RepoVerify, SubsetAndStateInputsAreChecked) {
  for (const char* bad : {"", "0/5", "6/5", "1/0", "x/5", "0%", "101%", "abc%", "1/5/2", "5"})
    EXPECT_FALSE(parse_subset(bad).ok()) << bad;
  auto s = parse_subset("2/5");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->n, 2u);
  EXPECT_EQ(s->t, 5u);
  EXPECT_TRUE(parse_subset("12.5%").ok());
  // The same blob is always in the same group.
  EXPECT_EQ(in_subset(*parse_subset("1/7"), "indices/a/0/__x"),
            in_subset(*parse_subset("1/7"), "indices/a/0/__x"));
  namespace fs = std::filesystem;
  const std::string junk = (fs::temp_directory_path() / "essnap-state-junk.json").string();
  { std::ofstream(junk) << "{\"format\": \"other\"}"; }
  auto st = VerifyState::load(junk, "x");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kParse);
  fs::remove(junk);
}

}  // namespace
}  // namespace essnap::inspect
