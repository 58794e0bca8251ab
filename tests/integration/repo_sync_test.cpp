// essnap repo sync on repositories written for real by every engine of the stack: an fs
// repository on the S3 mount (read through the S3 API) with a 4 KiB chunk_size (blobs in parts),
// a two-shard index, overlapping snapshots and one deleted in between. DST (through the S3 API,
// under the engine's path.repo) must pass `inspect verify`, register read-only beside SRC in the
// same engine and give back every snapshot's documents; one more snapshot must move only its new
// blobs; a directory DST must register in the next major the restore matrix allows. Absent
// stack: FAIL when CI=true, else skip.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
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

// The engine a DST written from this one's repository is also registered in: the next major
// (the restore matrix: a snapshot restores into its own major and the next).
std::string next_major(const std::string& key) {
  if (key == "ELASTICSEARCH6") return "ELASTICSEARCH7";
  if (key == "ELASTICSEARCH710" || key == "ELASTICSEARCH7") return "ELASTICSEARCH";
  if (key == "ELASTICSEARCH") return "ELASTICSEARCH9";
  if (key == "OPENSEARCH1") return "OPENSEARCH";
  if (key == "OPENSEARCH") return "OPENSEARCH3";
  return "";
}

test::ProcessResult run_essnap(const std::string& args) {
  return test::run_essnap_with_stack_s3(args);
}

// A JSON array of names as a set: the engines' roots list snapshots in no promised order.
std::set<std::string> names_of(const json& a) {
  std::set<std::string> out;
  if (a.is_array())
    for (const auto& n : a) out.insert(n.get<std::string>());
  return out;
}
using Names = std::set<std::string>;

json run_json(const std::string& args, int want_exit) {
  auto r = run_essnap("-o json " + args);
  EXPECT_EQ(r.exit_code, want_exit) << args << "\n" << r.out << r.err;
  auto j = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << args << "\n" << r.out << r.err;
  return j.is_discarded() ? json::object() : j;
}

class RepoSync : public ::testing::TestWithParam<test::StackEngine> {
 protected:
  void SetUp() override {
    key_ = test::stack_engine_key(GetParam());
    ESSNAP_REQUIRE_STACK(GetParam().url_var, "ESSNAP_TEST_S3_ENDPOINT", "ESSNAP_TEST_S3_BUCKET",
                         "ESSNAP_TEST_S3_ACCESS_KEY_ID", "ESSNAP_TEST_S3_SECRET_ACCESS_KEY",
                         "ESSNAP_TEST_S3_MOUNT");
    url_ = stack_var(GetParam().url_var);
    id_ = test::test_id("sync");
    client_ = test::test_client(url_);
  }
  void TearDown() override {
    for (auto& [c, repo] : registered_) (void)c->json("DELETE", "/_snapshot/" + repo);
    if (client_) {
      test::drop_repository(*client_, id_ + "-src");
      for (const auto& i : indices_) (void)client_->json("DELETE", "/" + i);
    }
    for (auto& [c, index] : restored_) (void)c->json("DELETE", "/" + index);
    std::error_code ec;
    for (const auto& d : dirs_) fs::remove_all(d, ec);
  }

  // The engine's place on the S3 mount, as a path and as s3://.
  std::string mount_dir(const std::string& key) const {
    return stack_var("ESSNAP_TEST_" + key + "_S3_REPO_PATH");
  }
  std::string s3_of(const std::string& dir) const {
    const std::string mount = stack_var("ESSNAP_TEST_S3_MOUNT");
    return "s3://" + stack_var("ESSNAP_TEST_S3_BUCKET") + "/" + dir.substr(mount.size() + 1);
  }

