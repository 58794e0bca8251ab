// ChecksumBlobStoreFormat framing, Lucene headers/footers and CRC-32: every real blob of the
// fixtures (deflate, zstd, uncompressed; Elasticsearch 8 and OpenSearch 2/3) unframes and decodes;
// every v__ file's meta_hash and every data blob (all parts) has the Lucene footer whose base-36
// CRC-32 its FileInfo records; and every broken frame is refused naming what is wrong.
#include <gtest/gtest.h>
#include <zstd.h>

#include "essnap/format/crc32.hpp"
#include "essnap/format/framing.hpp"
#include "essnap/format/lucene_footer.hpp"
#include "essnap/format/shard_snapshot.hpp"
#include "format_fixtures.hpp"
#include "inspect_test_util.hpp"

namespace essnap::format {
namespace {

using namespace essnap::format::testing;
namespace fs = std::filesystem;

std::string err(const Result<nlohmann::json>& r) {
  return r.ok() ? std::string("ok") : r.error().message;
}

TEST(RepoFormatCrc32, KnownVectorsAndIncremental) {
  EXPECT_EQ(crc32(bytes_of("")), 0u);
  EXPECT_EQ(crc32(bytes_of("123456789")), 0xCBF43926u);  // the CRC-32/ISO-HDLC check value
  EXPECT_EQ(crc32(bytes_of("The quick brown fox jumps over the lazy dog")), 0x414FA339u);
  Bytes big(1 << 20);
  for (std::size_t i = 0; i < big.size(); ++i)
    big[i] = static_cast<std::uint8_t>(i * 131 + (i >> 9));
  Crc32 inc;
  for (std::size_t off = 0; off < big.size(); off += 4097)
    inc.update(std::span(big).subspan(off, std::min<std::size_t>(4097, big.size() - off)));
  EXPECT_EQ(inc.value(), crc32(big));
  inc.reset();
  EXPECT_EQ(inc.value(), 0u);
}

TEST(RepoFormatLucene, Base36IsLongToString) {
  EXPECT_EQ(checksum_to_base36(0), "0");
  EXPECT_EQ(checksum_to_base36(35), "z");
  EXPECT_EQ(checksum_to_base36(36), "10");
  EXPECT_EQ(checksum_to_base36(0xFFFFFFFFu), "1z141z3");
  for (std::uint32_t v : {0u, 1u, 35u, 36u, 123456789u, 0xCBF43926u, 0xFFFFFFFFu})
    EXPECT_EQ(checksum_from_base36(checksum_to_base36(v)), v);
  EXPECT_EQ(checksum_from_base36(""), std::nullopt);
  EXPECT_EQ(checksum_from_base36("1z141z4"), std::nullopt);  // 2^32
  EXPECT_EQ(checksum_from_base36("ABC"), std::nullopt);      // upper case is not what Java writes
  EXPECT_EQ(checksum_from_base36("12345678"), std::nullopt);
}

TEST(RepoFormatLucene, HeaderAndFooterFields) {
  const Bytes frame = lucene_frame("snapshot", 1, bytes_of("{}"));
  auto h = parse_header(frame);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->codec, "snapshot");
  EXPECT_EQ(h->version, 1);
  EXPECT_EQ(h->length, 4u + 1 + 8 + 4);
  auto f = verify_footer(frame);
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->checksum, crc32(std::span(frame).first(frame.size() - 8)));

  Bytes bad = frame;
  bad[0] ^= 1;
  EXPECT_NE(parse_header(bad).error().message.find("magic 0x3ED76C17"), std::string::npos);
  EXPECT_NE(parse_header(std::span(frame).first(3)).error().message.find("truncated"),
            std::string::npos);
  EXPECT_NE(parse_header(std::span(frame).first(8)).error().message.find("truncated codec name"),
            std::string::npos);
  Bytes longname = frame;
  longname[4] = 0xC8;  // 200 > 127
  longname[5] = 0x01;
  EXPECT_NE(parse_header(longname).error().message.find("codec name of"), std::string::npos);

