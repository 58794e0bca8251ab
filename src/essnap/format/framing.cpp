#include "essnap/format/framing.hpp"

#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <new>
#include <stdexcept>

#include "essnap/format/crc32.hpp"
#include "essnap/format/lucene_footer.hpp"
#include "essnap/format/smile.hpp"

namespace essnap::format {
namespace {

constexpr std::uint8_t kDeflateMarker[] = {'D', 'F', 'L', 0};
constexpr std::uint8_t kZstdMarker[] = {'Z', 'S', 'T', 'D', 0};

bool starts_with(std::span<const std::uint8_t> b, std::span<const std::uint8_t> prefix) {
  return b.size() >= prefix.size() && std::memcmp(b.data(), prefix.data(), prefix.size()) == 0;
}

Error frame_error(const std::string& what) {
  return Error(ErrorCode::kParse, "blob frame: " + what);
}

Result<std::vector<std::uint8_t>> inflate_raw(std::span<const std::uint8_t> in,
                                              std::size_t max_bytes) {
  z_stream zs{};
  if (inflateInit2(&zs, -15) != Z_OK)
    return Error(ErrorCode::kInternal, "zlib inflateInit2 failed");
  std::vector<std::uint8_t> out;
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  std::uint8_t buf[16384];
  while (rc != Z_STREAM_END) {
    zs.next_out = buf;
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      const std::string msg = zs.msg ? zs.msg : "error " + std::to_string(rc);
      const std::size_t at = in.size() - zs.avail_in;
      inflateEnd(&zs);
      if (rc == Z_BUF_ERROR)
        return frame_error("deflate stream truncated at compressed byte " + std::to_string(at));
      return frame_error("bad deflate data at compressed byte " + std::to_string(at) + ": " + msg);
    }
    out.insert(out.end(), buf, buf + (sizeof buf - zs.avail_out));
    if (out.size() > max_bytes) {
      inflateEnd(&zs);
      return frame_error("content inflates past " + std::to_string(max_bytes) + " bytes; refused");
    }
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
      inflateEnd(&zs);
      return frame_error("deflate stream truncated (no end of stream)");
    }
  }
  inflateEnd(&zs);
  return out;
}

Result<std::vector<std::uint8_t>> unzstd(std::span<const std::uint8_t> in, std::size_t max_bytes) {
  ZSTD_DStream* ds = ZSTD_createDStream();
  if (!ds) return Error(ErrorCode::kInternal, "ZSTD_createDStream failed");
  ZSTD_initDStream(ds);
  std::vector<std::uint8_t> out;
  ZSTD_inBuffer ib{in.data(), in.size(), 0};
  std::uint8_t buf[16384];
  std::size_t last = 1;
  while (ib.pos < ib.size || last != 0) {
    ZSTD_outBuffer ob{buf, sizeof buf, 0};
    const std::size_t before = ib.pos;
    last = ZSTD_decompressStream(ds, &ob, &ib);
    if (ZSTD_isError(last)) {
      const std::string msg = ZSTD_getErrorName(last);
      ZSTD_freeDStream(ds);
      return frame_error("bad zstd data at compressed byte " + std::to_string(before) + ": " + msg);
    }
    out.insert(out.end(), buf, buf + ob.pos);
    if (out.size() > max_bytes) {
      ZSTD_freeDStream(ds);
      return frame_error("content decompresses past " + std::to_string(max_bytes) +
                         " bytes; refused");
    }
    if (ib.pos == ib.size && ob.pos == 0 && last != 0) {
      ZSTD_freeDStream(ds);
      return frame_error("zstd frame truncated");
    }
  }
  ZSTD_freeDStream(ds);
  return out;
}

