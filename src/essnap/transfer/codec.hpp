// Chunk compression: zstd (default), gzip or none, each a whole chunk at a time (chunks are
// bounded, so a chunk and its compressed form fit in memory). Decompression never trusts the
// bytes: it stops with kParse past `max_output` bytes, whatever a frame header claims.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "essnap/util/result.hpp"

namespace essnap::transfer {

enum class Compression { kZstd, kGzip, kNone };

const char* to_string(Compression c);           // "zstd", "gzip", "none"
const char* file_extension(Compression c);      // ".zst", ".gz", ""
Result<Compression> parse_compression(std::string_view name);  // kInvalidArgument otherwise

Result<std::string> compress(Compression c, std::string_view data);
Result<std::string> decompress(Compression c, std::string_view data, std::size_t max_output);

}  // namespace essnap::transfer
