// The compression modes of Lucene's compressing stored fields: how one chunk (or one slice of a
// sliced chunk) of `n` bytes of serialized documents sits in a .fdt. Each decoder reads exactly
// what the mode's Compressor wrote, so chunks can be walked one after another.
//
//   kLz4       Lucene 5-8 BEST_SPEED (CompressionMode.FAST): one LZ4 block (codec_lz4.hpp),
//              no length before it.
//   kDeflate   Lucene 5-8 BEST_COMPRESSION (CompressionMode.HIGH_COMPRESSION):
//              compressedLen:vint rawDeflate[compressedLen]
//   kLz4Dict   Lucene 8.7+ / 9 / 10 BEST_SPEED (LZ4WithPresetDictCompressionMode):
//              dictLen:vint blockLen:vint dictCompressedLen:vint blockCompressedLen:vint*B
//              lz4(dict) lz4(block, dict)*B     B = ceil((n - dictLen) / blockLen)
//              each block is dictionary + block in one LZ4 window (matches reach into dict)
//   kDeflateDict  Lucene 8.7+ / 9 / 10 BEST_COMPRESSION (DeflateWithPresetDictCompressionMode):
//              dictLen:vint blockLen:vint (compressedLen:vint rawDeflate)  -- dict, then B
//              blocks each inflated with the dict as preset dictionary; compressedLen 0 = empty
//   kZstd      Elasticsearch 8.14+ Zstd814StoredFieldsFormat (both modes; n = 0 writes nothing):
//              compressedLen:vint zstdFrame
//   kZstdDict  OpenSearch custom-codecs `zstd` (ZstdCompressionMode): as kDeflateDict with zstd
//              frames, each block decompressed with the dict (raw content dictionary)
//   kZstdNoDict   OpenSearch custom-codecs `zstd_no_dict` (ZstdNoDictCompressionMode):
//              blockLen:vint (compressedLen:vint zstdFrame)*B    B = ceil(n / blockLen)
// Upstream: lucene core codecs/compressing/CompressionMode.java (7.x, 8.x),
// codecs/lucene87|lucene90/{LZ4,Deflate}WithPresetDictCompressionMode.java, util/compress/LZ4.java;
// elasticsearch server/.../index/codec/zstd/Zstd814StoredFieldsFormat.java;
// opensearch-project/custom-codecs .../customcodecs/Zstd{,NoDict}CompressionMode.java.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "essnap/lucene/stored_stream.hpp"
#include "essnap/util/result.hpp"

namespace essnap::lucene {

enum class ChunkCompression {
  kLz4,
  kDeflate,
  kLz4Dict,
  kDeflateDict,
  kZstd,
  kZstdDict,
  kZstdNoDict
};

std::string_view chunk_compression_name(ChunkCompression c);

// One decoder per reader (holds zlib/zstd state and scratch buffers; not thread-safe).
class ChunkDecompressor {
 public:
  explicit ChunkDecompressor(ChunkCompression c);
  ~ChunkDecompressor();
  ChunkDecompressor(const ChunkDecompressor&) = delete;
  ChunkDecompressor& operator=(const ChunkDecompressor&) = delete;

  ChunkCompression compression() const { return c_; }
  // Reads one compressed unit of `n` decoded bytes at the stream's position and appends exactly
  // `n` bytes to `out`. kParse (naming the file and byte) when the bytes do not decode to that.
  Status decompress(StreamReader& in, std::uint32_t n, std::vector<std::uint8_t>& out);

  struct State;  // zlib / zstd contexts and scratch (codec_modes.cpp)

 private:
  ChunkCompression c_;
  std::unique_ptr<State> s_;
};

}  // namespace essnap::lucene
