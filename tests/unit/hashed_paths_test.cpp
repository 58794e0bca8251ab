// OpenSearch's hashed shard paths with a base path, everywhere essnap touches them: where the
// engine writes a shard folder (format::engine_shard_folder, against folders OpenSearch 3.3.0
// wrote on the stack), how a snapshot_shard_paths path is read back and placed (inside the
// repository, or beside its prefix), the blob::RepositoryView that reaches only the engine's
// HASHED_PREFIX folders, and a real OpenSearch 3.3 repository (tests/data/repo/os3-z) laid out in
// a "bucket" as an S3 repository with base_path lays it out — listed, verified with its data,
// accounted, judged for orphans and synced to another prefix.
#include <gtest/gtest.h>

#include <set>

#include "essnap/blob/memory_store.hpp"
#include "essnap/blob/repository_view.hpp"
#include "essnap/cluster/repository.hpp"
#include "essnap/format/shard_paths.hpp"
#include "essnap/inspect/du.hpp"
#include "essnap/inspect/orphans.hpp"
#include "essnap/inspect/show.hpp"
#include "essnap/inspect/verify.hpp"
#include "essnap/inspect/walker.hpp"
#include "essnap/setup/setup.hpp"
#include "essnap/sync/sync.hpp"
#include "inspect_test_util.hpp"
#include "setup_world.hpp"