  Bytes footer(frame.end() - 16, frame.end());
  Bytes fm = footer;
  fm[0] = 0;
  EXPECT_NE(parse_footer(fm).error().message.find("footer: magic"), std::string::npos);
  Bytes alg = footer;
  alg[7] = 1;
  EXPECT_NE(parse_footer(alg).error().message.find("algorithm 1"), std::string::npos);
  Bytes high = footer;
  high[8] = 1;
  EXPECT_NE(parse_footer(high).error().message.find("high bits"), std::string::npos);
  EXPECT_FALSE(parse_footer(std::span(footer).first(15)).ok());
  Bytes flipped = frame;
  flipped[h->length] ^= 0x20;
  EXPECT_NE(verify_footer(flipped).error().message.find("checksum mismatch"), std::string::npos);
  EXPECT_FALSE(verify_footer(std::span(frame).first(10)).ok());
}

TEST(RepoFormatLucene, IndexHeader) {
  Bytes b;
  put_be32(b, kCodecMagic);
  b.push_back(3);
  for (char c : std::string("abc")) b.push_back(static_cast<std::uint8_t>(c));
  put_be32(b, 7);
  for (int i = 0; i < 16; ++i) b.push_back(static_cast<std::uint8_t>(i));
  b.push_back(2);
  b.push_back('s');
  b.push_back('x');
  auto h = parse_index_header(b);
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(h->version, 7);
  EXPECT_EQ((*h->object_id)[15], 15);
  EXPECT_EQ(h->suffix, "sx");
  EXPECT_EQ(h->length, b.size());
  EXPECT_FALSE(parse_index_header(std::span(b).first(b.size() - 1)).ok());
  EXPECT_FALSE(parse_index_header(std::span(b).first(20)).ok());
}

struct Expect {
  const char* repo;
  Compression compression;  // of the root and index-level blobs
  Compression
      shard_compression;  // of the shard-level blobs (Elasticsearch 6.x never compressed these)
  bool virtual_files;     // v__ files (7.x on); before, small files had blobs and a meta_hash
};

class RepoFormatRealBlobs : public ::testing::TestWithParam<Expect> {};

TEST_P(RepoFormatRealBlobs, EveryFramedBlobChecksUnframesAndDecodes) {
  const Expect e = GetParam();
  int framed = 0;
  for (const auto& entry : fs::recursive_directory_iterator(fixture_root() / e.repo)) {
    if (!entry.is_regular_file()) continue;
    const std::string name = entry.path().filename().string();
    const std::string parent = entry.path().parent_path().filename().string();
    std::string codec;
    const bool at_root = entry.path().parent_path() == fixture_root() / e.repo;
    if (name.rfind("snap-", 0) == 0)
      codec = std::string(kCodecSnapshot);
    else if (name.rfind("meta-", 0) == 0)
      codec = std::string(at_root ? kCodecMetadata : kCodecIndexMetadata);
    else if (name.rfind("index-", 0) == 0 && !at_root)
      codec = std::string(kCodecShardSnapshots);
    else
      continue;
    const Bytes blob = read_bytes(entry.path());
    auto info = check_framed_blob(blob, codec);
    ASSERT_TRUE(info.ok()) << entry.path() << ": " << info.error().message;
    EXPECT_EQ(info->codec, codec);
    EXPECT_EQ(info->version, 1);
    const bool shard_level =
        entry.path().parent_path().parent_path().parent_path().filename() == "indices";
    EXPECT_EQ(info->compression, shard_level ? e.shard_compression : e.compression) << entry.path();
    EXPECT_EQ(info->checksum, crc32(std::span(blob).first(blob.size() - 8)));
    auto j = read_framed_blob(blob, codec);
    ASSERT_TRUE(j.ok()) << entry.path() << ": " << j.error().message;
    EXPECT_TRUE(j->is_object());
    // the wrong codec is refused by name
    auto wrong = check_framed_blob(blob, codec == "snapshot" ? "metadata" : "snapshot");
    ASSERT_FALSE(wrong.ok());
    EXPECT_NE(wrong.error().message.find("codec \"" + codec + "\""), std::string::npos);
    ++framed;
    (void)parent;
  }
  EXPECT_GE(framed, 10);
}

