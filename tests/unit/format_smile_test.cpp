// SMILE decoder: hand-crafted vectors from the specification (every token class, shared-name and
// shared-value tables including the reset at 1024), real blobs from the stack's engines, and every
// error path (truncation at every byte, bad tokens, references to unknown entries, lengths past the
// end, depth bombs).
#include <gtest/gtest.h>

#include <bit>
#include <cstring>

#include "essnap/format/framing.hpp"
#include "essnap/format/smile.hpp"
#include "format_fixtures.hpp"

namespace essnap::format {
namespace {

using namespace essnap::format::testing;
using json = nlohmann::json;

json decode_ok(const Bytes& b) {
  auto r = decode_smile(b);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : json();
}

std::string decode_err(const Bytes& b) {
  auto r = decode_smile(b);
  EXPECT_FALSE(r.ok()) << "decoded to " << (r.ok() ? r->dump() : "");
  if (r.ok()) return {};
  EXPECT_EQ(r.error().code, ErrorCode::kParse);
  return r.error().message;
}

Bytes smile_doc(std::uint8_t flags, std::initializer_list<std::uint8_t> body) {
  Bytes b = smile_header(flags);
  for (std::uint8_t c : body)
    b.push_back(c);  // (insert of an empty list trips a GCC 12 false warning)
  return b;
}

TEST(RepoFormatSmile, Literals) {
  EXPECT_EQ(decode_ok(smile_doc(0, {0x21})), json(nullptr));
  EXPECT_EQ(decode_ok(smile_doc(0, {0x22})), json(false));
  EXPECT_EQ(decode_ok(smile_doc(0, {0x23})), json(true));
  EXPECT_EQ(decode_ok(smile_doc(0, {0x20})), json(""));
  EXPECT_EQ(decode_ok(smile_doc(0, {0xF8, 0xF9})), json::array());
  EXPECT_EQ(decode_ok(smile_doc(0, {0xFA, 0xFB})), json::object());
  // trailing end-of-content markers are allowed
  EXPECT_EQ(decode_ok(smile_doc(0, {0x23, 0xFF, 0xFF})), json(true));
}

TEST(RepoFormatSmile, SmallIntegersAreZigzag) {
  EXPECT_EQ(decode_ok(smile_doc(0, {0xC0})), json(0));
  EXPECT_EQ(decode_ok(smile_doc(0, {0xC1})), json(-1));
  EXPECT_EQ(decode_ok(smile_doc(0, {0xC2})), json(1));
  EXPECT_EQ(decode_ok(smile_doc(0, {0xDF})), json(-16));
  EXPECT_EQ(decode_ok(smile_doc(0, {0xDE})), json(15));
}

TEST(RepoFormatSmile, VarInts) {
  // 1000 -> zigzag 2000 -> 0x1F 0x90 (7 bits, then last byte 0x80 | 6 bits)
  EXPECT_EQ(decode_ok(smile_doc(0, {0x24, 0x1F, 0x90})), json(1000));
  for (std::int64_t v : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{63}, std::int64_t{-100000},
                         std::int64_t{INT32_MAX}, std::int64_t{INT32_MIN}}) {
    Bytes b = smile_header(0);
    b.push_back(0x24);
    smile_vint(b, zigzag64(v));
    EXPECT_EQ(decode_ok(b), json(v)) << v;
  }
  for (std::int64_t v : {std::int64_t{1796118677746}, INT64_MAX, INT64_MIN, std::int64_t{-1}}) {
    Bytes b = smile_header(0);
    b.push_back(0x25);
    smile_vint(b, zigzag64(v));
    EXPECT_EQ(decode_ok(b), json(v)) << v;
  }
}

TEST(RepoFormatSmile, FloatsAreSevenBitBigEndian) {
  auto enc = [](std::uint64_t bits, int groups, std::uint8_t token) {
    Bytes b = smile_header(0);
    b.push_back(token);
    for (int i = groups - 1; i >= 0; --i)
      b.push_back(static_cast<std::uint8_t>((bits >> (7 * i)) & 0x7F));
    return b;
  };
  EXPECT_EQ(decode_ok(enc(std::bit_cast<std::uint32_t>(1.5f), 5, 0x28)), json(1.5));
  EXPECT_EQ(decode_ok(enc(std::bit_cast<std::uint32_t>(-0.25f), 5, 0x28)), json(-0.25));
  EXPECT_EQ(decode_ok(enc(std::bit_cast<std::uint64_t>(3.141592653589793), 10, 0x29)),
            json(3.141592653589793));
  EXPECT_EQ(decode_ok(enc(std::bit_cast<std::uint64_t>(-1e300), 10, 0x29)), json(-1e300));
}

TEST(RepoFormatSmile, BigIntegerAndBigDecimalAsDecimalStrings) {
  Bytes b = smile_header(0);
  b.push_back(0x26);
  const Bytes two64 = {0x01, 0, 0, 0, 0, 0, 0, 0, 0};  // 2^64, two's complement big-endian
  smile_vint(b, two64.size());
  smile_7bit(b, two64);
  EXPECT_EQ(decode_ok(b), json("18446744073709551616"));

  Bytes n = smile_header(0);
  n.push_back(0x26);
  smile_vint(n, 1);
  smile_7bit(n, {0xFF});  // -1
  EXPECT_EQ(decode_ok(n), json("-1"));

  Bytes d = smile_header(0);
  d.push_back(0x2A);
  smile_vint(d, zigzag64(2));  // scale 2
  smile_vint(d, 2);
  smile_7bit(d, {0x30, 0x39});  // 12345
  EXPECT_EQ(decode_ok(d), json("12345E-2"));
}

TEST(RepoFormatSmile, Strings) {
  EXPECT_EQ(decode_ok(smile_doc(0, {0x42, 'a', 'b', 'c'})), json("abc"));
  EXPECT_EQ(decode_ok(smile_doc(0, {0x80, 0xC3, 0xA9})), json("\xC3\xA9"));  // 2-byte UTF-8
  Bytes b = smile_header(0);
  const std::string s40(40, 'x');
  b.push_back(0x60 + (40 - 33));  // short ASCII 33..64
  b.insert(b.end(), s40.begin(), s40.end());
  EXPECT_EQ(decode_ok(b), json(s40));
  Bytes l = smile_header(0);
  const std::string s100(100, 'y');
  l.push_back(0xE0);
  l.insert(l.end(), s100.begin(), s100.end());
  l.push_back(0xFC);
  EXPECT_EQ(decode_ok(l), json(s100));
  Bytes u = smile_header(0);
  u.push_back(0xE4);
  const std::string uni = "\xE2\x82\xAC long unicode \xC3\xBC";
  u.insert(u.end(), uni.begin(), uni.end());
  u.push_back(0xFC);
  EXPECT_EQ(decode_ok(u), json(uni));
}

TEST(RepoFormatSmile, Binary7BitAndRaw) {
  for (std::size_t len : {0u, 1u, 6u, 7u, 8u, 13u, 14u, 15u, 100u}) {
    Bytes raw(len);
    for (std::size_t i = 0; i < len; ++i) raw[i] = static_cast<std::uint8_t>(0xF0 ^ (i * 37));
    Bytes b = smile_header(0);
    b.push_back(0xE8);
    smile_vint(b, len);
    smile_7bit(b, raw);
    auto j = decode_ok(b);
    ASSERT_TRUE(j.is_binary()) << len;
    EXPECT_EQ(Bytes(j.get_binary().begin(), j.get_binary().end()), raw) << len;
  }
  Bytes r = smile_header(0x04);
  r.push_back(0xFD);
  smile_vint(r, 4);
  for (std::uint8_t c : {0xFF, 0xFE, 0x00, 0xFC}) r.push_back(c);
  auto j = decode_ok(r);
  ASSERT_TRUE(j.is_binary());
  EXPECT_EQ(Bytes(j.get_binary().begin(), j.get_binary().end()), (Bytes{0xFF, 0xFE, 0x00, 0xFC}));
  // raw binary without the header's permission is refused
  Bytes no = r;
  no[3] = 0x00;
  EXPECT_NE(decode_err(no).find("raw binary"), std::string::npos);
}

TEST(RepoFormatSmile, SharedNames) {
  // {"a":1,"b":{"a":2}} with the second "a" as short reference 0
  auto j =
      decode_ok(smile_doc(0x01, {0xFA, 0x80, 'a', 0xC2, 0x80, 'b', 0xFA, 0x40, 0xC4, 0xFB, 0xFB}));
  EXPECT_EQ(j, json::parse(R"({"a":1,"b":{"a":2}})"));
  // without the shared-names flag a reference is an error
  EXPECT_NE(
      decode_err(smile_doc(0x00, {0xFA, 0x80, 'a', 0xC2, 0x80, 'b', 0xFA, 0x40, 0xC4, 0xFB, 0xFB}))
          .find("shared name"),
      std::string::npos);
  // reference past the table
  EXPECT_NE(decode_err(smile_doc(0x01, {0xFA, 0x41, 0xC2, 0xFB})).find("reference 1"),
            std::string::npos);
}

TEST(RepoFormatSmile, LongSharedNameReferenceAndLongNames) {
  // 100 names k0..k99, then {"z": {<long ref 70>: true}}
  Bytes b = smile_header(0x01);
  b.push_back(0xFA);
  for (int i = 0; i < 100; ++i) {
    smile_ascii_key(b, "k" + std::to_string(i));
    b.push_back(0x21);
  }
  // a 70-byte long name (0x34 ... 0xFC) becomes entry 100
  const std::string longname(70, 'L');
  b.push_back(0x34);
  b.insert(b.end(), longname.begin(), longname.end());
  b.push_back(0xFC);
  b.push_back(0x22);
  smile_ascii_key(b, "z");  // entry 101
  b.push_back(0xFA);
  b.push_back(0x30);
  b.push_back(70);  // long reference to k70
  b.push_back(0x23);
  b.push_back(0x30);
  b.push_back(100);  // the long name
  b.push_back(0x23);
  b.push_back(0xFB);
  b.push_back(0xFB);
  auto j = decode_ok(b);
  EXPECT_EQ(j["z"], json::parse(R"({"k70":true,")" + longname + R"(":true})"));
  EXPECT_EQ(j[longname], json(false));
}

TEST(RepoFormatSmile, NameTableResetsWhenFull) {
  // 1025 distinct names: the 1025th clears the table and becomes entry 0.
  Bytes b = smile_header(0x01);
  b.push_back(0xFA);
  for (int i = 0; i < 1025; ++i) {
    smile_ascii_key(b, "n" + std::to_string(i));
    b.push_back(0x21);
  }
  smile_ascii_key(b, "inner");  // entry 1 after the reset
  b.push_back(0xFA);
  b.push_back(0x40);  // entry 0 = n1024
  b.push_back(0x23);
  b.push_back(0x41);  // entry 1 = inner
  b.push_back(0x22);
  b.push_back(0xFB);
  b.push_back(0xFB);
  auto j = decode_ok(b);
  EXPECT_EQ(j["inner"], json::parse(R"({"n1024":true,"inner":false})"));
  // and an index that only existed before the reset is now unknown
  Bytes bad = smile_header(0x01);
  bad.push_back(0xFA);
  for (int i = 0; i < 1025; ++i) {
    smile_ascii_key(bad, "n" + std::to_string(i));
    bad.push_back(0x21);
  }
  bad.push_back(0x45);  // entry 5: gone
  bad.push_back(0x21);
  bad.push_back(0xFB);
  EXPECT_NE(decode_err(bad).find("reference 5"), std::string::npos);
}

TEST(RepoFormatSmile, SharedValuesIncludingResetAndLongReference) {
  EXPECT_EQ(decode_ok(smile_doc(0x02, {0xF8, 0x40, 'x', 0x01, 0x01, 0xF9})),
            json::parse(R"(["x","x","x"])"));
  EXPECT_NE(decode_err(smile_doc(0x00, {0xF8, 0x40, 'x', 0x01, 0xF9})).find("shared string"),
            std::string::npos);
  // long strings (0xE0) are not shareable: a reference to entry 0 fails
  EXPECT_NE(decode_err(smile_doc(0x02, {0xF8, 0xE0, 'x', 0xFC, 0x01, 0xF9})).find("reference 0"),
            std::string::npos);
  Bytes b = smile_header(0x02);
  b.push_back(0xF8);
  for (int i = 0; i < 1030; ++i) smile_ascii_value(b, "v" + std::to_string(i));
  b.push_back(0x01);  // entry 0 after the reset at 1024 = v1024
  b.push_back(0x06);  // entry 5 = v1029
  b.push_back(0xF9);
  auto j = decode_ok(b);
  ASSERT_EQ(j.size(), 1032u);
  EXPECT_EQ(j[1030], json("v1024"));
  EXPECT_EQ(j[1031], json("v1029"));
  Bytes l = smile_header(0x02);
  l.push_back(0xF8);
  for (int i = 0; i < 300; ++i) smile_ascii_value(l, "w" + std::to_string(i));
  l.push_back(0xED);  // long reference: (0xED & 3) << 8 | 0x2B = 299
  l.push_back(0x2B);
  l.push_back(0xF9);
  auto k = decode_ok(l);
  EXPECT_EQ(k.back(), json("w299"));
}

TEST(RepoFormatSmile, ErrorsNameTheByte) {
  EXPECT_NE(decode_err(bytes_of("{\"a\":1}")).find("not a SMILE document"), std::string::npos);
  EXPECT_NE(decode_err(smile_doc(0x10, {0x21})).find("version 1"), std::string::npos);
  EXPECT_NE(decode_err(smile_doc(0, {})).find("no value"), std::string::npos);
  EXPECT_NE(decode_err(smile_doc(0, {0x00})).find("0x00 at byte 4"), std::string::npos);
  EXPECT_NE(decode_err(smile_doc(0, {0x2C})).find("invalid value token 0x2C at byte 4"),
            std::string::npos);
  EXPECT_NE(
      decode_err(smile_doc(0, {0xFA, 0x21, 0x21, 0xFB})).find("invalid key token 0x21 at byte 5"),
      std::string::npos);
  EXPECT_NE(decode_err(smile_doc(0, {0x21, 0x21})).find("trailing bytes"), std::string::npos);
  EXPECT_NE(decode_err(smile_doc(0, {0xE0, 'a', 'b'})).find("unterminated long ASCII"),
            std::string::npos);
  EXPECT_NE(decode_err(smile_doc(0, {0x45, 'a'})).find("truncated ASCII string"),
            std::string::npos);
  EXPECT_NE(decode_err(smile_doc(0, {0x80, 0xC3, 0xA9, 0x00})).find("trailing"), std::string::npos);
  EXPECT_NE(decode_err(smile_doc(0, {0x41, 0x80, 'b'})).find("non-ASCII"), std::string::npos);
  EXPECT_NE(decode_err(smile_doc(0, {0xF8, 0x21})).find("unterminated array"), std::string::npos);
  EXPECT_NE(decode_err(smile_doc(0, {0xFA, 0x80, 'a'})).find("without a value"), std::string::npos);
  // invalid UTF-8 is refused (Jackson refuses it too; a json string must be valid to serialise)
  EXPECT_NE(decode_err(smile_doc(0, {0x80, 0xC3, 0x28}))
                .find("invalid UTF-8 in Unicode string at byte 6"),
            std::string::npos);
  EXPECT_NE(decode_err(smile_doc(0, {0x80, 0xC0, 0x80})).find("invalid UTF-8"),
            std::string::npos);  // overlong
  EXPECT_NE(decode_err(smile_doc(0, {0x81, 0xED, 0xA0, 0x80})).find("invalid UTF-8"),
            std::string::npos);  // surrogate
  EXPECT_NE(decode_err(smile_doc(0, {0xE4, 0xFA, 0xFC})).find("invalid UTF-8 in long Unicode"),
            std::string::npos);
  EXPECT_NE(decode_err(smile_doc(0x01, {0xFA, 0xC0, 0xFA, 0x80, 0x21, 0xFB}))
                .find("invalid UTF-8 in Unicode name"),
            std::string::npos);
  EXPECT_EQ(decode_ok(smile_doc(0, {0x82, 0xF0, 0x9F, 0x98, 0x80})),
            json("\xF0\x9F\x98\x80"));  // U+1F600
  // int32 vint longer than 5 bytes
  EXPECT_NE(decode_err(smile_doc(0, {0x24, 1, 1, 1, 1, 1, 0x81})).find("longer than 5"),
            std::string::npos);
}

TEST(RepoFormatSmile, LengthsPastTheEndAreRefused) {
  Bytes b = smile_header(0x04);
  b.push_back(0xFD);
  smile_vint(b, 1ull << 40);  // a terabyte of raw binary in a 20-byte document
  b.push_back(0x00);
  EXPECT_NE(decode_err(b).find("past the end"), std::string::npos);
  Bytes s = smile_header(0);
  s.push_back(0xE8);
  smile_vint(s, 1ull << 50);
  EXPECT_NE(decode_err(s).find("truncated 7-bit binary"), std::string::npos);
  Bytes big = smile_header(0);
  big.push_back(0x26);
  smile_vint(big, 1000000);
  EXPECT_NE(decode_err(big).find("truncated BigInteger"), std::string::npos);
}

TEST(RepoFormatSmile, DepthBombsAreRefused) {
  Bytes b = smile_header(0);
  b.insert(b.end(), 100000, 0xF8);
  EXPECT_NE(decode_err(b).find("nesting deeper than 256"), std::string::npos);
  Bytes o = smile_header(0x01);
  o.push_back(0xFA);
  for (int i = 0; i < 5000; ++i) {
    o.push_back(0x80);
    o.push_back('k');
    o.push_back(0xFA);
  }
  EXPECT_NE(decode_err(o).find("nesting deeper"), std::string::npos);
  // just inside the limit decodes
  Bytes ok = smile_header(0);
  ok.insert(ok.end(), kMaxSmileDepth - 1, 0xF8);
  ok.insert(ok.end(), kMaxSmileDepth - 1, 0xF9);
  EXPECT_TRUE(decode_smile(ok).ok());
}

TEST(RepoFormatSmile, SharedReferenceExpansionIsBudgeted) {
  // one 64-byte shared string and 100,000 one-byte references to it: 6.4 MB of strings from 100 KB
  Bytes b = smile_header(0x02);
  b.push_back(0xF8);
  smile_ascii_value(b, std::string(64, 'x'));
  b.insert(b.end(), 100000, 0x01);
  b.push_back(0xF9);
  SmileLimits small;
  small.max_output_bytes = 1 << 20;
  auto r = decode_smile(b, small);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("larger than 1048576 bytes; refused"), std::string::npos);
  auto full = decode_smile(b);  // the default budget (256 MiB) holds it
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->size(), 100001u);
  SmileLimits shallow;
  shallow.max_depth = 3;
  EXPECT_FALSE(
      decode_smile(smile_doc(0, {0xF8, 0xF8, 0xF8, 0xF8, 0xF9, 0xF9, 0xF9, 0xF9}), shallow).ok());
  EXPECT_TRUE(decode_smile(smile_doc(0, {0xF8, 0xF8, 0xF8, 0xF9, 0xF9, 0xF9}), shallow).ok());
}