namespace essnap {
namespace {

using format::PathHashAlgorithm;
using format::ShardPathType;
using nlohmann::json;

constexpr auto kComposite = PathHashAlgorithm::kFnv1aComposite1;

// Folders OpenSearch 3.3.0 wrote on the stack (fs repositories with base_path "bp1/bp2",
// docs/REPOSITORY_FORMAT.md §7), and the os3-z fixture's (no base path).
TEST(HashedShardPaths, EngineShardFolderIsWhereOpenSearchWrote) {
  EXPECT_EQ(format::engine_shard_folder(ShardPathType::kHashedPrefix, kComposite, "bp1/bp2",
                                        "FIEQyEdrQsSOyseLOC0tkw", 0),
            "O10110101111000/bp1/bp2/indices/FIEQyEdrQsSOyseLOC0tkw/0/");
  EXPECT_EQ(format::engine_shard_folder(ShardPathType::kHashedPrefix, kComposite, "bp1/bp2",
                                        "FIEQyEdrQsSOyseLOC0tkw", 1),
            "x00000100110000/bp1/bp2/indices/FIEQyEdrQsSOyseLOC0tkw/1/");
  EXPECT_EQ(format::engine_shard_folder(ShardPathType::kHashedInfix, kComposite, "bp1/bp2",
                                        "f4NnYNK0T8iFykyX0Bx2OA", 0),
            "bp1/bp2/310011011111000/indices/f4NnYNK0T8iFykyX0Bx2OA/0/");
  EXPECT_EQ(format::engine_shard_folder(ShardPathType::kHashedInfix, kComposite, "/bp1/bp2/",
                                        "f4NnYNK0T8iFykyX0Bx2OA", 1),
            "bp1/bp2/011000111110111/indices/f4NnYNK0T8iFykyX0Bx2OA/1/");
  EXPECT_EQ(format::engine_shard_folder(ShardPathType::kFixed, kComposite, "bp1/bp2",
                                        "cy58som9QLaVWX50lgOb9g", 1),
            "bp1/bp2/indices/cy58som9QLaVWX50lgOb9g/1/");
  EXPECT_EQ(format::engine_shard_folder(ShardPathType::kHashedPrefix, kComposite, "",
                                        "aItlkA8fS0-MNYGrId24vw", 0),
            "b01010000110011/indices/aItlkA8fS0-MNYGrId24vw/0/");
  EXPECT_EQ(format::engine_shard_folder(ShardPathType::kHashedPrefix, kComposite, "",
                                        "aItlkA8fS0-MNYGrId24vw", 1),
            "N10011000110000/indices/aItlkA8fS0-MNYGrId24vw/1/");
  // FNV_1A_BASE64: the hash's 8 bytes in URL-safe base64 without the padding.
  EXPECT_EQ(format::shard_path_hash(PathHashAlgorithm::kFnv1aBase64, "FIEQyEdrQsSOyseLOC0tkw", 0),
            "OteD5oIcVo8");
}

TEST(HashedShardPaths, ParseShardFolderReadsTheGrammarAndRefusesTheRest) {
  auto p = format::parse_shard_folder("O10110101111000/bp1/bp2/indices/FIEQyEdrQsSOyseLOC0tkw/0/",
                                      ShardPathType::kHashedPrefix, kComposite,
                                      "FIEQyEdrQsSOyseLOC0tkw", 0);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->hash, "O10110101111000");
  EXPECT_EQ(p->base_path, "bp1/bp2");
  auto i = format::parse_shard_folder("bp1/bp2/310011011111000/indices/f4NnYNK0T8iFykyX0Bx2OA/0",
                                      ShardPathType::kHashedInfix, kComposite,
                                      "f4NnYNK0T8iFykyX0Bx2OA", 0);
  ASSERT_TRUE(i.ok()) << i.error().message;
  EXPECT_EQ(i->hash, "310011011111000");
  EXPECT_EQ(i->base_path, "bp1/bp2");
  for (const char* bad : {
           "O10110101111000/bp1/../indices/I/0/",  // '..'
           "/O10110101111000/bp/indices/I/0/",     // absolute
           "O1011010111100/bp/indices/I/0/",       // 14 characters
           "O1011010111100x/bp/indices/I/0/",      // not binary
           "other-bucket-key/indices/I/0/",        // no hash
           "O10110101111000/bp/indices/J/0/",      // another index
           "O10110101111000/bp/indices/I/1/",      // another shard
           "O10110101111000/bp/x/I/0/",            // not indices/
           "indices/I/0/",                         // no hash segment
       })
    EXPECT_FALSE(
        format::parse_shard_folder(bad, ShardPathType::kHashedPrefix, kComposite, "I", 0).ok())
        << bad;
  EXPECT_FALSE(format::parse_shard_folder("O10110101111000/indices/I/0/",
                                          ShardPathType::kHashedPrefix,
                                          static_cast<PathHashAlgorithm>(7), "I", 0)
                   .ok());
}

TEST(HashedShardPaths, PlaceShardFolderKeepsTheInfixInsideAndThePrefixBeside) {
  format::ShardFolder prefix{ShardPathType::kHashedPrefix, "O10110101111000", "bp1/bp2"};
  auto a = format::place_shard_folder(prefix, "I", 0, "bp1/bp2");  // s3://bucket/bp1/bp2
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_TRUE(a->outside);
  EXPECT_EQ(a->container, "");
  EXPECT_EQ(a->path, "O10110101111000/bp1/bp2/indices/I/0");
  // An fs location seen through a path (or a mount): the engine's root is what precedes.
  auto b = format::place_shard_folder(prefix, "I", 0, "srv/repo/bp1/bp2");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->container, "srv/repo");
  // A base path this repository does not end in: another repository's blob.
  EXPECT_FALSE(format::place_shard_folder(prefix, "I", 0, "other").ok());
  EXPECT_FALSE(format::place_shard_folder(prefix, "I", 0, "xbp1/bp2").ok());
  format::ShardFolder infix{ShardPathType::kHashedInfix, "310011011111000", "bp1/bp2"};
  auto c = format::place_shard_folder(infix, "I", 1, "bp1/bp2");
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->outside);
  EXPECT_EQ(c->path, "310011011111000/indices/I/1");
  format::ShardFolder bare{ShardPathType::kHashedPrefix, "b01010000110011", ""};
  auto d = format::place_shard_folder(bare, "I", 0, "anything/at/all");
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->outside);
  EXPECT_EQ(d->path, "b01010000110011/indices/I/0");
}

