// lucene/input: Lucene's primitive encodings (DataInput.java, CodecUtil.java) over a FileSource.
#include <gtest/gtest.h>

#include "essnap/format/crc32.hpp"
#include "essnap/lucene/input.hpp"

namespace essnap::lucene {
namespace {

std::shared_ptr<const FileSource> file(std::vector<std::uint8_t> b) {
  return memory_file("_0.fdt", std::move(b));
}

TEST(LuceneInput, ReadsVIntsVLongsAndZigZag) {
  // 300 = 0b1_0010_1100 -> AC 02; 127 -> 7F; -1 zig-zag = 1 -> 01; -64 zig-zag = 127 -> 7F
  DataInput in(file({0xAC, 0x02, 0x7F, 0x01, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F}));
  EXPECT_EQ(*in.vint(), 300);
  EXPECT_EQ(*in.vint(), 127);
  EXPECT_EQ(*in.zint(), -1);
  EXPECT_EQ(*in.zlong(), -64);
  EXPECT_EQ(*in.vint(), -1);  // 0xFFFFFFFF as Lucene writes a negative vint: 5 bytes
  EXPECT_EQ(in.remaining(), 0u);
}

TEST(LuceneInput, RefusesOverlongVIntAndTruncation) {
  DataInput in(file({0x80, 0x80, 0x80, 0x80, 0x80, 0x01}));
  auto v = in.vint();
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().message.find("_0.fdt at byte 0"), std::string::npos) << v.error().message;
  DataInput t(file({0x05, 'a', 'b'}));
  auto s = t.string();
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, ErrorCode::kParse);
}

TEST(LuceneInput, IntsFollowTheByteOrderButCodecIntsAreBigEndian) {
  std::vector<std::uint8_t> b = {0x01, 0x02, 0x03, 0x04, 0x01, 0x02, 0x03, 0x04};
  DataInput le(file(b), ByteOrder::kLittle);
  EXPECT_EQ(*le.i32(), 0x04030201);
  EXPECT_EQ(*le.be_i32(), 0x01020304);
  DataInput be(file(b), byte_order_for_lucene_major(8));
  EXPECT_EQ(*be.i32(), 0x01020304);
  EXPECT_EQ(byte_order_for_lucene_major(9), ByteOrder::kLittle);
}

TEST(LuceneInput, ReadsAcrossWindowsAndSlices) {
  std::vector<std::uint8_t> b(1000);
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(i);
  auto f = file(b);
  DataInput in(f, ByteOrder::kLittle, 64);
  ASSERT_TRUE(in.skip(60));
  auto got = in.bytes(std::uint64_t{10});
  ASSERT_TRUE(got);
  EXPECT_EQ((*got)[0], 60);
  EXPECT_EQ((*got)[9], 69);
  auto sl = slice_file(f, "_0.fnm", 100, 20);
  ASSERT_TRUE(sl);
  DataInput s(*sl);
  EXPECT_EQ(*s.byte(), 100);
  EXPECT_FALSE(slice_file(f, "_0.fnm", 990, 20));
  ASSERT_TRUE(s.seek(20));
  EXPECT_FALSE(s.byte());
}

std::vector<std::uint8_t> with_footer(std::vector<std::uint8_t> body) {
  for (std::uint8_t c : {0xC0, 0x28, 0x93, 0xE8, 0, 0, 0, 0}) body.push_back(c);
  const std::uint32_t crc = format::crc32(body);
  for (int i = 0; i < 4; ++i) body.push_back(0);
  for (int i = 3; i >= 0; --i) body.push_back(static_cast<std::uint8_t>(crc >> (8 * i)));
  return body;
}

TEST(LuceneInput, ChecksHeadersAndFooters) {
  // header: magic, "Lucene90StoredFieldsFastData", version 1, 16-byte id, suffix ""
  std::vector<std::uint8_t> b = {0x3F, 0xD7, 0x6C, 0x17};
  const std::string codec = "Lucene90StoredFieldsFastData";
  b.push_back(static_cast<std::uint8_t>(codec.size()));
  b.insert(b.end(), codec.begin(), codec.end());
  for (std::uint8_t c : {0, 0, 0, 1}) b.push_back(c);
  std::array<std::uint8_t, 16> id{};
  id[0] = 7;
  b.insert(b.end(), id.begin(), id.end());
  b.push_back(0);
  b.push_back(0x2A);
  auto f = file(with_footer(b));
  DataInput in(f);
  auto v = check_header(in, {codec, 1, 1, true, &id, nullptr});
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(*v, 1);
  EXPECT_EQ(*in.byte(), 0x2A);
  EXPECT_TRUE(check_footer(f));

  DataInput wrong(f);
  auto w = check_header(wrong, {"Lucene90StoredFieldsFastIndex", 1, 1, true, nullptr, nullptr});
  ASSERT_FALSE(w);
  EXPECT_NE(w.error().message.find("expected \"Lucene90StoredFieldsFastIndex\""),
            std::string::npos);
  DataInput old(f);
  EXPECT_FALSE(check_header(old, {codec, 2, 3, true, nullptr, nullptr}));

  auto damaged = with_footer(b);
  damaged[10] ^= 1;
  auto d = check_footer(file(damaged));
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().message.find("corrupt"), std::string::npos);
}

}  // namespace
}  // namespace essnap::lucene
