#include "essnap/transfer/codec.hpp"

#include <zlib.h>
#include <zstd.h>

#include <memory>

namespace essnap::transfer {
namespace {

// zstd level 1: about twice as fast as the default level 3 for a few percent more bytes; the
// export shares the machine's cores with the engine it reads.
constexpr int kZstdLevel = 1;

Error too_large(std::size_t max_output) {
  return Error(ErrorCode::kParse,
               "a chunk decompresses to more than " + std::to_string(max_output) + " bytes",
               "the chunk is corrupted or was not written by essnap export");
}

Result<std::string> zstd_compress(std::string_view data) {
  // One context per thread, kept: a fresh one per chunk allocated and cleared its tables every
  // time. The output goes to an uninitialised buffer first (a std::string of compressBound
  // bytes would be zero-filled, megabytes per chunk, only to be overwritten).
  struct Ctx {
    ZSTD_CCtx* c = ZSTD_createCCtx();
    ~Ctx() { ZSTD_freeCCtx(c); }
  };
  thread_local Ctx ctx;
  if (!ctx.c) return Error(ErrorCode::kInternal, "zstd: out of memory");
  const std::size_t bound = ZSTD_compressBound(data.size());
  std::unique_ptr<char[]> buf(new char[bound]);
  const std::size_t n = ZSTD_compressCCtx(ctx.c, buf.get(), bound, data.data(), data.size(), kZstdLevel);
  if (ZSTD_isError(n))
    return Error(ErrorCode::kInternal, std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
  return std::string(buf.get(), n);
}

Result<std::string> zstd_decompress(std::string_view data, std::size_t max_output) {
  std::unique_ptr<ZSTD_DStream, decltype(&ZSTD_freeDStream)> ds(ZSTD_createDStream(),
                                                                  ZSTD_freeDStream);
  if (!ds) return Error(ErrorCode::kInternal, "zstd: out of memory");
  ZSTD_initDStream(ds.get());
  std::string out;
  // The frame's own size claim, when it makes one and it is within the limit, sizes the buffer
  // once (with room for the parser's padding); it is never trusted beyond that.
  const unsigned long long claimed = ZSTD_getFrameContentSize(data.data(), data.size());
  if (claimed != ZSTD_CONTENTSIZE_UNKNOWN && claimed != ZSTD_CONTENTSIZE_ERROR && claimed <= max_output)
    out.reserve(static_cast<std::size_t>(claimed) + 64);
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  std::string buf(ZSTD_DStreamOutSize(), '\0');
  std::size_t last = 1;
  for (;;) {
    ZSTD_outBuffer o{buf.data(), buf.size(), 0};
    last = ZSTD_decompressStream(ds.get(), &o, &in);
    if (ZSTD_isError(last))
      return Error(ErrorCode::kParse, std::string("not a valid zstd chunk: ") + ZSTD_getErrorName(last));
    if (out.size() + o.pos > max_output) return too_large(max_output);
    out.append(buf.data(), o.pos);
    // Done when every input byte is consumed and the decoder no longer fills its buffer.
    if (in.pos == in.size && o.pos < o.size) break;
  }
  if (last != 0) return Error(ErrorCode::kParse, "truncated zstd chunk");
  return out;
}

Result<std::string> gzip_compress(std::string_view data) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return Error(ErrorCode::kInternal, "zlib: deflateInit2 failed");
  std::string out(deflateBound(&zs, static_cast<uLong>(data.size())) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  const std::size_t n = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return Error(ErrorCode::kInternal, "gzip compression failed");
  out.resize(n);
  return out;
}

Result<std::string> gzip_decompress(std::string_view data, std::size_t max_output) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return Error(ErrorCode::kInternal, "zlib: inflateInit2 failed");
  std::string out;
  std::string buf(256 * 1024, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf.data());
    zs.avail_out = static_cast<uInt>(buf.size());
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return Error(ErrorCode::kParse, rc == Z_BUF_ERROR ? "truncated gzip chunk" : "not a valid gzip chunk");
    }
    const std::size_t got = buf.size() - zs.avail_out;
    if (out.size() + got > max_output) {
      inflateEnd(&zs);
      return too_large(max_output);
    }
    out.append(buf.data(), got);
  }
  const bool trailing = zs.avail_in != 0;
  inflateEnd(&zs);
  if (trailing) return Error(ErrorCode::kParse, "bytes after the end of the gzip chunk");
  return out;
}

}  // namespace

const char* to_string(Compression c) {
  switch (c) {
    case Compression::kZstd: return "zstd";
    case Compression::kGzip: return "gzip";
    case Compression::kNone: return "none";
  }
  return "none";
}

const char* file_extension(Compression c) {
  switch (c) {
    case Compression::kZstd: return ".zst";
    case Compression::kGzip: return ".gz";
    case Compression::kNone: return "";
  }
  return "";
}

Result<Compression> parse_compression(std::string_view name) {
  if (name == "zstd") return Compression::kZstd;
  if (name == "gzip") return Compression::kGzip;
  if (name == "none") return Compression::kNone;
  return Error(ErrorCode::kInvalidArgument, "unknown compression '" + std::string(name.substr(0, 32)) + "'",
               "use zstd, gzip or none");
}

Result<std::string> compress(Compression c, std::string_view data) {
  switch (c) {
    case Compression::kZstd: return zstd_compress(data);
    case Compression::kGzip: return gzip_compress(data);
    case Compression::kNone: return std::string(data);
  }
  return std::string(data);
}

Result<std::string> decompress(Compression c, std::string_view data, std::size_t max_output) {
  switch (c) {
    case Compression::kZstd: return zstd_decompress(data, max_output);
    case Compression::kGzip: return gzip_decompress(data, max_output);
    case Compression::kNone:
      if (data.size() > max_output) return too_large(max_output);
      return std::string(data);
  }
  return std::string(data);
}

}  // namespace essnap::transfer