TEST(HashedShardPaths, RepositoryViewReachesOnlyTheEnginesHashedPrefixFolders) {
  blob::MemoryStore bucket;
  bucket.set("bp/index-0", "root");
  bucket.set("H/bp/indices/I/0/__a", "data");
  bucket.set("H/other/indices/I/0/__b", "someone else's");
  bucket.set("bp/H/bp/indices/I/0/__c", "inside, same name");
  auto repo = bucket.open_in_container("bp");
  ASSERT_TRUE(repo.ok());
  blob::RepositoryView view(**repo);
  EXPECT_EQ(view.root_in_container(), "bp");
  // Closed until reached: the repository's own store only.
  EXPECT_EQ(*view.read("H/bp/indices/I/0/__c", 100), "inside, same name");
  ASSERT_TRUE(view.reach("", "bp").ok());
  EXPECT_TRUE(view.reach("", "bp").ok());      // the same again
  EXPECT_FALSE(view.reach("", "other").ok());  // one base path
  EXPECT_EQ(*view.read("H/bp/indices/I/0/__a", 100), "data");
  EXPECT_EQ(*view.read("index-0", 100), "root");
  EXPECT_TRUE(view.outside("H/bp/indices/I/0/__a"));
  EXPECT_TRUE(view.outside("H/bp/indices"));
  EXPECT_FALSE(view.outside("H/bp/indicesx/I"));
  EXPECT_FALSE(view.outside("H/other/indices/I/0/__b"));
  EXPECT_FALSE(view.outside("indices/bp/indices/I/0"));
  EXPECT_FALSE(view.outside("H/indices/I/0"));
  EXPECT_FALSE(view.read("H/other/indices/I/0/__b", 100).ok());  // not reachable
  EXPECT_FALSE(view.read("../H/other/indices/I/0/__b", 100).ok());
  auto l = view.list("H/bp/indices/I/0");
  ASSERT_TRUE(l.ok());
  ASSERT_EQ(l->blobs.size(), 1u);
  EXPECT_EQ(l->blobs[0].name, "__a");
  // Writes and removes land where the engine would.
  ASSERT_TRUE(view.put("H/bp/indices/I/1/__d", "new").ok());
  EXPECT_EQ(bucket.get("H/bp/indices/I/1/__d"), "new");
  ASSERT_TRUE(view.copy("index-0", "H/bp/indices/I/1/copy").ok());
  EXPECT_EQ(bucket.get("H/bp/indices/I/1/copy"), "root");
  ASSERT_TRUE(view.remove({"H/bp/indices/I/1/__d", "index-0"}).ok());
  EXPECT_FALSE(bucket.contains("H/bp/indices/I/1/__d"));
  EXPECT_FALSE(bucket.contains("bp/index-0"));
  EXPECT_TRUE(bucket.contains("H/other/indices/I/0/__b"));
}

// The os3-z fixture (OpenSearch 3.3.0, HASHED_PREFIX, no base path) as an S3 repository with
// base_path `base` lays it out: `type` 1 puts shard folders at <hash>/<base>/indices/..., 2 at
// <base>/<hash>/indices/...; root blobs, index metadata and snapshot_shard_paths/ under <base>/.
// The paths blob names the folders from the bucket root, as the engine writes them.
void lay_out(blob::MemoryStore& bucket, const std::string& base, int type) {
  auto fixture = format::testing::load_fixture("repo/os3-z");
  std::vector<std::string> paths;
  (void)fixture->walk("", [&](const blob::BlobInfo& b) {
    paths.push_back(b.name);
    return ok_status();
  });
  for (const auto& p : paths) {
    std::string bytes = fixture->get(p);
    const auto slash = p.find('/');
    const std::string first = p.substr(0, slash);
    if (first.size() == 15 && first != "snapshot_shard" && slash != std::string::npos) {
      const std::string rest = p.substr(slash + 1);
      bucket.set(type == 1 ? first + "/" + base + "/" + rest : base + "/" + first + "/" + rest,
                 bytes);
      continue;
    }
    if (p.rfind("snapshot_shard_paths/", 0) == 0) {
      auto parsed = format::parse_shard_paths(
          {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()});
      EXPECT_TRUE(parsed.ok());
      parsed->shard_path_type = type;
      for (std::size_t k = 0; k < parsed->paths.size(); ++k) {
        const std::string hash = parsed->paths[k].substr(0, 15);
        parsed->paths[k] = format::shard_folder(static_cast<ShardPathType>(type), hash, base,
                                                parsed->index_id, std::int64_t(k));
      }
      bytes = format::write_shard_paths(*parsed);
      std::string name = p;
      name.replace(name.size() - 3, 1, std::to_string(type));  // "<...>.<type>.<algorithm>"
      bucket.set(base + "/" + name, bytes);
      continue;
    }
    if (p == "index-1") {
      const std::string from = "\"shard_path_type\":1",
                        to = "\"shard_path_type\":" + std::to_string(type);
      bytes.replace(bytes.find(from), from.size(), to);
    }
    bucket.set(base + "/" + p, bytes);
  }
}

