// essnap drill on every engine of the stack: a snapshot taken by `essnap snapshot create` (which
// records the document counts) is drilled: it passes, its counts are checked, and no scratch
// index is left; a data blob damaged in the fs repository (on the S3 mount) fails the drill with
// exit 9 naming the index, and the scratch index is still deleted; SIGTERM while a throttled
// restore runs (max_restore_bytes_per_sec) exits 130 and deletes the scratch index. Names start
// with "drill-". Absent engines: FAIL when CI=true, else skip.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "essnap/cluster/client.hpp"
#include "support/cluster_fixture.hpp"
#include "support/essnap_process.hpp"
#include "support/process.hpp"
#include "support/stack_engines.hpp"
#include "support/stack_env.hpp"

namespace essnap {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::stack_var;

class DrillCluster : public ::testing::TestWithParam<test::StackEngine> {
 protected:
  void SetUp() override {
    const auto& e = GetParam();
    if (auto missing = test::stack_missing({e.url_var, e.repo_var})) {
      if (test::in_ci()) FAIL() << *missing << " (CI=true: integration tests do not skip)";
      GTEST_SKIP() << *missing;
    }
    url_ = stack_var(e.url_var);
    id_ = test::test_id("drill");
    location_ = stack_var(e.repo_var) + "/" + id_;
    c_ = test::test_client(url_);
    index_ = id_ + "-src";
  }
  void TearDown() override {
    if (!c_) return;
    // After an interrupted drill the engine may still be reading the throttled repository for a
    // while (the deleted index's recovery ends at its next chunk): until then the snapshot and
    // the repository cannot be removed.
    for (int i = 0; i < 60; ++i) {
      test::drop_repository(*c_, id_);
      if (!c_->json("GET", "/_snapshot/" + id_).ok()) break;
      ::sleep(2);
    }
    (void)c_->json("DELETE", "/" + index_);
    (void)c_->json("DELETE", "/" + id_ + "-src-*?expand_wildcards=all");
    std::error_code ec;
    fs::remove_all(location_, ec);
  }

  // An index of `docs` documents of ~`size` bytes each (varied text: it does not compress
  // away), one shard, no replicas.
  void make_index(int docs, int size) {
    ASSERT_TRUE(c_->json("PUT", "/" + index_,
                         json{{"settings", {{"number_of_shards", 1}, {"number_of_replicas", 0}}}})
                    .ok());
    std::string bulk;
    std::uint32_t x = 12345;
    for (int i = 0; i < docs; ++i) {
      std::string text;
      for (int k = 0; k < size; ++k) {
        x = x * 1103515245u + 12345u;
        text.push_back(static_cast<char>('a' + (x >> 16) % 26));
      }
      bulk += "{\"index\":{\"_id\":\"d" + std::to_string(i) + "\"}}\n{\"n\":" + std::to_string(i) +
              ",\"text\":\"" + text + "\"}\n";
    }
    cluster::Call call{"POST", "/" + index_ + "/_bulk?refresh=true", bulk};
    auto r = c_->json(call);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_FALSE((*r).value("errors", true)) << r->dump().substr(0, 500);
  }

  void register_repo(json extra = json::object()) {
    json settings{{"location", location_}};
    settings.update(extra);
    auto r = c_->json("PUT", "/_snapshot/" + id_, json{{"type", "fs"}, {"settings", settings}});
    ASSERT_TRUE(r.ok()) << r.error().message;
  }

  // essnap snapshot create: the snapshot records the index's document count.
  void take_snapshot(const std::string& name) {
    auto r = run("snapshot create " + name + " -r " + id_ + " -i " + index_ + " --quiet");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }

  test::ProcessResult run(const std::string& args) {
    return test::run_essnap_clean(args + " --url " + url_ + " --auth none");
  }

  // Indices whose names start with this test's id and hold "-drill" (scratch indices).
  std::vector<std::string> scratch_left() {
    std::vector<std::string> out;
    auto j =
        c_->json("GET", "/_cat/indices/" + id_ + "-*?format=json&h=index&expand_wildcards=all");
    if (j.ok() && j->is_array())
      for (const auto& row : *j) {
        const std::string n = row.value("index", "");
        if (n != index_) out.push_back(n);
      }
    return out;
  }

