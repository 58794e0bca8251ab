// fromsnapshot/: the planning of `export --from-snapshot` (shares, refusals, definitions, state
// merge) and whole runs on a real repository (tests/data/inspect/es8, written by Elasticsearch
// 8) into memory stores: the chunks hold exactly what `inspect docs` reads, two shares make the
// one manifest a single run makes, and a resume keeps the recorded chunks and rewrites a bad one.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "essnap/blob/memory_store.hpp"
#include "essnap/fromsnapshot/export.hpp"
#include "essnap/fromsnapshot/plan.hpp"
#include "essnap/fromsnapshot/source.hpp"
#include "essnap/inspect/docs.hpp"
#include "essnap/transfer/codec.hpp"
#include "inspect_test_util.hpp"
#include "support/counting_store.hpp"

namespace essnap::fromsnapshot {
namespace {

using format::testing::load_fixture;
using nlohmann::json;

TEST(FromSnapshotPlan, SharesParseAsIndexOverCount) {
  auto s = parse_share("1/4");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->index, 1);
  EXPECT_EQ(s->count, 4);
  EXPECT_TRUE(parse_share("0/1").ok());
  for (const char* bad : {"4/4", "-1/2", "1", "a/2", "1/0", "1/2/3", "", "/2", "1/"}) {
    auto r = parse_share(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find("--shards"), std::string::npos);
  }
  EXPECT_EQ(state_file(std::nullopt), "export-state.json");
  EXPECT_EQ(state_file(Share{2, 5}), "export-state-2-of-5.json");
}

TEST(FromSnapshotPlan, UnitsAreSortedAndSharesTakeEveryNth) {
  const auto all = all_units({{"b", 2}, {"a", 3}});
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[0], (ShardUnit{"a", 0}));
  EXPECT_EQ(all[2], (ShardUnit{"a", 2}));
  EXPECT_EQ(all[3], (ShardUnit{"b", 0}));
  const auto s0 = share_units(all, Share{0, 2});
  const auto s1 = share_units(all, Share{1, 2});
  EXPECT_EQ(s0, (std::vector<ShardUnit>{{"a", 0}, {"a", 2}, {"b", 1}}));
  EXPECT_EQ(s1, (std::vector<ShardUnit>{{"a", 1}, {"b", 0}}));
  // More shares than units: the extra shares take nothing.
  EXPECT_TRUE(share_units(all, Share{7, 8}).empty());
  EXPECT_EQ(share_units(all, Share{0, 1}), all);
}

IndexDefinition def(json settings, json mappings) {
  IndexDefinition d;
  d.name = "orders";
  d.shards = 1;
  d.settings = std::move(settings);
  d.mappings = std::move(mappings);
  d.aliases = json::object();
  return d;
}