class HashedLayout : public ::testing::TestWithParam<int> {};

TEST_P(HashedLayout, AnS3LayoutWithABasePathIsListedVerifiedAccountedAndSynced) {
  const int type = GetParam();
  blob::MemoryStore bucket(333);
  lay_out(bucket, "snapshots/os", type);
  auto opened = bucket.open_in_container("snapshots/os");
  ASSERT_TRUE(opened.ok());
  blob::BlobStore& repo = **opened;

  auto list = inspect::list_snapshots(repo, 4);
  ASSERT_TRUE(list.ok()) << list.error().message;
  EXPECT_EQ(list->snapshots.size(), 2u);

  inspect::VerifyOptions v;
  v.read_data = inspect::ReadData::kYes;
  auto checked = inspect::verify(repo, v);
  ASSERT_TRUE(checked.ok()) << checked.error().message;
  EXPECT_TRUE(checked->intact()) << (checked->problems.empty() ? ""
                                                               : checked->problems[0].path + ": " +
                                                                     checked->problems[0].problem);

  auto du = inspect::disk_usage(repo, {});
  ASSERT_TRUE(du.ok()) << du.error().message;
  EXPECT_TRUE(du->damaged.empty()) << du->damaged[0];
  std::uint64_t fixture_data = 0;
  auto fixture = format::testing::load_fixture("repo/os3-z");
  auto fixture_du = inspect::disk_usage(*fixture, {});
  ASSERT_TRUE(fixture_du.ok());
  fixture_data = fixture_du->data_bytes;
  EXPECT_GT(du->data_bytes, 0u);
  EXPECT_EQ(du->data_bytes, fixture_data);
  EXPECT_EQ(du->data_files, fixture_du->data_files);

  // Nothing is an orphan: the folders beside the prefix are the live snapshots' shards. A blob
  // left in one of them is found.
  auto orphans = inspect::find_orphans(repo, {});
  ASSERT_TRUE(orphans.ok()) << orphans.error().message;
  EXPECT_TRUE(orphans->orphans.empty()) << orphans->orphans[0].path;
  const std::string stray =
      type == 1 ? "b01010000110011/snapshots/os/indices/aItlkA8fS0-MNYGrId24vw/0/__stray"
                : "snapshots/os/b01010000110011/indices/aItlkA8fS0-MNYGrId24vw/0/__stray";
  bucket.set(stray, "left over");
  orphans = inspect::find_orphans(repo, {});
  ASSERT_TRUE(orphans.ok());
  ASSERT_EQ(orphans->orphans.size(), 1u);
  EXPECT_NE(orphans->orphans[0].path.find("__stray"), std::string::npos);
  bucket.erase(stray);

  // A damaged data blob beside the prefix is found by --read-data.
  const std::string hash1 = "N10011000110000";
  const std::string shard1 = type == 1
                                 ? hash1 + "/snapshots/os/indices/aItlkA8fS0-MNYGrId24vw/1"
                                 : "snapshots/os/" + hash1 + "/indices/aItlkA8fS0-MNYGrId24vw/1";
  const std::string victim = shard1 + "/__PQmIl4-sTcei3sKe2GMKpg";
  const std::string good = bucket.get(victim);
  ASSERT_FALSE(good.empty());
  std::string bad = good;
  bad[bad.size() / 2] ^= 0x5a;
  bucket.set(victim, bad);
  checked = inspect::verify(repo, v);
  ASSERT_TRUE(checked.ok());
  EXPECT_FALSE(checked->intact());
  bucket.set(victim, good);

  // repo sync into another prefix of another bucket: the same layout relative to DST's prefix.
  blob::MemoryStore other(333);
  auto dst = other.open_in_container("copy/of/os");
  ASSERT_TRUE(dst.ok());
  sync::SyncOptions so;
  so.verify_data = true;
  auto synced = sync::sync_repository(repo, **dst, so);
  ASSERT_TRUE(synced.ok()) << synced.error().message;
  const std::string dst_shard1 =
      type == 1
          ? hash1 + "/copy/of/os/indices/aItlkA8fS0-MNYGrId24vw/1/__PQmIl4-sTcei3sKe2GMKpg"
          : "copy/of/os/" + hash1 + "/indices/aItlkA8fS0-MNYGrId24vw/1/__PQmIl4-sTcei3sKe2GMKpg";
  EXPECT_TRUE(other.contains(dst_shard1)) << dst_shard1;
  // Nothing of SRC's base path in DST's bucket.
  std::vector<std::string> dst_keys;
  (void)other.walk("", [&](const blob::BlobInfo& b) {
    dst_keys.push_back(b.name);
    return ok_status();
  });
  for (const auto& k : dst_keys) EXPECT_EQ(k.find("snapshots/os"), std::string::npos) << k;
  // DST's paths blob names DST's folders.
  bool found_paths = false;
  for (const auto& k : dst_keys)
    if (k.find("snapshot_shard_paths/") != std::string::npos) {
      found_paths = true;
      EXPECT_NE(other.get(k).find(type == 1 ? hash1 + "/copy/of/os/indices/"
                                            : "copy/of/os/" + hash1 + "/indices/"),
                std::string::npos)
          << other.get(k);
    }
  EXPECT_TRUE(found_paths);
  auto again = inspect::verify(**dst, v);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->intact());
  auto second = sync::sync_repository(repo, **dst, so);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_TRUE(second->plan.up_to_date());
}

