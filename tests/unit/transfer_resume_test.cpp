// Issue 21, data items, against a scripted loopback engine and the memory store: an export
// resumed after its index changed is exactly one read of the index (never the first read's
// chunks plus a new read skipped by count); a resume re-checks every recorded chunk file and
// writes a missing or damaged one again; an export refuses a destination that is not empty
// unless --overwrite; an import --resume trusts a state's "created" only when the target still
// has the uuid the state recorded; an _id over 512 bytes goes to the errors file while the rest
// loads; aliases of a renamed index are left out and a second write index is refused.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

#include "essnap/blob/memory_store.hpp"
#include "essnap/cluster/client.hpp"
#include "essnap/http/factory.hpp"
#include "essnap/transfer/export.hpp"
#include "essnap/transfer/import.hpp"
#include "essnap/transfer/loader.hpp"
#include "essnap/util/crypto.hpp"
#include "support/essnap_cli.hpp"
#include "support/loopback_server.hpp"

namespace essnap::transfer {
namespace {

namespace fs = std::filesystem;
using test::LoopbackServer;
using test::ServerRequest;
using test::ServerResponse;

// An OpenSearch index "logs" whose documents (id -> n) can change between two runs, read by
// _id-sorted searches (search_after honoured), with an index uuid.
struct Engine {
  std::mutex mu;
  std::map<std::string, int> docs;
  std::string uuid = "uuid-logs-1";

