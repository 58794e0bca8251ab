#include "essnap/lucene/codec_modes.hpp"

#include <zlib.h>
#define ZSTD_STATIC_LINKING_ONLY  // ZSTD_getFrameContentSize is stable; nothing else needed
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "essnap/lucene/codec_lz4.hpp"

namespace essnap::lucene {

std::string_view chunk_compression_name(ChunkCompression c) {
  switch (c) {
    case ChunkCompression::kLz4:
      return "LZ4";
    case ChunkCompression::kDeflate:
      return "Deflate";
    case ChunkCompression::kLz4Dict:
      return "LZ4 with preset dictionary";
    case ChunkCompression::kDeflateDict:
      return "Deflate with preset dictionary";
    case ChunkCompression::kZstd:
      return "zstd";
    case ChunkCompression::kZstdDict:
      return "zstd with preset dictionary";
    case ChunkCompression::kZstdNoDict:
      return "zstd in blocks";
  }
  return "?";
}

struct ChunkDecompressor::State {
  z_stream z{};
  bool z_init = false;
  ZSTD_DCtx* zstd = nullptr;
  std::vector<std::uint8_t> scratch;  // dictionary + block for the LZ4 dict mode
  std::vector<std::uint32_t> lengths;
  ~State() {
    if (z_init) inflateEnd(&z);
    if (zstd) ZSTD_freeDCtx(zstd);
  }
};

ChunkDecompressor::ChunkDecompressor(ChunkCompression c) : c_(c), s_(std::make_unique<State>()) {}
ChunkDecompressor::~ChunkDecompressor() = default;

namespace {

// Lucene caps a chunk at 2^31 - 2^14 bytes; a length field that claims more than a compressed
// unit could ever decode to is damage (this also bounds what a fuzzer can make us allocate).
constexpr std::uint64_t kMaxRatio = 1100;  // Deflate's bound is 1032:1, LZ4's 255:1

Result<std::uint32_t> read_len(StreamReader& in, const char* what) {
  ESSNAP_TRY(std::int32_t v, in.vint());
  if (v < 0) return in.error(std::string("negative ") + what + " " + std::to_string(v));
  return static_cast<std::uint32_t>(v);
}

Status check_plausible(StreamReader& in, std::uint64_t n) {
  if (n > (in.remaining() + 64) * kMaxRatio)
    return in.error("a chunk of " + std::to_string(n) + " bytes cannot come from the " +
                    std::to_string(in.remaining()) + " bytes left");
  return Ok{};
}

// Inflates `src` (raw deflate) into exactly `n` bytes appended to `out`, with `dict` preset.
Status inflate_raw(ChunkDecompressor::State& s, StreamReader& in, std::span<const std::uint8_t> src,
                   std::span<const std::uint8_t> dict, std::uint32_t n,
                   std::vector<std::uint8_t>& out) {
  if (!s.z_init) {
    if (inflateInit2(&s.z, -15) != Z_OK) return Error(ErrorCode::kInternal, "zlib: inflateInit2");
    s.z_init = true;
  } else if (inflateReset(&s.z) != Z_OK) {
    return Error(ErrorCode::kInternal, "zlib: inflateReset");
  }
  if (!dict.empty() &&
      inflateSetDictionary(&s.z, dict.data(), static_cast<uInt>(dict.size())) != Z_OK)
    return in.error("Deflate: the preset dictionary was refused");
  const std::size_t at = out.size();
  out.resize(at + n + 1);  // one spare byte: a stream that decodes to more than n is caught
  s.z.next_in = const_cast<Bytef*>(src.data());
  s.z.avail_in = static_cast<uInt>(src.size());
  s.z.next_out = out.data() + at;
  s.z.avail_out = n + 1;
  const int rc = inflate(&s.z, Z_FINISH);
  const std::size_t produced = (n + 1) - s.z.avail_out;
  out.resize(at + std::min<std::size_t>(produced, n));
  if (rc != Z_STREAM_END)
    return in.error(std::string("Deflate stream does not decode (") +
                    (s.z.msg ? s.z.msg : "incomplete") + ")");
  if (produced != n)
    return in.error("Deflate stream decodes to " + std::to_string(produced) + " bytes, " +
                    std::to_string(n) + " announced");
  return Ok{};
}

Status zstd_frame(ChunkDecompressor::State& s, StreamReader& in, std::span<const std::uint8_t> src,
                  std::span<const std::uint8_t> dict, std::uint32_t n,
                  std::vector<std::uint8_t>& out) {
  if (!s.zstd) {
    s.zstd = ZSTD_createDCtx();
    if (!s.zstd) return Error(ErrorCode::kInternal, "zstd: cannot create a context");
  }
  const unsigned long long declared = ZSTD_getFrameContentSize(src.data(), src.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR) return in.error("not a zstd frame");
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != n)
    return in.error("zstd frame of " + std::to_string(declared) + " bytes, " + std::to_string(n) +
                    " announced");
  const std::size_t at = out.size();
  out.resize(at + n);
  const std::size_t rc = ZSTD_decompress_usingDict(s.zstd, out.data() + at, n, src.data(),
                                                   src.size(), dict.data(), dict.size());
  if (ZSTD_isError(rc)) {
    out.resize(at);
    return in.error(std::string("zstd frame does not decode (") + ZSTD_getErrorName(rc) + ")");
  }
  if (rc != n) {
    out.resize(at);
    return in.error("zstd frame decodes to " + std::to_string(rc) + " bytes, " + std::to_string(n) +
                    " announced");
  }
  return Ok{};
}

// compressedLen:vint bytes, decoded by `fn` into exactly n bytes (compressedLen 0 = n must be 0).
template <typename Fn>
Status length_prefixed(StreamReader& in, std::uint32_t n, Fn&& fn) {
  ESSNAP_TRY(std::uint32_t clen, read_len(in, "compressed length"));
  if (clen == 0) {
    if (n != 0) return in.error("an empty compressed block for " + std::to_string(n) + " bytes");
    return Ok{};
  }
  ESSNAP_TRY(auto src, in.need(clen));
  ESSNAP_TRY_STATUS(fn(src));
  return in.consume(clen);
}

}  // namespace

