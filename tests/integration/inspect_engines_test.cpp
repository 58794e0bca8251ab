// essnap inspect on repositories written for real by every engine of the stack (OpenSearch 2 and
// 3 with fs repositories on the S3 mount, read back through S3; Elasticsearch 8 with a local fs
// repository): compressed and uncompressed metadata (OpenSearch: zstd and deflate), a 4 KiB
// chunk_size (split blobs), a two-shard index, overlapping snapshots and a deleted one.
// `inspect snapshots` must list what GET _snapshot/R/_all lists, `du` must equal the engine's
// _status sizes, `verify --read-data` must find the repository intact and `orphans` empty; then
// damaged copies (the repository copied first; the live one is never touched) must each be
// reported naming the damaged blob. Absent stack: FAIL when CI=true, else skip.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "essnap/cluster/client.hpp"
#include "support/cluster_fixture.hpp"
#include "support/process.hpp"
#include "support/stack_engines.hpp"
#include "support/stack_env.hpp"
#include "support/stack_s3_process.hpp"

namespace essnap {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::stack_var;

class InspectEngines : public ::testing::TestWithParam<test::StackEngine> {
 protected:
  void SetUp() override {
    ESSNAP_REQUIRE_STACK(GetParam().url_var, GetParam().repo_var, "ESSNAP_TEST_S3_ENDPOINT",
                         "ESSNAP_TEST_S3_BUCKET", "ESSNAP_TEST_S3_ACCESS_KEY_ID",
                         "ESSNAP_TEST_S3_SECRET_ACCESS_KEY", "ESSNAP_TEST_S3_MOUNT");
    url_ = stack_var(GetParam().url_var);
    id_ = test::test_id("inspwt");
    client_ = test::test_client(url_);
    opensearch_ = std::string(GetParam().url_var).find("OPENSEARCH") != std::string::npos;
  }
  void TearDown() override {
    if (!client_) return;
    for (const auto& r : repos_) {
      test::drop_repository(*client_, r);
      std::error_code ec;
      fs::remove_all(location(r), ec);  // the root blobs an unregistered repository leaves
    }
    (void)client_->json("DELETE", "/" + id_ + "-logs");
    (void)client_->json("DELETE", "/" + id_ + "-solo");
    for (const auto& d : temp_dirs_) fs::remove_all(d);
  }

  // Where the engine writes (its path.repo) and how essnap reads it: through S3 when the path is
  // on the bucket's mount, else as a directory.
  std::string location(const std::string& repo) const {
    return stack_var(GetParam().repo_var) + "/" + repo;
  }
  std::string reader(const std::string& repo) const {
    const std::string loc = location(repo), mount = stack_var("ESSNAP_TEST_S3_MOUNT");
    if (loc.rfind(mount + "/", 0) == 0)
      return "s3://" + stack_var("ESSNAP_TEST_S3_BUCKET") + "/" + loc.substr(mount.size() + 1);
    return loc;
  }

  void put(const std::string& path, const json& body) {
    auto r = client_->json("PUT", path, body, http::Idempotency::kNonIdempotent);
    ASSERT_TRUE(r.ok()) << path << ": " << r.error().message;
  }
  void docs(const std::string& index, int from, int to) {
    std::string bulk;
    for (int i = from; i <= to; ++i)
      bulk += "{\"index\":{}}\n{\"n\":" + std::to_string(i) + ",\"t\":\"document number " +
              std::to_string(i) + " of the inspect suite\"}\n";
    http::Request req;
    req.method = "POST";
    req.url = url_ + "/" + index + "/_bulk?refresh=true";
    req.headers = {{"Content-Type", "application/x-ndjson"}};
    req.body = http::Body::from_string(bulk);
    auto r = client_->transport().send(std::move(req));
    ASSERT_TRUE(r.ok() && r->status == 200) << (r.ok() ? r->body : r.error().message);
  }
  void snapshot(const std::string& repo, const std::string& name, const std::string& indices) {
    put("/_snapshot/" + repo + "/" + name + "?wait_for_completion=true",
        json{{"indices", indices}, {"include_global_state", false}});
  }

