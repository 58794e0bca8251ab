// `essnap export --from-snapshot` against the stack: an index of two shards on Elasticsearch 8
// and on OpenSearch 2 (updates, a delete, routing, nested documents, ids of several shapes),
// snapshotted into an fs repository under the engine's path.repo, exported from the repository
// alone (no cluster), then `essnap import`ed into an engine of the other family (Elasticsearch 8
// -> OpenSearch 3, OpenSearch 2 -> Elasticsearch 9): every document's _id, _routing and _source
// must equal the source index's. A two-share run (--shards 0/2, 1/2) writes one manifest with the
// same chunks as a run alone, written by the share that finished last. Absent stack: FAIL when
// CI=true, else skip. `copy --from-snapshot` loads the same documents with no file between.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "support/cluster_fixture.hpp"
#include "support/essnap_process.hpp"
#include "support/process.hpp"
#include "support/stack_env.hpp"

namespace essnap {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::stack_var;

struct Pair {
  const char* source_url;
  const char* source_repo;
  const char* target_url;
  const char* name;
  bool typed = false;  // Elasticsearch 6.8: mappings and bulk requests name the type _doc
};
void PrintTo(const Pair& p, std::ostream* os) {
  *os << p.source_url << " -> " << p.target_url;
}

class FromSnapshotEngines : public ::testing::TestWithParam<Pair> {
 protected:
  void SetUp() override {
    ESSNAP_REQUIRE_STACK(GetParam().source_url, GetParam().source_repo, GetParam().target_url);
    src_url_ = stack_var(GetParam().source_url);
    dst_url_ = stack_var(GetParam().target_url);
    id_ = test::test_id("fromsnap");
    src_ = test::test_client(src_url_);
    dst_ = test::test_client(dst_url_);
    location_ = stack_var(GetParam().source_repo) + "/" + id_;
    dir_ = fs::temp_directory_path() / id_;
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (src_) {
      test::drop_repository(*src_, id_);
      (void)src_->json("DELETE", "/" + id_);
    }
    if (dst_) (void)dst_->json("DELETE", "/" + id_);
    std::error_code ec;
    fs::remove_all(location_, ec);
    fs::remove_all(dir_, ec);
  }

  json call(cluster::Client& c, const std::string& method, const std::string& path,
            std::optional<json> body = {}) {
    auto r = c.json(method, path, std::move(body), http::Idempotency::kNonIdempotent);
    EXPECT_TRUE(r.ok()) << method << " " << path << ": " << r.error().message;
    return r.ok() ? *r : json();
  }
  void bulk(const std::string& body) {
    http::Request req;
    req.method = "POST";
    req.url = src_url_ + "/" + id_ + (GetParam().typed ? "/_doc/_bulk" : "/_bulk");
    req.headers = {{"Content-Type", "application/x-ndjson"}};
    req.body = http::Body::from_string(body);
    auto r = src_->transport().send(std::move(req));
    ASSERT_TRUE(r.ok() && r->status == 200) << (r.ok() ? r->body : r.error().message);
    ASSERT_EQ(r->body.find("\"errors\":true"), std::string::npos) << r->body;
  }
  // _id -> {_routing or "", _source as the engine returns it}
  std::map<std::string, std::pair<std::string, json>> documents(cluster::Client& c) {
    call(c, "POST", "/" + id_ + "/_refresh");
    const json hits =
        call(c, "POST", "/" + id_ + "/_search",
             json{{"size", 1000}, {"query", {{"match_all", json::object()}}}})["hits"]["hits"];
    std::map<std::string, std::pair<std::string, json>> out;
    for (const auto& h : hits)
      out[h["_id"].get<std::string>()] = {h.value("_routing", ""), h["_source"]};
    return out;
  }
  test::ProcessResult essnap(const std::string& args,
                             const std::map<std::string, std::string>& extra = {}) {
    test::Command c;
    c.clear_env = true;
    c.env = {
        {"PATH", "/usr/bin:/bin"}, {"HOME", dir_.string()}, {"AWS_EC2_METADATA_DISABLED", "true"}};
    for (const auto& [k, v] : extra) c.env[k] = v;
    c.argv = test::argv({ESSNAP_BINARY}, args);
    return test::run(c);
  }
  // Index, update, delete and snapshot.
  void make_snapshot() {
    json mapping{
        {"properties",
         {{"title", {{"type", "text"}}},
          {"n", {{"type", "long"}}},
          {"tags", {{"type", "nested"}, {"properties", {{"k", {{"type", "keyword"}}}}}}}}}};
    call(*src_, "PUT", "/" + id_,
         json{{"settings",
               {{"number_of_shards", 2}, {"number_of_replicas", 0}, {"refresh_interval", -1}}},
              {"mappings", GetParam().typed ? json{{"_doc", mapping}} : mapping}});
    std::string body;
    const std::vector<std::string> ids = {"1", "42", "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
                                          "k\u00e4se-\u6f22\u5b57", std::string(200, 'z')};
    for (int i = 0; i < 60; ++i) {
      const std::string id = i < static_cast<int>(ids.size()) ? ids[i] : "d" + std::to_string(i);
      json meta{{"_id", id}};
      if (i % 4 == 0) meta["routing"] = "r" + std::to_string(i % 3);
      json src{{"title", "doc " + id}, {"n", i}, {"f", 1.10}};
      if (i % 3 == 0) src["tags"] = json::array({{{"k", "x"}}, {{"k", "y"}}});
      body += json{{"index", meta}}.dump() + "\n" + src.dump() + "\n";
    }
    bulk(body);
    call(*src_, "POST", "/" + id_ + "/_flush");
    bulk(json{{"index", {{"_id", "42"}}}}.dump() + "\n" +
         json{{"title", "updated"}, {"n", 4242}}.dump() + "\n" +
         json{{"delete", {{"_id", "d7"}}}}.dump() + "\n" + json{{"index", json::object()}}.dump() +
         "\n" + json{{"title", "auto"}}.dump() + "\n");
    call(*src_, "POST", "/" + id_ + "/_refresh");
    call(*src_, "PUT", "/_snapshot/" + id_,
         json{{"type", "fs"}, {"settings", {{"location", location_}}}});
    call(*src_, "PUT", "/_snapshot/" + id_ + "/s1?wait_for_completion=true",
         json{{"indices", id_}, {"include_global_state", false}});
  }
  static json manifest(const fs::path& dir) {
    std::ifstream in(dir / "manifest.json");
    std::stringstream ss;
    ss << in.rdbuf();
    return json::parse(ss.str(), nullptr, false);
  }