TEST(RepoFormatSmile, EveryTruncationOfARealBlobFailsCleanly) {
  auto blob = fixture("es8-u/snap-3nymWA1NRnqODCMDZyEpGg.dat");
  auto info = check_framed_blob(blob, kCodecSnapshot);
  ASSERT_TRUE(info.ok()) << info.error().message;
  ASSERT_EQ(info->compression, Compression::kNone);
  const Bytes content(
      blob.begin() + static_cast<std::ptrdiff_t>(info->body_offset),
      blob.begin() + static_cast<std::ptrdiff_t>(info->body_offset + info->body_length));
  ASSERT_TRUE(decode_smile(content).ok());
  for (std::size_t n = 0; n < content.size(); ++n) {
    auto r = decode_smile(std::span(content).first(n));
    EXPECT_FALSE(r.ok()) << "prefix of " << n << " bytes decoded";
    if (!r.ok()) EXPECT_LT(r.error().message.size(), 200u);
  }
  // and every single-byte corruption either decodes or fails with kParse, never crashes
  for (std::size_t i = 4; i < content.size(); ++i)
    for (std::uint8_t x : {0x00, 0xFF, 0x80, 0x3F}) {
      Bytes c = content;
      c[i] ^= x ? x : 0x5A;
      auto r = decode_smile(c);
      if (!r.ok()) EXPECT_EQ(r.error().code, ErrorCode::kParse);
    }
}