  // A repository with settings `extra`: logs (2 shards) in s1, s2, s3; solo in s3; s2 deleted.
  std::string make_repository(const std::string& suffix, json extra) {
    const std::string repo = id_ + "-" + suffix;
    repos_.push_back(repo);
    json settings{{"location", location(repo)}, {"chunk_size", "4kb"}};
    for (auto& [k, v] : extra.items()) settings[k] = v;
    put("/_snapshot/" + repo, json{{"type", "fs"}, {"settings", settings}});
    const std::string logs = id_ + "-logs", solo = id_ + "-solo";
    (void)client_->json("DELETE", "/" + logs);
    (void)client_->json("DELETE", "/" + solo);
    put("/" + logs, json{{"settings", {{"number_of_shards", 2}, {"number_of_replicas", 0}}}});
    put("/" + solo, json{{"settings", {{"number_of_shards", 1}, {"number_of_replicas", 0}}}});
    docs(logs, 1, 150);
    snapshot(repo, "s1", logs);
    docs(logs, 151, 300);
    snapshot(repo, "s2", logs);
    docs(logs, 301, 450);
    docs(solo, 1, 40);
    snapshot(repo, "s3", logs + "," + solo);
    auto del = client_->json("DELETE", "/_snapshot/" + repo + "/s2");
    EXPECT_TRUE(del.ok()) << del.error().message;
    return repo;
  }

  test::ProcessResult essnap(const std::string& args) {
    return test::run_essnap_with_stack_s3(args);
  }
  json essnap_json(const std::string& args, int want_exit) {
    auto r = essnap("-o json " + args);
    EXPECT_EQ(r.exit_code, want_exit) << args << "\n" << r.out << r.err;
    auto j = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << args << "\n" << r.out << r.err;
    return j.is_discarded() ? json::object() : j;
  }

  void expect_listed_as_the_engine_lists(const std::string& repo) {
    auto engine = client_->json("GET", "/_snapshot/" + repo + "/_all");
    ASSERT_TRUE(engine.ok());
    auto ours = essnap_json("inspect snapshots " + reader(repo), 0);
    ASSERT_TRUE(ours.contains("snapshots")) << ours.dump();
    ASSERT_EQ(ours["snapshots"].size(), (*engine)["snapshots"].size()) << ours.dump();
    std::map<std::string, json> by_name;
    for (const auto& s : ours["snapshots"]) by_name[s["name"]] = s;
    for (const auto& e : (*engine)["snapshots"]) {
      const std::string name = e["snapshot"];
      ASSERT_TRUE(by_name.count(name)) << name;
      const json& s = by_name[name];
      EXPECT_EQ(s["uuid"], e["uuid"]);
      EXPECT_EQ(s["state"], e["state"]);
      EXPECT_EQ(s["start_time_in_millis"], e["start_time_in_millis"]);
      EXPECT_EQ(s["end_time_in_millis"], e["end_time_in_millis"]);
      EXPECT_EQ(s["start_time"], e["start_time"]);
      auto a = s["indices"].get<std::vector<std::string>>(),
           b = e["indices"].get<std::vector<std::string>>();
      std::sort(a.begin(), a.end());
      std::sort(b.begin(), b.end());
      EXPECT_EQ(a, b) << name;
      EXPECT_EQ(s["shards"]["total"], e["shards"]["total"]) << name;
      EXPECT_EQ(s["shards"]["successful"], e["shards"]["successful"]) << name;
    }
    EXPECT_FALSE(by_name.count("s2")) << "a deleted snapshot is gone from the root";
  }

  void expect_du_equals_status(const std::string& repo) {
    auto du = essnap_json("inspect du " + reader(repo), 0);
    ASSERT_TRUE(du.contains("snapshots")) << du.dump();
    for (const auto& s : du["snapshots"]) {
      auto st = client_->json(
          "GET", "/_snapshot/" + repo + "/" + s["name"].get<std::string>() + "/_status");
      ASSERT_TRUE(st.ok()) << st.error().message;
      const json& stats = (*st)["snapshots"][0]["stats"];
      EXPECT_EQ(s["total_bytes"], stats["total"]["size_in_bytes"]) << s.dump() << stats.dump();
      EXPECT_EQ(s["files"], stats["total"]["file_count"]) << s.dump() << stats.dump();
      EXPECT_EQ(s["incremental_bytes"], stats["incremental"]["size_in_bytes"])
          << s.dump() << stats.dump();
      EXPECT_LE(s["unique_bytes"].get<std::uint64_t>() + s["shared_bytes"].get<std::uint64_t>(),
                s["total_bytes"].get<std::uint64_t>());
    }
    // s3 shares s1's segments of the logs index and has blobs of its own.
    for (const auto& s : du["snapshots"])
      if (s["name"] == "s3") {
        EXPECT_GT(s["shared_bytes"].get<std::uint64_t>(), 0u) << du.dump();
        EXPECT_GT(s["unique_bytes"].get<std::uint64_t>(), 0u) << du.dump();
      }
  }