  void put(cluster::Client& c, const std::string& path, const json& body) {
    auto r = c.json("PUT", path, body, http::Idempotency::kNonIdempotent);
    ASSERT_TRUE(r.ok()) << path << ": " << r.error().message;
  }
  void docs(const std::string& index, int from, int to) {
    std::string bulk;
    for (int i = from; i <= to; ++i)
      bulk += "{\"index\":{\"_id\":\"d" + std::to_string(i) + "\"}}\n{\"n\":" + std::to_string(i) +
              ",\"t\":\"document number " + std::to_string(i) + " of the sync suite\"}\n";
    http::Request req;
    req.method = "POST";
    req.url =
        url_ + "/" + index + (key_ == "ELASTICSEARCH6" ? "/_doc" : "") + "/_bulk?refresh=true";
    req.headers = {{"Content-Type", "application/x-ndjson"}};
    req.body = http::Body::from_string(bulk);
    auto r = client_->transport().send(std::move(req));
    ASSERT_TRUE(r.ok() && r->status == 200) << (r.ok() ? r->body : r.error().message);
  }
  void snapshot(const std::string& name, const std::string& indices) {
    put(*client_, "/_snapshot/" + id_ + "-src/" + name + "?wait_for_completion=true",
        json{{"indices", indices}, {"include_global_state", false}});
  }
  void register_readonly(cluster::Client& c, const std::string& repo, const std::string& where) {
    put(c, "/_snapshot/" + repo,
        json{{"type", "fs"}, {"settings", {{"location", where}, {"readonly", true}}}});
    registered_.push_back({&c, repo});
  }
  // Restores `index` of snapshot `snap` from `repo` as <id>-r<n>, then: how many documents, and
  // the sum of their n.
  std::pair<long, long> restore(cluster::Client& c, const std::string& repo,
                                const std::string& snap, const std::string& index) {
    const std::string target = id_ + "-r" + std::to_string(++restores_);
    auto r =
        c.json("POST", "/_snapshot/" + repo + "/" + snap + "/_restore?wait_for_completion=true",
               json{{"indices", index},
                    {"rename_pattern", ".+"},
                    {"rename_replacement", target},
                    {"include_aliases", false},
                    {"include_global_state", false}},
               http::Idempotency::kNonIdempotent);
    EXPECT_TRUE(r.ok()) << repo << "/" << snap << ": " << (r.ok() ? "" : r.error().message);
    restored_.push_back({&c, target});
    (void)c.json("POST", "/" + target + "/_refresh", json::object(),
                 http::Idempotency::kNonIdempotent);
    auto s = c.json("POST", "/" + target + "/_search",
                    json{{"size", 0},
                         {"track_total_hits", true},
                         {"aggs", {{"sum", {{"sum", {{"field", "n"}}}}}}}},
                    http::Idempotency::kNonIdempotent);
    if (!s.ok()) {
      ADD_FAILURE() << target << ": " << s.error().message;
      return {-1, -1};
    }
    const json& total = (*s)["hits"]["total"];
    const long count = total.is_object() ? total["value"].get<long>() : total.get<long>();
    return {count, static_cast<long>((*s)["aggregations"]["sum"]["value"].get<double>())};
  }
  static long sum_to(long n) { return n * (n + 1) / 2; }

  std::string key_, url_, id_;
  std::unique_ptr<cluster::Client> client_, next_client_;  // before the lists naming them
  std::vector<std::string> indices_;
  std::vector<std::pair<cluster::Client*, std::string>> registered_, restored_;
  std::vector<std::string> dirs_;
  int restores_ = 0;
};