TEST(RepoFormatSmile, RealUncompressedShardSnapshotDecodesExactly) {
  // Elasticsearch 8.19.7, compress: false: the content is SMILE with raw binary (meta_hash).
  auto blob = fixture("es8-u/snap-3nymWA1NRnqODCMDZyEpGg.dat");
  auto info = check_framed_blob(blob, kCodecSnapshot);
  ASSERT_TRUE(info.ok());
  const Bytes content(
      blob.begin() + static_cast<std::ptrdiff_t>(info->body_offset),
      blob.begin() + static_cast<std::ptrdiff_t>(info->body_offset + info->body_length));
  EXPECT_EQ(content[3],
            0x05);  // shared names + raw binary, no shared values: Elasticsearch's SMILE settings
  auto j = decode_ok(content);
  const auto& s = j.at("snapshot");
  EXPECT_EQ(s.at("name"), "s1");
  EXPECT_EQ(s.at("uuid"), "3nymWA1NRnqODCMDZyEpGg");
  EXPECT_EQ(s.at("version_id"), 8536000);
  EXPECT_EQ(s.at("state"), "SUCCESS");
  EXPECT_EQ(s.at("metadata"), json::parse(R"({"who":"repofmt","n":42})"));
  EXPECT_EQ(s.at("indices"), json::parse(R"(["repofmt-idx-repofmt-es8-u"])"));
  EXPECT_EQ(s.at("total_shards"), 2);
}

}  // namespace
}  // namespace essnap::format
