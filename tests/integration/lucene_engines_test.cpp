// lucene/ on shards every engine of the stack snapshots now (not the checked-in fixtures): one
// index of several segments (flushed, force-merged, compound and not), deletes, updates of the
// same _id (soft deletes from 7.0), nested documents and routing, snapshotted into an fs
// repository under the engine's path.repo (on the S3 mount for most), then opened with
// lucene::open_shard straight from the repository's files: the segments, their maxDoc and live
// counts must equal the engine's _segments, the top-level live count its _count, the Lucene live
// count its _stats docs.count. Elasticsearch 6.8 is included as a source engine. Absent stack:
// FAIL when CI=true, else skip.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "essnap/blob/local_store.hpp"
#include "essnap/format/framing.hpp"
#include "essnap/format/shard_snapshot.hpp"
#include "essnap/inspect/docs.hpp"
#include "essnap/lucene/shard.hpp"
#include "support/cluster_fixture.hpp"
#include "support/essnap_process.hpp"
#include "support/stack_engines.hpp"
#include "support/stack_env.hpp"

namespace essnap {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::stack_var;

std::vector<test::StackEngine> engines() {
  auto v = test::stack_engine_list();
  for (const auto& e : test::stack_source_engine_list()) v.push_back(e);
  return v;
}

class LuceneEngines : public ::testing::TestWithParam<test::StackEngine> {
 protected:
  void SetUp() override {
    ESSNAP_REQUIRE_STACK(GetParam().url_var, GetParam().repo_var);
    url_ = stack_var(GetParam().url_var);
    id_ = test::test_id("lucidx");
    client_ = test::test_client(url_);
    location_ = stack_var(GetParam().repo_var) + "/" + id_;
    const std::string key = test::stack_engine_key(GetParam());
    typed_ = stack_var("ESSNAP_TEST_" + key + "_VERSION").rfind("6.", 0) == 0;
  }
  void TearDown() override {
    if (!client_) return;
    test::drop_repository(*client_, id_);
    (void)client_->json("DELETE", "/" + id_);
    std::error_code ec;
    fs::remove_all(location_, ec);
  }

  json call(const std::string& method, const std::string& path, std::optional<json> body = {}) {
    auto r = client_->json(method, path, std::move(body), http::Idempotency::kNonIdempotent);
    EXPECT_TRUE(r.ok()) << method << " " << path << ": " << r.error().message;
    return r.ok() ? *r : json();
  }
  void bulk(const std::string& body) {
    http::Request req;
    req.method = "POST";
    req.url = url_ + "/" + id_ + (typed_ ? "/_doc" : "") + "/_bulk";
    req.headers = {{"Content-Type", "application/x-ndjson"}};
    req.body = http::Body::from_string(body);
    auto r = client_->transport().send(std::move(req));
    ASSERT_TRUE(r.ok() && r->status == 200) << (r.ok() ? r->body : r.error().message);
    ASSERT_EQ(r->body.find("\"errors\":true"), std::string::npos) << r->body;
  }
  static std::string docs(int from, int to, int gen, const std::string& routing = "") {
    std::string b;
    for (int i = from; i <= to; ++i) {
      json meta{{"_id", std::to_string(i)}};
      if (!routing.empty()) meta["routing"] = routing;
      json src{{"title", "document " + std::to_string(i)}, {"n", i * 10 + gen}};
      if (i % 3 == 0) src["tags"] = json::array({{{"k", "a"}}, {{"k", "b"}}});
      b += json{{"index", meta}}.dump() + "\n" + src.dump() + "\n";
    }
    return b;
  }
  static std::string deletes(std::initializer_list<int> ids) {
    std::string b;
    for (int i : ids) b += json{{"delete", {{"_id", std::to_string(i)}}}}.dump() + "\n";
    return b;
  }
  void flush() {
    call("POST", "/" + id_ + "/_refresh");
    call("POST", "/" + id_ + "/_flush?force=true&wait_if_ongoing=true");
  }

  // The test index: `shards` primaries, no replicas, no refresh; title, n and nested tags.k.
  void create_index(int shards) {
    json mapping{
        {"properties",
         {{"title", {{"type", "text"}}},
          {"n", {{"type", "long"}}},
          {"tags", {{"type", "nested"}, {"properties", {{"k", {{"type", "keyword"}}}}}}}}}};
    call("PUT", "/" + id_,
         json{{"settings",
               {{"number_of_shards", shards}, {"number_of_replicas", 0}, {"refresh_interval", -1}}},
              {"mappings", typed_ ? json{{"_doc", mapping}} : mapping}});
  }

