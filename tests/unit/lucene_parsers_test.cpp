// lucene/: the parsers of segments_N, .si, .cfe, .fnm, .liv and doc values on files written by
// the specification (lucene_writer.hpp): the paths the engines' small fixtures do not reach
// (dense and all-documents IndexedDISI blocks, big-endian Lucene 7/8 doc values) and malformed
// files, which must be kParse errors naming the file.
#include <gtest/gtest.h>

#include "essnap/lucene/compound.hpp"
#include "essnap/lucene/doc_values.hpp"
#include "essnap/lucene/field_infos.hpp"
#include "essnap/lucene/live_docs.hpp"
#include "essnap/lucene/segment_info.hpp"
#include "essnap/lucene/segment_infos.hpp"
#include "unit/lucene_writer.hpp"

namespace essnap::lucene {
namespace {

using testing::LuceneWriter;
using testing::test_id;

FieldInfos one_numeric_field() {
  FieldInfo f;
  f.name = "__soft_deletes";
  f.number = 0;
  f.bits = 0x8;
  f.dv_type = DocValuesType::kNumeric;
  return FieldInfos({f});
}

enum class Dv { k70, k80, k90 };

// A numeric field whose documents are: block 0 dense (every even doc < 10000), block 1 sparse
// (65541, 65636, 131071), block 2 all (131072..196607).
struct DvFiles {
  std::shared_ptr<const FileSource> meta, data;
};

DvFiles numeric_with_disi(Dv kind, const SegmentId& id, const std::string& suffix,
                          std::int8_t rank_power) {
  const ByteOrder o = kind == Dv::k90 ? ByteOrder::kLittle : ByteOrder::kBig;
  const std::string name = kind == Dv::k70 ? "Lucene70" : kind == Dv::k80 ? "Lucene80" : "Lucene90";
  LuceneWriter d{o};
  d.header(name + "DocValuesData", 0, id, suffix);
  const std::int64_t disi_start = static_cast<std::int64_t>(d.b.size());
  d.i16(0);
  d.i16(5000 - 1);
  if (kind != Dv::k70 && rank_power != -1) d.b.resize(d.b.size() + (1024u >> (rank_power - 7)));
  for (int w = 0; w < 1024; ++w) {
    std::uint64_t word = 0;
    for (int bit = 0; bit < 64; ++bit) {
      const int doc = w * 64 + bit;
      if (doc < 10000 && doc % 2 == 0) word |= std::uint64_t{1} << bit;
    }
    d.i64(static_cast<std::int64_t>(word));
  }
  d.i16(1);
  d.i16(3 - 1);
  d.i16(5);
  d.i16(100);
  d.i16(static_cast<std::int16_t>(0xFFFF));
  d.i16(2);
  d.i16(static_cast<std::int16_t>(0xFFFF));
  d.i16(0x7FFF);
  d.i16(0);
  d.i16(static_cast<std::int16_t>(0xFFFF));
  const std::int64_t disi_len = static_cast<std::int64_t>(d.b.size()) - disi_start;

  LuceneWriter m{o};
  m.header(name + "DocValuesMetadata", 0, id, suffix);
  m.i32(0);  // field number
  m.u8(0);   // numeric
  m.i64(disi_start);
  m.i64(disi_len);
  if (kind != Dv::k70) {
    m.i16(-1);
    m.u8(static_cast<std::uint8_t>(rank_power));
  }
  m.i64(5000 + 3 + 65536);  // numValues
  m.i32(-1);                // no table
  m.u8(0);                  // bitsPerValue: every value is min
  m.i64(1);                 // min
  m.i64(1);                 // gcd
  m.i64(0);                 // valuesOffset
  m.i64(0);                 // valuesLength
  if (kind != Dv::k70) m.i64(-1);
  m.i32(-1);
  return {memory_file("_0_1_" + name + "_0.dvm", m.finish()),
          memory_file("_0_1_" + name + "_0.dvd", d.finish())};
}

void expect_disi_documents(const DocBits& bits) {
  EXPECT_EQ(bits.count(), 5000u + 3u + 65536u);
  EXPECT_TRUE(bits.get(0));
  EXPECT_FALSE(bits.get(1));
  EXPECT_TRUE(bits.get(9998));
  EXPECT_FALSE(bits.get(10000));
  EXPECT_TRUE(bits.get(65541));
  EXPECT_TRUE(bits.get(65636));
  EXPECT_TRUE(bits.get(131071));
  EXPECT_FALSE(bits.get(131070));
  EXPECT_TRUE(bits.get(131072));
  EXPECT_TRUE(bits.get(196607));
}

TEST(LuceneDocValues, ReadsDenseSparseAndAllBlocksInEveryFormat) {
  const SegmentId id = test_id(7);
  const std::string suffix = "1_Lucene90_0";
  const auto infos = one_numeric_field();
  for (Dv kind : {Dv::k70, Dv::k80, Dv::k90}) {
    for (std::int8_t rank : {std::int8_t{9}, std::int8_t{-1}}) {
      auto f = numeric_with_disi(kind, id, suffix, rank);
      auto bits = docs_with_field(f.meta, f.data, infos, infos.fields()[0], 3 * 65536, &id, suffix);
      ASSERT_TRUE(bits) << bits.error().message;
      expect_disi_documents(*bits);
    }
  }
}

// Lucene 10: a field with a doc-values skip index has a skipper before its entry; the walk must
// step over it to reach the next field's entry.
TEST(LuceneDocValues, StepsOverASkipperBeforeTheEntry) {
  const SegmentId id = test_id(2);
  FieldInfo ts;
  ts.name = "@timestamp";
  ts.number = 0;
  ts.dv_type = DocValuesType::kNumeric;
  ts.dv_skip_index = true;
  FieldInfo pt;
  pt.name = "_primary_term";
  pt.number = 1;
  pt.dv_type = DocValuesType::kNumeric;
  const FieldInfos infos({ts, pt});
  LuceneWriter m;
  m.header("Lucene90DocValuesMetadata", 0, id, "Lucene90_0");
  for (int field = 0; field < 2; ++field) {
    m.i32(field);
    m.u8(0);
    if (field == 0) {
      for (int i = 0; i < 4; ++i) m.i64(1000 + i);  // offset length max min
      m.i32(10);                                    // docCount
      m.i32(9);                                     // maxDocId
    }
    m.i64(field == 0 ? -1 : -2);  // field 0: every document; field 1: none
    m.i64(0);
    m.i16(-1);
    m.u8(static_cast<std::uint8_t>(-1));
    m.i64(field == 0 ? 10 : 0);
    m.i32(-1);
    m.u8(0);
    for (int i = 0; i < 5; ++i) m.i64(0);
  }
  m.i32(-1);
  LuceneWriter d;
  d.header("Lucene90DocValuesData", 0, id, "Lucene90_0");
  auto meta = memory_file("_0_Lucene90_0.dvm", m.finish());
  auto data = memory_file("_0_Lucene90_0.dvd", d.finish());
  auto all = docs_with_field(meta, data, infos, ts, 10, &id, "Lucene90_0");
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(all->count(), 10u);
  auto none = docs_with_field(meta, data, infos, pt, 10, &id, "Lucene90_0");
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_EQ(none->count(), 0u);
}

TEST(LuceneDocValues, RefusesDocumentsPastMaxDocAndAWrongSuffix) {
  const SegmentId id = test_id(7);
  const auto infos = one_numeric_field();
  auto f = numeric_with_disi(Dv::k90, id, "1_Lucene90_0", 9);
  auto bits = docs_with_field(f.meta, f.data, infos, infos.fields()[0], 65536, &id, "1_Lucene90_0");
  ASSERT_FALSE(bits);
  EXPECT_EQ(bits.error().code, ErrorCode::kParse);
  EXPECT_NE(bits.error().message.find("past maxDoc"), std::string::npos) << bits.error().message;
  auto other =
      docs_with_field(f.meta, f.data, infos, infos.fields()[0], 3 * 65536, &id, "2_Lucene90_0");
  ASSERT_FALSE(other);
  EXPECT_NE(other.error().message.find("suffix"), std::string::npos) << other.error().message;
}

TEST(LuceneDocValues, AnEmptyOrDenseFieldNeedsNoData) {
  const SegmentId id = test_id(3);
  const auto infos = one_numeric_field();
  for (std::int64_t marker : {std::int64_t{-2}, std::int64_t{-1}}) {
    LuceneWriter m;
    m.header("Lucene90DocValuesMetadata", 0, id, "Lucene90_0");
    m.i32(0);
    m.u8(0);
    m.i64(marker);
    m.i64(0);
    m.i16(-1);
    m.u8(static_cast<std::uint8_t>(-1));
    m.i64(0);
    m.i32(-1);
    m.u8(0);
    for (int i = 0; i < 5; ++i) m.i64(0);
    m.i32(-1);
    LuceneWriter d;
    d.header("Lucene90DocValuesData", 0, id, "Lucene90_0");
    auto bits = docs_with_field(memory_file("_0_Lucene90_0.dvm", m.finish()),
                                memory_file("_0_Lucene90_0.dvd", d.finish()), infos,
                                infos.fields()[0], 100, &id, "Lucene90_0");
    ASSERT_TRUE(bits) << bits.error().message;
    EXPECT_EQ(bits->count(), marker == -2 ? 0u : 100u);
  }
}

std::vector<std::uint8_t> segments_file(std::int64_t gen_in_header, std::int32_t count_claim) {
  LuceneWriter w{ByteOrder::kBig};
  w.header("segments", 10, test_id(1), to_base36(gen_in_header));
  w.vint(9);
  w.vint(12);
  w.vint(0);
  w.vint(9);   // index created major
  w.be64(42);  // version
  w.vint(3);   // counter (vlong)
  w.be32(count_claim);
  if (count_claim > 0) {
    w.vint(9);
    w.vint(12);
    w.vint(0);
    w.str("_0");
    w.bytes(test_id(2));
    w.str("Lucene912");
    w.be64(-1);  // delGen
    w.be32(0);
    w.be64(-1);  // fieldInfosGen
    w.be64(-1);  // dvGen
    w.be32(0);   // softDelCount
    w.u8(1);
    w.bytes(test_id(3));
    w.vint(0);  // fieldInfosFiles
    w.be32(0);  // dv update fields
  }
  w.vint(1);  // user data
  w.str("translog_uuid");
  w.str("abc");
  return w.finish();
}

TEST(LuceneSegmentInfos, ReadsACommitAndChecksItsGeneration) {
  auto infos = read_segment_infos(memory_file("segments_5", segments_file(5, 1)));
  ASSERT_TRUE(infos) << infos.error().message;
  EXPECT_EQ(infos->generation, 5);
  EXPECT_EQ(infos->lucene_version, (LuceneVersion{9, 12, 0}));
  ASSERT_EQ(infos->segments.size(), 1u);
  EXPECT_EQ(infos->segments[0].codec, "Lucene912");
  EXPECT_EQ(infos->segments[0].id, test_id(2));
  EXPECT_TRUE(infos->segments[0].sci_id);
  EXPECT_EQ(infos->user_data.at("translog_uuid"), "abc");
  auto wrong = read_segment_infos(memory_file("segments_6", segments_file(5, 1)));
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("segments_6"), std::string::npos);
  auto huge = read_segment_infos(memory_file("segments_5", segments_file(5, 1 << 30)));
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().code, ErrorCode::kParse);
}

