// lucene/codec_lz4 + codec_modes + stored_fields over segments written here in the Lucene90
// layout, for the codecs no engine of the stack writes (OpenSearch custom-codecs zstd and
// zstd_no_dict need the plugin; Elasticsearch zstd BEST_SPEED) and shapes the engine fixtures do
// not reach: chunks of 128+ documents (StoredFieldsInts' blocks), sliced chunks, empty documents.
#include <gtest/gtest.h>

#include "essnap/lucene/codec_lz4.hpp"
#include "essnap/lucene/stored_document.hpp"
#include "lucene_stored_support.hpp"

namespace essnap::lucene {
namespace {

using test::synth_segment;
using test::SynthDoc;

TEST(LuceneLz4, DecodesLiteralsMatchesOverlapsAndDictionaryReferences) {
  // "abcabcabcabc!": literals "abc", match offset 3 length 9 (overlapping), literal "!"
  const std::vector<std::uint8_t> block = {0x35, 'a', 'b', 'c', 0x03, 0x00, 0x10, '!'};
  std::vector<std::uint8_t> out(13);
  auto used = lz4_decompress(block, out, 0);
  ASSERT_TRUE(used) << used.error().message;
  EXPECT_EQ(*used, block.size());
  EXPECT_EQ(std::string(out.begin(), out.end()), "abcabcabcabc!");
  // A match into the dictionary "hello" (out = dict + "hellohello!"): token 0x06, no literal,
  // match of 6 + 4 = 10 bytes at offset 5 -> "hellohello"; then the literal "!".
  std::vector<std::uint8_t> dict_out = {'h', 'e', 'l', 'l', 'o'};
  dict_out.resize(5 + 11);
  const std::vector<std::uint8_t> b2 = {0x06, 0x05, 0x00, 0x10, '!'};
  used = lz4_decompress(b2, dict_out, 5);
  ASSERT_TRUE(used) << used.error().message;
  EXPECT_EQ(std::string(dict_out.begin() + 5, dict_out.end()), "hellohello!");
  // The same block without the dictionary reaches before the output: refused.
  std::vector<std::uint8_t> no_dict(11);
  EXPECT_FALSE(lz4_decompress(b2, no_dict, 0));
}

TEST(LuceneLz4, RefusesDamage) {
  std::vector<std::uint8_t> out(13);
  // offset before the start of the output
  EXPECT_FALSE(lz4_decompress(std::vector<std::uint8_t>{0x35, 'a', 'b', 'c', 0x09, 0x00, 0x10, '!'},
                              out, 0));
  // offset 0
  EXPECT_FALSE(lz4_decompress(std::vector<std::uint8_t>{0x35, 'a', 'b', 'c', 0x00, 0x00, 0x10, '!'},
                              out, 0));
  // truncated inside the literals / before the offset
  EXPECT_FALSE(lz4_decompress(std::vector<std::uint8_t>{0x35, 'a', 'b'}, out, 0));
  EXPECT_FALSE(lz4_decompress(std::vector<std::uint8_t>{0x35, 'a', 'b', 'c', 0x03}, out, 0));
  // more literals than the output holds
  std::vector<std::uint8_t> small(2);
  EXPECT_FALSE(lz4_decompress(std::vector<std::uint8_t>{0x30, 'a', 'b', 'c'}, small, 0));
  // fewer bytes than announced: the block ends early
  std::vector<std::uint8_t> big(20);
  EXPECT_FALSE(lz4_decompress(std::vector<std::uint8_t>{0x30, 'a', 'b', 'c'}, big, 0));
  // the empty block is one empty token
  std::vector<std::uint8_t> none;
  auto used = lz4_decompress(std::vector<std::uint8_t>{0x00}, none, 0);
  ASSERT_TRUE(used);
  EXPECT_EQ(*used, 1u);
}

std::vector<SynthDoc> documents(std::size_t n, std::size_t big_every = 0) {
  std::vector<SynthDoc> docs;
  for (std::size_t i = 0; i < n; ++i) {
    SynthDoc d;
    if (i % 5 == 3) {  // a nested document: no _id, no _source
      d.strings.push_back({4, "child " + std::to_string(i)});
    } else if (i % 11 == 7) {
      // an empty document (no stored field at all)
    } else {
      std::vector<std::uint8_t> id = {0xFE};
      const std::string digits = std::to_string(1000 + i);
      for (std::size_t k = 0; k < digits.size(); k += 2) {
        const int lo = k + 1 < digits.size() ? digits[k + 1] - '0' : 0x0F;
        id.push_back(static_cast<std::uint8_t>(((digits[k] - '0') << 4) | lo));
      }
      d.bytes.push_back({0, std::string(id.begin(), id.end())});
      std::string src =
          "{\"i\":" + std::to_string(i) + ",\"t\":\"" + std::string(i % 300, 'x') + "\"}";
      if (big_every && i % big_every == 1) src += std::string(300000, ' ');
      d.bytes.push_back({1, src});
      if (i % 3 == 0) d.strings.push_back({2, "r" + std::to_string(i)});
      d.ints.push_back({3, static_cast<std::int32_t>(i) * (i % 2 ? -70000 : 1)});
    }
    docs.push_back(d);
  }
  return docs;
}

const std::map<std::int32_t, std::string> kNames = {
    {0, "_id"}, {1, "_source"}, {2, "_routing"}, {3, "n"}, {4, "comments.who"}};

void expect_round_trip(const StoredFieldsSegment& seg, const std::vector<SynthDoc>& docs) {
  auto r = StoredFieldsReader::open(seg);
  ASSERT_TRUE(r) << r.error().message;
  std::size_t root = 0;
  EsVisitCounts counts;
  Status st = visit_es_documents(
      *r,
      [](std::int32_t n) -> std::optional<std::string_view> {
        auto it = kNames.find(n);
        if (it == kNames.end()) return std::nullopt;
        return std::string_view(it->second);
      },
      nullptr,
      [&](const EsDocument& d) -> Status {
        const SynthDoc& want = docs[static_cast<std::size_t>(d.doc)];
        EXPECT_EQ(d.id, std::to_string(1000 + d.doc));
        EXPECT_EQ(std::string(reinterpret_cast<const char*>(d.source.data()), d.source.size()),
                  want.bytes[1].second);
        if (want.strings.empty()) {
          EXPECT_FALSE(d.routing);
        } else {
          EXPECT_EQ(d.routing.value_or(""), want.strings[0].second);
        }
        ++root;
        return Ok{};
      },
      MissingSource::kRefuse, &counts);
  ASSERT_TRUE(st) << st.error().message;
  std::size_t want_root = 0;
  for (const auto& d : docs) want_root += d.bytes.empty() ? 0 : 1;
  EXPECT_EQ(root, want_root);
  EXPECT_EQ(static_cast<std::size_t>(counts.nested), docs.size() - want_root);
  // And the raw values, ints included.
  std::size_t seen = 0;
  ASSERT_TRUE(r->visit(nullptr, [&](std::int32_t doc, std::span<const StoredValue> values) {
    const SynthDoc& want = docs[static_cast<std::size_t>(doc)];
    EXPECT_EQ(values.size(), want.bytes.size() + want.strings.size() + want.ints.size());
    for (const auto& v : values) {
      if (v.type == StoredFieldType::kInt) {
        EXPECT_EQ(v.integer, want.ints[0].second);
      }
    }
    ++seen;
    return Status(Ok{});
  }));
  EXPECT_EQ(seen, docs.size());
}

struct Mode {
  const char* codec;
  ChunkCompression compression;
  std::map<std::string, std::string> attributes;
};

const Mode kModes[] = {
    {"CustomStoredFieldsZstd",
     ChunkCompression::kZstdDict,
     {{"Lucene99CustomStoredFieldsFormat.mode", "ZSTD"}}},
    {"CustomStoredFieldsZstdNoDict",
     ChunkCompression::kZstdNoDict,
     {{"Lucene912CustomStoredFieldsFormat.mode", "ZSTD_NO_DICT"}}},
    {"ZstdStoredFields814",
     ChunkCompression::kZstd,
     {{"Zstd814StoredFieldsFormat.mode", "BEST_SPEED"}}},
    {"Lucene90StoredFieldsFastData",
     ChunkCompression::kLz4Dict,
     {{"Lucene90StoredFieldsFormat.mode", "BEST_SPEED"}}},
    {"Lucene90StoredFieldsHighData",
     ChunkCompression::kDeflateDict,
     {{"Lucene90StoredFieldsFormat.mode", "BEST_COMPRESSION"}}},
};

TEST(LuceneStoredCodecs, EveryLucene90CodecRoundTripsChunksOfManyDocuments) {
  // 700 documents, 300 a chunk: StoredFieldsInts blocks of 128 and their tails; ints of 8, 16
  // and 32 bits (lengths up to ~300 bytes and, with the big ones, ~300 kB).
  for (const Mode& m : kModes) {
    SCOPED_TRACE(m.codec);
    const auto docs = documents(700);
    expect_round_trip(synth_segment(m.codec, m.compression, docs, 300, 60 * 1024, m.attributes),
                      docs);
    const auto big = documents(40, 17);
    expect_round_trip(synth_segment(m.codec, m.compression, big, 16, 16 * 1024, m.attributes), big);
    const auto one = documents(3);
    expect_round_trip(synth_segment(m.codec, m.compression, one, 1, 16 * 1024, m.attributes), one);
  }
}

TEST(LuceneStoredCodecs, SlicedChunksAreDecodedSliceBySlice) {
  const auto docs = documents(6, 2);  // docs 1 and 3 carry 300 kB each
  for (const Mode& m : kModes) {
    SCOPED_TRACE(m.codec);
    auto seg = synth_segment(m.codec, m.compression, docs, 6, 14 * 1024, m.attributes);
    expect_round_trip(seg, docs);
  }
}

// Lucene 8.5 (version 2: chunk size and statistics in the .fdt) and 8.6 (version 3: in the .fdm),
// big-endian with PackedInts chunk headers: Elasticsearch 7.7-7.9, which the stack does not run.
TEST(LuceneStoredCodecs, Lucene85And86SegmentsRoundTrip) {
  const auto docs = documents(300);
  const auto big = documents(12, 5);
  for (int version : {2, 3}) {
    for (auto [codec, c] :
         {std::pair{"Lucene50StoredFieldsFastData", ChunkCompression::kLz4},
          std::pair{"Lucene50StoredFieldsHighData", ChunkCompression::kDeflate}}) {
      SCOPED_TRACE(std::string(codec) + " v" + std::to_string(version));
      expect_round_trip(test::synth_segment_lucene8(version, codec, c, docs, 128, 16384), docs);
      expect_round_trip(test::synth_segment_lucene8(version, codec, c, big, 4, 16384), big);
    }
  }
}

// Indices created by Elasticsearch 5.x (readable by 6.x) store `_uid` ("type#id"), no `_id`.
TEST(LuceneStoredCodecs, UidOfFiveXIndicesGivesTheId) {
  std::vector<SynthDoc> docs(3);
  docs[0].strings.push_back({5, "doc#first"});
  docs[0].bytes.push_back({1, "{\"a\":1}"});
  docs[1].strings.push_back({4, "nested child, no _uid"});
  docs[2].strings.push_back({5, "doc#with#hash"});
  docs[2].bytes.push_back({1, "{}"});
  auto seg =
      synth_segment("Lucene90StoredFieldsFastData", ChunkCompression::kLz4Dict, docs, 3, 16384);
  auto r = StoredFieldsReader::open(seg);
  ASSERT_TRUE(r) << r.error().message;
  std::vector<std::string> ids;
  EsVisitCounts counts;
  Status st = visit_es_documents(
      *r,
      [](std::int32_t n) -> std::optional<std::string_view> {
        if (n == 5) return "_uid";
        if (n == 1) return "_source";
        return std::nullopt;
      },
      nullptr,
      [&](const EsDocument& d) -> Status {
        ids.push_back(d.id);
        return Ok{};
      },
      MissingSource::kRefuse, &counts);
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(ids, (std::vector<std::string>{"first", "with#hash"}));
  EXPECT_EQ(counts.nested, 1);
}

TEST(LuceneStoredCodecs, OpenSearchModeAttributeMustMatchTheHeader) {
  const auto docs = documents(5);
  auto seg = synth_segment("CustomStoredFieldsZstd", ChunkCompression::kZstdDict, docs, 5, 16384,
                           {{"Lucene99CustomStoredFieldsFormat.mode", "ZSTD_NO_DICT"}});
  EXPECT_FALSE(StoredFieldsReader::open(seg));
}

TEST(LuceneStoredCodecs, UnknownCodecsAreNamed) {
  const auto docs = documents(5);
  auto seg = synth_segment("QatStoredFieldsLz4", ChunkCompression::kLz4Dict, docs, 5, 16384);
  auto r = StoredFieldsReader::open(seg);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("QatStoredFieldsLz4"), std::string::npos) << r.error().message;
}

TEST(LuceneStoredCodecs, DamagedZstdChunksAreErrorsNamingTheChunk) {
  const auto docs = documents(50);
  for (const Mode& m : kModes) {
    SCOPED_TRACE(m.codec);
    auto seg = synth_segment(m.codec, m.compression, docs, 20, 16384, m.attributes);
    // Flip bytes in the middle of the chunks, structure checks only: an error or documents,
    // and every error names the .fdt.
    std::vector<std::uint8_t> fdt(seg.fdt->length());
    ASSERT_TRUE(seg.fdt->read(0, fdt));
    int errors = 0;
    for (std::size_t at = 60; at + 16 < fdt.size(); at += 3) {
      auto bytes = fdt;
      bytes[at] ^= 0x21;
      auto s2 = seg;
      s2.fdt = memory_file("_0.fdt", bytes);
      auto r = StoredFieldsReader::open(s2, Integrity::kStructureOnly);
      if (!r) continue;
      Status st = r->visit(nullptr,
                           [](std::int32_t, std::span<const StoredValue>) { return Status(Ok{}); });
      if (!st) {
        ++errors;
        EXPECT_NE(st.error().message.find("_0.fdt"), std::string::npos) << st.error().message;
      }
    }
    EXPECT_GT(errors, 0);
  }
}

}  // namespace
}  // namespace essnap::lucene
