#include "essnap/transfer/codec.hpp"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
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
  // One context and one output buffer per thread, kept: a fresh context per chunk allocated and
  // cleared its tables every time, and a fresh compressBound buffer (megabytes, above malloc's
  // mmap threshold) was new pages for the kernel to fault in and zero, chunk after chunk. Only
  // the compressed bytes are copied out.
  struct Ctx {
    ZSTD_CCtx* c = ZSTD_createCCtx();
    std::unique_ptr<char[]> buf;
    std::size_t cap = 0;
    ~Ctx() { ZSTD_freeCCtx(c); }
  };
  thread_local Ctx ctx;
  if (!ctx.c) return Error(ErrorCode::kInternal, "zstd: out of memory");
  const std::size_t bound = ZSTD_compressBound(data.size());
  if (ctx.cap < bound || ctx.cap > 4 * bound + (1u << 20)) {  // nor kept far larger than needed
    ctx.buf.reset(new char[bound]);
    ctx.cap = bound;
  }
  const std::size_t n =
      ZSTD_compressCCtx(ctx.c, ctx.buf.get(), bound, data.data(), data.size(), kZstdLevel);
  if (ZSTD_isError(n))
    return Error(ErrorCode::kInternal,
                 std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
  return std::string(ctx.buf.get(), n);
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

}  // namespace

const char* to_string(Compression c) {
  switch (c) {
    case Compression::kZstd:
      return "zstd";
    case Compression::kGzip:
      return "gzip";
    case Compression::kNone:
      return "none";
  }
  return "none";
}

const char* file_extension(Compression c) {
  switch (c) {
    case Compression::kZstd:
      return ".zst";
    case Compression::kGzip:
      return ".gz";
    case Compression::kNone:
      return "";
  }
  return "";
}

Result<Compression> parse_compression(std::string_view name) {
  if (name == "zstd") return Compression::kZstd;
  if (name == "gzip") return Compression::kGzip;
  if (name == "none") return Compression::kNone;
  return Error(ErrorCode::kInvalidArgument,
               "unknown compression '" + std::string(name.substr(0, 32)) + "'",
               "use zstd, gzip or none");
}

Result<std::string> compress(Compression c, std::string_view data) {
  switch (c) {
    case Compression::kZstd:
      return zstd_compress(data);
    case Compression::kGzip:
      return gzip_compress(data);
    case Compression::kNone:
      return std::string(data);
  }
  return std::string(data);
}

// --- Streaming decompression: one decoder per compression, each filling `out` with at most
// `room` more bytes per call.

struct ChunkReader::Decoder {
  virtual ~Decoder() = default;
  // Appends up to `room` decompressed bytes to `out`; true when the stream has ended.
  virtual Result<bool> fill(std::string& out, std::size_t room) = 0;
};

namespace {

class ZstdDecoder final : public ChunkReader::Decoder {
 public:
  explicit ZstdDecoder(std::string_view data)
      : ds_(ZSTD_createDStream()), in_{data.data(), data.size(), 0} {
    if (ds_) ZSTD_initDStream(ds_);
  }
  ~ZstdDecoder() override { ZSTD_freeDStream(ds_); }
  ZstdDecoder(const ZstdDecoder&) = delete;
  ZstdDecoder& operator=(const ZstdDecoder&) = delete;

  Result<bool> fill(std::string& out, std::size_t room) override {
    if (!ds_) return Error(ErrorCode::kInternal, "zstd: out of memory");
    const std::size_t at = out.size();
    // Decompressed straight into `out`'s tail, in steps: resize_and_overwrite is C++23.
    out.resize(at + room);
    ZSTD_outBuffer o{out.data() + at, room, 0};
    while (o.pos < o.size) {
      const std::size_t before_in = in_.pos, before_out = o.pos;
      last_ = ZSTD_decompressStream(ds_, &o, &in_);
      if (ZSTD_isError(last_)) {
        out.resize(at + o.pos);
        return Error(ErrorCode::kParse,
                     std::string("not a valid zstd chunk: ") + ZSTD_getErrorName(last_));
      }
      if (last_ == 0 && in_.pos == in_.size) break;  // the frame is complete, no input left
      if (in_.pos == before_in && o.pos == before_out) break;  // no progress: the input ran out
    }
    out.resize(at + o.pos);
    if (o.pos < o.size) {  // the decoder stopped short of the room it had: the input is spent
      if (last_ != 0 || in_.size == 0) return Error(ErrorCode::kParse, "truncated zstd chunk");
      return true;
    }
    return false;
  }

 private:
  ZSTD_DStream* ds_;
  ZSTD_inBuffer in_;
  std::size_t last_ = 1;
};

class GzipDecoder final : public ChunkReader::Decoder {
 public:
  explicit GzipDecoder(std::string_view data) {
    ok_ = inflateInit2(&zs_, 15 + 16) == Z_OK;
    zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs_.avail_in = static_cast<uInt>(data.size());
  }
  ~GzipDecoder() override {
    if (ok_) inflateEnd(&zs_);
  }
  GzipDecoder(const GzipDecoder&) = delete;
  GzipDecoder& operator=(const GzipDecoder&) = delete;