  std::string url_, id_, location_, index_;
  std::unique_ptr<cluster::Client> c_;
};

TEST_P(DrillCluster, ASnapshotPassesItsCountsAreCheckedAndNoScratchIndexIsLeft) {
  make_index(50, 200);
  register_repo();
  take_snapshot(id_ + "-snap");
  auto r = run("-o json drill -r " + id_ + " -i " + index_ + " --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out;
  const auto& d = j["drill"];
  EXPECT_EQ(d["snapshot"], id_ + "-snap") << "the newest SUCCESS snapshot by default";
  EXPECT_TRUE(d["passed"].get<bool>()) << r.out;
  ASSERT_EQ(d["indices"].size(), 1u) << r.out;
  EXPECT_EQ(d["indices"][0]["count"], "passed") << r.out;
  EXPECT_EQ(d["indices"][0]["restored_documents"], 50) << r.out;
  EXPECT_EQ(d["indices"][0]["snapshot_documents"], 50) << r.out;
  EXPECT_EQ(d["indices"][0]["sample"], "passed") << r.out;
  EXPECT_EQ(d["indices"][0]["sampled"], 10) << r.out;
  EXPECT_NE(d["indices"][0]["count_detail"].get<std::string>().find("snapshot's segments"),
            std::string::npos)
      << "counted from the snapshot itself, not from essnap's records: " << r.out;
  EXPECT_GT(d["restored_bytes"].get<std::int64_t>(), 0) << r.out;
  EXPECT_GT(d["bytes_per_second"].get<double>(), 0) << r.out;
  ASSERT_EQ(d["deleted"].size(), 1u) << r.out;
  EXPECT_NE(d["deleted"][0].get<std::string>().find(index_ + "-drill-"), std::string::npos);
  EXPECT_TRUE(scratch_left().empty()) << r.out;
  EXPECT_TRUE(c_->json("GET", "/" + index_ + "/_count").ok()) << "the source index is untouched";
}

TEST_P(DrillCluster, ADamagedBlobFailsTheDrillWithExit9AndTheScratchIndexIsDeleted) {
  make_index(200, 300);
  register_repo();
  take_snapshot(id_ + "-snap");
  // The largest data blob of the shard ("__<uuid>"; OpenSearch 3 keeps shard data under a
  // hashed prefix, so the whole repository is searched), one byte flipped in its middle.
  fs::path blob;
  std::uintmax_t biggest = 0;
  for (const auto& e : fs::recursive_directory_iterator(location_))
    if (e.is_regular_file() && e.path().filename().string().starts_with("__") &&
        e.file_size() > biggest) {
      biggest = e.file_size();
      blob = e.path();
    }
  ASSERT_FALSE(blob.empty()) << "no data blob under " << location_;
  {
    std::fstream f(blob, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(biggest / 2));
    char b = 0;
    f.read(&b, 1);
    b = static_cast<char>(b ^ 0x5a);
    f.seekp(static_cast<std::streamoff>(biggest / 2));
    f.write(&b, 1);
  }
  auto r = run("drill -r " + id_ + " --snapshot " + id_ + "-snap --quiet");
  EXPECT_EQ(r.exit_code, 9) << r.out << r.err;
  EXPECT_NE(r.out.find("FAILED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("index " + index_ + " (restored as"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("the drill disproves snapshot " + id_ + "-snap"), std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find("cleaned up: deleted " + index_ + "-drill-"), std::string::npos) << r.out;
  EXPECT_TRUE(scratch_left().empty()) << r.out;
}

// SIGTERM on two engines (Elasticsearch 8 and OpenSearch 2), not all: each run waits some 45 s
// for the engine to finish reading the throttled repository after the scratch index is gone.
class DrillSigterm : public DrillCluster {};

std::vector<test::StackEngine> sigterm_engines() {
  const auto& all = test::stack_engine_list();
  return {all.begin(), all.begin() + std::min<std::size_t>(2, all.size())};
}

TEST_P(DrillSigterm, SigtermMidRestoreExits130AndDeletesTheScratchIndex) {
  make_index(40, 500);  // ~20 KB: some 20 s at 1 KiB/s (the engine finishes reading after)
  register_repo();
  take_snapshot(id_ + "-snap");
  // Now throttle restores from the repository.
  register_repo(json{{"max_restore_bytes_per_sec", "1kb"}});
  const std::string dir = fs::temp_directory_path() / (id_ + "-run");
  fs::create_directories(dir);
  test::Command c;
  c.clear_env = true;
  c.env = {{"PATH", "/usr/bin:/bin"},
           {"HOME", "/nonexistent"},
           {"AWS_EC2_METADATA_DISABLED", "true"},
           {"BIN", ESSNAP_BINARY},
           {"URL", url_},
           {"REPO", id_},
           {"SCRATCH", index_ + "-x"},
           {"DIR", dir}};
  c.argv = {"bash", "-c",
            "cd \"$DIR\" || exit 99\n"
            "\"$BIN\" drill -r \"$REPO\" --into-suffix -x --url \"$URL\" --auth none "
            ">out 2>err & pid=$!\n"
            "for i in $(seq 300); do\n"
            "  curl -s -o /dev/null -w '%{http_code}' \"$URL/$SCRATCH\" | grep -q 200 && break\n"
            "  sleep 0.1\n"
            "done\n"
            "sleep 1; kill -TERM $pid; wait $pid; echo rc=$?; cat out; cat err >&2\n"};
  c.timeout = std::chrono::seconds(120);
  auto r = test::run(c);
  fs::remove_all(dir);
  EXPECT_NE(r.out.find("rc=130"), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.out.find("cleaned up: deleted " + index_ + "-x"), std::string::npos)
      << r.out << r.err;
  EXPECT_TRUE(scratch_left().empty()) << r.out << r.err;
}

INSTANTIATE_TEST_SUITE_P(Stack, DrillCluster, test::stack_engines(), test::stack_engine_name);
INSTANTIATE_TEST_SUITE_P(Stack, DrillSigterm, ::testing::ValuesIn(sigterm_engines()),
                         test::stack_engine_name);

}  // namespace
}  // namespace essnap
