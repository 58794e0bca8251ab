// The bytes of one Lucene file, wherever they live, and the one reader of Lucene's primitive
// encodings over them. Every parser in lucene/ reads through DataInput: nothing is staged to
// local disk, a file is read in bounded windows by ranged reads of its source.
//
// Lucene's DataInput/DataOutput (lucene/core/src/java/org/apache/lucene/store/):
//   byte        := 1 byte
//   short/int/long := 2/4/8 bytes, BIG-endian up to Lucene 8, LITTLE-endian from Lucene 9
//                  (LUCENE-9047); CodecUtil headers and footers stay big-endian in every
//                  version (CodecUtil.writeBEInt / readBEInt), so those have their own calls
//   vint        := 1..5 bytes, 7 bits each, low group first, high bit = more follow
//   vlong       := 1..9 bytes, the same (readVLong; negative values are never written)
//   zint/zlong  := zig-zag of a vint/vlong ((n >> 1) ^ -(n & 1))
//   string      := len:vint utf8:byte[len]
//   map<string,string> := count:vint (key:string value:string)*count   (Lucene 5+)
//   set<string> := count:vint string*count                             (Lucene 5+)
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "essnap/util/result.hpp"

namespace essnap::lucene {

// A Lucene file's bytes, read at any offset: a blob (or the parts of one) in a repository, a
// slice of a compound file, memory. Thread-safe reads; errors name the file.
class FileSource {
 public:
  virtual ~FileSource() = default;
  // The Lucene file name ("_0.cfs", "_3_Lucene90_0.dvd"), for messages.
  virtual const std::string& name() const = 0;
  // Where it is read from ("indices/<id>/0/__abc (blob)"), for messages; may equal name().
  virtual std::string where() const { return name(); }
  virtual std::uint64_t length() const = 0;
  // Exactly out.size() bytes at `offset`; kParse when the range passes the end (a truncated
  // file), kIo / kNetwork / ... as the store answered otherwise.
  virtual Status read(std::uint64_t offset, std::span<std::uint8_t> out) const = 0;
};

// A file held in memory (tests, v__ files whose content is the shard snapshot's meta_hash).
std::shared_ptr<const FileSource> memory_file(std::string name, std::vector<std::uint8_t> bytes);
// Bytes [offset, offset + length) of `base` as a file of its own (a compound file's entry).
// kParse when the range is outside `base`.
Result<std::shared_ptr<const FileSource>> slice_file(std::shared_ptr<const FileSource> base,
                                                     std::string name, std::uint64_t offset,
                                                     std::uint64_t length);

enum class ByteOrder { kBig, kLittle };
// Lucene 9 and later write short/int/long little-endian; before, big-endian.
ByteOrder byte_order_for_lucene_major(int major);

// A sequential reader over [begin, end) of a FileSource, reading ahead in windows of at most
// `window` bytes (memory per reader is bounded by it). Errors are kParse naming the file, the
// byte offset and what was being read.
class DataInput {
 public:
  static constexpr std::size_t kDefaultWindow = 64 * 1024;

  explicit DataInput(std::shared_ptr<const FileSource> file, ByteOrder order = ByteOrder::kLittle,
                     std::size_t window = kDefaultWindow);
  DataInput(std::shared_ptr<const FileSource> file, std::uint64_t begin, std::uint64_t end,
            ByteOrder order = ByteOrder::kLittle, std::size_t window = kDefaultWindow);

  const FileSource& file() const { return *file_; }
  std::shared_ptr<const FileSource> file_ptr() const { return file_; }
  ByteOrder order() const { return order_; }
  void set_order(ByteOrder o) { order_ = o; }

  std::uint64_t position() const { return pos_; }  // absolute offset in the file
  std::uint64_t begin() const { return begin_; }
  std::uint64_t end() const { return end_; }
  std::uint64_t remaining() const { return end_ - pos_; }
  // kParse when `pos` is outside [begin, end].
  Status seek(std::uint64_t pos);
  Status skip(std::uint64_t n);

  Result<std::uint8_t> byte();
  Status bytes(std::span<std::uint8_t> out);
  Result<std::vector<std::uint8_t>> bytes(std::uint64_t n);  // kParse when n > remaining()
  Result<std::int16_t> i16();                                // in order()
  Result<std::int32_t> i32();
  Result<std::int64_t> i64();
  Result<std::int32_t> be_i32();  // big-endian whatever order() is (CodecUtil)
  Result<std::int64_t> be_i64();
  Result<std::int32_t> vint();   // kParse on more than 5 bytes
  Result<std::int64_t> vlong();  // kParse on more than 9 bytes
  Result<std::int32_t> zint();
  Result<std::int64_t> zlong();
  Result<std::string> string();  // kParse when the length passes remaining()
  Result<std::map<std::string, std::string>> string_map();
  Result<std::set<std::string>> string_set();

  // A kParse error "<file> (<where>) at byte <pos>: <what>".
  Error error(const std::string& what) const;

 private:
  Status fill(std::size_t need);

  std::shared_ptr<const FileSource> file_;
  std::uint64_t begin_ = 0;
  std::uint64_t end_ = 0;
  std::uint64_t pos_ = 0;
  ByteOrder order_;
  std::size_t window_;
  std::vector<std::uint8_t> buf_;  // bytes [buf_start_, buf_start_ + buf_.size())
  std::uint64_t buf_start_ = 0;
};

// CodecUtil: the header at the input's position, checked against the codec name and the
// version range; returns the version. `index` headers also carry the segment id and suffix,
// checked when `expected_id` / `expected_suffix` are given (non-null).
struct CodecHeaderCheck {
  std::string_view codec;
  std::int32_t min_version = 0;
  std::int32_t max_version = 0;
  bool index_header = false;
  const std::array<std::uint8_t, 16>* expected_id = nullptr;
  const std::string* expected_suffix = nullptr;
};
Result<std::int32_t> check_header(DataInput& in, const CodecHeaderCheck& check);

// The codec name of the header at the start of `file`, read without checking the rest (a reader
// that picks its grammar or byte order from the codec before check_header); kParse when the
// file does not start like a Lucene codec header.
Result<std::string> peek_codec(const FileSource& file);

// CodecUtil.checkFooter over the whole file: the footer's magic, algorithm 0, and its checksum
// equal to the CRC-32 of every byte before it (reads the file once, in windows).
Status check_footer(const std::shared_ptr<const FileSource>& file);
// The footer's checksum without reading the file (CodecUtil.retrieveChecksum).
Result<std::uint32_t> footer_checksum(const std::shared_ptr<const FileSource>& file);

}  // namespace essnap::lucene