// Every file a shard's index-<gen> lists: v__ bytes (meta_hash) are a whole Lucene file, data
// blobs (all parts concatenated) too, and both carry the footer CRC-32 the FileInfo records.
TEST_P(RepoFormatRealBlobs, FileChecksumsMatchLuceneFooters) {
  const Expect e = GetParam();
  int virt = 0, data = 0, parts = 0;
  for (const auto& entry : fs::recursive_directory_iterator(fixture_root() / e.repo)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || name.rfind("index-", 0) != 0 ||
        entry.path().parent_path() == fixture_root() / e.repo)
      continue;
    auto j = read_framed_blob(read_bytes(entry.path()), kCodecShardSnapshots);
    ASSERT_TRUE(j.ok());
    auto shard = parse_shard_snapshots(*j);
    ASSERT_TRUE(shard.ok()) << shard.error().message;
    for (const auto& f : shard->files) {
      Bytes content;
      if (!f.is_virtual() && f.has_meta_hash) {  // 6.x: the blob exists and equals meta_hash
        EXPECT_EQ(read_bytes(entry.path().parent_path() / f.name), f.meta_hash) << f.name;
      }
      if (f.is_virtual()) {
        ASSERT_TRUE(f.has_meta_hash) << f.name;
        content = f.meta_hash;
        ++virt;
      } else {
        for (std::uint64_t p = 0; p < f.number_of_parts(); ++p) {
          const Bytes part = read_bytes(entry.path().parent_path() / f.part_name(p));
          EXPECT_EQ(part.size(), f.part_length(p)) << f.part_name(p);
          content.insert(content.end(), part.begin(), part.end());
        }
        parts += static_cast<int>(f.number_of_parts() > 1);
        ++data;
      }
      ASSERT_EQ(content.size(), f.length) << f.name;
      auto footer = verify_footer(content);
      ASSERT_TRUE(footer.ok()) << f.name << ": " << footer.error().message;
      EXPECT_EQ(checksum_to_base36(footer->checksum), f.checksum)
          << f.name << " (" << f.physical_name << ")";
    }
  }
  if (e.virtual_files)
    EXPECT_GT(virt, 0);
  else
    EXPECT_EQ(virt, 0);
  EXPECT_GT(data, 0);
  if (std::string(e.repo) == "es8-c" || std::string(e.repo) == "os3-z")
    EXPECT_GT(parts, 0);  // chunk_size 2kb
}

INSTANTIATE_TEST_SUITE_P(
    Engines, RepoFormatRealBlobs,
    ::testing::Values(Expect{"es6", Compression::kDeflate, Compression::kNone, false},
                      Expect{"es710", Compression::kDeflate, Compression::kDeflate, true},
                      Expect{"es717", Compression::kDeflate, Compression::kDeflate, true},
                      Expect{"es8-c", Compression::kDeflate, Compression::kDeflate, true},
                      Expect{"es8-u", Compression::kNone, Compression::kNone, true},
                      Expect{"es9", Compression::kDeflate, Compression::kDeflate, true},
                      Expect{"os1", Compression::kDeflate, Compression::kDeflate, true},
                      Expect{"os3-z", Compression::kZstd, Compression::kZstd, true}),
    [](const auto& info) {
      std::string n = info.param.repo;
      n.erase(std::remove(n.begin(), n.end(), '-'), n.end());
      return n;
    });