  Engine() {
    for (int i = 0; i < 25; ++i) docs[id(i)] = i;
  }
  static std::string id(int i) {
    char b[8];
    std::snprintf(b, sizeof b, "d%02d", i);
    return b;
  }
  ServerResponse operator()(const ServerRequest& r) {
    std::lock_guard<std::mutex> lock(mu);
    if (r.target == "/") return test::os2_root();
    if (r.target.starts_with("/_cat/indices"))
      return ServerResponse::json(200, R"([{"index":"logs","pri":"1"}])");
    if (r.target.starts_with("/_resolve/index") || r.target.starts_with("/_data_stream"))
      return ServerResponse::json(200, R"({"indices":[],"data_streams":[]})");
    if (r.target.starts_with("/logs/_count"))
      return ServerResponse::json(200, "{\"count\":" + std::to_string(docs.size()) + "}");
    if (r.method == "GET" && r.target == "/logs")
      return ServerResponse::json(
          200,
          nlohmann::json{{"logs",
                          {{"settings", {{"index", {{"number_of_shards", "1"}, {"uuid", uuid}}}}},
                           {"mappings", nlohmann::json::object()},
                           {"aliases", nlohmann::json::object()}}}}
              .dump());
    if (r.target.starts_with("/logs/_search")) {
      const auto body = nlohmann::json::parse(r.body, nullptr, false);
      const int size = body.value("size", 10);
      const std::string after =
          body.contains("search_after") ? body["search_after"][0].get<std::string>() : "";
      nlohmann::json hits = nlohmann::json::array();
      for (const auto& [k, n] : docs) {
        if (static_cast<int>(hits.size()) >= size) break;
        if (!after.empty() && k <= after) continue;
        hits.push_back({{"_index", "logs"}, {"_id", k}, {"_source", {{"n", n}}}, {"sort", {k}}});
      }
      return ServerResponse::json(200, nlohmann::json{{"timed_out", false},
                                                      {"_shards", {{"total", 1}, {"failed", 0}}},
                                                      {"hits", {{"hits", hits}}}}
                                           .dump());
    }
    return ServerResponse::json(
        404, R"({"error":{"type":"index_not_found_exception","reason":"no"},"status":404})");
  }
};

ClientFactory factory_for(const LoopbackServer& s) {
  const std::string url = s.url();
  return [url]() -> Result<std::unique_ptr<cluster::Client>> {
    http::TransportOptions o;
    o.retry.max_attempts = 1;
    return std::make_unique<cluster::Client>(http::make_transport(o), url);
  };
}

ExportOptions export_options() {
  ExportOptions o;
  o.patterns = {"logs"};
  o.compression = Compression::kNone;
  o.chunk_docs = 5;
  o.chunk_bytes = 1 << 20;
  o.page_size = 7;
  o.strategy = cluster::ReadStrategy::kSearchAfter;
  o.tool = "essnap test";
  return o;
}

// Hooks that ask to stop once `after` chunks are done; notices collected.
struct StopAfter {
  int after;
  int chunks = 0;
  std::vector<std::string> notices;
  Hooks hooks() {
    Hooks h;
    h.interrupted = [this] { return after > 0 && chunks >= after; };
    h.progress = [this](const util::ProgressEvent& e) {
      if (e.kind == util::ProgressKind::kProgress)
        ++chunks;
      else
        notices.push_back(e.message);
    };
    return h;
  }
};

// The documents an export holds, by id; a duplicate fails the test.
std::map<std::string, int> exported_docs(blob::MemoryStore& store) {
  const auto m = nlohmann::json::parse(store.get(kManifestFile));
  std::map<std::string, int> out;
  for (const auto& c : m["indices"][0]["chunks"]) {
    const std::string bytes = store.get(c["file"].get<std::string>());
    EXPECT_EQ(util::sha256_hex(bytes), c["sha256"]) << c["file"] << ": the file the manifest names";
    std::istringstream in(bytes);
    for (std::string line; std::getline(in, line);) {
      const auto j = nlohmann::json::parse(line);
      const std::string id = j["_id"];
      EXPECT_FALSE(out.count(id)) << id << " exported twice";
      out[id] = j["_source"]["n"];
    }
  }
  return out;
}

TEST(TransferResume, AnExportResumedAfterItsIndexChangedIsOneRead) {
  Engine engine;
  LoopbackServer server(std::ref(engine));
  blob::MemoryStore store;
  StopAfter stop{2};
  auto cut = run_export(factory_for(server), store, export_options(), stop.hooks());
  ASSERT_FALSE(cut.ok());
  ASSERT_EQ(cut.error().code, ErrorCode::kInterrupted) << cut.error().message;
  {
    // Between the runs: an exported document deleted, one updated, one added before the cut.
    std::lock_guard<std::mutex> lock(engine.mu);
    engine.docs.erase("d02");
    engine.docs["d20"] = 2000;
    engine.docs["d04a"] = 404;
  }
  ExportOptions again = export_options();
  again.resume = Resume::kYes;
  StopAfter none{0};
  auto resumed = run_export(factory_for(server), store, again, none.hooks());
  ASSERT_TRUE(resumed.ok()) << resumed.error().message;
  EXPECT_EQ(exported_docs(store), engine.docs);
  bool said = false;
  for (const auto& n : none.notices) said |= n.find("again from the start") != std::string::npos;
  EXPECT_TRUE(said) << "the restart is said";
}

TEST(TransferResume, AnExportOfAnUnchangedIndexResumesAndMendsDamagedChunks) {
  Engine engine;
  LoopbackServer server(std::ref(engine));
  blob::MemoryStore store;
  StopAfter stop{3};
  ASSERT_FALSE(run_export(factory_for(server), store, export_options(), stop.hooks()).ok());
  const auto state = nlohmann::json::parse(store.get(kExportStateFile));
  const auto& chunks = state["indices"][0]["chunks"];
  ASSERT_GE(chunks.size(), 2u);
  EXPECT_EQ(state["indices"][0]["uuid"], "uuid-logs-1");
  EXPECT_TRUE(chunks[0].contains("ndjson_sha256"));
  // One recorded chunk garbled, another deleted.
  store.set(chunks[0]["file"].get<std::string>(), "garbage");
  store.erase(chunks[1]["file"].get<std::string>());
  ExportOptions again = export_options();
  again.resume = Resume::kYes;
  StopAfter none{0};
  auto resumed = run_export(factory_for(server), store, again, none.hooks());
  ASSERT_TRUE(resumed.ok()) << resumed.error().message;
  EXPECT_EQ(exported_docs(store), engine.docs);
  std::string said;
  for (const auto& n : none.notices) said += n + "\n";
  EXPECT_NE(said.find("written again"), std::string::npos) << said;
  EXPECT_EQ(said.find("again from the start"), std::string::npos) << said;
}

TEST(TransferResume, AFinishedIndexWithADamagedChunkIsReadAgain) {
  Engine engine;
  LoopbackServer server(std::ref(engine));
  blob::MemoryStore store;
  StopAfter none{0};
  ASSERT_TRUE(run_export(factory_for(server), store, export_options(), none.hooks()).ok());
  // A finished export whose manifest was lost: the state says every slice is done.
  store.erase(kManifestFile);
  const auto state = nlohmann::json::parse(store.get(kExportStateFile));
  store.set(state["indices"][0]["chunks"][2]["file"].get<std::string>(), "garbage");
  ExportOptions again = export_options();
  again.resume = Resume::kYes;
  auto resumed = run_export(factory_for(server), store, again, none.hooks());
  ASSERT_TRUE(resumed.ok()) << resumed.error().message;
  EXPECT_EQ(exported_docs(store), engine.docs);
}

TEST(TransferResume, AnExportRefusesADestinationThatIsNotEmptyUnlessOverwrite) {
  Engine engine;
  LoopbackServer server(std::ref(engine));
  blob::MemoryStore store;
  store.set("notes/readme.txt", "keep me");
  StopAfter none{0};
  auto refused = run_export(factory_for(server), store, export_options(), none.hooks());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_NE(refused.error().message.find("not empty"), std::string::npos)
      << refused.error().message;
  EXPECT_NE(refused.error().hint.find("--overwrite"), std::string::npos);
  EXPECT_FALSE(store.contains(kExportStateFile)) << "nothing written";

  ExportOptions over = export_options();
  over.overwrite = Overwrite::kYes;
  auto written = run_export(factory_for(server), store, over, none.hooks());
  ASSERT_TRUE(written.ok()) << written.error().message;
  EXPECT_EQ(exported_docs(store), engine.docs);
  EXPECT_EQ(store.get("notes/readme.txt"), "keep me");
  // A finished export there now: refused again without --overwrite.
  auto twice = run_export(factory_for(server), store, export_options(), none.hooks());
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, ErrorCode::kConflict);
}

// A target cluster where index "logs" exists (uuid "live-uuid"); bulks recorded.
ServerResponse existing_target(const ServerRequest& r) {
  if (r.target == "/") return test::os2_root();
  if (r.method == "HEAD" && r.target == "/logs") return ServerResponse::json(200, "");
  if (r.target.starts_with("/logs/_settings"))
    return ServerResponse::json(200, R"({"logs":{"settings":{"index.uuid":"live-uuid"}}})");
  if (r.target.find("_bulk") != std::string::npos)
    return ServerResponse::json(200, R"({"took":1,"errors":false,"items":[]})");
  if (r.target.starts_with("/logs/_count") || r.target.starts_with("/logs/_refresh"))
    return ServerResponse::json(200, R"({"count":25})");
  return ServerResponse::json(
      404, R"({"error":{"type":"index_not_found_exception","reason":"no"},"status":404})");
}

std::string resume_temp_path(const std::string& name) {
  return (fs::temp_directory_path() / ("ht-" + name + "-" + std::to_string(::getpid()))).string();
}

TEST(TransferResume, AForgedImportStateDoesNotOpenAnExistingIndex) {
  Engine engine;
  LoopbackServer source(std::ref(engine));
  blob::MemoryStore store;
  StopAfter none{0};
  ASSERT_TRUE(run_export(factory_for(source), store, export_options(), none.hooks()).ok());

  LoopbackServer target(existing_target);
  const std::string state_path = resume_temp_path("forged-state.json");
  ImportOptions o;
  o.resume = Resume::kYes;
  o.state_path = state_path;
  o.errors_path = resume_temp_path("forged-errors.ndjson");
  // "created": true, as if an interrupted import had made "logs": it did not.
  ImportState forged;
  forged.source = store.describe();
  forged.indices["logs"].target = "logs";
  forged.indices["logs"].created = true;
  ASSERT_TRUE(save_import_state(state_path, forged).ok());
  auto refused = run_import(factory_for(target), store, o, none.hooks());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict) << refused.error().message;
  EXPECT_NE(refused.error().hint.find("--append"), std::string::npos);
  // A uuid recorded, but not the live index's: refused too.
  forged.indices["logs"].target_uuid = "another-uuid";
  ASSERT_TRUE(save_import_state(state_path, forged).ok());
  auto other = run_import(factory_for(target), store, o, none.hooks());
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kConflict) << other.error().message;
  for (const auto& q : target.requests())
    EXPECT_EQ(q.target.find("_bulk"), std::string::npos) << "nothing loaded";
  // The state of the run that did create it (its uuid) resumes.
  forged.indices["logs"].target_uuid = "live-uuid";
  ASSERT_TRUE(save_import_state(state_path, forged).ok());
  auto resumed = run_import(factory_for(target), store, o, none.hooks());
  EXPECT_TRUE(resumed.ok()) << resumed.error().message;
  fs::remove(state_path);
  fs::remove(o.errors_path);
}