INSTANTIATE_TEST_SUITE_P(Types, HashedLayout, ::testing::Values(1, 2), [](const auto& info) {
  return info.param == 1 ? std::string("HashedPrefix") : std::string("HashedInfix");
});

// An fs repository with a base_path (OpenSearch 2.x on) keeps its root at <location>/<base_path>:
// where `inspect --repository NAME` reads it.
TEST(HashedShardPaths, AnFsRepositorysBasePathIsPartOfItsLocation) {
  auto fs = cluster::repository_location(
      {"r1", "fs", {{"location", "/mnt/snaps"}, {"base_path", "bp1/bp2/"}}});
  ASSERT_TRUE(fs.ok()) << fs.error().message;
  EXPECT_EQ(*fs, "/mnt/snaps/bp1/bp2");
}

// A paths blob naming folders under another repository's base path is damage for its index,
// never a read of that place.
TEST(HashedShardPaths, APathsBlobNamingAnotherBasePathIsDamageNotARead) {
  blob::MemoryStore bucket(333);
  lay_out(bucket, "snapshots/os", 1);
  const std::string dir = "snapshots/os/snapshot_shard_paths";
  std::string name;
  (void)bucket.walk(dir, [&](const blob::BlobInfo& b) {
    name = b.name;
    return ok_status();
  });
  std::string json = bucket.get(name);
  for (std::size_t at; (at = json.find("/snapshots/os/")) != std::string::npos;)
    json.replace(at, 14, "/someone/else/");
  bucket.set(name, json);
  auto opened = bucket.open_in_container("snapshots/os");
  ASSERT_TRUE(opened.ok());
  inspect::VerifyOptions v;
  auto checked = inspect::verify(**opened, v);
  ASSERT_TRUE(checked.ok()) << checked.error().message;
  ASSERT_FALSE(checked->intact());
  EXPECT_NE(checked->problems[0].problem.find("another repository"), std::string::npos)
      << checked->problems[0].problem;
}

