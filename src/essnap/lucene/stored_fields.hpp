// A segment's stored fields (.fdt / .fdx / .fdm), decoded in document order. The decoder is
// chosen from the .fdt's own index header (codec name + version), cross-checked with the
// segment's "<Format>.mode" attribute:
//
//   codec (.fdt header)              versions  Lucene / engine           chunks  ints   index
//   Lucene50StoredFields{Fast,High}Data  0-1   5.x-8.4 (ES 5.6-7.6)      LZ4 | Deflate  BE  fdx
//                                        2     8.5                       "             BE  fdm v2
//                                        3     8.6                       "             BE  fdm
//   Lucene87StoredFields{Fast,High}Data  3-4   8.7-8.11 (ES 7.10-7.17,   LZ4+dict | Deflate+dict
//                                              OpenSearch 1)                            BE  fdm
//   Lucene90StoredFields{Fast,High}Data  1     9.x, 10.x (ES 8/9, OS 2/3) LZ4+dict | Deflate+dict
//                                                                                       LE  fdm
//   ZstdStoredFields814                  1     ES 8.14+ zstd codecs      zstd           LE  fdm
//   CustomStoredFieldsZstd[NoDict]       1     OpenSearch custom-codecs  zstd(+dict)    LE  fdm
//
// .fdt := IndexHeader(codec, version, segmentId, suffix)
//         [chunkSize:vint packedIntsVersion:vint]          -- version < 3 (Lucene50/87 only)
//         Chunk* [numChunks:vlong numDirtyChunks:vlong]    -- trailer: version 1..2 only
//         Footer
// Chunk := docBase:vint token:vint                         -- chunkDocs = token >> 1 (>> 2 from
//          numStoredFields[chunkDocs] lengths[chunkDocs]      version 4 and in Lucene90; bit 1:
//          compressed                                         dirty), sliced = token & 1
//   ints of chunkDocs == 1: vint
//   ints, Lucene 5-8: bits:vint then 0 -> value:vint (all equal) | PackedInts.PACKED (big-endian
//     bit stream, ceil(n*bits/8) bytes)
//   ints, Lucene90 (StoredFieldsInts): bits:byte then 0 -> value:vint | 8/16/32 -> blocks of 128
//     values in 16/32/64 little-endian longs (value j of a block in lane j % lanes, at byte
//     position j / lanes from the top), the rest one byte / short / int each
//   compressed: the chunk's sum(lengths) bytes in the mode of codec_modes.hpp, or when sliced
//     ceil(total / chunkSize) units of chunkSize bytes (the last shorter)
// Document := (infoAndBits:vlong value){numStoredFields}   -- field = info >> 3, type = info & 7
//   0 string, 1 bytes: len:vint bytes   2 int: zint   3 float: zfloat   4 long: tlong
//   5 double: zdouble (Lucene90CompressingStoredFieldsReader#readZFloat/readTLong/readZDouble;
//   their shorts/ints/longs in the file's byte order)
// .fdx (version < 2): IndexHeader(codec "...Index") packedIntsVersion:vint
//     (numChunks:vint docBase:vint avgChunkDocs:vint bitsPerDocBase:vint packed
//      startPointer:vlong avgChunkSize:vlong bitsPerStartPointer:vint packed)* 0:vint
//     maxPointer:vlong Footer
// .fdm (Lucene85FieldsIndexMeta / Lucene90FieldsIndexMeta): IndexHeader [chunkSize:vint
//     packedIntsVersion:vint -- Lucene90: chunkSize only] numDocs:int blockShift:int
//     numChunks+1:int docsStart:long DMMeta docsEnd:long DMMeta startPointersEnd:long
//     maxPointer:long [numChunks:vlong] [numDirtyChunks:vlong numDirtyDocs:vlong] Footer
//     DMMeta := (min:long avgInc:int offset:long bitsPerValue:byte) per block of 2^blockShift
// Upstream read: lucene 7.x/8.x codecs/compressing/CompressingStoredFields{Reader,Writer}.java,
// CompressingStoredFieldsIndexReader.java, FieldsIndexReader.java; lucene 9.x/10.x
// codecs/lucene90/compressing/Lucene90CompressingStoredFields{Reader,Writer}.java,
// StoredFieldsInts.java, FieldsIndexReader.java, Lucene90StoredFieldsFormat.java;
// backward-codecs lucene50/compressing/*, lucene87/Lucene87StoredFieldsFormat.java;
// elasticsearch Zstd814StoredFieldsFormat.java; custom-codecs
// Lucene9xCustomStoredFieldsFormat.java.
//
// Documents are decoded chunk by chunk, in order: memory is one chunk (its compressed bytes and
// its documents) plus a read window. Every count, length and offset is checked against the
// others (doc bases, chunk count, the index's end of chunks, the footer's place); with
// Integrity::kVerifyChecksums (the default) the files' CRC-32 footers are checked first, so a
// flipped byte is an error naming the file, never a wrong document.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "essnap/lucene/codec_modes.hpp"
#include "essnap/lucene/input.hpp"
#include "essnap/util/result.hpp"

