// ChecksumBlobStoreFormat: the frame of every snapshot-repository metadata blob except the root
// index-N (snap-*.dat, meta-*.dat, indices/<id>/meta-*.dat, shard index-<gen>, shard snap-*.dat).
//
//   blob    := header(codec, version 1) body footer           (lucene_footer.hpp)
//   body    := "DFL\0" raw-deflate(content)                   Elasticsearch / OpenSearch deflate
//            | "ZSTD\0" zstd-frame(content)                   OpenSearch compression_type: zstd
//            | content                                        compress: false
//   content := SMILE document (":)\n" first)
//   footer checksum = CRC-32 of every byte before the last 8
// The engines read content with a SMILE parser only (ChecksumBlobStoreFormat.deserialize:
// XContentType.SMILE), so JSON content, which they refuse, is damage here too.
//
// Codec names: "snapshot" (root and shard snap-*.dat), "metadata" (root meta-*.dat),
// "index-metadata" (indices/<id>/meta-*.dat), "snapshots" (shard index-<gen>).
// Follows Elasticsearch server/.../repositories/blobstore/ChecksumBlobStoreFormat.java,
// common/compress/DeflateCompressor.java, and OpenSearch
// libs/compress/.../ZstdCompressor.java + server/.../compress/DeflateCompressor.java.
//
// Writer (frame_blob): ChecksumBlobStoreFormat.serialize — CodecUtil.writeHeader(codec, 1), the
// body, CodecUtil.writeFooter (lucene/core/.../codecs/CodecUtil.java). The body as the engines'
// compressors produce it: DeflateCompressor = "DFL\0" + raw deflate (zlib level 3 = its LEVEL,
// window 15, memLevel 8, default strategy) through a DeflaterOutputStream with syncFlush, closed by
// a flush (an empty stored block 00 00 FF FF) and a finish; OpenSearch ZstdCompressor = "ZSTD\0" +
// one zstd frame at level 3, streamed (no content size, no checksum, one last block). Every framed
// blob of the fixture repositories re-frames to the same bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "essnap/format/smile.hpp"
#include "essnap/util/result.hpp"

namespace essnap::format {

inline constexpr std::string_view kCodecSnapshot = "snapshot";
inline constexpr std::string_view kCodecMetadata = "metadata";
inline constexpr std::string_view kCodecIndexMetadata = "index-metadata";
inline constexpr std::string_view kCodecShardSnapshots = "snapshots";
inline constexpr std::int32_t kBlobFormatVersion = 1;
// Decompressed content larger than this is refused (a metadata blob is kilobytes to megabytes).
inline constexpr std::size_t kMaxDecompressedBytes = std::size_t{256} << 20;

enum class Compression { kNone, kDeflate, kZstd };
const char* to_string(Compression c);

struct FramedInfo {
  std::string codec;
  std::int32_t version = 0;
  Compression compression = Compression::kNone;
  std::uint32_t checksum = 0;   // the footer's (verified) CRC-32
  std::size_t body_offset = 0;  // first byte after the header
  std::size_t body_length = 0;  // bytes between header and footer (compression marker included)
};

// Header (codec must equal `codec`; empty = any of the four), version 1, footer well-formed and
// its CRC-32 verified, compression marker recognised. No decompression, no decoding.
Result<FramedInfo> check_framed_blob(std::span<const std::uint8_t> blob, std::string_view codec);

// check_framed_blob + decompression: the content bytes (SMILE or JSON); content past max_bytes
// is refused (kParse) as soon as the decompressor produces it.
Result<std::vector<std::uint8_t>> unframe_blob(std::span<const std::uint8_t> blob,
                                               std::string_view codec,
                                               std::size_t max_bytes = kMaxDecompressedBytes);

// unframe_blob + decode_xcontent.
Result<nlohmann::json> read_framed_blob(std::span<const std::uint8_t> blob, std::string_view codec,
                                        std::size_t max_bytes = kMaxDecompressedBytes);
Result<nlohmann::json> read_framed_blob(std::span<const std::uint8_t> blob, std::string_view codec,
                                        std::size_t max_bytes, const SmileLimits& limits);

// SMILE content to json (what read_framed_blob does after unframing); anything else, JSON
// included, is kParse.
Result<nlohmann::json> decode_xcontent(std::span<const std::uint8_t> content);
Result<nlohmann::json> decode_xcontent(std::span<const std::uint8_t> content,
                                       const SmileLimits& limits);

// header(codec, version 1) + compression marker + compressed content + footer (CRC-32): the bytes
// ChecksumBlobStoreFormat.serialize writes for `content` (a SMILE document).
std::vector<std::uint8_t> frame_blob(std::span<const std::uint8_t> content, std::string_view codec,
                                     Compression compression);
// encode_smile (Elasticsearch's options) + frame_blob.
std::vector<std::uint8_t> write_framed_blob(const nlohmann::json& doc, std::string_view codec,
                                            Compression compression);
std::vector<std::uint8_t> write_framed_blob(const nlohmann::ordered_json& doc,
                                            std::string_view codec, Compression compression);

// True when `e` is a refusal for size (decompressed content or decoded document past its cap):
// the bytes may be fine, only bigger than the caller allowed.
bool is_size_refusal(const Error& e);

}  // namespace essnap::format