TEST(LuceneLiveDocs, ChecksTheDeletionCount) {
  const SegmentId id = test_id(4);
  for (ByteOrder o : {ByteOrder::kBig, ByteOrder::kLittle}) {
    LuceneWriter w{o};
    w.header(o == ByteOrder::kBig ? "Lucene50LiveDocs" : "Lucene90LiveDocs", 0, id, "3");
    w.i64(static_cast<std::int64_t>(0xFFFFFFFFFFFFFFF5ull));  // docs 1 and 3 deleted
    w.i64(0x1);                                               // doc 64 live, 65..69 deleted
    auto file = memory_file("_0_3.liv", w.finish());
    auto live = read_live_docs(file, 70, &id, 3, 7);
    ASSERT_TRUE(live) << live.error().message;
    EXPECT_FALSE(live->get(1));
    EXPECT_TRUE(live->get(2));
    EXPECT_TRUE(live->get(64));
    EXPECT_FALSE(live->get(65));
    EXPECT_EQ(live->count(), 63u);
    auto bad = read_live_docs(file, 70, &id, 3, 6);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("_0_3.liv"), std::string::npos);
  }
}

TEST(LuceneCompound, SlicesEntriesAndRefusesOnesOutsideTheData) {
  const SegmentId id = test_id(5);
  LuceneWriter data;
  data.header("Lucene90CompoundData", 0, id, "");
  const auto at = data.b.size();
  for (int i = 0; i < 10; ++i) data.u8(static_cast<std::uint8_t>('a' + i));
  auto cfs = memory_file("_1.cfs", data.finish());
  auto entries = [&](std::int64_t length) {
    LuceneWriter e;
    e.header("Lucene90CompoundEntries", 0, id, "");
    e.vint(1);
    e.str(".fnm");
    e.i64(static_cast<std::int64_t>(at));
    e.i64(length);
    return memory_file("_1.cfe", e.finish());
  };
  auto cf = open_compound(entries(10), cfs, "_1", id);
  ASSERT_TRUE(cf) << cf.error().message;
  auto fnm = cf->open("_1.fnm");
  ASSERT_TRUE(fnm);
  EXPECT_EQ((*fnm)->length(), 10u);
  std::uint8_t c = 0;
  ASSERT_TRUE((*fnm)->read(9, std::span<std::uint8_t>(&c, 1)));
  EXPECT_EQ(c, 'j');
  EXPECT_FALSE(cf->open("_1.fdt"));
  auto outside = open_compound(entries(1000), cfs, "_1", id);
  ASSERT_FALSE(outside);
  EXPECT_NE(outside.error().message.find("outside"), std::string::npos);
}

