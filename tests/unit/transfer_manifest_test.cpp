// manifest.json and export-state.json: the round trip, and a hostile file refused with kParse
// naming what is wrong — traversal in file names, digests, gaps, counts, duplicates, types.
#include <gtest/gtest.h>

#include "essnap/transfer/manifest.hpp"
#include "support/malformed_corpus.hpp"

namespace essnap::transfer {
namespace {

Manifest sample() {
  Manifest m;
  m.tool = "essnap test";
  m.created = "2026-12-01T10:00:00Z";
  m.source_engine = "elasticsearch";
  m.source_version = "8.19.7";
  m.compression = Compression::kZstd;
  m.chunk_docs = 10;
  m.chunk_bytes = 1 << 20;
  IndexEntry e;
  e.name = "logs";
  e.slices = 2;
  e.source_count = 25;
  e.metadata_sha256 = std::string(64, 'a');
  e.slices_done = {true, false};
  auto chunk = [&](int s, int q, long long n) {
    ChunkEntry c;
    c.slice = s;
    c.seq = q;
    c.documents = n;
    c.bytes = 100 + n;
    c.sha256 = std::string(63, 'b') + static_cast<char>('0' + q);
    c.file = chunk_file("logs", s, q, Compression::kZstd);
    e.documents += n;
    e.chunks.push_back(c);
  };
  chunk(0, 0, 10);
  chunk(0, 1, 5);
  chunk(1, 0, 10);
  m.indices.push_back(e);
  return m;
}

TEST(TransferManifest, RoundTripsBothKinds) {
  const Manifest m = sample();
  for (auto kind : {ManifestKind::kManifest, ManifestKind::kState}) {
    auto back = parse_manifest(to_json(m, kind).dump(), "manifest.json", kind);
    ASSERT_TRUE(back.ok()) << back.error().message;
    ASSERT_EQ(back->indices.size(), 1u);
    const auto& e = back->indices[0];
    EXPECT_EQ(e.name, "logs");
    EXPECT_EQ(e.documents, 25);
    ASSERT_EQ(e.chunks.size(), 3u);
    EXPECT_EQ(e.chunks[1].file, "logs/000-000001.ndjson.zst");
    EXPECT_EQ(e.chunks[1].sha256, m.indices[0].chunks[1].sha256);
    EXPECT_EQ(back->source_version, "8.19.7");
    if (kind == ManifestKind::kState) EXPECT_EQ(e.slices_done, (std::vector<bool>{true, false}));
  }
}

TEST(TransferManifest, ABackingIndexKeepsItsDataStream) {
  Manifest m = sample();
  m.indices[0].name = ".ds-logs-app-2026.12.01-000001";
  m.indices[0].data_stream = "logs-app";
  m.indices[0].timestamp_field = "@timestamp";
  for (auto& c : m.indices[0].chunks)
    c.file = chunk_file(m.indices[0].name, c.slice, c.seq, Compression::kZstd);
  const nlohmann::json j = to_json(m, ManifestKind::kManifest);
  EXPECT_EQ(j["indices"][0]["data_stream"],
            (nlohmann::json{{"name", "logs-app"}, {"timestamp_field", "@timestamp"}}));
  auto back = parse_manifest(j.dump(), "manifest.json", ManifestKind::kManifest);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->indices[0].data_stream, "logs-app");
  EXPECT_EQ(back->indices[0].timestamp_field, "@timestamp");
  // An index that is no backing index has no member at all (what readers before it expect).
  EXPECT_FALSE(to_json(sample(), ManifestKind::kManifest)["indices"][0].contains("data_stream"));
  EXPECT_TRUE(parse_manifest(to_json(sample(), ManifestKind::kManifest).dump(), "m",
                             ManifestKind::kManifest)
                  ->indices[0]
                  .data_stream.empty());
}

TEST(TransferManifest, FileNamesAreDerived) {
  EXPECT_EQ(chunk_file("a", 3, 12, Compression::kGzip), "a/003-000012.ndjson.gz");
  EXPECT_EQ(chunk_file("a", 0, 0, Compression::kNone), "a/000-000000.ndjson");
  EXPECT_EQ(metadata_file("a"), "a/index.json");
}

// One mutation of the sample each; every one is refused with kParse (or kInvalidArgument for a
// newer format) and never throws.
TEST(TransferManifest, HostileManifestsAreRefused) {
  struct Case {
    const char* name;
    std::function<void(nlohmann::json&)> mutate;
  };
  const std::vector<Case> cases = {
      {"traversal in a chunk file",
       [](auto& j) { j["indices"][0]["chunks"][0]["file"] = "../../etc/passwd"; }},
      {"absolute chunk file",
       [](auto& j) { j["indices"][0]["chunks"][0]["file"] = "/etc/passwd"; }},
      {"other index's chunk",
       [](auto& j) { j["indices"][0]["chunks"][0]["file"] = "x/000-000000.ndjson.zst"; }},
      {"traversal in metadata",
       [](auto& j) { j["indices"][0]["metadata"]["file"] = "../index.json"; }},
      {"index name ..", [](auto& j) { j["indices"][0]["name"] = ".."; }},
      {"index name with slash", [](auto& j) { j["indices"][0]["name"] = "a/b"; }},
      {"short sha", [](auto& j) { j["indices"][0]["chunks"][0]["sha256"] = "abc"; }},
      {"upper-case sha",
       [](auto& j) { j["indices"][0]["chunks"][0]["sha256"] = std::string(64, 'A'); }},
      {"negative count", [](auto& j) { j["indices"][0]["chunks"][0]["documents"] = -1; }},
      {"huge count",
       [](auto& j) { j["indices"][0]["chunks"][0]["documents"] = 18446744073709551615ULL; }},
      {"count above chunk_docs", [](auto& j) { j["indices"][0]["chunks"][0]["documents"] = 11; }},
      {"float count", [](auto& j) { j["indices"][0]["documents"] = 2.5; }},
      {"string count", [](auto& j) { j["indices"][0]["documents"] = "25"; }},
      {"sum differs", [](auto& j) { j["indices"][0]["documents"] = 26; }},
      {"gap in a slice",
       [](auto& j) {
         j["indices"][0]["chunks"].erase(0);
         j["indices"][0]["documents"] = 15;
       }},
      {"slice out of range", [](auto& j) { j["indices"][0]["chunks"][2]["slice"] = 2; }},
      {"duplicate chunk",
       [](auto& j) { j["indices"][0]["chunks"].push_back(j["indices"][0]["chunks"][0]); }},
      {"zero slices", [](auto& j) { j["indices"][0]["slices"] = 0; }},
      {"duplicate index", [](auto& j) { j["indices"].push_back(j["indices"][0]); }},
      {"unknown compression", [](auto& j) { j["compression"] = "lz4"; }},
      {"wrong format", [](auto& j) { j["format"] = "elasticdump"; }},
      {"unknown engine", [](auto& j) { j["source"]["engine"] = "solr"; }},
      {"indices not an array", [](auto& j) { j["indices"] = nlohmann::json::object(); }},
      {"chunks missing", [](auto& j) { j["indices"][0].erase("chunks"); }},
      {"data stream not an object", [](auto& j) { j["indices"][0]["data_stream"] = "logs"; }},
      {"data stream name with slash",
       [](auto& j) {
         j["indices"][0]["data_stream"] = {{"name", "a/b"}, {"timestamp_field", "@timestamp"}};
       }},
      {"data stream without timestamp",
       [](auto& j) {
         j["indices"][0]["data_stream"] = {{"name", "logs"}};
       }},
      {"data stream empty timestamp",
       [](auto& j) {
         j["indices"][0]["data_stream"] = {{"name", "logs"}, {"timestamp_field", ""}};
       }},
  };
  for (const auto& c : cases) {
    nlohmann::json j = to_json(sample(), ManifestKind::kManifest);
    c.mutate(j);
    EXPECT_NO_THROW({
      auto r = parse_manifest(j.dump(), "manifest.json", ManifestKind::kManifest);
      ASSERT_FALSE(r.ok()) << c.name;
      EXPECT_EQ(r.error().code, ErrorCode::kParse) << c.name;
      EXPECT_NE(r.error().message.find("manifest.json"), std::string::npos) << c.name;
    }) << c.name;
  }
  nlohmann::json newer = to_json(sample(), ManifestKind::kManifest);
  newer["format_version"] = 2;
  EXPECT_EQ(parse_manifest(newer.dump(), "m", ManifestKind::kManifest).error().code,
            ErrorCode::kInvalidArgument);
  nlohmann::json state = to_json(sample(), ManifestKind::kState);
  state["indices"][0]["slices_done"] = {true};
  EXPECT_EQ(parse_manifest(state.dump(), "s", ManifestKind::kState).error().code,
            ErrorCode::kParse);
}

TEST(TransferManifest, MalformedCorpusNeverThrows) {
  for (const auto& m : essnap::testing::malformed_corpus())
    EXPECT_NO_THROW({
      auto r = parse_manifest(m.bytes, "manifest.json", ManifestKind::kManifest);
      EXPECT_FALSE(r.ok()) << m.name;
    }) << m.name;
}

TEST(TransferManifest, CompletedPrefixStopsAtTheFirstGap) {
  Manifest m = sample();
  IndexEntry& e = m.indices[0];
  EXPECT_EQ(completed_prefix(e, 0).chunks, 2);
  EXPECT_EQ(completed_prefix(e, 0).documents, 15);
  EXPECT_EQ(completed_prefix(e, 1).chunks, 1);
  // slice 1 gains chunk 2 without chunk 1: the prefix stays at 1 (chunk 2 will be written again).
  ChunkEntry c = e.chunks[2];
  c.seq = 2;
  e.chunks.push_back(c);
  EXPECT_EQ(completed_prefix(e, 1).chunks, 1);
  EXPECT_EQ(completed_prefix(e, 1).documents, 10);
  EXPECT_EQ(completed_prefix(e, 5).chunks, 0);
}

}  // namespace
}  // namespace essnap::transfer
