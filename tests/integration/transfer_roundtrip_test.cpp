// essnap export / import / copy on the real engines of the stack: round trips OpenSearch 2 ->
// Elasticsearch 8 (local directory), Elasticsearch 8 -> OpenSearch 2 -> Elasticsearch 8 (through
// S3, twice), copies Elasticsearch 8 -> OpenSearch 3 and Elasticsearch 8 -> OpenSearch 2; documents
// compared exactly (ids, routing, sources) and mappings checked; interrupted export, import and
// copy resumed (SIGINT after N chunks, ESSNAP_TEST_STOP_AFTER_CHUNKS) to identical results; a
// rejected document in the errors file with exit 9; a corrupted chunk refused and named; an
// existing target refused (exit 8) and untouched; an empty index. The documents have nested and
// binary fields, custom routing, escapes, non-ASCII text and pretty-printed sources.
// TransferEngines: on every engine of the stack (Elasticsearch 7.10/7.17/8/9, OpenSearch 1/2/3),
// export to a directory and import back under a new name, then copy into OpenSearch 2 — every
// document identical (ids, routing, sources).
// Absent stack: FAIL when CI=true, else skip.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "essnap/aws/credentials.hpp"
#include "essnap/blob/blob_store.hpp"
#include "essnap/cluster/client.hpp"
#include "essnap/http/factory.hpp"
#include "essnap/s3/client.hpp"
#include "essnap/util/crypto.hpp"
#include "support/cluster_fixture.hpp"
#include "support/process.hpp"
#include "support/stack_engines.hpp"
#include "support/stack_env.hpp"

namespace essnap {
namespace {

namespace fs = std::filesystem;
using test::stack_var;

struct Doc {
  std::string routing;
  nlohmann::json source;
  bool operator==(const Doc&) const = default;
};
using Docs = std::map<std::string, Doc>;

std::string read_roundtrip_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class TransferStack : public ::testing::Test {
 protected:
  void SetUp() override {
    ESSNAP_REQUIRE_STACK("ESSNAP_TEST_OPENSEARCH_URL", "ESSNAP_TEST_ELASTICSEARCH_URL",
                         "ESSNAP_TEST_OPENSEARCH3_URL", "ESSNAP_TEST_S3_ENDPOINT");
    os2_ = stack_var("ESSNAP_TEST_OPENSEARCH_URL");
    es8_ = stack_var("ESSNAP_TEST_ELASTICSEARCH_URL");
    os3_ = stack_var("ESSNAP_TEST_OPENSEARCH3_URL");
    id_ = test::test_id("xfer");
    dir_ = fs::temp_directory_path() / id_;
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "state");
    auto transport = http::make_transport({});
    s3::Client s3c(*transport, s3_options());
    auto bucket = s3c.create_bucket({kBucket, ""});
    ASSERT_TRUE(bucket.ok()) << bucket.error().message;
  }
  void TearDown() override {
    if (id_.empty()) return;  // skipped before anything was made
    for (const auto& [url, index] : created_) {
      auto c = test::test_client(url);
      (void)c->json("DELETE", "/" + index);
    }
    // Data streams before the templates that made them.
    for (const auto& [url, path] : created_paths_) {
      auto c = test::test_client(url);
      (void)c->json("DELETE", path);
    }
    fs::remove_all(dir_);
    // The test's S3 objects.
    auto transport = http::make_transport({});
    s3::Client s3c(*transport, s3_options());
    if (auto objects = s3c.list_all(kBucket, id_ + "/"); objects.ok())
      for (const auto& obj : *objects) (void)s3c.delete_object({kBucket, obj.key});
  }

  std::string index(const std::string& suffix) const { return id_ + "-" + suffix; }
  // A bucket of these tests' own (created once, emptied after each test): other suites change
  // the shared bucket's settings (default encryption, which this S3 server cannot apply).
  static constexpr const char* kBucket = "essnap-transfer-tests";
  std::string s3_uri(const std::string& name) const {
    return std::string("s3://") + kBucket + "/" + id_ + "/" + name;
  }
  s3::ClientOptions s3_options() const {
    s3::ClientOptions o;
    o.endpoint = {stack_var("ESSNAP_TEST_S3_ENDPOINT"), "test"};
    o.region = stack_var("ESSNAP_TEST_S3_REGION");
    o.credentials = aws::make_static_provider({stack_var("ESSNAP_TEST_S3_ACCESS_KEY_ID"),
                                               stack_var("ESSNAP_TEST_S3_SECRET_ACCESS_KEY"), "",
                                               std::nullopt, "test"});
    return o;
  }

  // Registers the index for deletion at the end.
  void track(const std::string& url, const std::string& name) { created_.emplace_back(url, name); }
  // Registers a path to DELETE at the end (data streams, index templates), in order.
  void track_path(const std::string& url, const std::string& path) {
    created_paths_.emplace_back(url, path);
  }