  std::string src_url_, dst_url_, id_, location_;
  fs::path dir_;
  std::unique_ptr<cluster::Client> src_, dst_;
};

TEST_P(FromSnapshotEngines, ExportFromTheSnapshotImportsIntoTheOtherFamily) {
  make_snapshot();
  const auto want = documents(*src_);
  ASSERT_EQ(want.size(), 60u);  // 60 - 1 deleted + 1 auto-generated

  const fs::path out = dir_ / "export";
  auto e = essnap("export --from-snapshot " + location_ + " s1 -i " + id_ + " --to " +
                  out.string() + " --chunk-docs 7 -q");
  ASSERT_EQ(e.exit_code, 0) << e.out << e.err;
  const json m = manifest(out);
  ASSERT_TRUE(m.is_object());
  EXPECT_EQ(m["indices"][0]["slices"], 2);
  EXPECT_EQ(m["indices"][0]["documents"], 60);
  EXPECT_EQ(m["source"]["engine"],
            std::string(GetParam().source_url).find("OPENSEARCH") != std::string::npos
                ? "opensearch"
                : "elasticsearch");

  auto i = essnap("import --url " + dst_url_ + " --from " + out.string() + " --state-dir " +
                  (dir_ / "state").string() + " -q");
  ASSERT_EQ(i.exit_code, 0) << i.out << i.err;
  const auto got = documents(*dst_);
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [id, doc] : want) {
    auto it = got.find(id);
    ASSERT_NE(it, got.end()) << id;
    EXPECT_EQ(it->second.first, doc.first) << id;
    EXPECT_EQ(it->second.second, doc.second) << id;
  }

  // An index the snapshot lacks is named (exit 6); a resume of a finished export says so.
  auto missing = essnap("export --from-snapshot " + location_ + " s1 -i no-such-index --to " +
                        (dir_ / "none").string() + " -q");
  EXPECT_EQ(missing.exit_code, 6) << missing.err;
  EXPECT_NE(missing.err.find("no-such-index"), std::string::npos) << missing.err;
  auto again = essnap("export --from-snapshot " + location_ + " s1 -i " + id_ + " --to " +
                      out.string() + " --resume -q");
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("already complete"), std::string::npos) << again.err;
}