void expect_refused(const IndexDefinition& d, const std::string& why) {
  Status s = check_source_stored(d);
  ASSERT_FALSE(s.ok()) << why;
  EXPECT_EQ(s.error().code, ErrorCode::kConflict);
  EXPECT_NE(s.error().message.find("orders"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find(why), std::string::npos) << s.error().message;
}

TEST(FromSnapshotPlan, IndicesWithoutACompleteSourceAreRefusedByNameAndWhy) {
  const json es8 = {{"index.version.created", "8536000"}};
  const json es92 = {{"index.version.created", "9039001"}};
  const json os2 = {{"index.version.created", "136407827"}, {"index.knn", "true"}};
  const json os3 = {{"index.version.created", "137237827"}, {"index.knn", "true"}};
  const json text = {{"properties", {{"t", {{"type", "text"}}}}}};
  const json dense = {{"properties", {{"v", {{"type", "dense_vector"}, {"dims", 3}}}}}};
  const json knn = {
      {"properties",
       {{"o", {{"properties", {{"v", {{"type", "knn_vector"}, {"dimension", 3}}}}}}}}}};

  EXPECT_TRUE(check_source_stored(def(es8, text)).ok());
  expect_refused(def(es8, {{"_source", {{"enabled", false}}}}), "_source.enabled: false");
  expect_refused(def(es8, {{"_source", {{"mode", "synthetic"}}}}), "_source.mode: synthetic");
  json synth = es8;
  synth["index.mapping.source.mode"] = "synthetic";
  expect_refused(def(synth, text), "index.mapping.source.mode: synthetic");
  json logsdb = es8;
  logsdb["index.mode"] = "logsdb";
  expect_refused(def(logsdb, text), "index.mode: logsdb");
  logsdb["index.mapping.source.mode"] = "stored";
  EXPECT_TRUE(check_source_stored(def(logsdb, text)).ok());

  // Vectors left out of _source: explicit on 8.x, the default from 9.2; text alone is fine.
  json excl = es8;
  excl["index.mapping.exclude_source_vectors"] = "true";
  expect_refused(def(excl, dense), "index.mapping.exclude_source_vectors");
  EXPECT_TRUE(check_source_stored(def(excl, text)).ok());
  EXPECT_TRUE(check_source_stored(def(es8, dense)).ok());
  expect_refused(def(es92, dense), "index.mapping.exclude_source_vectors");
  json kept = es92;
  kept["index.mapping.exclude_source_vectors"] = "false";
  EXPECT_TRUE(check_source_stored(def(kept, dense)).ok());

  // OpenSearch k-NN derived source: the default of 3.0+ k-NN indices, explicit before.
  EXPECT_TRUE(check_source_stored(def(os2, knn)).ok());
  expect_refused(def(os3, knn), "derived source");
  json os2_derived = os2;
  os2_derived["index.knn.derived_source.enabled"] = "true";
  expect_refused(def(os2_derived, knn), "o.v");
  json os3_off = os3;
  os3_off["index.knn.derived_source.enabled"] = "false";
  EXPECT_TRUE(check_source_stored(def(os3_off, knn)).ok());
}

TEST(FromSnapshotPlan, DefinitionComesFromTheSnapshotsIndexMetadata) {
  const json doc = {
      {"orders",
       {{"version", 3},
        {"state", "open"},
        {"settings",
         {{"index.number_of_shards", "2"},
          {"index.number_of_replicas", "1"},
          {"index.uuid", "u-1"},
          {"index.creation_date", "1796119579219"},
          {"index.version.created", "8536000"},
          {"index.provided_name", "orders"},
          {"index.refresh_interval", "5s"}}},
        {"mappings", json::array({{{"_doc", {{"properties", {{"n", {{"type", "long"}}}}}}}}})},
        {"aliases", {{"current", json::object()}}}}}};
  auto d = definition_from_metadata(doc, "meta-x.dat");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->name, "orders");
  EXPECT_EQ(d->uuid, "u-1");
  EXPECT_EQ(d->shards, 2);
  EXPECT_EQ(d->mappings, (json{{"properties", {{"n", {{"type", "long"}}}}}}));
  const json out = d->index_json();
  EXPECT_EQ(out["settings"]["index.refresh_interval"], "5s");
  EXPECT_EQ(out["settings"]["index.number_of_shards"], "2");
  for (const char* gone :
       {"index.uuid", "index.creation_date", "index.version.created", "index.provided_name"})
    EXPECT_FALSE(out["settings"].contains(gone)) << gone;
  EXPECT_EQ(out["aliases"], (json{{"current", json::object()}}));
}

transfer::ChunkEntry chunk(const std::string& index, int slice, int seq, long long docs) {
  transfer::ChunkEntry c;
  c.slice = slice;
  c.seq = seq;
  c.documents = docs;
  c.bytes = 10;
  c.sha256 = std::string(64, 'a');
  c.ndjson_sha256 = std::string(64, 'b');
  c.file = transfer::chunk_file(index, slice, seq, transfer::Compression::kZstd);
  return c;
}

ShareState share_state(int share, int shares, bool done) {
  ShareState s;
  s.snapshot = "nightly";
  s.snapshot_uuid = "snap-uuid";
  s.share = share;
  s.shares = shares;
  s.done = done;
  s.manifest.tool = "essnap test";
  s.manifest.created = share == 0 ? "2026-12-07T10:00:01Z" : "2026-12-07T10:00:00Z";
  s.manifest.source_engine = "elasticsearch";
  s.manifest.source_version = "8.19.7";
  s.manifest.chunk_docs = 100;
  s.manifest.chunk_bytes = share == 0 ? (4 << 20) : (8 << 20);
  s.manifest.patterns = {"a*"};
  transfer::IndexEntry e;
  e.name = "a";
  e.slices = 3;
  e.slices_done = {share == 0, share == 1, share == 0};
  e.metadata_sha256 = std::string(64, 'c');
  s.manifest.indices.push_back(e);
  return s;
}

