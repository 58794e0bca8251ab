// The two readers under the stored-fields decoders: a sequential reader over a range of a
// Lucene file (the chunks of a .fdt, each byte read once from its source, any run of bytes made
// contiguous on demand so the decompressors work on memory), and a cursor over decompressed
// bytes in memory (one chunk's documents). Both read Lucene's encodings (input.hpp's grammar)
// and never read past their end: a short input is a kParse error, not a crash.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "essnap/format/crc32.hpp"
#include "essnap/lucene/input.hpp"
#include "essnap/util/result.hpp"

namespace essnap::lucene {

class StreamReader {
 public:
  // 4 MiB: a ranged GET per 4 MiB of stored fields (256 KiB made 1578 GETs for 389 MiB of a
  // 2M-document index, 1 MiB a quarter of that, 4 MiB a sixteenth: each GET also costs the
  // server a lookup, ~3 ms of SeaweedFS CPU here); one window per running shard.
  static constexpr std::size_t kDefaultWindow = 4 * 1024 * 1024;

  StreamReader(std::shared_ptr<const FileSource> file, std::uint64_t begin, std::uint64_t end,
               std::size_t window = kDefaultWindow);

  const FileSource& file() const { return *file_; }
  std::uint64_t position() const { return pos_; }
  std::uint64_t end() const { return end_; }
  std::uint64_t remaining() const { return end_ - pos_; }

  // Exactly `n` bytes at the position, contiguous, valid until the next call; not consumed.
  Result<std::span<const std::uint8_t>> need(std::size_t n);
  // min(n, remaining()) bytes at the position, as need().
  Result<std::span<const std::uint8_t>> peek_up_to(std::size_t n);
  Status consume(std::size_t n);  // kParse past the end

  Result<std::uint8_t> byte();
  Result<std::int32_t> vint();
  Result<std::int64_t> vlong();
  // Copies `n` bytes out (consumed).
  Status read(std::span<std::uint8_t> out);

  // "<file> (<where>) at byte <pos>: <what>", kParse.
  Error error(const std::string& what) const;

  // Every byte read from the source from now on is added to `crc`, in file order (reads are
  // sequential and never overlap): the CRC-32 of the range once it is all read.
  void checksum_into(format::Crc32* crc) { crc_ = crc; }

 private:
  format::Crc32* crc_ = nullptr;
  std::shared_ptr<const FileSource> file_;
  std::uint64_t pos_;
  std::uint64_t end_;
  std::size_t window_;
  std::vector<std::uint8_t> buf_;  // bytes [buf_pos_, buf_pos_ + buf_.size()) of the file
  std::uint64_t buf_pos_ = 0;
};

// A cursor over bytes in memory, reading Lucene's encodings in a byte order. Errors are plain
// kParse messages; the caller adds the file, chunk and document.
class ByteReader {
 public:
  ByteReader(std::span<const std::uint8_t> bytes, ByteOrder order) : b_(bytes), order_(order) {}

  std::size_t position() const { return pos_; }
  std::size_t remaining() const { return b_.size() - pos_; }

  Result<std::uint8_t> byte();
  Result<std::uint16_t> u16();  // in the byte order
  Result<std::uint32_t> u32();
  Result<std::uint64_t> u64();
  Result<std::uint64_t> le_u64();
  Result<std::int32_t> vint();
  Result<std::int64_t> vlong();
  Result<std::span<const std::uint8_t>> bytes(std::size_t n);

 private:
  std::span<const std::uint8_t> b_;
  std::size_t pos_ = 0;
  ByteOrder order_;
};

}  // namespace essnap::lucene
