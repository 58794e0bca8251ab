#include "essnap/lucene/codec_lz4.hpp"

#include <cstring>
#include <string>

namespace essnap::lucene {
namespace {
Error lz4_error(const std::string& what, std::size_t at) {
  return Error(ErrorCode::kParse, "LZ4 block at byte " + std::to_string(at) + ": " + what);
}
}  // namespace

std::size_t lz4_compress_bound(std::size_t n) {
  return n + n / 255 + 16;
}

Result<std::size_t> lz4_decompress(std::span<const std::uint8_t> src, std::span<std::uint8_t> out,
                                   std::size_t dict_len) {
  if (dict_len > out.size()) return lz4_error("dictionary longer than the output", 0);
  const std::uint8_t* s = src.data();
  const std::size_t slen = src.size();
  std::uint8_t* d = out.data();
  const std::size_t dend = out.size();
  std::size_t sp = 0;
  std::size_t dp = dict_len;
  // Lucene's decoder is a do-while: even an empty block holds one (empty) token.
  do {
    if (sp >= slen) return lz4_error("ends before its token (truncated)", sp);
    const unsigned token = s[sp++];
    std::size_t literals = token >> 4;
    if (literals == 0x0F) {
      for (;;) {
        if (sp >= slen) return lz4_error("ends inside a literal length (truncated)", sp);
        const unsigned b = s[sp++];
        literals += b;
        if (b != 0xFF) break;
        if (literals > dend) return lz4_error("literal length past the output", sp);
      }
    }
    if (literals <= 16 && slen - sp >= 16 && dend - dp >= 16) {
      // Short run with room on both sides: one fixed 16-byte copy (the bytes past `literals` are
      // overwritten by what follows; both ranges stay inside their buffers).
      std::memcpy(d + dp, s + sp, 16);
      sp += literals;
      dp += literals;
    } else if (literals > 0) {
      if (literals > slen - sp) return lz4_error("literals pass its end (truncated)", sp);
      if (literals > dend - dp)
        return lz4_error(std::to_string(literals) + " literals past the " +
                             std::to_string(dend - dict_len) + " bytes it decodes to",
                         sp);
      std::memcpy(d + dp, s + sp, literals);
      sp += literals;
      dp += literals;
    }
    if (dp >= dend) break;
    if (slen - sp < 2) return lz4_error("ends inside a match offset (truncated)", sp);
    const std::size_t offset =
        static_cast<std::size_t>(s[sp]) | (static_cast<std::size_t>(s[sp + 1]) << 8);
    sp += 2;
    std::size_t match = token & 0x0F;
    if (match == 0x0F) {
      for (;;) {
        if (sp >= slen) return lz4_error("ends inside a match length (truncated)", sp);
        const unsigned b = s[sp++];
        match += b;
        if (b != 0xFF) break;
        if (match > dend) return lz4_error("match length past the output", sp);
      }
    }
    match += 4;
    if (offset == 0 || offset > dp)
      return lz4_error("match offset " + std::to_string(offset) + " before the start of the output",
                       sp);
    if (match > dend - dp)
      return lz4_error("match of " + std::to_string(match) + " bytes past the " +
                           std::to_string(dend - dict_len) + " bytes it decodes to",
                       sp);
    const std::uint8_t* ref = d + dp - offset;
    if (offset >= 16 && match <= 16 && dend - dp >= 16) {
      std::memcpy(d + dp, ref, 16);  // as for literals: a fixed copy, no overlap at offset >= 16
    } else if (offset >= match) {
      std::memcpy(d + dp, ref, match);
    } else {
      for (std::size_t i = 0; i < match; ++i) d[dp + i] = ref[i];  // overlapping: byte by byte
    }
    dp += match;
  } while (dp < dend);
  if (dp != dend) return lz4_error("decodes to more bytes than announced", sp);
  return sp;
}

}  // namespace essnap::lucene
