// Lucene CodecUtil headers and footers: the frame around every Lucene file and every
// ChecksumBlobStoreFormat blob of a snapshot repository.
//
//   header       := magic:int32be(0x3FD76C17) codec:string version:int32be
//   index-header := header object_id:byte[16] suffix_len:byte suffix:byte[suffix_len]
//   string       := len:vint utf8:byte[len]            (Lucene vint: 7 bits per byte, low group
//                                                       first, high bit = more bytes follow)
//   footer       := magic:int32be(0xC02893E8) algorithm:int32be(0) checksum:int64be
//   checksum     =  CRC-32 of every byte of the file before the checksum field (high 32 bits 0)
//
// Follows lucene/core/src/java/org/apache/lucene/codecs/CodecUtil.java (writeHeader,
// writeIndexHeader, writeFooter, checkFooter, readCRC) and Elasticsearch's
// Store.digestToString (the base-36 `checksum` of a snapshot's FileInfo).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "essnap/util/result.hpp"

namespace essnap::format {

inline constexpr std::uint32_t kCodecMagic = 0x3FD76C17;
inline constexpr std::uint32_t kFooterMagic = 0xC02893E8;  // ~kCodecMagic
inline constexpr std::size_t kFooterLength = 16;
inline constexpr std::size_t kMaxCodecNameLength = 127;  // CodecUtil: a "simple" ASCII string < 128

struct Header {
  std::string codec;
  std::int32_t version = 0;
  std::optional<std::array<std::uint8_t, 16>> object_id;  // index headers only
  std::string suffix;                                     // index headers only
  std::size_t length = 0;                                 // bytes the header occupies
};

// The plain codec header at the start of `bytes`.
Result<Header> parse_header(std::span<const std::uint8_t> bytes);
// The index header (header + 16-byte object id + suffix) at the start of `bytes`.
Result<Header> parse_index_header(std::span<const std::uint8_t> bytes);

struct Footer {
  std::uint32_t checksum = 0;
};

// The footer from the last 16 bytes of a file (exactly 16 bytes must be passed): magic,
// algorithm 0 and a checksum whose high 32 bits are zero, else kParse naming the field.
Result<Footer> parse_footer(std::span<const std::uint8_t> last16);

// Long.toString(crc, 36): lower-case base 36, no leading zeros ("0" for 0).
std::string checksum_to_base36(std::uint32_t checksum);
// The inverse; nullopt for an empty string, a character outside [0-9a-z] or a value past 32 bits.
std::optional<std::uint32_t> checksum_from_base36(std::string_view text);

// Checks a whole in-memory Lucene file: footer well-formed and its checksum equal to the CRC-32
// of the bytes before it. Returns the footer; kParse with the two values on a mismatch.
Result<Footer> verify_footer(std::span<const std::uint8_t> file);

}  // namespace essnap::format