  // The source index: 3 shards, nested and binary fields, routing on every 7th document, escapes,
  // non-ASCII and one pretty-printed source.
  void make_source(const std::string& url, const std::string& name, int docs) {
    track(url, name);
    auto c = test::test_client(url);
    auto created =
        c->json("PUT", "/" + name,
                nlohmann::json::parse(R"({"settings":{"number_of_shards":3,"number_of_replicas":0},
          "mappings":{"properties":{"n":{"type":"long"},"t":{"type":"keyword"},"txt":{"type":"text"},
          "nest":{"type":"nested","properties":{"a":{"type":"long"},"b":{"type":"keyword"}}},
          "bin":{"type":"binary"}}}})"));
    ASSERT_TRUE(created.ok()) << created.error().message;
    std::string bulk;
    for (int i = 0; i < docs; ++i) {
      nlohmann::json action{
          {"index", {{"_id", "doc-" + std::to_string(i) + (i % 11 == 0 ? "/é \"q\"" : "")}}}};
      if (i % 7 == 0) action["index"]["routing"] = "r" + std::to_string(i % 5);
      bulk += action.dump() + "\n";
      nlohmann::json src{{"n", i},
                         {"t", "tag" + std::to_string(i % 13)},
                         {"txt", "ünïcode line\nwith \"quotes\" and \\ " +
                                     std::string(static_cast<std::size_t>(i % 300), 'x')},
                         {"nest", {{{"a", i}, {"b", "x"}}, {{"a", -i}, {"b", "y"}}}},
                         {"bin", "AAECAwQF/w=="}};
      bulk += src.dump() + "\n";
    }
    bulk += R"({"index":{"_id":"pretty"}})"
            "\n"
            R"({ "n" : 1.10 , "t" : "p" })"
            "\n";
    post_bulk(url, name, bulk);
  }

  // POST /TARGET/_bulk?refresh=true with an NDJSON body; every item must succeed.
  void post_bulk(const std::string& url, const std::string& target, const std::string& ndjson) {
    auto c = test::test_client(url);
    http::Request r;
    r.method = "POST";
    r.url = url + "/" + target + "/_bulk?refresh=true";
    r.headers = {{"Content-Type", "application/x-ndjson"}};
    r.body = http::Body::from_string(ndjson);
    auto resp = c->transport().send(r);
    ASSERT_TRUE(resp.ok()) << resp.error().message;
    ASSERT_EQ(resp->status, 200) << resp->body.substr(0, 500);
    ASSERT_EQ(nlohmann::json::parse(resp->body)["errors"], false) << resp->body.substr(0, 500);
  }

  // Every document of an index, by id.
  Docs all_docs(const std::string& url, const std::string& name) {
    auto c = test::test_client(url);
    Docs out;
    auto page = c->json("POST", "/" + name + "/_search?scroll=1m",
                        nlohmann::json{{"size", 1000}, {"sort", {"_doc"}}});
    EXPECT_TRUE(page.ok()) << page.error().message;
    while (page.ok() && !(*page)["hits"]["hits"].empty()) {
      for (const auto& h : (*page)["hits"]["hits"])
        out[h["_id"].get<std::string>()] = Doc{h.value("_routing", ""), h["_source"]};
      page = c->json("POST", "/_search/scroll",
                     nlohmann::json{{"scroll", "1m"}, {"scroll_id", (*page)["_scroll_id"]}});
    }
    return out;
  }

  nlohmann::json properties(const std::string& url, const std::string& name) {
    auto c = test::test_client(url);
    auto m = c->json("GET", "/" + name + "/_mapping");
    EXPECT_TRUE(m.ok());
    return m.ok() ? (*m)[name]["mappings"]["properties"] : nlohmann::json();
  }

  long long count(const std::string& url, const std::string& name) {
    auto c = test::test_client(url);
    (void)c->json("POST", "/" + name + "/_refresh");
    auto j = c->json("GET", "/" + name + "/_count");
    return j.ok() ? (*j)["count"].get<long long>() : -1;
  }

  test::ProcessResult essnap(const std::string& args,
                             std::map<std::string, std::string> extra = {}) {
    test::Command c;
    c.clear_env = true;
    c.env = {{"PATH", "/usr/bin:/bin"},
             {"HOME", dir_.string()},
             {"AWS_EC2_METADATA_DISABLED", "true"},
             {"AWS_ACCESS_KEY_ID", stack_var("ESSNAP_TEST_S3_ACCESS_KEY_ID")},
             {"AWS_SECRET_ACCESS_KEY", stack_var("ESSNAP_TEST_S3_SECRET_ACCESS_KEY")},
             {"AWS_REGION", stack_var("ESSNAP_TEST_S3_REGION")},
             {"AWS_ENDPOINT_URL_S3", stack_var("ESSNAP_TEST_S3_ENDPOINT")}};
    for (auto& [k, v] : extra) c.env[k] = v;
    // import and copy keep their state in the test's directory (export keeps it in --to).
    const bool local_state =
        args.find("import ") != std::string::npos || args.find("copy ") != std::string::npos;
    c.argv = test::argv({ESSNAP_BINARY},
                        args + (local_state ? " --state-dir " + (dir_ / "state").string() : ""));
    return test::run(c);
  }

  // SHA-256 of every chunk file of a local export, by name.
  std::map<std::string, std::string> chunk_digests(const fs::path& root) {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(root))
      if (e.path().string().find(".ndjson") != std::string::npos)
        out[fs::relative(e.path(), root).string()] =
            util::sha256_hex(read_roundtrip_file(e.path().string()));
    return out;
  }