std::vector<std::uint8_t> si_file(const std::string& codec, ByteOrder o, LuceneVersion v,
                                  bool has_blocks) {
  LuceneWriter w{o};
  w.header(codec, 0, test_id(6), "");
  w.i32(v.major);
  w.i32(v.minor);
  w.i32(v.bugfix);
  w.u8(1);
  w.i32(v.major);
  w.i32(v.minor);
  w.i32(v.bugfix);
  w.i32(1234);  // maxDoc
  w.u8(1);      // compound
  if (has_blocks) w.u8(0xFF);
  w.vint(0);  // diagnostics
  w.vint(2);
  w.str("_2.cfe");
  w.str("_2.cfs");
  w.vint(1);
  w.str("Lucene90StoredFieldsFormat.mode");
  w.str("BEST_COMPRESSION");
  w.vint(0);  // no index sort
  return w.finish();
}

TEST(LuceneSegmentInfo, ReadsEachFormat) {
  struct Case {
    std::string codec;
    ByteOrder order;
    LuceneVersion version;
    bool blocks;
  };
  for (const Case& c : {Case{"Lucene70SegmentInfo", ByteOrder::kBig, {7, 7, 3}, false},
                        Case{"Lucene86SegmentInfo", ByteOrder::kBig, {8, 11, 3}, false},
                        Case{"Lucene90SegmentInfo", ByteOrder::kLittle, {9, 4, 2}, false},
                        Case{"Lucene90SegmentInfo", ByteOrder::kLittle, {10, 3, 1}, true}}) {
    auto si = read_segment_info(
        memory_file("_2.si", si_file(c.codec, c.order, c.version, c.blocks)), "_2", test_id(6));
    ASSERT_TRUE(si) << c.codec << ": " << si.error().message;
    EXPECT_EQ(si->max_doc, 1234);
    EXPECT_TRUE(si->compound);
    EXPECT_EQ(si->version, c.version);
    EXPECT_EQ(si->attribute("Lucene90StoredFieldsFormat.mode"), "BEST_COMPRESSION");
    EXPECT_EQ(si->files.size(), 2u);
  }
  // a 9.9+ segment written through an older codec's format (no hasBlocks byte) still reads
  auto older = read_segment_info(
      memory_file("_2.si", si_file("Lucene90SegmentInfo", ByteOrder::kLittle, {9, 12, 0}, false)),
      "_2", test_id(6));
  ASSERT_TRUE(older) << older.error().message;
  EXPECT_EQ(older->max_doc, 1234);
  EXPECT_FALSE(older->has_blocks);
  auto other_id = read_segment_info(
      memory_file("_2.si", si_file("Lucene90SegmentInfo", ByteOrder::kLittle, {9, 4, 2}, false)),
      "_2", test_id(9));
  ASSERT_FALSE(other_id);
  EXPECT_NE(other_id.error().message.find("_2.si"), std::string::npos);
}