TEST(FromSnapshotPlan, StatesRoundTripAndMergeIntoOneManifest) {
  ShareState s0 = share_state(0, 2, true);
  s0.manifest.indices[0].chunks = {chunk("a", 0, 0, 100), chunk("a", 0, 1, 5), chunk("a", 2, 0, 7)};
  ShareState s1 = share_state(1, 2, true);
  s1.manifest.indices[0].chunks = {chunk("a", 1, 0, 9)};

  auto back = parse_state(state_text(s0), "export-state-0-of-2.json");
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->snapshot_uuid, "snap-uuid");
  EXPECT_TRUE(back->done);
  EXPECT_EQ(back->manifest.indices[0].chunks.size(), 3u);

  auto m = merge_states({s1, *back});
  ASSERT_TRUE(m.ok()) << m.error().message;
  ASSERT_EQ(m->indices.size(), 1u);
  const auto& e = m->indices[0];
  EXPECT_EQ(e.documents, 121);
  EXPECT_EQ(e.source_count, 121);
  ASSERT_EQ(e.chunks.size(), 4u);
  EXPECT_EQ(e.chunks[2].slice, 1);  // sorted by slice, seq
  EXPECT_EQ(m->chunk_bytes, 8 << 20);
  EXPECT_EQ(m->created, "2026-12-07T10:00:00Z");
  // What import reads back.
  auto text = transfer::to_json(*m, transfer::ManifestKind::kManifest).dump();
  EXPECT_TRUE(transfer::parse_manifest(text, "manifest.json", transfer::ManifestKind::kManifest));

  // A share not done, missing, or of another snapshot: no manifest.
  EXPECT_EQ(merge_states({s0, share_state(1, 2, false)}).error().code, ErrorCode::kConflict);
  EXPECT_EQ(merge_states({s0}).error().code, ErrorCode::kConflict);
  ShareState other = s1;
  other.snapshot_uuid = "another";
  EXPECT_EQ(merge_states({s0, other}).error().code, ErrorCode::kConflict);
  // A state that is not a from-snapshot checkpoint is refused.
  auto plain = transfer::to_json(s0.manifest, transfer::ManifestKind::kState).dump();
  EXPECT_FALSE(parse_state(plain, "export-state.json").ok());
}

TEST(FromSnapshotPlan, BackingIndicesOfTheSnapshotsDataStreams) {
  const json meta = {{"meta-data",
                      {{"data_stream",
                        {{"data_stream",
                          {{"logs-app",
                            {{"timestamp_field", {{"name", "ts"}}},
                             {"indices", json::array({{{"index_name", ".ds-logs-app-000001"}},
                                                      {{"index_name", ".ds-logs-app-000002"}}})}}},
                           {"other", {{"indices", json::array()}}}}}}}}}};
  const std::vector<std::string> names = {".ds-logs-app-000001", ".ds-logs-app-000002",
                                          ".ds-logs-000001", ".ds-logs-a-2026.12.07-000001",
                                          "plain"};
  auto b = backing_indices(meta, {"logs-app", "logs", "logs-a"}, names);
  EXPECT_EQ(b[".ds-logs-app-000001"], (std::pair<std::string, std::string>{"logs-app", "ts"}));
  EXPECT_EQ(b[".ds-logs-app-000002"].first, "logs-app");
  // Not described by the metadata: by name, the longest stream first, @timestamp.
  EXPECT_EQ(b[".ds-logs-000001"], (std::pair<std::string, std::string>{"logs", "@timestamp"}));
  EXPECT_EQ(b[".ds-logs-a-2026.12.07-000001"].first, "logs-a");
  EXPECT_FALSE(b.count("plain"));
  // Without the metadata, names alone.
  auto n = backing_indices(json(), {"logs-app"}, names);
  EXPECT_EQ(n.size(), 2u);
  EXPECT_EQ(n[".ds-logs-app-000001"].second, "@timestamp");
}