  std::string os2_, es8_, os3_, id_;
  fs::path dir_;
  std::vector<std::pair<std::string, std::string>> created_;
  std::vector<std::pair<std::string, std::string>> created_paths_;
};

TEST_F(TransferStack, OpenSearch2ToElasticsearch8ThroughALocalDirectory) {
  const std::string src = index("src");
  make_source(os2_, src, 3000);
  const std::string out = (dir_ / "exp").string();
  auto e = essnap("export --url " + os2_ + " -i " + src + " --to " + out +
                  " --chunk-docs 500 --slices 2 --page-size 450");
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_NE(e.out.find("exported 3001 of 3001 documents"), std::string::npos) << e.out;
  const auto manifest = nlohmann::json::parse(read_roundtrip_file(out + "/manifest.json"));
  EXPECT_EQ(manifest["source"]["engine"], "opensearch");
  EXPECT_EQ(manifest["indices"][0]["documents"], 3001);
  EXPECT_GE(manifest["indices"][0]["chunks"].size(), 7u);
  const auto def = nlohmann::json::parse(read_roundtrip_file(out + "/" + src + "/index.json"));
  EXPECT_FALSE(def["settings"].contains("index.uuid"));
  EXPECT_FALSE(def["settings"].contains("index.creation_date"));
  EXPECT_FALSE(def["settings"].contains("index.provided_name"));

  track(es8_, src);
  auto i = essnap("import --url " + es8_ + " --from " + out);
  ASSERT_EQ(i.exit_code, 0) << i.err;
  EXPECT_NE(i.err.find("removed setting index.replication.type"), std::string::npos) << i.err;
  EXPECT_EQ(all_docs(es8_, src), all_docs(os2_, src));
  EXPECT_EQ(properties(es8_, src), properties(os2_, src));
}

TEST_F(TransferStack, Elasticsearch8ToOpenSearch2AndBackThroughS3) {
  const std::string src = index("src");
  make_source(es8_, src, 2500);
  const std::string there = s3_uri("there"), back = s3_uri("back");
  auto e = essnap("export --url " + es8_ + " -i " + src + " --to " + there + " --chunk-docs 400");
  ASSERT_EQ(e.exit_code, 0) << e.err;
  const std::string mid = src + "-os";
  track(os2_, mid);
  auto i = essnap("import --url " + os2_ + " --from " + there + " --rename " + src + "=" + mid);
  ASSERT_EQ(i.exit_code, 0) << i.err;
  EXPECT_NE(i.err.find("removed setting index.routing.allocation.include._tier_preference"),
            std::string::npos)
      << i.err;
  auto e2 = essnap("export --url " + os2_ + " -i " + mid + " --to " + back + " --compress gzip");
  ASSERT_EQ(e2.exit_code, 0) << e2.err;
  const std::string home = src + "-back";
  track(es8_, home);
  auto i2 = essnap("import --url " + es8_ + " --from " + back + " --rename " + mid + "=" + home);
  ASSERT_EQ(i2.exit_code, 0) << i2.err;
  const Docs original = all_docs(es8_, src);
  EXPECT_EQ(original.size(), 2501u);
  EXPECT_EQ(all_docs(os2_, mid), original);
  EXPECT_EQ(all_docs(es8_, home), original);
  EXPECT_EQ(properties(es8_, home), properties(es8_, src));
}

TEST_F(TransferStack, CopyElasticsearch8ToOpenSearch3) {
  const std::string src = index("src");
  make_source(es8_, src, 2000);
  track(os3_, src + "-c");
  auto c = essnap("-o json copy --url " + es8_ + " --to-url " + os3_ + " -i " + src +
                  " --rename-suffix -c");
  ASSERT_EQ(c.exit_code, 0) << c.err << c.out;
  // -o json: one document on stdout (the per-index summary), chunk events on stderr.
  const auto doc = nlohmann::json::parse(c.out, nullptr, false);
  ASSERT_TRUE(doc.is_object() && doc["indices"].is_array()) << c.out;
  EXPECT_NE(c.err.find("\"event\":\"chunk\""), std::string::npos) << c.err;
  EXPECT_EQ(all_docs(os3_, src + "-c"), all_docs(es8_, src));
  EXPECT_EQ(properties(os3_, src + "-c"), properties(es8_, src));
}

