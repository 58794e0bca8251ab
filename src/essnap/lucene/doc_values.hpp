// Which documents of a segment have a doc value for one field — what soft deletes
// (`__soft_deletes`: every document with a value is deleted) and Elasticsearch's nested-document
// rule (top-level documents have `_primary_term`) need. Only the metadata (.dvm) is decoded in
// full (its entries follow each other; each must be read to reach the next); from the data (.dvd)
// only the field's docs-with-field set (IndexedDISI) is read. Values are not decoded.
//
//   .dvm := IndexHeader(metaCodec, version, segmentId, segmentSuffix)
//           (field:int type:byte [skipper] entry)* -1:int Footer
//   type := 0 numeric | 1 binary | 2 sorted | 3 sorted set | 4 sorted numeric
//   docsWithField := offset:long length:long   offset -2 = no document, -1 = every document,
//                    else an IndexedDISI at data[offset, offset + length)
//   Lucene70 (Lucene 7.x; big-endian)
//     numeric := dwf numValues:long tableSize:int table:long*tableSize(if 0..256) bpv:byte
//                min:long gcd:long valuesOffset:long valuesLength:long
//     binary  := dataOffset:long dataLength:long dwf numDocs:int minLen:int maxLen:int
//                [addrOffset:long blockShift:vint DM(numDocs+1) addrLength:long if minLen<maxLen]
//     sorted  := dwf numDocs:int bpv:byte ordsOffset:long ordsLength:long termsDict
//     sortedSet := 0:byte sorted | 1:byte dwf bpv:byte ordsOffset:long ordsLength:long
//                  numDocs:int addrOffset:long blockShift:vint DM(numDocs+1) addrLength:long
//                  termsDict
//     sortedNumeric := numeric numDocs:int [addrOffset:long blockShift:vint DM(numDocs+1)
//                      addrLength:long if numDocs != numValues]
//     termsDict := size:vlong dictBlockShift:int blockShift:int DM(ceil(size/2^dictBlockShift))
//                  maxTermLength:int 4*long indexShift:int DM(1+ceil(size/2^indexShift)) 4*long
//   Lucene80 (Lucene 8.x; big-endian; versions 0..2): as Lucene70 with jumpTableEntries:short
//     denseRankPower:byte after every dwf, valueJumpTableOffset:long ending numeric; binary
//     compressed (version 1, or version 2 with the field attribute
//     "Lucene80DocValuesFormat.mode" = BEST_COMPRESSION) adds chunks:vint docsPerChunkShift:vint
//     maxChunk:vint before blockShift, DM(chunks) and is present when numDocs > 0;
//     termsDict's dictBlockShift (6<<16|1) = LZ4 blocks of 64 terms, then maxBlockLength:int.
//   Lucene90 (Lucene 9, 10; little-endian; versions 0..1): a skipper (offset, length, max, min
//     :long, docCount, maxDocId :int) first when the field has a doc-values skip index;
//     numeric as Lucene80; binary as Lucene70 plus jumpTableEntries/denseRankPower;
//     sorted := numeric(ords) termsDict; sortedSet := 0 sorted | 1 sortedNumeric termsDict;
//     termsDict := size:vlong blockShift:int DM(ceil(size/64)) maxTermLength:int
//                  maxBlockLength:int 4*long indexShift:int DM(1+ceil(size/2^indexShift)) 4*long
//   DM(n) (DirectMonotonicReader.loadMeta) := (min:long avg:int offset:long bpv:byte) per block
//                  of 2^blockShift values: 21 * ceil(n / 2^blockShift) bytes
//   IndexedDISI := block* (32767:short 0:short 65535:short) [jump table]
//     block := id:short (cardinality-1):short then cardinality <= 4095: low 16 bits:short * n
//              | 65536: nothing (all) | else [rank:byte[1024 >> (denseRankPower-7)] if
//              denseRankPower != -1] bits:long*1024   (shorts and longs in the file's order)
// Upstream read: lucene/backward-codecs/.../lucene70/Lucene70DocValuesProducer.java,
// .../lucene80/Lucene80DocValuesProducer.java + Lucene80DocValuesFormat.java,
// lucene/core/.../codecs/lucene90/Lucene90DocValuesProducer.java + Lucene90DocValuesFormat.java +
// IndexedDISI.java, lucene/core/.../util/packed/DirectMonotonicReader.java.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "essnap/lucene/field_infos.hpp"
#include "essnap/lucene/input.hpp"
#include "essnap/lucene/live_docs.hpp"
#include "essnap/util/result.hpp"

namespace essnap::lucene {

// The documents of a segment (`max_doc`) with a value for `field`, from the doc-values meta and
// data files of its per-field format (`suffix` = the full segment suffix, e.g. "Lucene90_0" or
// "1_Lucene90_0" for an update). The meta's footer is checked, the data's header and footer
// structure. kParse when the meta has no entry for the field.
Result<DocBits> docs_with_field(const std::shared_ptr<const FileSource>& meta,
                                const std::shared_ptr<const FileSource>& data,
                                const FieldInfos& infos, const FieldInfo& field,
                                std::int32_t max_doc, const SegmentId* id,
                                const std::string& suffix);

// Walks every entry of a .dvm (the fuzz target's entry point); returns the number of entries.
Result<int> check_doc_values_meta(const std::shared_ptr<const FileSource>& meta,
                                  const FieldInfos& infos);

}  // namespace essnap::lucene
