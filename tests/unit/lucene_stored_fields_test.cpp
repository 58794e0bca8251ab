// lucene/stored_fields + stored_document over segments written by the real engines of the stack
// (tests/data/lucene/stored/<engine>-<codec>, made by make_stored_fixtures.py): every document's
// _id, _routing and _source equal, byte for byte, what the engine itself returned; the stored
// numbers equal the _source's; nested documents skipped; damage is an error, never a document.
#include <gtest/gtest.h>
#include <openssl/sha.h>

#include <cmath>

#include "essnap/lucene/stored_document.hpp"
#include "lucene_stored_support.hpp"

namespace essnap::lucene {
namespace {

using test::Fixture;
using test::fixture_dirs;
using test::load_fixture;
using test::segment_of;

std::string sha256_hex(std::span<const std::uint8_t> b) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(b.data(), b.size(), d);
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (unsigned char c : d) {
    s += hex[c >> 4];
    s += hex[c & 15];
  }
  return s;
}

FieldNameOf names_of(const Fixture& fx) {
  return [&fx](std::int32_t n) -> std::optional<std::string_view> {
    auto it = fx.names.find(n);
    if (it == fx.names.end()) return std::nullopt;
    return std::string_view(it->second);
  };
}

struct Decoded {
  std::string id;
  std::optional<std::string> routing;
  std::string source;
};

Result<std::vector<Decoded>> decode_all(const Fixture& fx, StoredFieldsSegment seg,
                                        Integrity integrity = Integrity::kVerifyChecksums,
                                        EsVisitCounts* counts = nullptr,
                                        MissingSource missing = MissingSource::kRefuse) {
  ESSNAP_TRY(StoredFieldsReader r, StoredFieldsReader::open(std::move(seg), integrity));
  std::vector<Decoded> out;
  ESSNAP_TRY_STATUS(visit_es_documents(
      r, names_of(fx), nullptr,
      [&](const EsDocument& d) -> Status {
        out.push_back(
            {d.id, d.routing,
             std::string(reinterpret_cast<const char*>(d.source.data()), d.source.size())});
        return Ok{};
      },
      missing, counts));
  return out;
}

TEST(LuceneStoredFields, EveryEngineFixtureDecodesToTheEnginesDocuments) {
  const auto dirs = fixture_dirs();
  ASSERT_GE(dirs.size(), 16u) << "fixtures missing: run tests/data/lucene/make_stored_fixtures.py";
  for (const auto& dir : dirs) {
    SCOPED_TRACE(dir);
    const Fixture fx = load_fixture(dir);
    if (fx.expected["fields"].contains("_source") == false) continue;  // the _source-less one
    EsVisitCounts counts;
    auto got = decode_all(fx, segment_of(fx), Integrity::kVerifyChecksums, &counts);
    ASSERT_TRUE(got) << got.error().message;
    auto one_pass = decode_all(fx, segment_of(fx), Integrity::kVerifyWhileReading);
    ASSERT_TRUE(one_pass) << one_pass.error().message;
    EXPECT_EQ(one_pass->size(), got->size());
    const auto& want = fx.expected["docs"];
    ASSERT_EQ(got->size(), want.size());
    for (std::size_t i = 0; i < got->size(); ++i) {
      const auto& w = want[i];
      const Decoded& g = (*got)[i];
      EXPECT_EQ(g.id, w["_id"].get<std::string>());
      if (w.contains("_routing")) {
        EXPECT_EQ(g.routing.value_or("<none>"), w["_routing"].get<std::string>());
      } else {
        EXPECT_FALSE(g.routing) << *g.routing;
      }
      if (w.contains("_source")) {
        EXPECT_EQ(g.source, w["_source"].get<std::string>()) << g.id;
      } else {
        EXPECT_EQ(g.source.size(), w["_source_length"].get<std::size_t>());
        EXPECT_EQ(sha256_hex(std::span(reinterpret_cast<const std::uint8_t*>(g.source.data()),
                                       g.source.size())),
                  w["_source_sha256"].get<std::string>());
      }
    }
    const int max_doc = fx.expected["segment"]["max_doc"].get<int>();
    EXPECT_EQ(counts.root, static_cast<std::int64_t>(want.size()));
    EXPECT_EQ(counts.nested, max_doc - static_cast<std::int64_t>(want.size()));
    EXPECT_EQ(counts.nested, 3);  // the three comments of "nested-1"
  }
}

// The stored numbers and keywords (store: true) equal what the _source says.
TEST(LuceneStoredFields, StoredNumbersOfEveryTypeMatchTheSource) {
  for (const auto& dir : fixture_dirs()) {
    SCOPED_TRACE(dir);
    const Fixture fx = load_fixture(dir);
    if (!fx.expected["fields"].contains("_source")) continue;
    auto r = StoredFieldsReader::open(segment_of(fx));
    ASSERT_TRUE(r) << r.error().message;
    std::map<std::string, int> seen;  // field name -> values checked
    Status st = r->visit(nullptr, [&](std::int32_t, std::span<const StoredValue> values) {
      nlohmann::json src;
      for (const auto& v : values)
        if (fx.names.count(v.field) && fx.names.at(v.field) == "_source") {
          auto s = std::string(reinterpret_cast<const char*>(v.bytes.data()), v.bytes.size());
          if (s.size() < 4096) src = nlohmann::json::parse(s);
        }
      if (src.is_null()) return Status(Ok{});
      for (const auto& v : values) {
        if (!fx.names.count(v.field)) continue;
        const std::string& name = fx.names.at(v.field);
        if (name.size() != 1 || !src.contains(name)) continue;
        const auto& j = src[name];
        switch (v.type) {
          case StoredFieldType::kInt:
          case StoredFieldType::kLong:
            EXPECT_EQ(v.integer, j.get<std::int64_t>()) << name;
            break;
          case StoredFieldType::kFloat:
            EXPECT_EQ(static_cast<float>(v.real), j.get<float>()) << name;
            break;
          case StoredFieldType::kDouble:
            EXPECT_EQ(v.real, j.get<double>()) << name;
            break;
          default:
            EXPECT_EQ(std::string(reinterpret_cast<const char*>(v.bytes.data()), v.bytes.size()),
                      j.get<std::string>())
                << name;
        }
        ++seen[name + ":" + std::string(stored_field_type_name(v.type))];
      }
      return Status(Ok{});
    });
    ASSERT_TRUE(st) << st.error().message;
    EXPECT_GE(seen["n:int"], 5);
    EXPECT_GE(seen["l:long"], 4);
    EXPECT_GE(seen["d:double"], 4);
    EXPECT_GE(seen["f:float"], 4);
  }
}

TEST(LuceneStoredFields, AnIndexWithoutStoredSourceIsRefusedAndDetectable) {
  const Fixture fx = load_fixture(test::stored_data_dir() + "/es7-nosource");
  EXPECT_FALSE(segment_stores_source(
      [&](std::string_view n) { return fx.expected["fields"].contains(std::string(n)); }));
  auto got = decode_all(fx, segment_of(fx));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ErrorCode::kConflict);
  EXPECT_NE(got.error().message.find("has no stored _source"), std::string::npos)
      << got.error().message;
  EsVisitCounts counts;
  auto delivered =
      decode_all(fx, segment_of(fx), Integrity::kVerifyChecksums, &counts, MissingSource::kDeliver);
  ASSERT_TRUE(delivered) << delivered.error().message;
  EXPECT_EQ(counts.without_source, counts.root);
  EXPECT_EQ(counts.root, 14);
}