TEST(FromSnapshotPlan, SourceEngineFromTheSnapshotVersion) {
  auto os = source_engine(136407827, "");
  EXPECT_EQ(os.engine, "opensearch");
  EXPECT_EQ(os.version, "2.19.0");
  auto es7 = source_engine(7172999, "7.17.29");
  EXPECT_EQ(es7.engine, "elasticsearch");
  EXPECT_EQ(es7.version, "7.17.29");
  EXPECT_EQ(source_engine(8536000, "8.19.7").version, "8.19.7");
  EXPECT_EQ(source_engine(9039001, "").version, "9.0.0");
}

// --- whole runs on a real repository -------------------------------------------------------

struct Fixture {
  std::unique_ptr<blob::MemoryStore> repo_store = load_fixture("es8");
  test::CountingStore counting{*repo_store};  // what the repository is read through
  std::unique_ptr<inspect::Repository> repo;
  Fixture() {
    auto r = inspect::Repository::open(counting);
    EXPECT_TRUE(r.ok()) << r.error().message;
    repo = std::move(*r);
  }
  Result<ExportResult> go(blob::BlobStore& target, ExportOptions o) {
    if (o.snapshot.empty()) o.snapshot = "s3";
    if (o.patterns.empty()) o.patterns = {"insp-fx-*"};
    o.tool = "essnap test";
    return run_export(*repo, target, o, transfer::Hooks{});
  }
  // What inspect docs reads of `index`, shard by shard.
  std::string expected_lines(const std::string& index) {
    std::string out;
    inspect::DocsRequest req;
    req.snapshot = "s3";
    req.index = index;
    auto r = inspect::read_documents(*repo, req, [&](const std::string& line) {
      out += line;
      return ok_status();
    });
    EXPECT_TRUE(r.ok()) << r.error().message;
    return out;
  }
};

transfer::Manifest manifest_of(blob::MemoryStore& s) {
  auto m = transfer::parse_manifest(s.get("manifest.json"), "manifest.json",
                                    transfer::ManifestKind::kManifest);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message);
  return m.ok() ? *m : transfer::Manifest{};
}

std::string lines_of(blob::MemoryStore& s, const transfer::Manifest& m, const std::string& index) {
  std::string out;
  for (const auto& c : m.find(index)->chunks) {
    auto d = transfer::decompress(m.compression, s.get(c.file), 64u << 20);
    EXPECT_TRUE(d.ok());
    if (d.ok()) out += *d;
  }
  return out;
}

TEST(FromSnapshotExport, WritesTheExportFormatWithTheDocumentsInspectReads) {
  Fixture run;
  blob::MemoryStore target;
  ExportOptions o;
  o.chunk_docs = 4;
  auto r = run.go(target, o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->manifest_written);
  const transfer::Manifest m = manifest_of(target);
  EXPECT_EQ(m.source_engine, "elasticsearch");
  ASSERT_EQ(m.indices.size(), 2u);
  const auto* logs = m.find("insp-fx-logs");
  ASSERT_NE(logs, nullptr);
  EXPECT_EQ(logs->slices, 2);
  EXPECT_GT(logs->documents, 0);
  for (const auto& c : logs->chunks) EXPECT_LE(c.documents, 4);
  EXPECT_EQ(lines_of(target, m, "insp-fx-logs"), run.expected_lines("insp-fx-logs"));
  EXPECT_EQ(lines_of(target, m, "insp-fx-solo"), run.expected_lines("insp-fx-solo"));
  auto def = json::parse(target.get("insp-fx-logs/index.json"));
  EXPECT_TRUE(def["mappings"].contains("properties"));
  EXPECT_FALSE(def["settings"].contains("index.uuid"));

  // A second run into the same place is refused; an exclusion leaves an index out.
  auto again = run.go(target, o);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  blob::MemoryStore solo;
  o.patterns = {"insp-fx-*", "-insp-fx-logs"};
  ASSERT_TRUE(run.go(solo, o).ok());
  EXPECT_EQ(manifest_of(solo).indices.size(), 1u);
}

