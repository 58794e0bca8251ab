// `inspect verify` never says intact wrongly (issue 21 item 4): repositories that the engines
// cannot load or restore, made from a real one (tests/data/inspect/es8) or from the hostile cases
// of tests/data/inspect/hostile/ (make_hostile.py), are damage; a --state file from another
// repository is refused; names from a repository are escaped on output.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "essnap/blob/local_store.hpp"
#include "essnap/format/framing.hpp"
#include "essnap/inspect/orphans.hpp"
#include "essnap/inspect/verify.hpp"
#include "inspect_test_util.hpp"
#include "inspect_verify_util.hpp"
#include "support/process.hpp"

namespace essnap::inspect {
using namespace essnap::format;
using namespace essnap::blob;
namespace {

using namespace essnap::format::testing;
namespace fs = std::filesystem;

const std::string kS1 = "9CsmFVumTSSqmQZ0437V4A";
const std::string kS3 = "q8keFeh2QZGskIBxqqmzEw";

bool said(const VerifyReport& r, const std::string& part) {
  for (const auto& p : r.problems)
    if (contains(p.path + ": " + p.problem, part)) return true;
  return false;
}

nlohmann::json decoded(MemoryStore& c, const std::string& path) {
  const std::string b = c.get(path);
  auto j = read_framed_blob({reinterpret_cast<const std::uint8_t*>(b.data()), b.size()}, "");
  EXPECT_TRUE(j.ok()) << path << ": " << (j.ok() ? "" : j.error().message);
  return j.ok() ? *j : nlohmann::json();
}

TEST(RepoVerifyHostile, SnapshotsDisagreeingAboutASharedBlobAreDamage) {
  auto c = load_fixture("es8");
  const std::string s1 = kLogs + "/0/snap-" + kS1 + ".dat", s3 = kLogs + "/0/snap-" + kS3 + ".dat";
  auto a = decoded(*c, s1), b = decoded(*c, s3);
  // A blob both snapshots hold; s3's record of it gets another checksum (a valid frame).
  std::string shared;
  for (const auto& f : a["files"])
    for (auto& g : b["files"])
      if (shared.empty() && g["name"] == f["name"] && f["length"].get<std::int64_t>() > 100) {
        shared = g["name"].get<std::string>();
        g["checksum"] = "1abcdef";
      }
  ASSERT_FALSE(shared.empty());
  c->set(s3, frame_smile("snapshot", b));
  // Each snapshot alone: s3 is damaged (its record does not match the blob), s1 is not.
  VerifyOptions only_s3;
  only_s3.snapshots = {"s3"};
  EXPECT_FALSE(run(*c, ReadData::kYes, only_s3).intact());
  // The whole repository: damaged too, with s3 named — not "no problems" because s1's record,
  // met first, matches.
  auto all = run(*c, ReadData::kYes);
  EXPECT_FALSE(all.intact());
  bool named = false;
  for (const auto& p : all.problems)
    if (contains(p.path, shared))
      for (const auto& s : p.snapshots) named |= s == "s3";
  EXPECT_TRUE(named) << dump(all);
  EXPECT_TRUE(said(all, "disagree")) << dump(all);
  // Structurally the disagreement alone is damage.
  EXPECT_TRUE(said(run(*c), "disagree"));
}

TEST(RepoVerifyHostile, ARootDroppingAnIndexItsSnapshotsHoldIsDamage) {
  auto c = load_fixture("es8");
  auto root = nlohmann::json::parse(c->get("index-3"));
  root["indices"].erase("insp-fx-solo");
  c->set("index-3", root.dump());
  auto r = run(*c);
  EXPECT_FALSE(r.intact());
  EXPECT_TRUE(said(r, "does not list index insp-fx-solo for snapshot s3")) << dump(r);
  EXPECT_TRUE(said(r, "Gvaztz16TN2Mq13xSMDOdQ in index_metadata_lookup")) << dump(r);
}

TEST(RepoVerifyHostile, FramedJsonBodiesAreDamage) {
  auto c = load_fixture("es8");
  const std::string path = "snap-" + kS3 + ".dat";
  c->set(path, frame_json("snapshot", decoded(*c, path)));
  auto r = run(*c);
  ASSERT_FALSE(r.intact());
  EXPECT_EQ(r.problems[0].path, path);
  EXPECT_TRUE(said(r, "JSON, not SMILE")) << dump(r);
}

TEST(RepoVerifyHostile, RootGenerationsPastLongMaxAreDamageNotIgnored) {
  auto c = load_fixture("es8");
  c->set("index-9999999999999999999", "{}");
  auto r = run(*c);
  EXPECT_TRUE(said(r, "index-9999999999999999999")) << dump(r);
  // index.latest naming it (past Long.MAX_VALUE as a signed long)
  auto c2 = load_fixture("es8");
  const std::uint64_t g = 9999999999999999999ull;
  std::string latest;
  for (int i = 7; i >= 0; --i) latest.push_back(static_cast<char>((g >> (8 * i)) & 0xff));
  c2->set("index.latest", latest);
  auto r2 = run(*c2);
  EXPECT_TRUE(said(r2, "index.latest")) << dump(r2);
  // 19 digits within range is a generation: the newest root, read (here: not JSON, damage)
  auto c3 = load_fixture("es8");
  c3->set("index-1000000000000000000", "garbage");
  auto r3 = run(*c3);
  EXPECT_EQ(r3.generation, 1000000000000000000ull);
  EXPECT_FALSE(r3.intact());
}

TEST(RepoVerifyHostile, ClaimedSizesDoNotDriveMemory) {
  // A record of 2^60 bytes in parts of one byte: one problem, no enumeration of the parts.
  auto c = load_fixture("es8");
  const std::string s3 = kLogs + "/0/snap-" + kS3 + ".dat";
  auto b = decoded(*c, s3);
  b["files"][0]["length"] = std::int64_t{1} << 60;
  b["files"][0]["part_size"] = 1;
  c->set(s3, frame_smile("snapshot", b));
  auto r = run(*c);
  EXPECT_TRUE(said(r, "1152921504606846976 parts")) << dump(r);
  EXPECT_LT(r.problems.size(), 10u);
  // Index metadata claiming 2^31-1 shards: damage, not 2^31 shard tasks.
  auto c2 = load_fixture("es8");
  auto metas =
      blobs_where(*c2, [](const BlobInfo& x) { return x.name.rfind(kLogs + "/meta-", 0) == 0; });
  ASSERT_EQ(metas.size(), 1u);
  auto m = decoded(*c2, metas[0]);
  auto& body = m.begin().value();
  if (body["settings"].contains("index.number_of_shards"))
    body["settings"]["index.number_of_shards"] = "2147483647";
  else
    body["settings"]["index"]["number_of_shards"] = "2147483647";
  c2->set(metas[0], frame_smile("index-metadata", m));
  auto r2 = run(*c2);
  EXPECT_TRUE(said(r2, "number_of_shards 2147483647")) << dump(r2);
  EXPECT_LE(r2.shards, 3u);
}

TEST(RepoVerifyHostile, AStateFileOfAnotherRepositoryIsRefused) {
  const std::string path =
      (fs::temp_directory_path() / ("essnap-hostile-state-" + std::to_string(::getpid()) + ".json"))
          .string();
  fs::remove(path);
  auto c = load_fixture("es8");
  {
    auto st = VerifyState::load(path, "memory:");
    ASSERT_TRUE(st.ok());
    VerifyState state = std::move(st).value();
    VerifyOptions o;
    o.state = &state;
    o.max_age = std::chrono::hours(24);
    run(*c, ReadData::kYes, o);
    ASSERT_TRUE(state.save().ok());
  }
  auto saved = nlohmann::json::parse(slurp(path));
  EXPECT_EQ(saved["repository"], "memory:");
  EXPECT_EQ(saved["repository_uuid"], "7RtmjsqBQPmsdhwZ_x6kzQ");
  // Another location: refused at load.
  auto other = VerifyState::load(path, "/srv/other-repository");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(contains(other.error().message, "recorded for repository memory:"));
  // The same location now holding another repository (another uuid): refused by verify.
  auto root = nlohmann::json::parse(c->get("index-3"));
  root["uuid"] = "AnotherRepositoryUuid0";
  c->set("index-3", root.dump());
  auto st = VerifyState::load(path, "memory:");
  ASSERT_TRUE(st.ok());
  VerifyState state = std::move(st).value();
  VerifyOptions o;
  o.state = &state;
  o.read_data = ReadData::kYes;
  o.max_age = std::chrono::hours(24);
  auto r = verify(*c, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(contains(r.error().message, "7RtmjsqBQPmsdhwZ_x6kzQ")) << r.error().message;
  // A state naming no repository is refused too.
  std::ofstream(path) << R"({"format":"essnap-verify-state","version":1,"blobs":{}})";
  EXPECT_FALSE(VerifyState::load(path, "memory:").ok());
  fs::remove(path);
}

// The hostile cases as files, read through the local store as `inspect verify DIR` reads them.
TEST(RepoVerifyHostile, TheHostileRepositoriesAreJudged) {
  const std::string dir = std::string(ESSNAP_TEST_DATA_DIR) + "/inspect/hostile/";
  {
    LocalStore clean(dir + "clean");
    auto r = run(clean, ReadData::kYes);
    EXPECT_TRUE(r.intact()) << dump(r);
    EXPECT_EQ(r.data_files_read, 1u);
  }
  for (const char* name :
       {"shared-file-disagreement", "root-drops-index", "json-body", "generation-19-digits",
        "parts-bomb", "shards-bomb", "smile-bomb", "root-deep-nesting", "crafted-name"}) {
    SCOPED_TRACE(name);
    LocalStore c(dir + name);
    auto r = run(c, ReadData::kYes);
    EXPECT_FALSE(r.intact());
  }
}

// orphans and du walk the same records: a claimed part count is never enumerated there either.
TEST(RepoVerifyHostile, OrphansDoNotEnumerateClaimedParts) {
  LocalStore c(std::string(ESSNAP_TEST_DATA_DIR) + "/inspect/hostile/parts-bomb");
  auto r = find_orphans(c, OrphansOptions{});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->orphans.empty());  // __A is the record's blob: used, not an orphan
}

// A crafted blob name cannot forge a PROBLEM line or reach the terminal as an escape sequence.
TEST(RepoVerifyHostile, ACraftedNameIsEscapedOnOutput) {
  test::Command cmd;
  cmd.clear_env = true;
  cmd.env = {{"PATH", "/usr/bin:/bin"}, {"HOME", "/nonexistent"}};
  cmd.argv = test::argv({ESSNAP_BINARY}, "inspect verify " + std::string(ESSNAP_TEST_DATA_DIR) +
                                             "/inspect/hostile/crafted-name");
  auto r = test::run(cmd);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "__B\\nPROBLEM forged: all is well\\e[2K")) << r.out;
  EXPECT_FALSE(contains(r.out, "\nPROBLEM forged")) << r.out;
  EXPECT_FALSE(contains(r.out, "\x1b")) << r.out;
}

}  // namespace
}  // namespace essnap::inspect