  std::string url_, id_, location_;
  bool typed_ = false;
  std::unique_ptr<cluster::Client> client_;
};

std::vector<std::uint8_t> read_bytes(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

TEST_P(LuceneEngines, OpensTheSnapshottedShardWithTheEnginesCounts) {
  create_index(1);
  bulk(docs(1, 30, 0));
  flush();
  bulk(docs(31, 60, 0) + deletes({2, 33}));
  flush();
  call("POST", "/" + id_ + "/_forcemerge?max_num_segments=1");
  call("PUT", "/" + id_ + "/_settings", json{{"index", {{"compound_format", "true"}}}});
  bulk(docs(61, 80, 0, "r1"));
  flush();
  call("PUT", "/" + id_ + "/_settings", json{{"index", {{"compound_format", "false"}}}});
  bulk(docs(1, 9, 1) + deletes({4, 62, 64}));
  bulk(docs(1, 3, 2));
  flush();

  const json segs = call("GET", "/" + id_ + "/_segments");
  const json shard_segs = segs["indices"][id_]["shards"]["0"][0]["segments"];
  const std::uint64_t count = call("GET", "/" + id_ + "/_count")["count"];
  const json stats = call("GET", "/" + id_ + "/_stats/docs")["indices"][id_]["primaries"]["docs"];

  call("PUT", "/_snapshot/" + id_,
       json{{"type", "fs"}, {"settings", {{"location", location_}, {"chunk_size", "8kb"}}}});
  call("PUT", "/_snapshot/" + id_ + "/s1?wait_for_completion=true",
       json{{"indices", id_}, {"include_global_state", false}});

  // the shard's folder: indices/<id>/0, or wherever hashed shard paths put it
  ASSERT_TRUE(fs::is_directory(location_)) << location_;
  std::string shard_dir;
  fs::path snap_file;
  for (const auto& e : fs::recursive_directory_iterator(location_)) {
    const std::string n = e.path().filename().string();
    if (e.is_regular_file() && n.rfind("snap-", 0) == 0 && e.path().parent_path() != location_) {
      shard_dir = fs::relative(e.path().parent_path(), location_).string();
      snap_file = e.path();
    }
  }
  ASSERT_FALSE(shard_dir.empty()) << "no shard snapshot under " << location_;
  auto doc = format::read_framed_blob(read_bytes(snap_file), format::kCodecSnapshot);
  ASSERT_TRUE(doc) << doc.error().message;
  auto snap = format::parse_shard_snapshot(*doc);
  ASSERT_TRUE(snap) << snap.error().message;

  blob::LocalStore store(location_);
  auto shard = lucene::open_shard(store, shard_dir, *snap);
  ASSERT_TRUE(shard) << shard.error().message;
  EXPECT_EQ(shard->segments.size(), shard_segs.size());
  for (const auto& s : shard->segments) {
    ASSERT_TRUE(shard_segs.contains(s.name())) << s.name();
    const json& w = shard_segs[s.name()];
    EXPECT_EQ(s.max_doc(), w["num_docs"].get<int>() + w["deleted_docs"].get<int>()) << s.name();
    EXPECT_EQ(s.live_count(), w["num_docs"].get<unsigned>()) << s.name();
  }
  EXPECT_EQ(shard->live_document_count(), count);
  EXPECT_EQ(shard->live_lucene_document_count(), stats["count"].get<std::uint64_t>());
}

// Documents read from the snapshot equal the engine's: every _id (numeric, UUID-like, unicode,
// 300 characters, auto-generated), _routing, and _source byte for byte as it was indexed (the
// last version after updates), deletions and nested children absent; two shards. Then the CLI:
// `inspect docs` prints the same lines, --id picks one, an index the snapshot lacks is exit 2.
TEST_P(LuceneEngines, DocumentsFromTheSnapshotAreTheEnginesDocuments) {
  create_index(2);
  // id -> (routing, the _source bytes last indexed)
  std::map<std::string, std::pair<std::string, std::string>> want;
  std::map<std::string, std::string> auto_sources;  // marker -> _source, for generated ids
  auto put = [&](const std::string& id, const std::string& routing, int gen) {
    json src{{"title", "doc " + id}, {"n", gen}};
    if (gen % 2 == 0) src["tags"] = json::array({{{"k", "x"}}, {{"k", "y"}}});
    json meta = json::object();
    if (!id.empty()) meta["_id"] = id;
    if (!routing.empty()) meta["routing"] = routing;
    const std::string body = json{{"index", meta}}.dump() + "\n" + src.dump() + "\n";
    bulk(body);
    if (!id.empty()) want[id] = {routing, src.dump()};
  };
  const std::string long_id(300, 'z');
  const std::vector<std::string> ids = {"1",
                                        "42",
                                        "0042",
                                        "9007199254740993",
                                        "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
                                        "k\u00e4se-\u6f22\u5b57-\U0001F600",
                                        long_id,
                                        "a b/c?d"};
  for (std::size_t i = 0; i < ids.size(); ++i)
    put(ids[i], i % 3 == 0 ? "r" + std::to_string(i) : "", 1);
  flush();
  for (int i = 0; i < 5; ++i) {  // auto-generated ids: matched by their "title" marker
    json src{{"title", "auto " + std::to_string(i)}, {"n", i}};
    bulk(json{{"index", json::object()}}.dump() + "\n" + src.dump() + "\n");
    auto_sources["auto " + std::to_string(i)] = src.dump();
  }
  put("42", "", 2);   // an update: the snapshot holds the new version only
  put("1", "r0", 4);  // updated with its routing
  bulk(json{{"delete", {{"_id", "0042"}}}}.dump() + "\n");
  want.erase("0042");
  flush();
  const std::uint64_t count = call("GET", "/" + id_ + "/_count")["count"];
  const json hits =
      call("POST", "/" + id_ + "/_search",
           json{{"size", 100}, {"query", {{"match_all", json::object()}}}})["hits"]["hits"];
  for (const auto& h : hits) {
    const std::string title = h["_source"]["title"];
    if (auto it = auto_sources.find(title); it != auto_sources.end())
      want[h["_id"].get<std::string>()] = {"", it->second};
  }
  ASSERT_EQ(want.size(), count);

  call("PUT", "/_snapshot/" + id_,
       json{{"type", "fs"}, {"settings", {{"location", location_}, {"chunk_size", "8kb"}}}});
  call("PUT", "/_snapshot/" + id_ + "/s1?wait_for_completion=true",
       json{{"indices", id_}, {"include_global_state", false}});

  blob::LocalStore store(location_);
  auto repo = inspect::Repository::open(store);
  ASSERT_TRUE(repo) << repo.error().message;
  std::vector<std::string> lines;
  inspect::DocsRequest req{"s1", id_, {}, std::nullopt};
  auto got = inspect::read_documents(**repo, req, [&](const std::string& line) -> Status {
    lines.push_back(line);
    return ok_status();
  });
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->shards, 2);
  EXPECT_GT(got->nested, 0);
  ASSERT_EQ(lines.size(), want.size());
  std::set<std::string> seen;
  for (const std::string& line : lines) {
    ASSERT_TRUE(line.size() > 2 && line.back() == '\n') << line;
    const json j = json::parse(line);
    const std::string id = j["_id"];
    ASSERT_TRUE(want.count(id)) << "not the engine's: " << line;
    EXPECT_TRUE(seen.insert(id).second) << "twice: " << id;
    const auto& [routing, source] = want[id];
    if (routing.empty())
      EXPECT_FALSE(j.contains("_routing")) << line;
    else
      EXPECT_EQ(j.value("_routing", ""), routing) << line;
    const std::string tail = "\"_source\":" + source + "}\n";
    ASSERT_GE(line.size(), tail.size());
    EXPECT_EQ(line.substr(line.size() - tail.size()), tail) << "not byte for byte: " << line;
  }

  auto cli = test::run_essnap_clean("inspect docs " + location_ + " s1 " + id_ + " --id 42 -q");
  EXPECT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_EQ(cli.out, "{\"_id\":\"42\",\"_source\":" + want["42"].second + "}\n");
  auto missing = test::run_essnap_clean("inspect docs " + location_ + " s1 no-such-index");
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
  EXPECT_NE(missing.err.find("no-such-index is not in snapshot s1"), std::string::npos)
      << missing.err;
}

INSTANTIATE_TEST_SUITE_P(Stack, LuceneEngines, ::testing::ValuesIn(engines()),
                         test::stack_engine_name);

}  // namespace
}  // namespace essnap