// The shards opened for the pre-flight check are the ones read: no blob's first bytes (its
// codec header, a compound file's first entries) are fetched twice in a whole export.
TEST(FromSnapshotExport, TheCheckedShardsAreTheOnesRead) {
  Fixture run;
  blob::MemoryStore target;
  ASSERT_TRUE(run.go(target, ExportOptions{}).ok());
  const auto reads = run.counting.range_reads();
  std::set<std::string> blobs;
  for (const auto& r : reads)
    if (r.path.find("/__") != std::string::npos) blobs.insert(r.path);
  ASSERT_FALSE(blobs.empty());
  for (const auto& b : blobs) EXPECT_EQ(test::reads_of_fetched_bytes(reads, b, 64 * 1024), 0) << b;

  // Past the memory they may keep, shards are opened again when their turn comes: same counts.
  auto sel = select(*run.repo, "s3", {"insp-fx-*"});
  ASSERT_TRUE(sel.ok()) << sel.error().message;
  auto kept = CheckedShards::open(*run.repo, *sel, sel->units);
  auto none = CheckedShards::open(*run.repo, *sel, sel->units, 0);
  ASSERT_TRUE(kept.ok() && none.ok());
  EXPECT_EQ(kept->documents(), none->documents());
  EXPECT_GT(kept->documents("insp-fx-logs"), 0);
  for (const ShardUnit& u : sel->units) {
    auto a = kept->take(*run.repo, *sel, u);
    auto b = none->take(*run.repo, *sel, u);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->live_document_count(), b->live_document_count());
  }
}