TEST(LuceneStoredFields, LiveDocsFilterSkipsDeletedDocuments) {
  const Fixture fx = load_fixture(test::stored_data_dir() + "/os3-default");
  auto r = StoredFieldsReader::open(segment_of(fx));
  ASSERT_TRUE(r) << r.error().message;
  std::vector<std::int32_t> docs;
  ASSERT_TRUE(r->visit([](std::int32_t d) { return d % 2 == 0; },
                       [&](std::int32_t d, std::span<const StoredValue>) {
                         docs.push_back(d);
                         return Status(Ok{});
                       }));
  ASSERT_FALSE(docs.empty());
  for (auto d : docs) EXPECT_EQ(d % 2, 0);
}

TEST(LuceneStoredFields, TheDecoderFollowsTheHeaderAndChecksTheModeAttribute) {
  const Fixture fx = load_fixture(test::stored_data_dir() + "/os3-default");
  auto seg = segment_of(fx);
  auto r = StoredFieldsReader::open(seg);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->info().codec, "Lucene90StoredFieldsFastData");
  EXPECT_EQ(r->info().compression, ChunkCompression::kLz4Dict);
  seg.attributes["Lucene90StoredFieldsFormat.mode"] = "BEST_COMPRESSION";
  auto bad = StoredFieldsReader::open(seg);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("BEST_COMPRESSION"), std::string::npos);
}