TEST(LuceneFieldInfos, ReadsLucene94WithTheSkipIndexByte) {
  LuceneWriter w;
  w.header("Lucene94FieldInfos", 2, test_id(8), "1");
  w.vint(2);
  for (int i = 0; i < 2; ++i) {
    w.str(i == 0 ? "_primary_term" : "__soft_deletes");
    w.vint(static_cast<std::uint32_t>(i));
    w.u8(i == 0 ? 0 : 0x8);
    w.u8(0);  // index options
    w.u8(1);  // numeric
    w.u8(i);  // skip index
    w.i64(i == 0 ? -1 : 1);
    w.vint(2);
    w.str("PerFieldDocValuesFormat.format");
    w.str("Lucene90");
    w.str("PerFieldDocValuesFormat.suffix");
    w.str("0");
    w.vint(0);  // points
    w.vint(0);  // vector dims
    w.u8(0);
    w.u8(0);
  }
  const SegmentId id = test_id(8);
  auto infos = read_field_infos(memory_file("_0_1.fnm", w.finish()), &id, "1");
  ASSERT_TRUE(infos) << infos.error().message;
  ASSERT_NE(infos->soft_deletes_field(), nullptr);
  EXPECT_EQ(infos->soft_deletes_field()->name, "__soft_deletes");
  EXPECT_EQ(infos->soft_deletes_field()->dv_gen, 1);
  EXPECT_TRUE(infos->by_number(1)->dv_skip_index);
  EXPECT_EQ(infos->by_name("_primary_term")->attribute("PerFieldDocValuesFormat.format"),
            "Lucene90");
}

}  // namespace
}  // namespace essnap::lucene