TEST_P(RepoSync, DstIsARepositoryTheEnginesRestoreFromFullAndIncremental) {
  const std::string src_dir = mount_dir(key_) + "/" + id_ + "-src";
  const std::string dst_dir = mount_dir(key_) + "/" + id_ + "-dst";
  dirs_ = {src_dir, dst_dir};
  const std::string logs = id_ + "-logs", solo = id_ + "-solo";
  indices_ = {logs, solo};
  put(*client_, "/_snapshot/" + id_ + "-src",
      json{{"type", "fs"}, {"settings", {{"location", src_dir}, {"chunk_size", "4kb"}}}});
  put(*client_, "/" + logs,
      json{{"settings", {{"number_of_shards", 2}, {"number_of_replicas", 0}}}});
  put(*client_, "/" + solo,
      json{{"settings", {{"number_of_shards", 1}, {"number_of_replicas", 0}}}});
  docs(logs, 1, 150);
  snapshot("s1", logs);
  docs(logs, 151, 300);
  snapshot("s2", logs);
  docs(logs, 301, 450);
  docs(solo, 1, 40);
  snapshot("s3", logs + "," + solo);
  ASSERT_TRUE(client_->json("DELETE", "/_snapshot/" + id_ + "-src/s2").ok());

  // The plan first: nothing written.
  auto plan = run_json("repo sync " + s3_of(src_dir) + " " + s3_of(dst_dir) + " --dry-run", 0);
  EXPECT_EQ(names_of(plan["plan"]["add"]), (Names{"s1", "s3"})) << plan.dump();
  EXPECT_GT(plan["plan"]["blobs_to_copy"].get<long>(), 10) << plan.dump();
  EXPECT_FALSE(fs::exists(dst_dir + "/index-0"));

  auto full = run_json("repo sync " + s3_of(src_dir) + " " + s3_of(dst_dir), 0);
  EXPECT_EQ(names_of(full["plan"]["add"]), (Names{"s1", "s3"})) << full.dump();
  EXPECT_EQ(full["blobs_copied"], plan["plan"]["blobs_to_copy"]);
  EXPECT_EQ(full["verified_snapshots"], 2);
  run_json("inspect verify " + s3_of(dst_dir) + " --read-data", 0);

  // Beside SRC in the same engine, read-only: every snapshot's documents.
  register_readonly(*client_, id_ + "-dst", dst_dir);
  auto listed = client_->json("GET", "/_snapshot/" + id_ + "-dst/_all");
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  std::set<std::string> names;
  for (const auto& s : (*listed)["snapshots"]) names.insert(s["snapshot"].get<std::string>());
  EXPECT_EQ(names, (std::set<std::string>{"s1", "s3"}));
  EXPECT_EQ(restore(*client_, id_ + "-dst", "s1", logs), std::make_pair(150L, sum_to(150)));
  EXPECT_EQ(restore(*client_, id_ + "-dst", "s3", logs), std::make_pair(450L, sum_to(450)));
  EXPECT_EQ(restore(*client_, id_ + "-dst", "s3", solo), std::make_pair(40L, sum_to(40)));

  // Again with nothing new: up to date, nothing written.
  auto same = run_json("repo sync " + s3_of(src_dir) + " " + s3_of(dst_dir), 0);
  EXPECT_TRUE(same["up_to_date"].get<bool>()) << same.dump();
  EXPECT_EQ(same["blobs_copied"], 0);

  // One more snapshot: only its new blobs move.
  docs(logs, 451, 480);
  snapshot("s4", logs + "," + solo);
  auto inc = run_json("repo sync " + s3_of(src_dir) + " " + s3_of(dst_dir), 0);
  EXPECT_EQ(names_of(inc["plan"]["add"]), Names{"s4"}) << inc.dump();
  EXPECT_EQ(names_of(inc["plan"]["kept"]), (Names{"s1", "s3"})) << inc.dump();
  EXPECT_LT(inc["blobs_copied"].get<long>(), full["blobs_copied"].get<long>() / 2) << inc.dump();
  EXPECT_EQ(inc["plan"]["indices_changed"], 2);
  run_json("inspect verify " + s3_of(dst_dir), 0);
  EXPECT_EQ(restore(*client_, id_ + "-dst", "s4", logs), std::make_pair(480L, sum_to(480)));
  EXPECT_EQ(restore(*client_, id_ + "-dst", "s4", solo), std::make_pair(40L, sum_to(40)));

  // A directory DST, registered in the next major.
  const std::string next = next_major(key_);
  if (next.empty() || stack_var("ESSNAP_TEST_" + next + "_URL").empty()) return;
  next_client_ = test::test_client(stack_var("ESSNAP_TEST_" + next + "_URL"));
  cluster::Client& next_client = *next_client_;
  const std::string dir = stack_var("ESSNAP_TEST_" + next + "_FS_REPO_PATH") + "/" + id_ + "-dst";
  dirs_.push_back(dir);
  run_json("repo sync " + s3_of(src_dir) + " " + dir + " --snapshots 's3*' s4", 0);
  run_json("inspect verify " + dir + " --read-data", 0);
  register_readonly(next_client, id_ + "-dst", dir);
  EXPECT_EQ(restore(next_client, id_ + "-dst", "s4", logs), std::make_pair(480L, sum_to(480)));
  EXPECT_EQ(restore(next_client, id_ + "-dst", "s3", solo), std::make_pair(40L, sum_to(40)));
}

std::vector<test::StackEngine> every_engine() {
  auto all = test::stack_engine_list();
  for (const auto& e : test::stack_source_engine_list()) all.push_back(e);
  return all;
}

INSTANTIATE_TEST_SUITE_P(Engines, RepoSync, ::testing::ValuesIn(every_engine()),
                         test::stack_engine_name);

}  // namespace
}  // namespace essnap