TEST_F(TransferStack, InterruptedCopyElasticsearch8ToOpenSearch2ResumesToTheSameResult) {
  const std::string src = index("src");
  make_source(es8_, src, 3000);
  const std::string dst = src + "-c";
  track(os2_, dst);
  const std::string cmd = "copy --url " + es8_ + " --to-url " + os2_ + " -i " + src +
                          " --rename-suffix -c --concurrency 1 --chunk-docs 200";
  auto first = essnap(cmd, {{"ESSNAP_TEST_STOP_AFTER_CHUNKS", "2"}});
  ASSERT_EQ(first.exit_code, 130) << first.err;
  EXPECT_NE(first.err.find("--resume"), std::string::npos) << first.err;
  EXPECT_LT(count(os2_, dst), 3001);
  auto again = essnap(cmd);  // without --resume: the half-filled target is refused
  EXPECT_EQ(again.exit_code, 8) << again.err;
  auto resumed = essnap(cmd + " --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(all_docs(os2_, dst), all_docs(es8_, src));
  EXPECT_EQ(properties(os2_, dst), properties(es8_, src));
}

TEST_F(TransferStack, InterruptedExportResumesToIdenticalFiles) {
  const std::string src = index("src");
  make_source(es8_, src, 3000);
  const fs::path a = dir_ / "a", b = dir_ / "b";
  const std::string opts = " -i " + src + " --chunk-docs 300 --slices 2 --page-size 700";
  auto cut = essnap("export --url " + es8_ + opts + " --to " + a.string(),
                    {{"ESSNAP_TEST_STOP_AFTER_CHUNKS", "3"}});
  ASSERT_EQ(cut.exit_code, 130) << cut.err;
  EXPECT_FALSE(fs::exists(a / "manifest.json"));
  auto refused = essnap("export --url " + es8_ + opts + " --to " + a.string());
  EXPECT_EQ(refused.exit_code, 8) << refused.err;
  auto resumed =
      essnap("export --url " + es8_ + " -i " + src + " --to " + a.string() + " --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  auto whole = essnap("export --url " + es8_ + opts + " --to " + b.string());
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  const auto da = chunk_digests(a), db = chunk_digests(b);
  EXPECT_GE(da.size(), 10u);
  EXPECT_EQ(da, db);
  auto ma = nlohmann::json::parse(read_roundtrip_file((a / "manifest.json").string()));
  auto mb = nlohmann::json::parse(read_roundtrip_file((b / "manifest.json").string()));
  EXPECT_EQ(ma["indices"], mb["indices"]);
}

TEST_F(TransferStack, InterruptedImportResumes) {
  const std::string src = index("src");
  make_source(os2_, src, 3000);
  const std::string out = (dir_ / "exp").string();
  ASSERT_EQ(essnap("export --url " + os2_ + " -i " + src + " --to " + out +
                   " --chunk-docs 300 --compress none")
                .exit_code,
            0);
  EXPECT_TRUE(fs::exists(dir_ / "exp" / src / "000-000000.ndjson"));
  const std::string dst = src + "-i";
  track(os3_, dst);
  // Windows of 4 KiB: each chunk of 300 documents is loaded in several parts, interrupted and not.
  const std::string cmd = "import --url " + os3_ + " --from " + out +
                          " --rename-suffix -i --concurrency 1 --window-bytes 4096";
  auto cut = essnap(cmd, {{"ESSNAP_TEST_STOP_AFTER_CHUNKS", "2"}});
  ASSERT_EQ(cut.exit_code, 130) << cut.err;
  auto resumed = essnap(cmd + " --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(all_docs(os3_, dst), all_docs(os2_, src));
}

TEST_F(TransferStack, RejectedDocumentsGoToTheErrorsFileAndExit9) {
  const std::string src = index("src");
  make_source(os2_, src, 500);
  const std::string out = (dir_ / "exp").string();
  ASSERT_EQ(essnap("export --url " + os2_ + " -i " + src + " --to " + out).exit_code, 0);
  // The target maps t as a long: every source value ("tagN", "p") is refused.
  const std::string dst = src + "-bad";
  track(es8_, dst);
  auto c = test::test_client(es8_);
  ASSERT_TRUE(c->json("PUT", "/" + dst,
                      nlohmann::json::parse(R"({"mappings":{"properties":{"t":{"type":"long"}}}})"))
                  .ok());
  const std::string errors = (dir_ / "rejected.ndjson").string();
  auto i = essnap("import --url " + es8_ + " --from " + out +
                  " --rename-suffix -bad --append --errors " + errors);
  EXPECT_EQ(i.exit_code, 9) << i.err;
  EXPECT_NE(i.err.find("501 document(s) rejected"), std::string::npos) << i.err;
  std::ifstream in(errors);
  int lines = 0;
  for (std::string line; std::getline(in, line); ++lines) {
    auto j = nlohmann::json::parse(line);
    EXPECT_EQ(j["index"], dst);
    EXPECT_EQ(j["status"], 400);
    EXPECT_TRUE(j["_id"].is_string());
    EXPECT_TRUE(j["error"]["type"].is_string());
  }
  EXPECT_EQ(lines, 501);  // every document, "pretty" (t: "p") included
  EXPECT_EQ(count(es8_, dst), 0);
}

TEST_F(TransferStack, CorruptedChunkIsRefusedAndNamed) {
  const std::string src = index("src");
  make_source(os2_, src, 1000);
  const fs::path out = dir_ / "exp";
  ASSERT_EQ(essnap("export --url " + os2_ + " -i " + src + " --to " + out.string() +
                   " --chunk-docs 200 --slices 1")
                .exit_code,
            0);
  const fs::path victim = out / src / "000-000001.ndjson.zst";
  std::string bytes = read_roundtrip_file(victim.string());
  ASSERT_GT(bytes.size(), 20u);
  bytes[bytes.size() / 2] ^= 0x5a;
  std::ofstream(victim, std::ios::binary | std::ios::trunc) << bytes;
  const std::string dst = src + "-x";
  track(es8_, dst);
  auto i = essnap("import --url " + es8_ + " --from " + out.string() + " --rename-suffix -x");
  EXPECT_EQ(i.exit_code, 9) << i.err;
  EXPECT_NE(i.err.find("000-000001.ndjson.zst"), std::string::npos) << i.err;
  EXPECT_NE(i.err.find("SHA-256"), std::string::npos) << i.err;
  EXPECT_EQ(count(es8_, dst), 1001 - 200);
}

TEST_F(TransferStack, ExistingTargetIsRefusedAndUntouched) {
  const std::string src = index("src");
  make_source(os2_, src, 100);
  const std::string out = (dir_ / "exp").string();
  ASSERT_EQ(essnap("export --url " + os2_ + " -i " + src + " --to " + out).exit_code, 0);
  auto again = essnap("export --url " + os2_ + " -i " + src + " --to " + out);
  EXPECT_EQ(again.exit_code, 8) << again.err;
  track(os3_, src);
  auto c = test::test_client(os3_);
  ASSERT_TRUE(
      c->json("PUT", "/" + src + "/_doc/keep?refresh=true", nlohmann::json{{"mine", true}}).ok());
  auto i = essnap("import --url " + os3_ + " --from " + out);
  EXPECT_EQ(i.exit_code, 8) << i.err;
  EXPECT_NE(i.err.find("--append"), std::string::npos) << i.err;
  EXPECT_EQ(count(os3_, src), 1);
}

TEST_F(TransferStack, EmptyIndexRoundTrips) {
  const std::string src = index("empty");
  track(es8_, src);
  auto c = test::test_client(es8_);
  ASSERT_TRUE(
      c->json("PUT", "/" + src,
              nlohmann::json::parse(R"({"mappings":{"properties":{"k":{"type":"keyword"}}}})"))
          .ok());
  const std::string out = s3_uri("empty");
  auto e = essnap("export --url " + es8_ + " -i " + src + " --to " + out);
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_NE(e.out.find("exported 0 of 0 documents"), std::string::npos) << e.out;
  track(os2_, src);
  auto i = essnap("import --url " + os2_ + " --from " + out);
  ASSERT_EQ(i.exit_code, 0) << i.err;
  EXPECT_EQ(count(os2_, src), 0);
  EXPECT_EQ(properties(os2_, src), properties(es8_, src));
}

// --read-strategy search-after (what an OpenSearch Serverless source is read with: no scroll
// there) on the real engines: export OpenSearch 2 -> import OpenSearch 3 and copy OpenSearch 3 ->
// OpenSearch 2, every document identical, one stream per index.
TEST_F(TransferStack, SearchAfterReadsEveryDocumentOnOpenSearch) {
  const std::string src = index("sa");
  make_source(os2_, src, 2500);
  const auto original = all_docs(os2_, src);
  ASSERT_EQ(original.size(), 2501u);
  const std::string out = (dir_ / "sa").string();
  auto e = essnap("export --url " + os2_ + " -i " + src + " --to " + out +
                  " --read-strategy search-after --page-size 400 --chunk-docs 700");
  ASSERT_EQ(e.exit_code, 0) << e.err << e.out;
  const auto manifest = nlohmann::json::parse(read_roundtrip_file(out + "/manifest.json"));
  EXPECT_EQ(manifest["indices"][0]["slices"], 1);
  EXPECT_EQ(manifest["indices"][0]["documents"], 2501);
  track(os3_, src);
  auto i = essnap("import --url " + os3_ + " --from " + out);
  ASSERT_EQ(i.exit_code, 0) << i.err << i.out;
  EXPECT_EQ(all_docs(os3_, src), original);
  track(os2_, src + "-back");
  auto c = essnap("copy --url " + os3_ + " --to-url " + os2_ + " -i " + src +
                  " --rename-suffix -back --read-strategy search-after");
  ASSERT_EQ(c.exit_code, 0) << c.err << c.out;
  EXPECT_EQ(all_docs(os2_, src + "-back"), original);
}

// Field types one engine has and the other lacks, as the engines themselves answer: the copy
// mends the mapping (equivalent type, else a disabled object; refused parameters and root
// entries removed), reports every change, and the documents arrive identical and searchable
// where the target can search them.
class TransferFieldTypes : public TransferStack {
 protected:
  void bulk(const std::string& url, const std::string& name, int docs,
            const std::function<nlohmann::json(int)>& source) {
    std::string body;
    for (int i = 0; i < docs; ++i)
      body += nlohmann::json{{"index", {{"_id", std::to_string(i)}}}}.dump() + "\n" +
              source(i).dump() + "\n";
    post_bulk(url, name, body);
  }
  // The copy's reported changes for its one index, joined by newlines.
  std::string copy_changes(const test::ProcessResult& r) {
    const auto doc = nlohmann::json::parse(r.out, nullptr, false);
    if (!doc.is_object() || !doc.contains("indices")) return "(no JSON document: " + r.out + ")";
    std::string out;
    for (const auto& c : doc["indices"][0].value("changes", nlohmann::json::array()))
      out += c.get<std::string>() + "\n";
    return out;
  }
  long long hits(const std::string& url, const std::string& name, const nlohmann::json& query) {
    auto c = test::test_client(url);
    auto j = c->json("POST", "/" + name + "/_count", nlohmann::json{{"query", query}});
    EXPECT_TRUE(j.ok()) << j.error().message;
    return j.ok() ? (*j)["count"].get<long long>() : -1;
  }
};

TEST_F(TransferFieldTypes, Elasticsearch8ToOpenSearch2And1) {
  ESSNAP_REQUIRE_STACK("ESSNAP_TEST_OPENSEARCH1_URL");
  const std::string os1 = stack_var("ESSNAP_TEST_OPENSEARCH1_URL");
  const std::string src = index("es8types");
  track(es8_, src);
  auto c = test::test_client(es8_);
  auto created = c->json("PUT", "/" + src, nlohmann::json::parse(R"({
    "settings": {"number_of_shards": 2, "number_of_replicas": 0},
    "mappings": {
      "runtime": {"host_rt": {"type": "keyword"}},
      "properties": {
        "attrs": {"type": "flattened"},
        "emb": {"type": "dense_vector", "dims": 3},
        "terms": {"type": "sparse_vector"},
        "host": {"type": "keyword", "time_series_dimension": true},
        "msg": {"type": "text"}}}})"));
  ASSERT_TRUE(created.ok()) << created.error().message;
  bulk(es8_, src, 60, [](int i) {
    return nlohmann::json{
        {"attrs", {{"color", i % 2 ? "red" : "blue"}, {"size", {{"x", std::to_string(i)}}}}},
        {"emb", {0.5 + i, -1.25, 3.0}},
        {"terms", {{"alpha", 0.5 + i}, {"beta", 1.5}}},
        {"host", "h" + std::to_string(i % 3)},
        {"msg", "document " + std::to_string(i)}};
  });
  const auto original = all_docs(es8_, src);
  ASSERT_EQ(original.size(), 60u);

  // OpenSearch 2: flattened -> flat_object (searchable), the vectors -> disabled objects (no
  // k-NN plugin here: knn_vector is refused too), time_series_dimension and runtime removed.
  track(os2_, src + "-os2");
  auto r = essnap("-o json copy --url " + es8_ + " --to-url " + os2_ + " -i " + src +
                  " --rename-suffix -os2");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const std::string changes = copy_changes(r);
  EXPECT_NE(
      changes.find("field attrs: type flattened is unknown to the target, mapped as flat_object"),
      std::string::npos)
      << changes;
  EXPECT_NE(
      changes.find(
          "field terms: type sparse_vector is unknown to the target, mapped as a disabled object"),
      std::string::npos)
      << changes;
  EXPECT_NE(
      changes.find("field emb: type dense_vector is unknown to the target, mapped as knn_vector"),
      std::string::npos)
      << changes;
  EXPECT_NE(changes.find("field host: removed parameter time_series_dimension"), std::string::npos)
      << changes;
  EXPECT_NE(changes.find("removed mapping runtime"), std::string::npos) << changes;
  EXPECT_EQ(all_docs(os2_, src + "-os2"), original);
  const auto props = properties(os2_, src + "-os2");
  EXPECT_EQ(props["attrs"]["type"], "flat_object") << props.dump();
  EXPECT_EQ(props["terms"].value("enabled", true), false) << props.dump();
  EXPECT_FALSE(props["host"].contains("time_series_dimension")) << props.dump();
  EXPECT_EQ(hits(os2_, src + "-os2", {{"term", {{"attrs.color", "red"}}}}), 30);

  // OpenSearch 1.3 has no flat_object either: a disabled object, the documents still identical.
  track(os1, src + "-os1");
  r = essnap("-o json copy --url " + es8_ + " --to-url " + os1 + " -i " + src +
             " --rename-suffix -os1");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_NE(
      copy_changes(r).find(
          "field attrs: type flat_object is unknown to the target, mapped as a disabled object"),
      std::string::npos)
      << copy_changes(r);
  EXPECT_EQ(properties(os1, src + "-os1")["attrs"].value("enabled", true), false);
  EXPECT_EQ(all_docs(os1, src + "-os1"), original);
}

TEST_F(TransferFieldTypes, OpenSearch2ToElasticsearch8) {
  const std::string src = index("os2types");
  track(os2_, src);
  auto c = test::test_client(os2_);
  auto created = c->json("PUT", "/" + src, nlohmann::json::parse(R"({
    "settings": {"number_of_shards": 1, "number_of_replicas": 0},
    "mappings": {"properties": {
      "attrs": {"type": "flat_object"},
      "body": {"type": "match_only_text"},
      "path": {"type": "wildcard"},
      "big": {"type": "unsigned_long"}}}})"));
  ASSERT_TRUE(created.ok()) << created.error().message;
  bulk(os2_, src, 40, [](int i) {
    return nlohmann::json{{"attrs", {{"color", i % 4 ? "red" : "blue"}}},
                          {"body", "the quick brown fox " + std::to_string(i)},
                          {"path", "/var/log/app" + std::to_string(i) + ".log"},
                          {"big", 9000000000000000000ULL + static_cast<unsigned long long>(i)}};
  });
  const auto original = all_docs(os2_, src);
  ASSERT_EQ(original.size(), 40u);

  track(es8_, src + "-es8");
  auto r = essnap("-o json copy --url " + os2_ + " --to-url " + es8_ + " -i " + src +
                  " --rename-suffix -es8");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const std::string changes = copy_changes(r);
  EXPECT_NE(
      changes.find("field attrs: type flat_object is unknown to the target, mapped as flattened"),
      std::string::npos)
      << changes;
  // This stack's Elasticsearch 8 is the integration-test build, without the x-pack mappers.
  EXPECT_NE(
      changes.find("field body: type match_only_text is unknown to the target, mapped as text"),
      std::string::npos)
      << changes;
  EXPECT_NE(changes.find("field path: type wildcard is unknown to the target, mapped as keyword"),
            std::string::npos)
      << changes;
  EXPECT_NE(changes.find("field big: type unsigned_long is unknown to the target, mapped as long"),
            std::string::npos)
      << changes;
  EXPECT_EQ(all_docs(es8_, src + "-es8"), original);
  const auto props = properties(es8_, src + "-es8");
  EXPECT_EQ(props["attrs"]["type"], "flattened") << props.dump();
  EXPECT_EQ(props["path"]["type"], "keyword") << props.dump();
  EXPECT_EQ(hits(es8_, src + "-es8", {{"term", {{"attrs.color", "red"}}}}), 30);
  EXPECT_EQ(hits(es8_, src + "-es8", {{"match", {{"body", "fox"}}}}), 40);
}

// Data streams: a stream of two backing indices (a rollover between) on Elasticsearch 8 is
// exported by its name, imported into OpenSearch 2 as a data stream again (essnap makes the
// index template the target lacks), refused a second time, and copied back into Elasticsearch 8,
// where a template of the target's own makes it; every document identical throughout.
TEST_F(TransferFieldTypes, DataStreamsRoundTripBetweenEngines) {
  const std::string stream = index("logs");
  const std::string tmpl = index("logs-template");
  track_path(es8_, "/_data_stream/" + stream);
  track_path(es8_, "/_data_stream/" + stream + "-back");
  track_path(es8_, "/_index_template/" + tmpl);
  auto c = test::test_client(es8_);
  auto t = c->json("PUT", "/_index_template/" + tmpl, nlohmann::json::parse(R"({
    "index_patterns": [")" + stream + R"(*"], "data_stream": {}, "priority": 500,
    "template": {"settings": {"number_of_shards": 1, "number_of_replicas": 0},
                 "mappings": {"properties": {"@timestamp": {"type": "date"}, "msg": {"type": "keyword"},
                                             "n": {"type": "long"}}}}})"));
  ASSERT_TRUE(t.ok()) << t.error().message;
  auto load = [&](int from, int to) {
    std::string body;
    for (int i = from; i < to; ++i)
      body +=
          nlohmann::json{{"create", {{"_id", "e" + std::to_string(i)}}}}.dump() + "\n" +
          nlohmann::json{{"@timestamp", "2026-12-01T10:00:" + std::to_string(10 + i % 50) + "Z"},
                         {"msg", "line " + std::to_string(i)},
                         {"n", i}}
              .dump() +
          "\n";
    post_bulk(es8_, stream, body);
  };
  load(0, 120);
  ASSERT_TRUE(c->json("POST", "/" + stream + "/_rollover").ok());
  load(120, 200);
  const auto original = all_docs(es8_, stream);
  ASSERT_EQ(original.size(), 200u);

  const std::string out = (dir_ / "ds").string();
  auto e = essnap("-o json export --url " + es8_ + " -i " + stream + " --to " + out);
  ASSERT_EQ(e.exit_code, 0) << e.err << e.out;
  const auto manifest = nlohmann::json::parse(read_roundtrip_file(out + "/manifest.json"));
  ASSERT_EQ(manifest["indices"].size(), 2u) << manifest.dump();
  for (const auto& i : manifest["indices"]) {
    const auto ds = i.value("data_stream", nlohmann::json::object());
    EXPECT_EQ(ds.value("name", ""), stream) << i.dump();
    EXPECT_EQ(ds.value("timestamp_field", ""), "@timestamp") << i.dump();
  }

  // Selected by its backing indices' names instead, they are still known as the stream's.
  const std::string by_backing = (dir_ / "ds-backing").string();
  auto eb =
      essnap("export --url " + es8_ + " -i '.ds-" + stream + "-*' --to " + by_backing + " -q");
  ASSERT_EQ(eb.exit_code, 0) << eb.err << eb.out;
  const auto mb = nlohmann::json::parse(read_roundtrip_file(by_backing + "/manifest.json"));
  ASSERT_EQ(mb["indices"].size(), 2u) << mb.dump();
  for (const auto& i : mb["indices"])
    EXPECT_EQ(i.value("data_stream", nlohmann::json::object()).value("name", ""), stream)
        << i.dump();

  // OpenSearch 2 has no template for it: essnap puts one, then the stream takes create ops.
  const std::string os_stream = stream + "-os2";
  track_path(os2_, "/_data_stream/" + os_stream);
  track_path(os2_, "/_index_template/essnap-" + os_stream);
  auto i = essnap("-o json import --url " + os2_ + " --from " + out + " -i " + stream +
                  " --rename " + stream + "=" + os_stream);
  ASSERT_EQ(i.exit_code, 0) << i.err << i.out;
  EXPECT_NE(copy_changes(i).find("created index template essnap-" + os_stream), std::string::npos)
      << i.out;
  auto ds = test::test_client(os2_)->json("GET", "/_data_stream/" + os_stream);
  ASSERT_TRUE(ds.ok()) << ds.error().message;
  EXPECT_EQ((*ds)["data_streams"][0]["name"], os_stream);
  EXPECT_EQ(all_docs(os2_, os_stream), original);

  // A second import into the existing stream is refused, nothing loaded.
  auto again =
      essnap("import --url " + os2_ + " --from " + out + " --rename " + stream + "=" + os_stream);
  EXPECT_EQ(again.exit_code, 8) << again.err;
  EXPECT_EQ(all_docs(os2_, os_stream).size(), 200u);

  // Back into Elasticsearch 8 by copy: the target's own template (pattern stream*) makes it.
  auto back = essnap("-o json copy --url " + os2_ + " --to-url " + es8_ + " -i " + os_stream +
                     " --rename " + os_stream + "=" + stream + "-back");
  ASSERT_EQ(back.exit_code, 0) << back.err << back.out;
  EXPECT_NE(copy_changes(back).find("created data stream " + stream +
                                    "-back from the target's own index template"),
            std::string::npos)
      << back.out;
  EXPECT_EQ(all_docs(es8_, stream + "-back"), original);
}

// A data-stream import interrupted (SIGINT after the first chunk, two loaders) and resumed: exit 0
// and every document once. (A chunk the interruption cut in the middle is sent again; its 409s
// count as loaded in the resumed run — TransferLoader.ConflictsOnADataStream... pins that, since
// here the two loaders usually finish their chunks together.)
TEST_F(TransferFieldTypes, InterruptedDataStreamImportResumes) {
  const std::string stream = index("dsr");
  const std::string tmpl = index("dsr-template");
  auto c = test::test_client(os2_);
  track_path(os2_, "/_data_stream/" + stream);
  track_path(os2_, "/_data_stream/" + stream + "-r");
  track_path(os2_, "/_index_template/essnap-" + stream + "-r");
  track_path(os2_, "/_index_template/" + tmpl);
  auto t = c->json("PUT", "/_index_template/" + tmpl, nlohmann::json::parse(R"({
    "index_patterns": [")" + stream + R"("], "data_stream": {}, "priority": 500,
    "template": {"settings": {"number_of_shards": 2, "number_of_replicas": 0}}})"));
  ASSERT_TRUE(t.ok()) << t.error().message;
  std::string body;
  for (int i = 0; i < 24000; ++i)
    body += nlohmann::json{{"create", {{"_id", "r" + std::to_string(i)}}}}.dump() + "\n" +
            nlohmann::json{{"@timestamp", "2026-12-01T11:00:00Z"}, {"n", i}}.dump() + "\n";
  post_bulk(os2_, stream, body);
  const auto original = all_docs(os2_, stream);
  ASSERT_EQ(original.size(), 24000u);
  const std::string out = (dir_ / "dsr").string();
  ASSERT_EQ(
      essnap("export --url " + os2_ + " -i " + stream + " --to " + out + " --chunk-docs 6000 -q")
          .exit_code,
      0);

  const std::string cmd = "import --url " + os2_ + " --from " + out + " --rename " + stream + "=" +
                          stream + "-r --concurrency 2";
  auto cut = essnap(cmd, {{"ESSNAP_TEST_STOP_AFTER_CHUNKS", "1"}});
  ASSERT_EQ(cut.exit_code, 130) << cut.err;
  auto resumed = essnap(cmd + " --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err << resumed.out;
  EXPECT_EQ(all_docs(os2_, stream + "-r"), original);
}

// Every engine the stack runs, as a source and as a target: what its export holds comes back
// identical into the same engine, and crosses into OpenSearch 2 (the engines' common reader).
class TransferEngines : public TransferStack,
                        public ::testing::WithParamInterface<test::StackEngine> {};

TEST_P(TransferEngines, ExportImportAndCopyToOpenSearch2KeepEveryDocument) {
  ESSNAP_REQUIRE_STACK(GetParam().url_var);
  const std::string url = stack_var(GetParam().url_var);
  const std::string src = index("src");
  make_source(url, src, 1200);
  const auto original = all_docs(url, src);
  ASSERT_EQ(original.size(), 1201u);
  const std::string out = (dir_ / "exp").string();
  auto e =
      essnap("-o json export --url " + url + " -i " + src + " --to " + out + " --chunk-docs 300");
  ASSERT_EQ(e.exit_code, 0) << e.err << e.out;
  const auto doc = nlohmann::json::parse(e.out, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << e.out;
  EXPECT_EQ(doc["indices"][0]["exported"], 1201) << e.out;

  track(url, src + "-back");
  auto i = essnap("import --url " + url + " --from " + out + " --rename-suffix -back");
  ASSERT_EQ(i.exit_code, 0) << i.err << i.out;
  EXPECT_EQ(all_docs(url, src + "-back"), original);

  track(os2_, src + "-os2");
  auto c =
      essnap("copy --url " + url + " --to-url " + os2_ + " -i " + src + " --rename-suffix -os2");
  ASSERT_EQ(c.exit_code, 0) << c.err << c.out;
  EXPECT_EQ(all_docs(os2_, src + "-os2"), original);
}

INSTANTIATE_TEST_SUITE_P(Engines, TransferEngines, test::stack_engines(), test::stack_engine_name);

}  // namespace
}  // namespace essnap