Status ChunkDecompressor::decompress(StreamReader& in, std::uint32_t n,
                                     std::vector<std::uint8_t>& out) {
  State& s = *s_;
  ESSNAP_TRY_STATUS(check_plausible(in, n));
  switch (c_) {
    case ChunkCompression::kLz4: {
      ESSNAP_TRY(auto src, in.peek_up_to(lz4_compress_bound(n)));
      const std::size_t at = out.size();
      out.resize(at + n);
      auto used = lz4_decompress(src, std::span<std::uint8_t>(out.data() + at, n), 0);
      if (!used) {
        out.resize(at);
        return in.error(used.error().message);
      }
      return in.consume(*used);
    }
    case ChunkCompression::kDeflate: {
      ESSNAP_TRY(std::uint32_t clen, read_len(in, "compressed length"));
      ESSNAP_TRY(auto src, in.need(clen));
      ESSNAP_TRY_STATUS(inflate_raw(s, in, src, {}, n, out));
      return in.consume(clen);
    }
    case ChunkCompression::kZstd: {
      if (n == 0) return Ok{};  // Zstd814's compressor writes nothing for an empty chunk
      return length_prefixed(in, n, [&](std::span<const std::uint8_t> src) {
        return zstd_frame(s, in, src, {}, n, out);
      });
    }
    case ChunkCompression::kZstdNoDict: {
      ESSNAP_TRY(std::uint32_t block, read_len(in, "block length"));
      if (n > 0 && block == 0)
        return in.error("block length 0 for a chunk of " + std::to_string(n));
      for (std::uint32_t done = 0; done < n;) {
        const std::uint32_t len = std::min(block, n - done);
        ESSNAP_TRY_STATUS(length_prefixed(in, len, [&](std::span<const std::uint8_t> src) {
          return zstd_frame(s, in, src, {}, len, out);
        }));
        done += len;
      }
      return Ok{};
    }
    case ChunkCompression::kDeflateDict:
    case ChunkCompression::kZstdDict: {
      const bool zstd = c_ == ChunkCompression::kZstdDict;
      ESSNAP_TRY(std::uint32_t dict_len, read_len(in, "dictionary length"));
      ESSNAP_TRY(std::uint32_t block, read_len(in, "block length"));
      if (dict_len > n)
        return in.error("dictionary of " + std::to_string(dict_len) + " bytes in a chunk of " +
                        std::to_string(n));
      if (dict_len < n && block == 0)
        return in.error("block length 0 for a chunk of " + std::to_string(n));
      const std::size_t base = out.size();
      auto unit = [&](std::uint32_t len, bool with_dict) -> Status {
        return length_prefixed(in, len, [&](std::span<const std::uint8_t> src) -> Status {
          // The dictionary is the chunk's first dict_len bytes, already in `out`.
          std::span<const std::uint8_t> dict;
          if (with_dict) dict = std::span<const std::uint8_t>(out.data() + base, dict_len);
          if (!zstd) {
            // inflate_raw may grow `out`: copy the dictionary first.
            s.scratch.assign(dict.begin(), dict.end());
            return inflate_raw(s, in, src, s.scratch, len, out);
          }
          s.scratch.assign(dict.begin(), dict.end());
          return zstd_frame(s, in, src, s.scratch, len, out);
        });
      };
      ESSNAP_TRY_STATUS(unit(dict_len, false));
      for (std::uint32_t done = dict_len; done < n;) {
        const std::uint32_t len = std::min(block, n - done);
        ESSNAP_TRY_STATUS(unit(len, true));
        done += len;
      }
      return Ok{};
    }
    case ChunkCompression::kLz4Dict: {
      ESSNAP_TRY(std::uint32_t dict_len, read_len(in, "dictionary length"));
      ESSNAP_TRY(std::uint32_t block, read_len(in, "block length"));
      if (dict_len > n)
        return in.error("dictionary of " + std::to_string(dict_len) + " bytes in a chunk of " +
                        std::to_string(n));
      if (dict_len < n && block == 0)
        return in.error("block length 0 for a chunk of " + std::to_string(n));
      ESSNAP_TRY(std::uint32_t dict_clen, read_len(in, "dictionary compressed length"));
      s.lengths.clear();
      for (std::uint64_t total = dict_len; total < n; total += block) {
        ESSNAP_TRY(std::uint32_t l, read_len(in, "block compressed length"));
        s.lengths.push_back(l);
      }
      s.scratch.resize(static_cast<std::size_t>(dict_len) + std::min(block, n - dict_len));
      auto lz4_unit = [&](std::uint32_t clen, std::uint32_t len) -> Status {
        ESSNAP_TRY(auto src, in.need(clen));
        auto used = lz4_decompress(
            src,
            std::span<std::uint8_t>(s.scratch.data(), static_cast<std::size_t>(dict_len) + len),
            dict_len);
        if (!used) return in.error(used.error().message);
        if (*used != clen)
          return in.error("LZ4 block takes " + std::to_string(*used) + " bytes, " +
                          std::to_string(clen) + " announced");
        return in.consume(clen);
      };
      {  // the dictionary: an LZ4 block of its own, decoded into scratch[0, dict_len)
        ESSNAP_TRY(auto src, in.need(dict_clen));
        auto used = lz4_decompress(src, std::span<std::uint8_t>(s.scratch.data(), dict_len), 0);
        if (!used) return in.error("dictionary: " + used.error().message);
        if (*used != dict_clen)
          return in.error("LZ4 dictionary takes " + std::to_string(*used) + " bytes, " +
                          std::to_string(dict_clen) + " announced");
        ESSNAP_TRY_STATUS(in.consume(dict_clen));
        out.insert(out.end(), s.scratch.begin(), s.scratch.begin() + dict_len);
      }
      std::uint32_t done = dict_len;
      for (std::uint32_t clen : s.lengths) {
        const std::uint32_t len = std::min(block, n - done);
        ESSNAP_TRY_STATUS(lz4_unit(clen, len));
        out.insert(out.end(), s.scratch.begin() + dict_len, s.scratch.begin() + dict_len + len);
        done += len;
      }
      return Ok{};
    }
  }
  return Error(ErrorCode::kInternal, "unknown chunk compression");
}

}  // namespace essnap::lucene
