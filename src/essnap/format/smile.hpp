// Jackson SMILE (binary JSON), version 0, decoded to nlohmann::json: the encoding of every
// framed metadata blob of a snapshot repository.
//
//   document := ':' ')' '\n' flags:byte value* [0xFF]
//     flags  := version:4 bits (0) | reserved | raw-binary 0x04 | shared-values 0x02 | shared-names
//     0x01
//   value tokens (first byte):
//     0x01-0x1F shared value ref (index byte-1)   0x20 ""   0x21 null  0x22 false  0x23 true
//     0x24 int32 zigzag vint   0x25 int64 zigzag vint   0x26 BigInteger vint-len + 7-bit bytes
//     0x28 float32 (5 x 7 bits)  0x29 float64 (10 x 7 bits)  0x2A BigDecimal zigzag-vint scale +
//     BigInteger 0x40-0x5F ASCII len 1-32   0x60-0x7F ASCII len 33-64   0x80-0x9F UTF-8 len 2-33
//     0xA0-0xBF UTF-8 len 34-65  0xC0-0xDF small int zigzag(5 bits)
//     0xE0 long ASCII ... 0xFC   0xE4 long UTF-8 ... 0xFC   0xE8 binary: vint-len + 7-bit bytes
//     0xEC-0xEF long shared value ref ((b&3)<<8 | next)   0xF8 [  0xF9 ]  0xFA {  0xFB }  0xFD raw
//     binary vint-len + bytes
//   key tokens (inside an object):
//     0x20 ""   0x30-0x33 long shared name ref ((b&3)<<8 | next)   0x34 long UTF-8 name ... 0xFC
//     0x40-0x7F shared name ref (b&0x3F)   0x80-0xBF ASCII len 1-64   0xC0-0xF7 UTF-8 len 2-57 0xFB
//     }
//   vint := 7-bit groups high first; the last byte has bit 7 set and carries 6 bits
//   shared tables: names (0x80-0xF7 and 0x34 keys) and short string values (0x40-0xBF) are appended
//   when their flag is set; 1024 entries, cleared when full before the next one is added.
//
// Follows FasterXML smile-format-specification (smile-specification.md) and
// jackson-dataformats-binary smile/.../SmileParser.java + SmileConstants.java.
// Binary values become nlohmann binary values; BigInteger and BigDecimal become decimal strings.
// Never trusts a length: every length is checked against the bytes left; nesting and the decoded
// size (shared references expand) are bounded.
//
// Encoder (smile_encode.cpp): the choices of Jackson's SmileGenerator with the features
// Elasticsearch and OpenSearch set in SmileXContent (ENCODE_BINARY_AS_7BIT off, shared names on,
// shared string values off, no end marker), so a document they wrote re-encodes to the same bytes:
//   names: "" -> 0x20; seen before -> shared reference (0x40+i, or 0x30|i>>8, i&0xFF); more than
//     64 UTF-16 units or more than 56 UTF-8 bytes when not ASCII -> 0x34 long name 0xFC; else
//     short ASCII 0x80+len-1 / short Unicode 0xC0+len-2. Every written name enters the table,
//     which restarts empty when its 1024 entries are full; an index whose low byte is 0xFE or
//     0xFF is counted but never referenced (SmileGenerator._validBackRef).
//   strings: "" -> 0x20; more than 65 UTF-16 units or more than 64 UTF-8 bytes -> 0xE0 / 0xE4
//     long string 0xFC; else 0x40+len-1 (ASCII) / 0x80+len-2 (Unicode), shared like names when
//     shared_values (0x01+i for i < 31, else 0xEC|i>>8, i&0xFF).
//   integers: zigzag value < 32 -> small int 0xC0+z; int32 range -> 0x24 vint; int64 -> 0x25
//     vint; unsigned past INT64_MAX -> 0x26 BigInteger (decodes back as a decimal string);
//     doubles -> 0x29 float64; binary -> 0xFD raw (raw_binary) or 0xE8 7-bit.
// Follows jackson-dataformats-binary smile/.../SmileGenerator.java (_writeFieldName,
// writeString, writeNumber, writeBinary, _write7BitBinaryWithLength, _addSeenName) and
// Elasticsearch libs/x-content/.../smile/SmileXContentImpl.java (factory features).
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <vector>

#include "essnap/util/result.hpp"

namespace essnap::format {

inline constexpr std::size_t kMaxSmileDepth = 256;
inline constexpr std::size_t kSmileSharedTableSize = 1024;
// Shared-string references make SMILE expand (one byte can stand for a 65-byte string), so the
// decoded tree is budgeted: each value counts 64 bytes plus its string or binary length.
inline constexpr std::size_t kMaxSmileOutputBytes = std::size_t{256} << 20;

struct SmileLimits {
  std::size_t max_depth = kMaxSmileDepth;
  std::size_t max_output_bytes = kMaxSmileOutputBytes;
};

// Decodes exactly one SMILE document (trailing 0xFF end markers allowed, nothing else).
// kParse on bad input, with what went wrong and the byte offset.
Result<nlohmann::json> decode_smile(std::span<const std::uint8_t> bytes);
Result<nlohmann::json> decode_smile(std::span<const std::uint8_t> bytes, const SmileLimits& limits);

// True when `bytes` starts with the SMILE header ":)\n".
bool is_smile(std::span<const std::uint8_t> bytes);

// As decode_smile, into an ordered_json that keeps every object's keys in the order written (a
// repeated key keeps its first place and its last value).
Result<nlohmann::ordered_json> decode_smile_ordered(std::span<const std::uint8_t> bytes,
                                                    const SmileLimits& limits = {});

// The header flags; the defaults are those of Elasticsearch / OpenSearch (header byte 0x05).
struct SmileWriteOptions {
  bool shared_names = true;
  bool shared_values = false;
  bool raw_binary = true;
};

// One SMILE document (header ":)\n" + flags, no end marker), as Jackson's SmileGenerator writes
// it with these options. Strings must be valid UTF-8 (the decoder refuses anything else). With an
// ordered_json the keys keep their order; nlohmann::json writes them sorted.
std::vector<std::uint8_t> encode_smile(const nlohmann::json& doc, const SmileWriteOptions& o = {});
std::vector<std::uint8_t> encode_smile(const nlohmann::ordered_json& doc,
                                       const SmileWriteOptions& o = {});

}  // namespace essnap::format