TEST(FromSnapshotExport, UnknownSnapshotsAndIndicesAreNamed) {
  Fixture run;
  blob::MemoryStore target;
  ExportOptions o;
  o.snapshot = "nope";
  auto r = run.go(target, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  o.snapshot = "s3";
  o.patterns = {"orders"};
  r = run.go(target, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_NE(r.error().message.find("orders"), std::string::npos);
  EXPECT_EQ(target.blob_count(), 0u);  // nothing written
}

TEST(FromSnapshotExport, TwoSharesMakeTheManifestOfOneRun) {
  Fixture run;
  blob::MemoryStore whole, shared;
  ExportOptions o;
  o.chunk_docs = 4;
  o.chunk_bytes = 1 << 20;
  ASSERT_TRUE(run.go(whole, o).ok());

  o.share = Share{1, 2};
  auto first = run.go(shared, o);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_FALSE(first->manifest_written);
  EXPECT_EQ(first->shares_pending, std::vector<int>{0});
  EXPECT_FALSE(shared.contains("manifest.json"));
  EXPECT_TRUE(shared.contains("export-state-1-of-2.json"));
  o.share = Share{0, 2};
  auto last = run.go(shared, o);
  ASSERT_TRUE(last.ok()) << last.error().message;
  EXPECT_TRUE(last->manifest_written);
  EXPECT_EQ(first->units.size() + last->units.size(), 3u);  // logs 0, logs 1, solo 0

  const transfer::Manifest a = manifest_of(whole), b = manifest_of(shared);
  ASSERT_EQ(a.indices.size(), b.indices.size());
  for (std::size_t i = 0; i < a.indices.size(); ++i) {
    EXPECT_EQ(a.indices[i].documents, b.indices[i].documents);
    ASSERT_EQ(a.indices[i].chunks.size(), b.indices[i].chunks.size());
    for (std::size_t k = 0; k < a.indices[i].chunks.size(); ++k)
      EXPECT_EQ(a.indices[i].chunks[k].sha256, b.indices[i].chunks[k].sha256);
  }
}

TEST(FromSnapshotExport, ResumeKeepsRecordedChunksAndRewritesADamagedOne) {
  Fixture run;
  blob::MemoryStore target;
  ExportOptions o;
  o.chunk_docs = 3;
  ASSERT_TRUE(run.go(target, o).ok());
  const transfer::Manifest done = manifest_of(target);
  const std::string full = lines_of(target, done, "insp-fx-logs");

  // As if interrupted: no manifest, shard 1 of logs only half recorded, a recorded chunk of
  // shard 0 damaged and one missing.
  auto st = parse_state(target.get("export-state.json"), "state");
  ASSERT_TRUE(st.ok());
  st->done = false;
  auto& logs = *st->manifest.find("insp-fx-logs");
  logs.slices_done[1] = false;
  std::vector<transfer::ChunkEntry> kept;
  int shard1 = 0;
  for (const auto& c : logs.chunks)
    if (c.slice != 1 || ++shard1 <= 1) kept.push_back(c);
  logs.chunks = kept;
  target.set("export-state.json", state_text(*st));
  target.erase("manifest.json");
  ASSERT_GE(done.find("insp-fx-logs")->chunks.size(), 3u);
  target.set(transfer::chunk_file("insp-fx-logs", 0, 0, transfer::Compression::kZstd), "garbage");
  target.erase(transfer::chunk_file("insp-fx-logs", 1, 0, transfer::Compression::kZstd));

  ExportOptions resume = o;
  auto fresh = run.go(target, o);  // without --resume: refused
  ASSERT_FALSE(fresh.ok());
  EXPECT_EQ(fresh.error().code, ErrorCode::kConflict);
  resume.resume = transfer::Resume::kYes;
  auto r = run.go(target, resume);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const transfer::Manifest again = manifest_of(target);
  EXPECT_EQ(lines_of(target, again, "insp-fx-logs"), full);
  ASSERT_EQ(again.find("insp-fx-logs")->chunks.size(), done.find("insp-fx-logs")->chunks.size());
  for (std::size_t k = 0; k < again.find("insp-fx-logs")->chunks.size(); ++k)
    EXPECT_EQ(again.find("insp-fx-logs")->chunks[k].sha256,
              done.find("insp-fx-logs")->chunks[k].sha256);

  // A finished export resumes to "already complete".
  auto complete = run.go(target, resume);
  ASSERT_TRUE(complete.ok());
  EXPECT_TRUE(complete->already_complete);
}

// The .fdt is read once, its CRC-32 checked when its segment's walk ends: documents of a damaged
// segment can reach chunk files first, so a failed walk drops every chunk of the shard from the
// checkpoint (a resume reads it again whole) and no manifest is written. Bytes of the solo
// index's blobs are flipped one at a time until one is damage the stored-fields pass reports.
TEST(FromSnapshotExport, ADamagedSegmentLeavesNoChunkOfItsShardInTheCheckpoint) {
  const std::string dir = "indices/Gvaztz16TN2Mq13xSMDOdQ/0";
  bool seen = false;
  Fixture probe;
  auto listing = probe.repo_store->list(dir);
  ASSERT_TRUE(listing.ok());
  for (const auto& b : listing->blobs) {
    if (!b.name.starts_with("__") || seen) continue;
    const std::string path = dir + "/" + b.name;
    const std::string orig = probe.repo_store->get(path);
    for (std::size_t at = orig.size() / 4; at < orig.size() * 3 / 4 && !seen; at += 3) {
      Fixture run;
      std::string bytes = orig;
      bytes[at] = static_cast<char>(bytes[at] ^ 0x20);
      run.repo_store->set(path, bytes);
      blob::MemoryStore target;
      ExportOptions o;
      o.patterns = {"insp-fx-solo"};
      o.chunk_docs = 1;  // a chunk a document: chunks are written before the segment's verdict
      o.checkpoint_every = std::chrono::milliseconds(0);  // and recorded at once
      auto r = run.go(target, o);
      // The one-pass verdict (content bytes that still decode): "checksum … footer says …".
      const std::string m = r.ok() ? "" : r.error().message;
      if (m.find(".fdt") == std::string::npos || m.find("footer says") == std::string::npos)
        continue;
      seen = true;
      SCOPED_TRACE(path + " byte " + std::to_string(at) + ": " + r.error().message);
      EXPECT_FALSE(target.contains("manifest.json"));
      auto st = parse_state(target.get("export-state.json"), "state");
      ASSERT_TRUE(st.ok());
      const auto* solo = st->manifest.find("insp-fx-solo");
      ASSERT_NE(solo, nullptr);
      EXPECT_TRUE(solo->chunks.empty()) << solo->chunks.size() << " chunks kept";
      EXPECT_FALSE(solo->slices_done[0]);
    }
  }
  EXPECT_TRUE(seen) << "no flipped byte was reported by the .fdt's checksum";
}

}  // namespace
}  // namespace essnap::fromsnapshot
