#include "essnap/format/framing.hpp"

#include <zlib.h>
#include <zstd.h>

#include <cstring>

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

}  // namespace

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