TEST(RepoFormatFraming, BrokenFramesAreRefusedPrecisely) {
  const Bytes good = fixture("os3-z/snap-oW5I_JI7Qz-B8iQ_Cd6WLw.dat");
  ASSERT_TRUE(read_framed_blob(good, kCodecSnapshot).ok());
  // a flipped byte anywhere before the checksum is a CRC mismatch (or a header error)
  for (std::size_t i = 0; i + 8 < good.size(); i += 7) {
    Bytes b = good;
    b[i] ^= 0x01;
    auto r = check_framed_blob(b, kCodecSnapshot);
    EXPECT_FALSE(r.ok()) << "flip at " << i;
  }
  Bytes mid = good;
  mid[good.size() / 2] ^= 0xFF;
  EXPECT_NE(check_framed_blob(mid, kCodecSnapshot).error().message.find("checksum mismatch"),
            std::string::npos);
  // truncations
  for (std::size_t n :
       {std::size_t{0}, std::size_t{4}, std::size_t{20}, good.size() - 1, good.size() - 16})
    EXPECT_FALSE(check_framed_blob(std::span(good).first(n), kCodecSnapshot).ok()) << n;
  // version 2
  EXPECT_NE(check_framed_blob(lucene_frame("snapshot", 2, bytes_of("{}")), kCodecSnapshot)
                .error()
                .message.find("format version 2"),
            std::string::npos);
  // unknown codec when any is accepted
  EXPECT_NE(check_framed_blob(lucene_frame("other", 1, bytes_of("{}")), "")
                .error()
                .message.find("unknown codec"),
            std::string::npos);
  // content that is neither compressed nor SMILE/JSON
  EXPECT_NE(check_framed_blob(lucene_frame("snapshot", 1, bytes_of("XYZ")), kCodecSnapshot)
                .error()
                .message.find("neither"),
            std::string::npos);
}

