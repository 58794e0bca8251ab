// Chunk compression: zstd (default), gzip or none, a whole chunk at a time (chunks are bounded,
// so a chunk and its compressed form fit in memory); decompression whole or window by window
// (ChunkReader: the import holds one window of a chunk, not the chunk). Decompression never
// trusts the bytes: it stops with kParse past `max_output` bytes, whatever a frame header claims.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "essnap/util/result.hpp"

namespace essnap::transfer {

enum class Compression { kZstd, kGzip, kNone };

const char* to_string(Compression c);                          // "zstd", "gzip", "none"
const char* file_extension(Compression c);                     // ".zst", ".gz", ""
Result<Compression> parse_compression(std::string_view name);  // kInvalidArgument otherwise

Result<std::string> compress(Compression c, std::string_view data);
Result<std::string> decompress(Compression c, std::string_view data, std::size_t max_output);

// A compressed chunk decompressed piece by piece. `data` must outlive the reader. kParse for a
// malformed or truncated stream, bytes after its end (gzip), or more than `max_output` bytes.
class ChunkReader {
 public:
  ChunkReader(Compression c, std::string_view data, std::size_t max_output);
  ~ChunkReader();
  ChunkReader(const ChunkReader&) = delete;
  ChunkReader& operator=(const ChunkReader&) = delete;

  // Appends up to `want` more decompressed bytes to `out` (fewer only at the end).
  Status read(std::string& out, std::size_t want);
  // Replaces `window` with the next whole lines, about `window_bytes` of them (more when one
  // line is longer; the last line of the chunk may lack its newline); false at the end.
  Result<bool> next_lines(std::string& window, std::size_t window_bytes);
  bool done() const { return done_ && carry_.empty(); }

  struct Decoder;

 private:
  std::unique_ptr<Decoder> decoder_;
  std::size_t max_output_;
  std::size_t produced_ = 0;
  bool done_ = false;
  std::string carry_;  // the start of a line the last window stopped before
};

}  // namespace essnap::transfer