  void expect_intact(const std::string& where) {
    auto v = essnap_json("inspect verify " + where + " --read-data", 0);
    EXPECT_EQ(v["intact"], true) << v.dump(2);
    EXPECT_GT(v["data_files_read"].get<int>(), 0) << v.dump();
    EXPECT_EQ(v["data_files_read"], v["data_files"]);
    EXPECT_GE(v["shards"].get<int>(), 3);
    auto o = essnap_json("inspect orphans " + where, 0);
    EXPECT_TRUE(o["orphans"].empty()) << o.dump(2);
  }

  // A copy of the repository in a temporary directory, to damage.
  std::string copy_of(const std::string& repo) {
    const fs::path dir =
        fs::temp_directory_path() / (id_ + "-copy-" + std::to_string(temp_dirs_.size()));
    fs::remove_all(dir);
    fs::copy(location(repo), dir, fs::copy_options::recursive);
    temp_dirs_.push_back(dir.string());
    return dir.string();
  }
  static std::vector<std::string> files_where(const std::string& root,
                                              const std::function<bool(const std::string&)>& pred) {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(root))
      if (e.is_regular_file()) {
        std::string rel = fs::relative(e.path(), root).generic_string();
        if (pred(rel)) out.push_back(rel);
      }
    std::sort(out.begin(), out.end());
    return out;
  }
  // A blob in a shard directory: [<hashed prefix>/]indices/<id>/<shard>/<name>.
  static bool in_shard(const std::string& p, const std::string& name_part) {
    const auto at = p.find("indices/");
    if (at == std::string::npos || (at != 0 && p[at - 1] != '/')) return false;
    const std::string rest = p.substr(at);
    return std::count(rest.begin(), rest.end(), '/') == 3 &&
           rest.substr(rest.rfind('/') + 1).rfind(name_part, 0) == 0;
  }
  static void flip(const std::string& file, std::uintmax_t at) {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(at));
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x20);
    f.seekp(static_cast<std::streamoff>(at));
    f.write(&c, 1);
  }
  // verify on the damaged copy: exit 1, and one problem naming `path`.
  void expect_damage(const std::string& copy, const std::string& path, const std::string& flags) {
    auto v = essnap_json("inspect verify " + copy + " " + flags, 1);
    ASSERT_TRUE(v.contains("problems")) << v.dump();
    bool named = false;
    for (const auto& p : v["problems"]) named |= p["path"].get<std::string>().rfind(path, 0) == 0;
    EXPECT_TRUE(named) << "expected a problem at " << path << "\n" << v.dump(2);
    for (const auto& p : v["problems"]) EXPECT_FALSE(p["problem"].get<std::string>().empty());
  }

  std::string url_, id_;
  bool opensearch_ = false;
  std::unique_ptr<cluster::Client> client_;
  std::vector<std::string> repos_, temp_dirs_;
};

TEST_P(InspectEngines, CompressedAndUncompressedRepositoriesAreReadAsTheEngineSeesThem) {
  std::vector<std::pair<std::string, json>> variants = {{"c", json{{"compress", true}}},
                                                        {"u", json{{"compress", false}}}};
  if (opensearch_) {
    variants[0].second["compression_type"] = "zstd";
    variants.push_back({"d", json{{"compress", true}, {"compression_type", "deflate"}}});
  }
  for (const auto& [suffix, settings] : variants) {
    SCOPED_TRACE(suffix + " " + settings.dump());
    const std::string repo = make_repository(suffix, settings);
    if (HasFatalFailure()) return;
    expect_listed_as_the_engine_lists(repo);
    expect_du_equals_status(repo);
    expect_intact(reader(repo));
  }
}