namespace essnap::lucene {

enum class StoredFieldType : std::uint8_t {
  kString = 0,
  kBytes = 1,
  kInt = 2,
  kFloat = 3,
  kLong = 4,
  kDouble = 5,
};
std::string_view stored_field_type_name(StoredFieldType t);

// One stored value of a document. `bytes` (kString: UTF-8, kBytes) points into the chunk being
// decoded: valid during the visitor's call only.
struct StoredValue {
  std::int32_t field = 0;  // the field number (.fnm)
  StoredFieldType type = StoredFieldType::kBytes;
  std::span<const std::uint8_t> bytes;
  std::int64_t integer = 0;  // kInt, kLong
  double real = 0;           // kFloat, kDouble
};

// What a segment's stored fields are read from: its files and what the .si says.
struct StoredFieldsSegment {
  std::string name;                   // "_3"
  std::array<std::uint8_t, 16> id{};  // the segment id (every file's index header carries it)
  std::string suffix;                 // the stored fields' segment suffix ("" in practice)
  std::int32_t max_doc = 0;
  std::map<std::string, std::string> attributes;  // the .si's attributes (the "*.mode" keys)
  std::shared_ptr<const FileSource> fdt;
  std::shared_ptr<const FileSource> fdx;
  std::shared_ptr<const FileSource> fdm;  // none before Lucene 8.5 (format version < 2)
};

enum class Integrity {
  kVerifyChecksums,     // check each file's CRC-32 footer before decoding (reads the .fdt twice)
  kVerifyWhileReading,  // .fdx/.fdm first; the .fdt's CRC-32 over the one decoding pass, checked
                        // when visit() ends: documents come before that verdict, so a caller that
                        // must never pass on a damaged document holds the segment's until then
  kStructureOnly,       // footers' shape and every structural cross-check, no CRC
};

// What open() found.
struct StoredFieldsInfo {
  std::string codec;  // the .fdt header's codec name
  std::int32_t version = 0;
  ChunkCompression compression = ChunkCompression::kLz4;
  ByteOrder order = ByteOrder::kLittle;
  std::uint32_t chunk_size = 0;
  std::uint64_t chunks_begin = 0;  // .fdt offset of the first chunk
  std::uint64_t max_pointer = 0;   // .fdt offset where the chunks end
  std::int64_t num_chunks = -1;    // from the index/meta (-1: not recorded, versions 0..1)
};

class StoredFieldsReader {
 public:
  // Reads the headers, the index or meta file and the footers; picks the decoder.
  static Result<StoredFieldsReader> open(StoredFieldsSegment segment,
                                         Integrity integrity = Integrity::kVerifyChecksums);

  const StoredFieldsInfo& info() const { return info_; }
  const StoredFieldsSegment& segment() const { return seg_; }

  // Whether a document is live (null: all are).
  using LiveDocs = std::function<bool(std::int32_t doc)>;
  // Called for each live document, in doc id order, with its stored values in stored order.
  using DocumentVisitor =
      std::function<Status(std::int32_t doc, std::span<const StoredValue> values)>;

  // Walks every chunk from doc 0 to max_doc - 1. A visitor's error stops the walk and is
  // returned as is; damage is kParse naming the .fdt, the chunk and its documents.
  Status visit(const LiveDocs& live, const DocumentVisitor& visitor) const;

 private:
  StoredFieldsSegment seg_;
  StoredFieldsInfo info_;
  Integrity integrity_ = Integrity::kVerifyChecksums;
};

}  // namespace essnap::lucene