// Every single flipped byte of a .fdt / .fdm / .fdx is an error naming the file: CRC-32 first, or
// over the decoding pass (then at its end).
TEST(LuceneStoredFields, EveryFlippedByteIsAnErrorNamingTheFile) {
  for (const char* name :
       {"es6-default", "es7-best_compression", "os3-default", "es9-best_compression"}) {
    SCOPED_TRACE(name);
    const Fixture fx = load_fixture(test::stored_data_dir() + "/" + name);
    for (const char* ext : {"fdt", "fdm", "fdx"}) {
      if (!fx.files.count(ext)) continue;
      const auto& orig = fx.files.at(ext);
      for (std::size_t at = 0; at < orig.size(); at += (orig.size() > 3000 ? 7 : 1)) {
        auto bytes = orig;
        bytes[at] ^= 0x10;
        for (Integrity i : {Integrity::kVerifyChecksums, Integrity::kVerifyWhileReading}) {
          auto got = decode_all(fx, segment_of(fx, {{ext, bytes}}), i);
          ASSERT_FALSE(got) << ext << " byte " << at;
          // In one pass, damage may surface first as a document without _source (kConflict).
          if (i == Integrity::kVerifyChecksums) EXPECT_EQ(got.error().code, ErrorCode::kParse);
          EXPECT_NE(got.error().message.find(std::string(".") + ext), std::string::npos)
              << got.error().message;
        }
      }
    }
  }
}

// Without the CRC pass, damage is still never a crash, and the structural checks catch the
// chunk headers: each flip gives an error or documents (for flipped content bytes).
TEST(LuceneStoredFields, StructureOnlyDecodingSurvivesEveryFlippedByte) {
  for (const char* name : {"es6-default", "es6-best_compression", "es710-default",
                           "es7-best_compression", "os-default", "es-best_compression"}) {
    SCOPED_TRACE(name);
    const Fixture fx = load_fixture(test::stored_data_dir() + "/" + name);
    const auto& orig = fx.files.at("fdt");
    int errors = 0;
    for (std::size_t at = 0; at < orig.size(); ++at) {
      auto bytes = orig;
      bytes[at] ^= 0x5A;
      auto got = decode_all(fx, segment_of(fx, {{"fdt", bytes}}), Integrity::kStructureOnly);
      if (!got) {
        ++errors;
        EXPECT_NE(got.error().message.find(".fdt"), std::string::npos) << got.error().message;
      }
    }
    EXPECT_GT(errors, 0);
  }
}

TEST(LuceneStoredFields, TruncatedOrMismatchedFilesAreErrors) {
  const Fixture fx = load_fixture(test::stored_data_dir() + "/os1-default");
  for (std::size_t cut : {1u, 16u, 17u, 200u, 1000u}) {
    auto bytes = fx.files.at("fdt");
    bytes.erase(bytes.end() - static_cast<std::ptrdiff_t>(cut), bytes.end());
    for (Integrity i : {Integrity::kVerifyChecksums, Integrity::kStructureOnly}) {
      auto got = decode_all(fx, segment_of(fx, {{"fdt", bytes}}), i);
      ASSERT_FALSE(got) << cut;
      EXPECT_EQ(got.error().code, ErrorCode::kParse);
      EXPECT_NE(got.error().message.find("_3.fdt"), std::string::npos) << got.error().message;
    }
  }
  auto seg = segment_of(fx);
  seg.id[3] ^= 1;  // another segment's files
  EXPECT_FALSE(StoredFieldsReader::open(seg));
  seg = segment_of(fx);
  seg.fdm = nullptr;
  auto no_meta = StoredFieldsReader::open(seg);
  ASSERT_FALSE(no_meta);
  EXPECT_NE(no_meta.error().message.find(".fdm"), std::string::npos);
  seg = segment_of(fx);
  seg.max_doc += 1;
  EXPECT_FALSE(StoredFieldsReader::open(seg));
}

TEST(LuceneStoredFields, DecodesEsIdsOfEveryShape) {
  auto id = [](std::vector<std::uint8_t> b) { return decode_es_id(b); };
  EXPECT_EQ(*id({0xFE, 0x12, 0x34, 0x5F}), "12345");
  EXPECT_EQ(*id({0xFE, 0x00, 0x7F}), "007");
  EXPECT_EQ(*id({0xFE, 0x0F}), "0");
  EXPECT_EQ(*id({0xFF, 'a', ' ', 0xC3, 0xA9}), "a \xC3\xA9");
  EXPECT_EQ(*id({0xFD, 0xFF, 0x0F}), "_w8");
  EXPECT_EQ(*id({0x00, 0x10, 0x83}), "ABCD");
  EXPECT_FALSE(id({}));
  EXPECT_FALSE(id({0xFF, 0xC3}));
  EXPECT_FALSE(id({0xFE, 0xA1}));
}

}  // namespace
}  // namespace essnap::lucene