TEST_P(InspectEngines, EveryInjectedFaultIsReportedByPath) {
  const std::string repo = make_repository("f", json{{"compress", true}});
  if (HasFatalFailure()) return;
  const std::string live = location(repo);
  auto data = files_where(live, [](const std::string& p) { return in_shard(p, "__"); });
  ASSERT_FALSE(data.empty());
  // A single-part data blob and a part of a split one.
  std::string whole, part;
  for (const auto& p : data) {
    if (p.find(".part") == std::string::npos && fs::file_size(live + "/" + p) > 64 && whole.empty())
      whole = p;
    if (p.find(".part1") != std::string::npos && part.empty()) part = p;
  }
  ASSERT_FALSE(whole.empty());
  ASSERT_FALSE(part.empty()) << "chunk_size 4kb should split a file";
  auto shard_snaps = files_where(live, [](const std::string& p) { return in_shard(p, "snap-"); });
  auto shard_gens = files_where(live, [](const std::string& p) { return in_shard(p, "index-"); });
  ASSERT_FALSE(shard_snaps.empty());
  ASSERT_FALSE(shard_gens.empty());
  auto roots = files_where(live, [](const std::string& p) {
    return p.rfind("index-", 0) == 0 && p.find('/') == std::string::npos;
  });
  ASSERT_FALSE(roots.empty());
  const std::string root = roots.back();

  {  // a flipped byte in a data blob: only a full read sees it
    const std::string c = copy_of(repo);
    flip(c + "/" + whole, fs::file_size(c + "/" + whole) / 2);
    auto structural = essnap_json("inspect verify " + c, 0);
    EXPECT_EQ(structural["intact"], true);
    expect_damage(c, whole, "--read-data");
  }
  {  // a flipped byte in a metadata blob
    const std::string c = copy_of(repo);
    flip(c + "/" + shard_snaps[0], fs::file_size(c + "/" + shard_snaps[0]) / 2);
    expect_damage(c, shard_snaps[0], "");
  }
  {  // a truncated blob
    const std::string c = copy_of(repo);
    fs::resize_file(c + "/" + part, fs::file_size(c + "/" + part) - 5);
    expect_damage(c, part, "");
  }
  {  // a missing blob
    const std::string c = copy_of(repo);
    fs::remove(c + "/" + whole);
    expect_damage(c, whole, "");
  }
  {  // a missing shard index-N
    const std::string c = copy_of(repo);
    fs::remove(c + "/" + shard_gens[0]);
    expect_damage(c, shard_gens[0], "");
  }
  {  // a corrupt root index-N
    const std::string c = copy_of(repo);
    std::ofstream(c + "/" + root, std::ios::trunc) << "{\"snapshots\": [{\"name\": ";
    expect_damage(c, root, "");
  }
  if (reader(repo).rfind("s3://", 0) == 0) {  // damage read back through S3 (ranged GETs)
    const std::string mount = stack_var("ESSNAP_TEST_S3_MOUNT");
    const std::string copy_loc = location(repo) + "-s3copy";
    fs::remove_all(copy_loc);
    fs::copy(live, copy_loc, fs::copy_options::recursive);
    temp_dirs_.push_back(copy_loc);
    const std::string uri =
        "s3://" + stack_var("ESSNAP_TEST_S3_BUCKET") + "/" + copy_loc.substr(mount.size() + 1);
    flip(copy_loc + "/" + whole, fs::file_size(copy_loc + "/" + whole) / 3);
    fs::remove(copy_loc + "/" + part);
    auto v = essnap_json("inspect verify " + uri + " --read-data", 1);
    std::set<std::string> paths;
    for (const auto& p : v["problems"]) paths.insert(p["path"].get<std::string>());
    EXPECT_TRUE(paths.count(whole)) << v.dump(2);
    EXPECT_TRUE(paths.count(part)) << v.dump(2);
  }
  {  // the live repository was never touched
    expect_intact(reader(repo));
  }
}

TEST_P(InspectEngines, TheLocationComesFromTheRegisteredRepository) {
  const std::string repo = make_repository("r", json::object());
  if (HasFatalFailure()) return;
  const std::string mount = stack_var("ESSNAP_TEST_S3_MOUNT");
  const std::string map = "--location-map " + mount + "=s3://" + stack_var("ESSNAP_TEST_S3_BUCKET");
  auto v = essnap_json("inspect verify --repository " + repo + " --url " + url_ + " " + map, 0);
  EXPECT_EQ(v["intact"], true) << v.dump();
  EXPECT_EQ(v["repository"], reader(repo));
  auto missing = essnap("inspect snapshots --repository " + id_ + "-nope --url " + url_);
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
  EXPECT_NE(missing.err.find("not registered"), std::string::npos) << missing.err;
  auto one = essnap_json("inspect verify " + reader(repo) + " s1", 0);
  EXPECT_EQ(one["snapshots"], json::array({"s1"}));
  auto unknown = essnap("inspect verify " + reader(repo) + " s2");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("snapshot s2"), std::string::npos) << unknown.err;
}

INSTANTIATE_TEST_SUITE_P(Stack, InspectEngines, test::stack_engines(), test::stack_engine_name);

}  // namespace
}  // namespace essnap