// `essnap setup` on the simulated account: the role is granted the HASHED_PREFIX folders beside
// the prefix exactly when the engine will write them there, the plan says so, and
// --shard-path-type registers the setting (refused where the engine has none).
setup::SetupOptions setup_options() {
  setup::SetupOptions o;
  o.mode = setup::SetupMode::kAwsManaged;
  o.repository = "nightly";
  o.bucket = "acme-snapshots";
  o.prefix = "prod/logs";
  o.region = "us-east-1";
  o.domain_endpoint = "https://search-logs-abc123xyz.us-east-1.es.amazonaws.com";
  return o;
}

std::string layout_detail(const setup::SetupReport& r) {
  for (const auto& i : r.items)
    if (i.step == "layout") return i.detail;
  return "";
}

TEST(HashedSetup, OpenSearch3WithAPrefixIsGrantedTheFoldersBesideItAndThePlanSaysSo) {
  setup::fake::Harness h;
  h.world.engine_version = {{"distribution", "opensearch"}, {"number", "3.3.0"}};
  auto rep = setup::run_setup(setup_options(), h.clients());
  ASSERT_TRUE(rep.ok()) << rep.error().message;
  const json& policy = h.world.role_policies.at("essnap-snapshots-nightly/essnap-snapshot-s3");
  EXPECT_EQ(policy["Statement"][1]["Resource"],
            json::array({"arn:aws:s3:::acme-snapshots/prod/logs/*",
                         "arn:aws:s3:::acme-snapshots/*/prod/logs/indices/*"}));
  EXPECT_EQ(policy["Statement"][0]["Condition"]["StringLike"]["s3:prefix"],
            json::array({"prod/logs/*", "*/prod/logs/indices/*"}));
  EXPECT_NE(layout_detail(*rep).find("OUTSIDE prod/logs/"), std::string::npos)
      << layout_detail(*rep);
  EXPECT_FALSE(h.world.repos.at("nightly")["settings"].contains("shard_path_type"));
}

TEST(HashedSetup, ShardPathTypeIsRegisteredAndHashedInfixNeedsNoGrantBeside) {
  setup::fake::Harness h;
  h.world.engine_version = {{"distribution", "opensearch"}, {"number", "3.3.0"}};
  auto o = setup_options();
  o.shard_path_type = ShardPathType::kHashedInfix;
  auto rep = setup::run_setup(o, h.clients());
  ASSERT_TRUE(rep.ok()) << rep.error().message;
  EXPECT_EQ(h.world.repos.at("nightly")["settings"]["shard_path_type"], "hashed_infix");
  const json& policy = h.world.role_policies.at("essnap-snapshots-nightly/essnap-snapshot-s3");
  EXPECT_EQ(policy["Statement"][1]["Resource"], "arn:aws:s3:::acme-snapshots/prod/logs/*");
  EXPECT_NE(layout_detail(*rep).find("hashed_infix"), std::string::npos) << layout_detail(*rep);
  // OpenSearch 2.19 defaults to fixed: no grant beside the prefix unless hashed_prefix is asked.
  setup::fake::Harness h2;
  o.shard_path_type = ShardPathType::kHashedPrefix;
  o.repository = "nightly2";
  auto rep2 = setup::run_setup(o, h2.clients());
  ASSERT_TRUE(rep2.ok()) << rep2.error().message;
  EXPECT_EQ(h2.world.role_policies.at(
                "essnap-snapshots-nightly2/essnap-snapshot-s3")["Statement"][1]["Resource"][1],
            "arn:aws:s3:::acme-snapshots/*/prod/logs/indices/*");
}

TEST(HashedSetup, ShardPathTypeOnElasticsearchIsRefusedBeforeAnyChange) {
  setup::fake::Harness h;
  h.world.engine_version = {{"number", "8.19.7"}};
  auto o = setup_options();
  o.shard_path_type = ShardPathType::kFixed;
  auto rep = setup::run_setup(o, h.clients());
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(rep.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(rep.error().message.find("--shard-path-type"), std::string::npos);
  EXPECT_TRUE(h.world.buckets.empty());
  EXPECT_TRUE(h.world.repos.empty());
}

}  // namespace
}  // namespace essnap
