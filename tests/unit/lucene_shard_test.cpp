// lucene/: a shard snapshot opened as a Lucene index — segments_N, .si, .cfe/.cfs, .fnm, .liv,
// soft deletes and nested documents — on fixtures written by the stack's real engines
// (tests/data/lucene/<engine>/, made by make_index_fixtures.py), compared with what each engine
// said of its index; and damaged copies of them, which must be errors naming the blob and the
// Lucene file.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>

#include "essnap/blob/local_store.hpp"
#include "essnap/blob/memory_store.hpp"
#include "essnap/format/framing.hpp"
#include "essnap/format/shard_snapshot.hpp"
#include "essnap/lucene/documents.hpp"
#include "essnap/lucene/shard.hpp"
#include "support/counting_store.hpp"

namespace essnap::lucene {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

fs::path data_root() {
  return fs::path(ESSNAP_TEST_DATA_DIR) / "lucene";
}

Bytes read_bytes(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

const std::vector<std::string>& engines() {
  static const std::vector<std::string> e = {"es6", "es7", "es8", "es9", "os1", "os2", "os3"};
  return e;
}

format::ShardSnapshot shard_snapshot(const std::string& engine) {
  for (const auto& e : fs::directory_iterator(data_root() / engine / "shard")) {
    const std::string n = e.path().filename().string();
    if (n.rfind("snap-", 0) == 0) {
      const Bytes b = read_bytes(e.path());
      auto doc = format::read_framed_blob(b, format::kCodecSnapshot);
      EXPECT_TRUE(doc) << doc.error().message;
      auto s = format::parse_shard_snapshot(*doc);
      EXPECT_TRUE(s) << s.error().message;
      return *s;
    }
  }
  ADD_FAILURE() << "no snap-*.dat in " << engine;
  return {};
}

nlohmann::json expected(const std::string& engine) {
  std::ifstream f(data_root() / engine / "expected.json");
  return nlohmann::json::parse(f);
}

// The fixture's shard folder copied into a memory store (7-byte chunks), under "shard".
std::unique_ptr<blob::MemoryStore> memory_copy(const std::string& engine) {
  auto store = std::make_unique<blob::MemoryStore>();
  for (const auto& e : fs::directory_iterator(data_root() / engine / "shard")) {
    const Bytes b = read_bytes(e.path());
    EXPECT_TRUE(store->put("shard/" + e.path().filename().string(),
                           std::string_view(reinterpret_cast<const char*>(b.data()), b.size())));
  }
  return store;
}

const format::FileInfo* file_named(const format::ShardSnapshot& s, const std::string& physical) {
  for (const auto& f : s.files)
    if (f.physical_name == physical) return &f;
  return nullptr;
}

class LuceneShardFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(LuceneShardFixture, OpensEverySegmentWithTheEnginesCounts) {
  const std::string engine = GetParam();
  const auto snap = shard_snapshot(engine);
  const auto want = expected(engine);
  blob::LocalStore store((data_root() / engine).string());
  auto shard = open_shard(store, "shard", snap);
  ASSERT_TRUE(shard) << shard.error().message;
  ASSERT_EQ(shard->segments.size(), want["segments"].size());
  for (const auto& ws : want["segments"]) {
    const std::string name = ws["name"];
    auto it = std::find_if(shard->segments.begin(), shard->segments.end(),
                           [&](const Segment& s) { return s.name() == name; });
    ASSERT_NE(it, shard->segments.end()) << name;
    EXPECT_EQ(it->max_doc(), ws["max_doc"].get<int>()) << engine << " " << name;
    EXPECT_EQ(it->live_count(), ws["num_docs"].get<unsigned>()) << engine << " " << name;
    if (ws.contains("compound") && ws["compound"].is_boolean())
      EXPECT_EQ(it->info.compound, ws["compound"].get<bool>()) << engine << " " << name;
    EXPECT_FALSE(it->field_infos.fields().empty());
    EXPECT_TRUE(it->top_level) << engine << " " << name << ": no _primary_term";
  }
  EXPECT_EQ(shard->live_lucene_document_count(), want["lucene_live_docs"].get<std::uint64_t>());
  EXPECT_EQ(shard->live_document_count(), want["top_level_count"].get<std::uint64_t>());
  // every segment file opens (from the compound file or the shard) and passes its footer check
  for (const auto& s : shard->segments) {
    for (const auto& f : s.info.files) {
      if (f.ends_with(".cfs") || f.ends_with(".cfe") || f.ends_with(".si")) continue;
      auto file = s.open(f);
      ASSERT_TRUE(file) << file.error().message;
      EXPECT_TRUE(check_footer(*file)) << engine << " " << f;
    }
  }
}

TEST_P(LuceneShardFixture, ReadsTheCommitAndTheSegmentDescriptions) {
  const std::string engine = GetParam();
  const auto snap = shard_snapshot(engine);
  blob::LocalStore store((data_root() / engine).string());
  auto shard = open_shard(store, "shard", snap);
  ASSERT_TRUE(shard) << shard.error().message;
  const int major = shard->commit.lucene_version.major;
  const std::map<std::string, int> majors = {{"es6", 7}, {"es7", 8}, {"es8", 9}, {"es9", 10},
                                             {"os1", 8}, {"os2", 9}, {"os3", 10}};
  EXPECT_EQ(major, majors.at(engine));
  EXPECT_EQ(shard->commit.index_created_major, major);
  EXPECT_FALSE(shard->commit.user_data.empty());  // Elasticsearch's translog uuid, sync id, ...
  for (const auto& s : shard->segments) {
    EXPECT_EQ(s.info.version.major, major);
    const std::string mode = major >= 9   ? s.info.attribute("Lucene90StoredFieldsFormat.mode")
                             : major == 8 ? s.info.attribute("Lucene87StoredFieldsFormat.mode")
                                          : s.info.attribute("Lucene50StoredFieldsFormat.mode");
    EXPECT_FALSE(mode.empty()) << engine << " " << s.name();
  }
  // Elasticsearch 7+ and OpenSearch: updates and deletes are soft deletes
  std::int64_t soft = 0, hard = 0;
  for (const auto& s : shard->segments) {
    soft += s.commit.soft_del_count;
    hard += s.commit.del_count;
  }
  if (engine == "es6") {
    EXPECT_GT(hard, 0);
    EXPECT_EQ(soft, 0);
  } else {
    EXPECT_GT(soft, 0);
    const FieldInfo* f = shard->segments.back().field_infos.soft_deletes_field();
    (void)f;
  }
}

// Opening a shard and reading every document of it fetches no byte of a file's first 64 KiB
// twice: compound headers, the entries at their start, .si / .fnm fields read one by one all
// come from one read of the head (each read went back to the repository before: five reads of
// the same first MiBs per segment, each costing an S3 server a whole-chunk read).
TEST_P(LuceneShardFixture, AFilesFirstBytesAreFetchedOnce) {
  const auto snap = shard_snapshot(GetParam());
  auto inner = memory_copy(GetParam());
  test::CountingStore store(*inner);
  auto shard = open_shard(store, "shard", snap);
  ASSERT_TRUE(shard) << shard.error().message;
  ShardDocumentsOptions opt;
  opt.integrity = Integrity::kVerifyWhileReading;
  std::uint64_t docs = 0;
  ASSERT_TRUE(visit_shard_documents(
      *shard,
      [&](const EsDocument&) -> Status {
        ++docs;
        return ok_status();
      },
      opt));
  EXPECT_EQ(docs, shard->live_document_count());
  const auto reads = store.range_reads();
  ASSERT_FALSE(reads.empty());
  std::set<std::string> paths;
  for (const auto& r : reads) paths.insert(r.path);
  for (const auto& p : paths) EXPECT_EQ(test::reads_of_fetched_bytes(reads, p, 64 * 1024), 0) << p;
}

INSTANTIATE_TEST_SUITE_P(Engines, LuceneShardFixture, ::testing::ValuesIn(engines()));

TEST(LuceneShard, NewestCommitIsChosen) {
  EXPECT_EQ(latest_segments_file({"segments_2", "segments_a", "segments_9", "_0.si"}),
            "segments_a");
  EXPECT_EQ(latest_segments_file({"_0.si", "segments.gen"}), std::nullopt);
  EXPECT_EQ(segments_generation("segments"), 0);
  EXPECT_EQ(file_name_from_generation("_3", "liv", 37), "_3_11.liv");
  EXPECT_EQ(file_name_from_generation("_3", "liv", -1), std::nullopt);
}

// A multi-part repository (chunk_size 4kb) reads the same across parts.
TEST(LuceneShard, ReadsFilesSplitIntoParts) {
  const auto snap = shard_snapshot("es8");
  bool split = false;
  for (const auto& f : snap.files) split = split || f.number_of_parts() > 1;
  ASSERT_TRUE(split) << "the es8 fixture should hold a file in several parts";
  auto store = memory_copy("es8");
  auto shard = open_shard(*store, "shard", snap);
  ASSERT_TRUE(shard) << shard.error().message;
  EXPECT_EQ(shard->live_document_count(), expected("es8")["top_level_count"].get<std::uint64_t>());
}

std::string flip_byte_in(blob::MemoryStore& store, const format::FileInfo& f,
                         std::uint64_t offset) {
  const std::string path = "shard/" + f.part_name(0);
  auto bytes = store.read(path, 1 << 20);
  EXPECT_TRUE(bytes);
  std::string b = *bytes;
  b[offset] = static_cast<char>(b[offset] ^ 0x20);
  EXPECT_TRUE(store.put(path, b));
  return f.name;
}

TEST(LuceneShard, AFlippedByteIsAChecksumErrorNamingBlobAndFile) {
  const auto snap = shard_snapshot("es9");
  // the commit, a .si, a compound file's entries and a field infos file
  std::vector<std::string> targets = {"segments_", ".si", ".cfe", ".fnm"};
  for (const auto& t : targets) {
    const format::FileInfo* f = nullptr;
    for (const auto& fi : snap.files)
      if (fi.physical_name.find(t) != std::string::npos && !fi.is_virtual()) f = &fi;
    if (!f) continue;  // small files may be held as v__ (no blob to damage)
    auto store = memory_copy("es9");
    const std::string blob_name = flip_byte_in(*store, *f, 40);
    auto shard = open_shard(*store, "shard", snap);
    ASSERT_FALSE(shard) << t;
    EXPECT_EQ(shard.error().code, ErrorCode::kParse);
    EXPECT_NE(shard.error().message.find(f->physical_name), std::string::npos)
        << shard.error().message;
    EXPECT_NE(shard.error().message.find(blob_name), std::string::npos) << shard.error().message;
    EXPECT_NE(shard.error().message.find("checksum"), std::string::npos) << shard.error().message;
  }
}

TEST(LuceneShard, AFlippedByteInAVirtualFileIsAChecksumError) {
  auto snap = shard_snapshot("es9");
  format::FileInfo* v = nullptr;
  for (auto& f : snap.files)
    if (f.is_virtual() && f.physical_name.ends_with(".si")) v = &f;
  ASSERT_NE(v, nullptr);
  v->meta_hash[30] ^= 1;
  auto store = memory_copy("es9");
  auto shard = open_shard(*store, "shard", snap);
  ASSERT_FALSE(shard);
  EXPECT_NE(shard.error().message.find(v->name), std::string::npos) << shard.error().message;
  EXPECT_NE(shard.error().message.find(v->physical_name), std::string::npos);
}

TEST(LuceneShard, ATruncatedBlobIsAnErrorNamingIt) {
  const auto snap = shard_snapshot("os2");
  const format::FileInfo* cfs = nullptr;
  for (const auto& f : snap.files)
    if (f.physical_name.ends_with(".cfs")) cfs = &f;
  ASSERT_NE(cfs, nullptr);
  auto store = memory_copy("os2");
  const std::string path = "shard/" + cfs->part_name(cfs->number_of_parts() - 1);
  auto bytes = store->read(path, 1 << 20);
  ASSERT_TRUE(bytes);
  ASSERT_TRUE(store->put(path, bytes->substr(0, bytes->size() / 2)));
  auto shard = open_shard(*store, "shard", snap);
  ASSERT_FALSE(shard);
  EXPECT_EQ(shard.error().code, ErrorCode::kParse);
  EXPECT_NE(shard.error().message.find(cfs->name), std::string::npos) << shard.error().message;
  EXPECT_NE(shard.error().message.find("truncated"), std::string::npos) << shard.error().message;
}

TEST(LuceneShard, AMissingLiveDocsFileIsAnError) {
  auto snap = shard_snapshot("es6");
  auto it = std::find_if(snap.files.begin(), snap.files.end(), [](const format::FileInfo& f) {
    return f.physical_name.ends_with(".liv");
  });
  ASSERT_NE(it, snap.files.end());
  const std::string liv = it->physical_name;
  snap.files.erase(it);
  blob::LocalStore store((data_root() / "es6").string());
  auto shard = open_shard(store, "shard", snap);
  ASSERT_FALSE(shard);
  EXPECT_EQ(shard.error().code, ErrorCode::kParse);
  EXPECT_NE(shard.error().message.find(liv), std::string::npos) << shard.error().message;
  EXPECT_NE(shard.error().message.find("missing"), std::string::npos) << shard.error().message;
}

TEST(LuceneShard, AMissingBlobIsAnErrorNamingIt) {
  const auto snap = shard_snapshot("os1");
  const format::FileInfo* fdt = nullptr;
  for (const auto& f : snap.files)
    if (f.physical_name.ends_with(".cfs")) fdt = &f;
  ASSERT_NE(fdt, nullptr);
  auto store = memory_copy("os1");
  ASSERT_TRUE(store->remove({"shard/" + fdt->part_name(0)}));
  auto shard = open_shard(*store, "shard", snap);
  ASSERT_FALSE(shard);
  EXPECT_NE(shard.error().message.find(fdt->name), std::string::npos) << shard.error().message;
  EXPECT_NE(shard.error().message.find(fdt->physical_name), std::string::npos);
}

}  // namespace
}  // namespace essnap::lucene