// The refusal of a size cap is told apart from damage: the caller may retry with more room.
TEST(RepoFormatFraming, SizeRefusalsAreRecognised) {
  const Bytes big(2 << 20, 'x');
  Bytes dfl = bytes_of(std::string("DFL") + '\0');
  const Bytes z = raw_deflate(big);
  dfl.insert(dfl.end(), z.begin(), z.end());
  auto r = read_framed_blob(lucene_frame("metadata", 1, dfl), kCodecMetadata, 1 << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(is_size_refusal(r.error())) << r.error().message;
  nlohmann::json arr = nlohmann::json::array();
  for (int i = 0; i < 5000; ++i) arr.push_back(i);
  SmileLimits tight;
  tight.max_output_bytes = 4096;
  auto s = read_framed_blob(lucene_frame("metadata", 1, bytes_of(to_smile(arr))), kCodecMetadata,
                            1 << 20, tight);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(is_size_refusal(s.error())) << s.error().message;
  EXPECT_FALSE(is_size_refusal(Error(ErrorCode::kParse, "blob frame: checksum mismatch")));
}

TEST(RepoFormatFraming, CraftedBodies) {
  // SMILE, plain and raw-deflated
  const std::string smile = to_smile(nlohmann::json::parse(R"({"a":[1,2]})"));
  auto j = read_framed_blob(lucene_frame("metadata", 1, bytes_of(smile)), kCodecMetadata);
  ASSERT_TRUE(j.ok()) << err(j);
  EXPECT_EQ(*j, nlohmann::json::parse(R"({"a":[1,2]})"));
  Bytes dfl = bytes_of(std::string("DFL") + '\0');
  const Bytes z = raw_deflate(bytes_of(to_smile(nlohmann::json::parse(R"({"b":true})"))));
  dfl.insert(dfl.end(), z.begin(), z.end());
  auto d = read_framed_blob(lucene_frame("metadata", 1, dfl), kCodecMetadata);
  ASSERT_TRUE(d.ok()) << err(d);
  EXPECT_EQ(*d, nlohmann::json::parse(R"({"b":true})"));
  // JSON content, plain or compressed, is refused as the engines refuse it (they parse SMILE)
  EXPECT_NE(
      err(read_framed_blob(lucene_frame("metadata", 1, bytes_of(R"({"a":[1,2]})")), kCodecMetadata))
          .find("JSON, not SMILE"),
      std::string::npos);
  Bytes djson = bytes_of(std::string("DFL") + '\0');
  const Bytes zjson = raw_deflate(bytes_of(R"({"b":true})"));
  djson.insert(djson.end(), zjson.begin(), zjson.end());
  EXPECT_NE(err(read_framed_blob(lucene_frame("metadata", 1, djson), kCodecMetadata))
                .find("JSON, not SMILE"),
            std::string::npos);
  // deflate garbage, truncated deflate
  Bytes garbage = bytes_of(std::string("DFL") + '\0');
  garbage.insert(garbage.end(), {0xFF, 0xFF, 0xFF, 0xFF});
  EXPECT_NE(err(read_framed_blob(lucene_frame("metadata", 1, garbage), kCodecMetadata))
                .find("bad deflate"),
            std::string::npos);
  Bytes cut(dfl.begin(), dfl.end() - 3);
  EXPECT_NE(
      err(read_framed_blob(lucene_frame("metadata", 1, cut), kCodecMetadata)).find("truncated"),
      std::string::npos);
  // zstd garbage and truncated zstd
  Bytes zs = bytes_of(std::string("ZSTD") + '\0');
  zs.insert(zs.end(), {0x28, 0xB5, 0x2F, 0xFD, 0x00, 0x00, 0x00});
  EXPECT_NE(err(read_framed_blob(lucene_frame("metadata", 1, zs), kCodecMetadata)).find("zstd"),
            std::string::npos);
  const std::string text = to_smile(nlohmann::json::parse(R"({"zstd":"yes"})"));
  Bytes comp(ZSTD_compressBound(text.size()));
  comp.resize(ZSTD_compress(comp.data(), comp.size(), text.data(), text.size(), 1));
  Bytes zok = bytes_of(std::string("ZSTD") + '\0');
  zok.insert(zok.end(), comp.begin(), comp.end());
  auto zj = read_framed_blob(lucene_frame("metadata", 1, zok), kCodecMetadata);
  ASSERT_TRUE(zj.ok()) << err(zj);
  EXPECT_EQ(zj->at("zstd"), "yes");
  Bytes zcut(zok.begin(), zok.end() - 2);
  EXPECT_FALSE(read_framed_blob(lucene_frame("metadata", 1, zcut), kCodecMetadata).ok());
  // invalid SMILE content
  EXPECT_NE(
      err(read_framed_blob(lucene_frame("metadata", 1, bytes_of(":)\n\x01\xFA")), kCodecMetadata))
          .find("SMILE"),
      std::string::npos);
}

TEST(RepoFormatFraming, DecompressionBombsAreCapped) {
  const Bytes zeros(4 << 20, '{');  // 4 MiB
  Bytes dfl = bytes_of(std::string("DFL") + '\0');
  const Bytes z = raw_deflate(zeros);
  ASSERT_LT(z.size(), 64u << 10);
  dfl.insert(dfl.end(), z.begin(), z.end());
  const Bytes blob = lucene_frame("metadata", 1, dfl);
  auto r = unframe_blob(blob, kCodecMetadata, 1 << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("past 1048576 bytes; refused"), std::string::npos);
  EXPECT_TRUE(unframe_blob(blob, kCodecMetadata, 8 << 20).ok());

  Bytes comp(ZSTD_compressBound(zeros.size()));
  comp.resize(ZSTD_compress(comp.data(), comp.size(), zeros.data(), zeros.size(), 1));
  Bytes zs = bytes_of(std::string("ZSTD") + '\0');
  zs.insert(zs.end(), comp.begin(), comp.end());
  auto rz = unframe_blob(lucene_frame("metadata", 1, zs), kCodecMetadata, 1 << 20);
  ASSERT_FALSE(rz.ok());
  EXPECT_NE(rz.error().message.find("refused"), std::string::npos);
  // the default cap is 256 MiB
  EXPECT_EQ(kMaxDecompressedBytes, std::size_t{256} << 20);
}

}  // namespace
}  // namespace essnap::format