// An engine's _bulk: a request holding an _id over 512 bytes is refused whole (400
// action_request_validation_exception), as Elasticsearch and OpenSearch do.
ServerResponse validating_bulk(const ServerRequest& r) {
  std::istringstream in(r.body);
  int items = 0;
  std::string line;
  for (bool action = true; std::getline(in, line); action = !action) {
    if (!action) continue;
    ++items;
    const auto j = nlohmann::json::parse(line);
    const auto& meta = j.begin().value();
    if (meta["_id"].get<std::string>().size() > 512 || meta.contains("routing"))
      return ServerResponse::json(
          400, R"({"error":{"type":"action_request_validation_exception","reason":)"
               R"("Validation Failed: 1: id is too long;"},"status":400})");
  }
  std::string out = R"({"took":1,"errors":false,"items":[)";
  for (int i = 0; i < items; ++i) out += std::string(i ? "," : "") + R"({"index":{"status":201}})";
  return ServerResponse::json(200, out + "]}");
}

TEST(TransferResume, AnIdOver512BytesGoesToTheErrorsFileAndTheRestLoads) {
  LoopbackServer server(validating_bulk);
  const std::string errors_path = resume_temp_path("long-id-errors.ndjson");
  fs::remove(errors_path);
  LoadOutcome out;
  {
    ErrorsFile errors(errors_path);
    Hooks hooks;
    Loader loader({}, errors, hooks);
    const std::string long_id(600, 'x');
    // A 513-byte id in escapes: "\u00e9" is 2 bytes of UTF-8 (6 in the line).
    std::string escaped;
    for (int i = 0; i < 256; ++i) escaped += "\\u00e9";
    std::string chunk = "{\"_id\":\"a\",\"_source\":{\"n\":1}}\n{\"_id\":\"" + long_id +
                        "\",\"_source\":{\"n\":2}}\n{\"_id\":\"b\",\"_source\":{\"n\":3}}\n"
                        "{\"_id\":\"" +
                        escaped +
                        "z\",\"_source\":{\"n\":4}}\n"
                        "{\"_id\":\"c\",\"_routing\":\"r\",\"_source\":{\"n\":5}}\n";
    http::TransportOptions o;
    o.retry.max_attempts = 1;
    cluster::Client c(http::make_transport(o), server.url());
    auto loaded = loader.load(c, "src", "dst", "src/000-000000.ndjson", chunk);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    out = *loaded;
  }
  EXPECT_EQ(out.loaded, 2);
  EXPECT_EQ(out.rejected, 3) << "two long ids, and the document the engine refused the bulk for";
  std::ifstream in(errors_path);
  std::vector<nlohmann::json> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(nlohmann::json::parse(l));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["_id"].get<std::string>().size(), 600u);
  EXPECT_EQ(lines[2]["_id"], "c");
  EXPECT_EQ(lines[2]["error"]["type"], "action_request_validation_exception");
  fs::remove(errors_path);
}

