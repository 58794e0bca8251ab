// Lucene's LZ4 block decoder (org.apache.lucene.util.compress.LZ4#decompress; before Lucene 8.4
// org.apache.lucene.codecs.compressing.LZ4), written from the format, with the preset dictionary
// Lucene 8.7+ puts in front of each sub-block.
//
// A block is a run of sequences, decoded until `n` bytes were produced:
//   sequence := token:byte literalLenExt? literals matchOffset:le16 matchLenExt?
//   token    := literalLen:4 (high) matchLen:4 (low)
//   literalLen / matchLen: 15 means "add the following bytes, each 0..255, until one < 255"
//   literals := literalLen bytes copied as they are
//   match    := copy matchLen + 4 bytes from `matchOffset` bytes back in the output (which may
//               overlap what it writes, and may reach into the dictionary before the output)
// The last sequence holds literals only (the decoder stops once `n` bytes are out). Every
// offset and length is checked: a damaged block is an error, never bytes from outside the
// output window.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "essnap/util/result.hpp"

namespace essnap::lucene {

// The most bytes an LZ4 block of `n` decoded bytes can take (LZ4_compressBound).
std::size_t lz4_compress_bound(std::size_t n);

// Decodes one block from `src` into out[dict_len, out.size()): out[0, dict_len) is the
// dictionary (already there) that matches may copy from. Returns how many bytes of `src` the
// block took. kParse when `src` ends early, a match points before out[0], or the block produces
// more or fewer than out.size() - dict_len bytes.
Result<std::size_t> lz4_decompress(std::span<const std::uint8_t> src, std::span<std::uint8_t> out,
                                   std::size_t dict_len);

}  // namespace essnap::lucene