// copy --from-snapshot: the same documents straight into the other engine, nothing stored; a
// second copy into the same index is refused (exit 8), a resume of the finished copy loads
// nothing more.
TEST_P(FromSnapshotEngines, CopyFromTheSnapshotIntoTheOtherFamily) {
  make_snapshot();
  const auto want = documents(*src_);
  const std::string base = "copy --from-snapshot " + location_ + " s1 -i " + id_ + " --to-url " +
                           dst_url_ + " --chunk-docs 9 -q --state-dir " + (dir_ / "state").string();
  auto c = essnap(base);
  ASSERT_EQ(c.exit_code, 0) << c.out << c.err;
  const auto got = documents(*dst_);
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [id, doc] : want) {
    auto it = got.find(id);
    ASSERT_NE(it, got.end()) << id;
    EXPECT_EQ(it->second.first, doc.first) << id;
    EXPECT_EQ(it->second.second, doc.second) << id;
  }
  auto again = essnap(base);
  EXPECT_EQ(again.exit_code, 8) << again.err;
  auto resumed = essnap(base + " --resume");
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(documents(*dst_).size(), want.size());
}

TEST_P(FromSnapshotEngines, TwoSharesWriteOneManifest) {
  make_snapshot();
  const fs::path alone = dir_ / "alone", shared = dir_ / "shared";
  const std::string base =
      "export --from-snapshot " + location_ + " s1 -i " + id_ + " --chunk-docs 5 -q -o json --to ";
  auto a = essnap(base + alone.string());
  ASSERT_EQ(a.exit_code, 0) << a.err;
  auto s1 = essnap(base + shared.string() + " --shards 1/2");
  ASSERT_EQ(s1.exit_code, 0) << s1.err;
  EXPECT_FALSE(fs::exists(shared / "manifest.json"));
  EXPECT_NE(s1.out.find("shares_pending"), std::string::npos) << s1.out;
  auto s0 = essnap(base + shared.string() + " --shards 0/2");
  ASSERT_EQ(s0.exit_code, 0) << s0.err;
  EXPECT_TRUE(fs::exists(shared / "export-state-0-of-2.json"));
  EXPECT_TRUE(fs::exists(shared / "export-state-1-of-2.json"));
  const json ma = manifest(alone), ms = manifest(shared);
  ASSERT_TRUE(ms.is_object()) << s0.out;
  EXPECT_EQ(ms["indices"][0]["documents"], ma["indices"][0]["documents"]);
  ASSERT_EQ(ms["indices"][0]["chunks"].size(), ma["indices"][0]["chunks"].size());
  for (std::size_t k = 0; k < ma["indices"][0]["chunks"].size(); ++k)
    EXPECT_EQ(ms["indices"][0]["chunks"][k]["sha256"], ma["indices"][0]["chunks"][k]["sha256"]);
}

// Indices whose _source is not whole in the snapshot are refused by name before anything is
// written: Elasticsearch 9.2 leaves a dense_vector out of _source by default
// (index.mapping.exclude_source_vectors), and an index with _source disabled stores none.
TEST(FromSnapshotRefusals, IndicesWithoutACompleteSourceAreRefusedByName) {
  ESSNAP_REQUIRE_STACK("ESSNAP_TEST_ELASTICSEARCH9_URL", "ESSNAP_TEST_ELASTICSEARCH9_S3_REPO_PATH");
  const std::string url = stack_var("ESSNAP_TEST_ELASTICSEARCH9_URL");
  const std::string id = test::test_id("fromsnap");
  const std::string location = stack_var("ESSNAP_TEST_ELASTICSEARCH9_S3_REPO_PATH") + "/" + id;
  const fs::path out = fs::temp_directory_path() / id;
  auto c = test::test_client(url);
  auto call = [&](const std::string& method, const std::string& path, json body) {
    auto r = c->json(method, path, std::move(body), http::Idempotency::kNonIdempotent);
    EXPECT_TRUE(r.ok()) << method << " " << path << ": " << r.error().message;
  };
  const std::string vec = id + "-vec", nosrc = id + "-nosrc";
  call("PUT", "/" + vec,
       json{{"settings", {{"number_of_shards", 1}, {"number_of_replicas", 0}}},
            {"mappings", {{"properties", {{"v", {{"type", "dense_vector"}, {"dims", 3}}}}}}}});
  call("PUT", "/" + nosrc,
       json{{"settings", {{"number_of_shards", 1}, {"number_of_replicas", 0}}},
            {"mappings", {{"_source", {{"enabled", false}}}}}});
  call("PUT", "/" + vec + "/_doc/1?refresh=true", json{{"v", {1, 2, 3}}});
  call("PUT", "/" + nosrc + "/_doc/1?refresh=true", json{{"t", "x"}});
  call("PUT", "/_snapshot/" + id, json{{"type", "fs"}, {"settings", {{"location", location}}}});
  call("PUT", "/_snapshot/" + id + "/s1?wait_for_completion=true",
       json{{"indices", vec + "," + nosrc}, {"include_global_state", false}});
  auto run = [&](const std::string& index) {
    test::Command cmd;
    cmd.clear_env = true;
    cmd.env = {{"PATH", "/usr/bin:/bin"}, {"AWS_EC2_METADATA_DISABLED", "true"}};
    cmd.argv = test::argv({ESSNAP_BINARY}, "export --from-snapshot " + location + " s1 -i " +
                                               index + " --to " + out.string() + " -q");
    return test::run(cmd);
  };
  auto v = run(vec);
  EXPECT_EQ(v.exit_code, 8) << v.err;
  EXPECT_NE(v.err.find("index " + vec), std::string::npos) << v.err;
  EXPECT_NE(v.err.find("exclude_source_vectors"), std::string::npos) << v.err;
  auto n = run(nosrc);
  EXPECT_EQ(n.exit_code, 8) << n.err;
  EXPECT_NE(n.err.find("index " + nosrc), std::string::npos) << n.err;
  EXPECT_NE(n.err.find("_source.enabled: false"), std::string::npos) << n.err;
  EXPECT_FALSE(fs::exists(out)) << "nothing may be written";
  test::drop_repository(*c, id);
  (void)c->json("DELETE", "/" + vec + "," + nosrc);
  std::error_code ec;
  fs::remove_all(location, ec);
  fs::remove_all(out, ec);
}