  Result<bool> fill(std::string& out, std::size_t room) override {
    if (!ok_) return Error(ErrorCode::kInternal, "zlib: inflateInit2 failed");
    if (ended_) return true;
    const std::size_t at = out.size();
    out.resize(at + room);
    zs_.next_out = reinterpret_cast<Bytef*>(out.data() + at);
    zs_.avail_out = static_cast<uInt>(room);
    int rc = Z_OK;
    while (zs_.avail_out > 0 && rc != Z_STREAM_END) {
      rc = inflate(&zs_, Z_NO_FLUSH);
      if (rc != Z_OK && rc != Z_STREAM_END) {
        out.resize(at + (room - zs_.avail_out));
        return Error(ErrorCode::kParse,
                     rc == Z_BUF_ERROR ? "truncated gzip chunk" : "not a valid gzip chunk");
      }
    }
    out.resize(at + (room - zs_.avail_out));
    if (rc != Z_STREAM_END) return false;
    ended_ = true;
    if (zs_.avail_in != 0) return Error(ErrorCode::kParse, "bytes after the end of the gzip chunk");
    return true;
  }

 private:
  z_stream zs_{};
  bool ok_ = false;
  bool ended_ = false;
};

class PlainDecoder final : public ChunkReader::Decoder {
 public:
  explicit PlainDecoder(std::string_view data) : rest_(data) {}
  Result<bool> fill(std::string& out, std::size_t room) override {
    const std::size_t n = std::min(room, rest_.size());
    out.append(rest_.data(), n);
    rest_.remove_prefix(n);
    return rest_.empty();
  }

 private:
  std::string_view rest_;
};

}  // namespace

ChunkReader::ChunkReader(Compression c, std::string_view data, std::size_t max_output)
    : max_output_(max_output) {
  switch (c) {
    case Compression::kZstd:
      decoder_ = std::make_unique<ZstdDecoder>(data);
      break;
    case Compression::kGzip:
      decoder_ = std::make_unique<GzipDecoder>(data);
      break;
    case Compression::kNone:
      decoder_ = std::make_unique<PlainDecoder>(data);
      break;
  }
}

ChunkReader::~ChunkReader() = default;

Status ChunkReader::read(std::string& out, std::size_t want) {
  if (done_) return ok_status();
  // One byte beyond the limit is asked for, so that reaching it exactly is not mistaken for more.
  const std::size_t room = std::max<std::size_t>(1, std::min(want, max_output_ - produced_ + 1));
  const std::size_t before = out.size();
  auto ended = decoder_->fill(out, room);
  produced_ += out.size() - before;
  if (!ended.ok()) return std::move(ended).error();
  if (produced_ > max_output_) return too_large(max_output_);
  done_ = *ended;
  return ok_status();
}

Result<bool> ChunkReader::next_lines(std::string& window, std::size_t window_bytes) {
  window.assign(carry_);
  carry_.clear();
  while (!done_ && window.size() < window_bytes)
    ESSNAP_TRY_STATUS(read(window, window_bytes - window.size()));
  if (done_) return !window.empty();
  // Whole lines only: what follows the last newline waits for the next window. A line longer
  // than the window grows this one until it ends (bounded by max_output).
  std::size_t nl = window.rfind('\n');
  while (nl == std::string::npos && !done_) {
    const std::size_t scanned = window.size();
    ESSNAP_TRY_STATUS(read(window, window_bytes));
    nl = window.find('\n', scanned);
  }
  if (nl != std::string::npos && nl + 1 < window.size()) {
    carry_.assign(window, nl + 1, std::string::npos);
    window.resize(nl + 1);
  }
  return true;
}

Result<std::string> decompress(Compression c, std::string_view data, std::size_t max_output) {
  ChunkReader reader(c, data, max_output);
  std::string out;
  if (c == Compression::kZstd) {
    // The frame's own size claim, when it makes one and it is within the limit, sizes the
    // buffer once (with room for the parser's padding); it is never trusted beyond that.
    const unsigned long long claimed = ZSTD_getFrameContentSize(data.data(), data.size());
    if (claimed != ZSTD_CONTENTSIZE_UNKNOWN && claimed != ZSTD_CONTENTSIZE_ERROR &&
        claimed <= max_output)
      out.reserve(static_cast<std::size_t>(claimed) + 64);
  }
  while (!reader.done())
    ESSNAP_TRY_STATUS(
        reader.read(out, std::max<std::size_t>(out.capacity() - out.size(), 256u << 10)));
  return out;
}

}  // namespace essnap::transfer