void put_be32(std::vector<std::uint8_t>& b, std::uint32_t v) {
  for (int i = 3; i >= 0; --i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

// DeflateCompressor's stream: Deflater(LEVEL = 3, nowrap), everything written, then
// BufferedOutputStream.flush -> DeflaterOutputStream.flush with syncFlush (Z_SYNC_FLUSH), then
// close -> finish (Z_FINISH).
void deflate_raw(std::span<const std::uint8_t> in, std::vector<std::uint8_t>& out) {
  z_stream zs{};
  if (deflateInit2(&zs, 3, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) throw std::bad_alloc();
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  std::uint8_t buf[16384];
  for (int flush : {Z_SYNC_FLUSH, Z_FINISH}) {
    int rc = Z_OK;
    do {
      zs.next_out = buf;
      zs.avail_out = sizeof buf;
      rc = deflate(&zs, flush);
      out.insert(out.end(), buf, buf + (sizeof buf - zs.avail_out));
    } while (flush == Z_FINISH ? rc != Z_STREAM_END : zs.avail_out == 0);
  }
  deflateEnd(&zs);
}

// ZstdCompressor's stream (zstd-jni ZstdOutputStream at level 3): the content written with
// ZSTD_e_continue (so the frame carries no content size), then the end of the frame (the
// fixtures show one last block: no flush before it).
void zstd_frame(std::span<const std::uint8_t> in, std::vector<std::uint8_t>& out) {
  ZSTD_CCtx* cx = ZSTD_createCCtx();
  if (!cx) throw std::bad_alloc();
  ZSTD_CCtx_setParameter(cx, ZSTD_c_compressionLevel, 3);
  ZSTD_inBuffer ib{in.data(), in.size(), 0};
  std::uint8_t buf[16384];
  for (ZSTD_EndDirective mode : {ZSTD_e_continue, ZSTD_e_end}) {
    std::size_t left = 0;
    do {
      ZSTD_outBuffer ob{buf, sizeof buf, 0};
      left = ZSTD_compressStream2(cx, &ob, &ib, mode);
      if (ZSTD_isError(left)) {
        ZSTD_freeCCtx(cx);
        throw std::runtime_error(ZSTD_getErrorName(left));
      }
      out.insert(out.end(), buf, buf + ob.pos);
    } while (mode == ZSTD_e_continue ? ib.pos < ib.size : left != 0);
  }
  ZSTD_freeCCtx(cx);
}

}  // namespace

std::vector<std::uint8_t> frame_blob(std::span<const std::uint8_t> content, std::string_view codec,
                                     Compression compression) {
  std::vector<std::uint8_t> b;
  b.reserve(content.size() + codec.size() + 64);
  put_be32(b, kCodecMagic);
  // Lucene writeString: vint length (7 bits a byte, low first) + bytes.
  for (std::size_t n = codec.size();; n >>= 7) {
    if (n < 0x80) {
      b.push_back(static_cast<std::uint8_t>(n));
      break;
    }
    b.push_back(static_cast<std::uint8_t>(0x80 | (n & 0x7F)));
  }
  b.insert(b.end(), codec.begin(), codec.end());
  put_be32(b, static_cast<std::uint32_t>(kBlobFormatVersion));
  switch (compression) {
    case Compression::kNone:
      b.insert(b.end(), content.begin(), content.end());
      break;
    case Compression::kDeflate:
      b.insert(b.end(), std::begin(kDeflateMarker), std::end(kDeflateMarker));
      deflate_raw(content, b);
      break;
    case Compression::kZstd:
      b.insert(b.end(), std::begin(kZstdMarker), std::end(kZstdMarker));
      zstd_frame(content, b);
      break;
  }
  put_be32(b, kFooterMagic);
  put_be32(b, 0);  // algorithm
  const std::uint32_t crc = crc32(b);
  put_be32(b, 0);  // the checksum is a long whose high half is 0
  put_be32(b, crc);
  return b;
}

std::vector<std::uint8_t> write_framed_blob(const nlohmann::json& doc, std::string_view codec,
                                            Compression compression) {
  return frame_blob(encode_smile(doc), codec, compression);
}

std::vector<std::uint8_t> write_framed_blob(const nlohmann::ordered_json& doc,
                                            std::string_view codec, Compression compression) {
  return frame_blob(encode_smile(doc), codec, compression);
}

const char* to_string(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "none";
    case Compression::kDeflate:
      return "deflate";
    case Compression::kZstd:
      return "zstd";
  }
  return "?";
}

Result<FramedInfo> check_framed_blob(std::span<const std::uint8_t> blob, std::string_view codec) {
  auto header = parse_header(blob);
  if (!header.ok()) return frame_error(header.error().message);
  if (!codec.empty() && header->codec != codec)
    return frame_error("codec \"" + header->codec + "\", expected \"" + std::string(codec) + "\"");
  if (codec.empty() && header->codec != kCodecSnapshot && header->codec != kCodecMetadata &&
      header->codec != kCodecIndexMetadata && header->codec != kCodecShardSnapshots)
    return frame_error("unknown codec \"" + header->codec + "\"");
  if (header->version != kBlobFormatVersion)
    return frame_error("format version " + std::to_string(header->version) + ", expected " +
                       std::to_string(kBlobFormatVersion));
  if (blob.size() < header->length + kFooterLength)
    return frame_error("truncated: " + std::to_string(blob.size()) +
                       " bytes, no room for the footer");
  auto footer = verify_footer(blob);
  if (!footer.ok()) return frame_error(footer.error().message);
  FramedInfo info;
  info.codec = header->codec;
  info.version = header->version;
  info.checksum = footer->checksum;
  info.body_offset = header->length;
  info.body_length = blob.size() - kFooterLength - header->length;
  const auto body = blob.subspan(info.body_offset, info.body_length);
  if (starts_with(body, kDeflateMarker))
    info.compression = Compression::kDeflate;
  else if (starts_with(body, kZstdMarker))
    info.compression = Compression::kZstd;
  else if (is_smile(body))
    info.compression = Compression::kNone;
  else if (!body.empty() && body[0] == '{')
    return frame_error("content is JSON, not SMILE: the engines read framed blobs as SMILE only");
  else
    return frame_error("content is neither DFL\\0, ZSTD\\0 nor SMILE");
  return info;
}

Result<std::vector<std::uint8_t>> unframe_blob(std::span<const std::uint8_t> blob,
                                               std::string_view codec, std::size_t max_bytes) {
  ESSNAP_TRY(FramedInfo info, check_framed_blob(blob, codec));
  const auto body = blob.subspan(info.body_offset, info.body_length);
  switch (info.compression) {
    case Compression::kDeflate:
      return inflate_raw(body.subspan(sizeof kDeflateMarker), max_bytes);
    case Compression::kZstd:
      return unzstd(body.subspan(sizeof kZstdMarker), max_bytes);
    case Compression::kNone:
      break;
  }
  if (body.size() > max_bytes)
    return frame_error("content of " + std::to_string(body.size()) + " bytes; refused");
  return std::vector<std::uint8_t>(body.begin(), body.end());
}

Result<nlohmann::json> decode_xcontent(std::span<const std::uint8_t> content) {
  return decode_xcontent(content, SmileLimits{});
}

Result<nlohmann::json> decode_xcontent(std::span<const std::uint8_t> content,
                                       const SmileLimits& limits) {
  if (is_smile(content)) return decode_smile(content, limits);
  if (!content.empty() && content[0] == '{')
    return Error(ErrorCode::kParse,
                 "blob content is JSON, not SMILE: the engines read framed blobs as SMILE only");
  return Error(ErrorCode::kParse, "blob content is not SMILE");
}

Result<nlohmann::json> read_framed_blob(std::span<const std::uint8_t> blob, std::string_view codec,
                                        std::size_t max_bytes) {
  return read_framed_blob(blob, codec, max_bytes, SmileLimits{});
}

Result<nlohmann::json> read_framed_blob(std::span<const std::uint8_t> blob, std::string_view codec,
                                        std::size_t max_bytes, const SmileLimits& limits) {
  ESSNAP_TRY(std::vector<std::uint8_t> content, unframe_blob(blob, codec, max_bytes));
  return decode_xcontent(content, limits);
}

bool is_size_refusal(const Error& e) {
  // Both caps word their refusal "... bytes; refused" (here and in smile.cpp).
  return e.code == ErrorCode::kParse && e.message.find("bytes; refused") != std::string::npos;
}

}  // namespace essnap::format