// Ctrl-C after the third chunk (the real SIGINT path), then --resume: the export ends with exactly
// the chunks of a run that was never interrupted.
TEST_P(FromSnapshotEngines, InterruptedExportResumesToTheSameChunks) {
  make_snapshot();
  const fs::path alone = dir_ / "alone", cut = dir_ / "cut";
  const std::string base =
      "export --from-snapshot " + location_ + " s1 -i " + id_ + " --chunk-docs 5 -q --to ";
  ASSERT_EQ(essnap(base + alone.string()).exit_code, 0);
  auto stopped = essnap(base + cut.string(), {{"ESSNAP_TEST_STOP_AFTER_CHUNKS", "3"}});
  ASSERT_EQ(stopped.exit_code, 130) << stopped.err;
  EXPECT_NE(stopped.err.find("--resume"), std::string::npos) << stopped.err;
  EXPECT_FALSE(fs::exists(cut / "manifest.json"));
  EXPECT_TRUE(fs::exists(cut / "export-state.json"));
  auto resumed = essnap(base + cut.string() + " --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const json ma = manifest(alone), mc = manifest(cut);
  ASSERT_TRUE(mc.is_object());
  ASSERT_EQ(mc["indices"][0]["chunks"].size(), ma["indices"][0]["chunks"].size());
  for (std::size_t k = 0; k < ma["indices"][0]["chunks"].size(); ++k)
    EXPECT_EQ(mc["indices"][0]["chunks"][k]["sha256"], ma["indices"][0]["chunks"][k]["sha256"]);
}

// A data stream in the snapshot: its name selects its backing indices, which the export marks
// with it, so import makes the stream again with every document. OpenSearch 2 -> 3: both delete
// a data stream (the stack's Elasticsearch 8 has no data stream API, so one made there stays).
TEST(FromSnapshotDataStreams, AStreamsNameExportsItsBackingIndicesAsTheStream) {
  ESSNAP_REQUIRE_STACK("ESSNAP_TEST_OPENSEARCH_URL", "ESSNAP_TEST_S3_REPO_PATH",
                       "ESSNAP_TEST_OPENSEARCH3_URL");
  const std::string src_url = stack_var("ESSNAP_TEST_OPENSEARCH_URL");
  const std::string dst_url = stack_var("ESSNAP_TEST_OPENSEARCH3_URL");
  const std::string id = test::test_id("fromsnap");
  const std::string stream = id + "-logs";
  const std::string location = stack_var("ESSNAP_TEST_S3_REPO_PATH") + "/" + id;
  const fs::path dir = fs::temp_directory_path() / id;
  auto src = test::test_client(src_url);
  auto dst = test::test_client(dst_url);
  auto call = [&](cluster::Client& c, const std::string& method, const std::string& path,
                  std::optional<json> body = {}) {
    auto r = c.json(method, path, std::move(body), http::Idempotency::kNonIdempotent);
    EXPECT_TRUE(r.ok()) << method << " " << path << ": " << r.error().message;
    return r.ok() ? *r : json();
  };
  call(*src, "PUT", "/_index_template/" + id,
       json{{"index_patterns", {stream + "*"}},
            {"data_stream", json::object()},
            {"priority", 500},
            {"template", {{"settings", {{"number_of_shards", 1}, {"number_of_replicas", 0}}}}}});
  for (int i = 0; i < 7; ++i)
    call(*src, "POST", "/" + stream + "/_doc?refresh=true",
         json{{"@timestamp", "2026-12-07T10:00:0" + std::to_string(i) + "Z"}, {"n", i}});
  call(*src, "POST", "/" + stream + "/_rollover");
  for (int i = 7; i < 10; ++i)
    call(*src, "POST", "/" + stream + "/_doc?refresh=true",
         json{{"@timestamp", "2026-12-07T10:00:0" + std::to_string(i) + "Z"}, {"n", i}});
  call(*src, "PUT", "/_snapshot/" + id,
       json{{"type", "fs"}, {"settings", {{"location", location}}}});
  call(*src, "PUT", "/_snapshot/" + id + "/s1?wait_for_completion=true",
       json{{"indices", stream}, {"include_global_state", false}});

  auto essnap = [&](const std::string& args) {
    test::Command c;
    c.clear_env = true;
    c.env = {{"PATH", "/usr/bin:/bin"}, {"AWS_EC2_METADATA_DISABLED", "true"}};
    c.argv = test::argv({ESSNAP_BINARY}, args);
    return test::run(c);
  };
  const fs::path out = dir / "export";
  auto e = essnap("export --from-snapshot " + location + " s1 -i " + stream + " --to " +
                  out.string() + " -q");
  EXPECT_EQ(e.exit_code, 0) << e.err;
  std::ifstream in(out / "manifest.json");
  std::stringstream ss;
  ss << in.rdbuf();
  const json m = json::parse(ss.str(), nullptr, false);
  ASSERT_TRUE(m.is_object()) << e.err;
  ASSERT_EQ(m["indices"].size(), 2u);
  for (const auto& i : m["indices"]) {
    EXPECT_EQ(i["data_stream"]["name"], stream) << i.dump();
    EXPECT_EQ(i["data_stream"]["timestamp_field"], "@timestamp");
  }
  auto imp = essnap("import --url " + dst_url + " --from " + out.string() + " --state-dir " +
                    (dir / "state").string() + " -q");
  EXPECT_EQ(imp.exit_code, 0) << imp.out << imp.err;
  call(*dst, "POST", "/" + stream + "/_refresh");
  EXPECT_EQ(call(*dst, "GET", "/" + stream + "/_count")["count"], 10);
  EXPECT_TRUE(call(*dst, "GET", "/_data_stream/" + stream).contains("data_streams"));

  (void)dst->json("DELETE", "/_data_stream/" + stream);
  (void)dst->json("DELETE", "/_index_template/essnap-" + stream);
  test::drop_repository(*src, id);
  (void)src->json("DELETE", "/_data_stream/" + stream);
  (void)src->json("DELETE", "/_index_template/" + id);
  std::error_code ec;
  fs::remove_all(location, ec);
  fs::remove_all(dir, ec);
}

// Across family and major: Elasticsearch 8 -> OpenSearch 3 and OpenSearch 2 -> Elasticsearch 9,
// and the issue's own examples, Elasticsearch 6.8 -> OpenSearch 3 and OpenSearch 1 ->
// Elasticsearch 9 (no restore path joins either pair).
INSTANTIATE_TEST_SUITE_P(
    Stack, FromSnapshotEngines,
    ::testing::Values(Pair{"ESSNAP_TEST_ELASTICSEARCH_URL", "ESSNAP_TEST_FS_REPO_PATH",
                           "ESSNAP_TEST_OPENSEARCH3_URL", "Elasticsearch8ToOpenSearch3"},
                      Pair{"ESSNAP_TEST_OPENSEARCH_URL", "ESSNAP_TEST_S3_REPO_PATH",
                           "ESSNAP_TEST_ELASTICSEARCH9_URL", "OpenSearch2ToElasticsearch9"},
                      Pair{"ESSNAP_TEST_ELASTICSEARCH6_URL",
                           "ESSNAP_TEST_ELASTICSEARCH6_S3_REPO_PATH", "ESSNAP_TEST_OPENSEARCH3_URL",
                           "Elasticsearch6ToOpenSearch3", true},
                      Pair{"ESSNAP_TEST_OPENSEARCH1_URL", "ESSNAP_TEST_OPENSEARCH1_S3_REPO_PATH",
                           "ESSNAP_TEST_ELASTICSEARCH9_URL", "OpenSearch1ToElasticsearch9"}),
    [](const ::testing::TestParamInfo<Pair>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace essnap