TEST(TransferAliases, ARenamedIndexLeavesItsAliasesOutUnlessAsked) {
  EXPECT_TRUE(keeps_aliases("logs", "logs", AliasPolicy::kUnlessRenamed));
  EXPECT_FALSE(keeps_aliases("logs", "logs-copy", AliasPolicy::kUnlessRenamed));
  EXPECT_TRUE(keeps_aliases("logs", "logs-copy", AliasPolicy::kInclude));
  auto def = nlohmann::json::parse(R"({"settings":{},"aliases":{"read":{},"write":{}}})");
  std::vector<std::string> changes;
  drop_aliases(def, changes);
  EXPECT_TRUE(def["aliases"].empty());
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_NE(changes[0].find("read, write"), std::string::npos) << changes[0];
  EXPECT_NE(changes[0].find("--include-aliases"), std::string::npos) << changes[0];
}

TEST(TransferAliases, ASecondWriteIndexIsAClash) {
  const std::vector<cluster::AliasEntry> live{{"w", "logs", true}, {"r", "logs", false}};
  const auto writes = nlohmann::json::parse(R"({"w":{"is_write_index":true},"r":{}})");
  const auto reads = nlohmann::json::parse(R"({"w":{},"r":{}})");
  EXPECT_EQ(write_alias_clashes(live, {{"logs-copy", writes}}).size(), 1u);
  EXPECT_TRUE(write_alias_clashes(live, {{"logs-copy", reads}}).empty());
  EXPECT_TRUE(write_alias_clashes(live, {{"logs", writes}}).empty()) << "the same index";
  // Two new indices both claiming the write index of a new alias.
  const auto other = nlohmann::json::parse(R"({"n":{"is_write_index":true}})");
  EXPECT_EQ(write_alias_clashes({}, {{"a", other}, {"b", other}}).size(), 1u);
}

TEST(TransferAliases, TheHintNamesTheErrorsFileOnlyWhenSomethingWasRejected) {
  IndexSummary s;
  s.source_count = 10;
  s.documents = 9;
  s.target_count = 9;
  EXPECT_EQ(incomplete_hint({s}, "/tmp/e.ndjson").find("/tmp/e.ndjson"), std::string::npos);
  s.rejected = 1;
  EXPECT_NE(incomplete_hint({s}, "/tmp/e.ndjson").find("/tmp/e.ndjson"), std::string::npos);
}

}  // namespace
}  // namespace essnap::transfer
