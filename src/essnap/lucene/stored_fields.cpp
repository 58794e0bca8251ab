#include "essnap/lucene/stored_fields.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#include "essnap/format/lucene_footer.hpp"
#include "essnap/lucene/stored_stream.hpp"

namespace essnap::lucene {

std::string_view stored_field_type_name(StoredFieldType t) {
  switch (t) {
    case StoredFieldType::kString:
      return "string";
    case StoredFieldType::kBytes:
      return "bytes";
    case StoredFieldType::kInt:
      return "int";
    case StoredFieldType::kFloat:
      return "float";
    case StoredFieldType::kLong:
      return "long";
    case StoredFieldType::kDouble:
      return "double";
  }
  return "?";
}

namespace {

enum class Family { kLucene50, kLucene87, kLucene90 };

struct CodecEntry {
  std::string_view codec;
  Family family;
  ChunkCompression compression;
  std::string_view mode_key;  // the .si attribute naming the mode ("" = any)
  std::string_view mode;      // the value that attribute must hold for this codec
};

constexpr CodecEntry kCodecs[] = {
    {"Lucene50StoredFieldsFastData", Family::kLucene50, ChunkCompression::kLz4,
     "Lucene50StoredFieldsFormat.mode", "BEST_SPEED"},
    {"Lucene50StoredFieldsHighData", Family::kLucene50, ChunkCompression::kDeflate,
     "Lucene50StoredFieldsFormat.mode", "BEST_COMPRESSION"},
    {"Lucene87StoredFieldsFastData", Family::kLucene87, ChunkCompression::kLz4Dict,
     "Lucene87StoredFieldsFormat.mode", "BEST_SPEED"},
    {"Lucene87StoredFieldsHighData", Family::kLucene87, ChunkCompression::kDeflateDict,
     "Lucene87StoredFieldsFormat.mode", "BEST_COMPRESSION"},
    {"Lucene90StoredFieldsFastData", Family::kLucene90, ChunkCompression::kLz4Dict,
     "Lucene90StoredFieldsFormat.mode", "BEST_SPEED"},
    {"Lucene90StoredFieldsHighData", Family::kLucene90, ChunkCompression::kDeflateDict,
     "Lucene90StoredFieldsFormat.mode", "BEST_COMPRESSION"},
    {"ZstdStoredFields814", Family::kLucene90, ChunkCompression::kZstd, "", ""},
    {"CustomStoredFieldsZstd", Family::kLucene90, ChunkCompression::kZstdDict, "", "ZSTD"},
    {"CustomStoredFieldsZstdNoDict", Family::kLucene90, ChunkCompression::kZstdNoDict, "",
     "ZSTD_NO_DICT"},
};

// Lucene50CompressingStoredFieldsWriter (8.x) versions.
constexpr std::int32_t kVersionChunkStats = 1;    // 5.x-8.4: numChunks/numDirtyChunks after chunks
constexpr std::int32_t kVersionOffheapIndex = 2;  // 8.5: .fdm + DirectMonotonic .fdx
constexpr std::int32_t kVersionMeta = 3;          // 8.6: chunkSize and stats move to .fdm
constexpr std::int32_t kVersionNumChunks = 4;     // 8.6+: numChunks in .fdm, dirty bit in token

Error file_error(const FileSource& f, const std::string& what) {
  std::string msg = f.name();
  if (f.where() != f.name()) msg += " (" + f.where() + ")";
  return Error(ErrorCode::kParse, msg + ": " + what);
}

// The position of a file's footer: everything before it is the file's content.
Status expect_footer_at(DataInput& in) {
  if (in.file().length() < format::kFooterLength ||
      in.position() != in.file().length() - format::kFooterLength)
    return in.error("the content ends " +
                    std::to_string(static_cast<std::int64_t>(in.file().length()) -
                                   static_cast<std::int64_t>(format::kFooterLength) -
                                   static_cast<std::int64_t>(in.position())) +
                    " bytes before its footer (expected 0)");
  return Ok{};
}

Result<std::string> peek_fdt_codec(const std::shared_ptr<const FileSource>& f) {
  std::vector<std::uint8_t> head(
      static_cast<std::size_t>(std::min<std::uint64_t>(f->length(), 512)));
  ESSNAP_TRY_STATUS(f->read(0, std::span<std::uint8_t>(head)));
  auto h = format::parse_index_header(std::span<const std::uint8_t>(head));
  if (!h) return file_error(*f, h.error().message);
  return h->codec;
}

// FieldsIndexWriter's part of the .fdm: returns maxPointer; checks the index file's range.
struct FieldsIndexMeta {
  std::uint64_t max_pointer = 0;
  std::int64_t num_chunks = 0;
};
Result<FieldsIndexMeta> read_fields_index_meta(DataInput& meta, const StoredFieldsSegment& seg) {
  ESSNAP_TRY(std::int32_t num_docs, meta.i32());
  if (num_docs != seg.max_doc)
    return meta.error("index of " + std::to_string(num_docs) + " documents in a segment of " +
                      std::to_string(seg.max_doc));
  ESSNAP_TRY(std::int32_t block_shift, meta.i32());
  if (block_shift < 2 || block_shift > 30)
    return meta.error("block shift " + std::to_string(block_shift) + " outside 2..30");
  ESSNAP_TRY(std::int32_t num_values, meta.i32());
  if (num_values < 1 || num_values - 1 > std::max(seg.max_doc, 0))
    return meta.error(std::to_string(num_values) + " index values for " +
                      std::to_string(seg.max_doc) + " documents");
  const std::uint64_t blocks =
      (static_cast<std::uint64_t>(num_values) + (1ull << block_shift) - 1) >> block_shift;
  ESSNAP_TRY(std::int64_t docs_start, meta.i64());
  ESSNAP_TRY_STATUS(meta.skip(blocks * 21));  // DirectMonotonic meta: long int long byte
  ESSNAP_TRY(std::int64_t docs_end, meta.i64());
  ESSNAP_TRY_STATUS(meta.skip(blocks * 21));
  ESSNAP_TRY(std::int64_t pointers_end, meta.i64());
  ESSNAP_TRY(std::int64_t max_pointer, meta.i64());
  if (docs_start < 0 || docs_end < docs_start || pointers_end < docs_end ||
      (seg.fdx &&
       static_cast<std::uint64_t>(pointers_end) + format::kFooterLength > seg.fdx->length()))
    return meta.error("index ranges [" + std::to_string(docs_start) + ", " +
                      std::to_string(docs_end) + ", " + std::to_string(pointers_end) +
                      ") outside " + (seg.fdx ? seg.fdx->name() : std::string(".fdx")));
  if (max_pointer < 0) return meta.error("negative end of chunks");
  return FieldsIndexMeta{static_cast<std::uint64_t>(max_pointer), num_values - 1};
}

Status check_mode_attribute(const StoredFieldsSegment& seg, const CodecEntry& e) {
  auto mismatch = [&](const std::string& key, const std::string& value) {
    return file_error(
        *seg.fdt, "codec " + std::string(e.codec) + " but the segment's " + key + " is " + value);
  };
  for (const auto& [key, value] : seg.attributes) {
    if (!e.mode_key.empty() && key == e.mode_key && value != e.mode) return mismatch(key, value);
    // OpenSearch custom codecs: Lucene95CustomStoredFieldsFormat.mode, Lucene99..., Lucene912...
    if (e.compression == ChunkCompression::kZstdDict ||
        e.compression == ChunkCompression::kZstdNoDict) {
      if (key.find("CustomStoredFieldsFormat.mode") != std::string::npos) {
        const bool no_dict = value == "ZSTD_NO_DICT";
        if (no_dict != (e.compression == ChunkCompression::kZstdNoDict))
          return mismatch(key, value);
      }
    }
  }
  return Ok{};
}

}  // namespace

Result<StoredFieldsReader> StoredFieldsReader::open(StoredFieldsSegment seg, Integrity integrity) {
  if (!seg.fdt) return Error(ErrorCode::kParse, "segment " + seg.name + ": no .fdt");
  if (seg.max_doc < 0)
    return Error(ErrorCode::kParse, "segment " + seg.name + ": negative max_doc");
  ESSNAP_TRY(std::string codec, peek_fdt_codec(seg.fdt));
  const CodecEntry* entry = nullptr;
  for (const auto& e : kCodecs)
    if (e.codec == codec) entry = &e;
  if (!entry)
    return file_error(*seg.fdt, "stored fields codec \"" + codec +
                                    "\" is not one essnap reads (Lucene 5-10 LZ4/Deflate, "
                                    "Elasticsearch zstd, OpenSearch zstd/zstd_no_dict)");
  ESSNAP_TRY_STATUS(check_mode_attribute(seg, *entry));

  StoredFieldsInfo info;
  info.codec = codec;
  info.compression = entry->compression;
  info.order = entry->family == Family::kLucene90 ? ByteOrder::kLittle : ByteOrder::kBig;

  DataInput fdt(seg.fdt, info.order);
  const std::int32_t max_version = entry->family == Family::kLucene90 ? 1 : kVersionNumChunks;
  const std::int32_t min_version = entry->family == Family::kLucene90 ? 1 : 0;
  ESSNAP_TRY(info.version, check_header(fdt, {.codec = codec,
                                              .min_version = min_version,
                                              .max_version = max_version,
                                              .index_header = true,
                                              .expected_id = &seg.id,
                                              .expected_suffix = &seg.suffix}));
  const bool lucene90 = entry->family == Family::kLucene90;
  const std::int32_t v = info.version;

  if (integrity != Integrity::kStructureOnly) {
    if (integrity == Integrity::kVerifyChecksums) ESSNAP_TRY_STATUS(check_footer(seg.fdt));
    if (seg.fdx) ESSNAP_TRY_STATUS(check_footer(seg.fdx));
    if (seg.fdm) ESSNAP_TRY_STATUS(check_footer(seg.fdm));
  }
  {
    ESSNAP_TRY(std::uint32_t ignored, footer_checksum(seg.fdt));
    (void)ignored;
  }

  const bool meta_file = lucene90 || v >= kVersionOffheapIndex;
  if (!lucene90 && v < kVersionMeta) {
    ESSNAP_TRY(std::int32_t chunk_size, fdt.vint());
    ESSNAP_TRY(std::int32_t packed_version, fdt.vint());
    if (chunk_size <= 0) return fdt.error("chunk size " + std::to_string(chunk_size));
    if (packed_version < 1 || packed_version > 2)
      return fdt.error("PackedInts version " + std::to_string(packed_version) +
                       " (essnap reads 1..2)");
    info.chunk_size = static_cast<std::uint32_t>(chunk_size);
  }
  info.chunks_begin = fdt.position();

  if (!meta_file) {
    // CompressingStoredFieldsIndexReader: blocks of packed start pointers, then maxPointer.
    if (!seg.fdx) return file_error(*seg.fdt, "no .fdx beside it (stored fields index)");
    DataInput fdx(seg.fdx, info.order);
    const std::string idx_codec = codec.substr(0, codec.size() - 4) + "Index";
    ESSNAP_TRY(std::int32_t v2, check_header(fdx, {.codec = idx_codec,
                                                   .min_version = v,
                                                   .max_version = v,
                                                   .index_header = true,
                                                   .expected_id = &seg.id,
                                                   .expected_suffix = &seg.suffix}));
    (void)v2;
    ESSNAP_TRY(std::int32_t packed_version, fdx.vint());
    (void)packed_version;
    std::int64_t chunks = 0;
    for (;;) {
      ESSNAP_TRY(std::int32_t n, fdx.vint());
      if (n == 0) break;
      if (n < 0 || chunks + n > std::max<std::int64_t>(seg.max_doc, 1))
        return fdx.error("a block of " + std::to_string(n) + " chunks");
      ESSNAP_TRY(std::int32_t doc_base, fdx.vint());
      ESSNAP_TRY(std::int32_t avg_docs, fdx.vint());
      ESSNAP_TRY(std::int32_t bits_doc, fdx.vint());
      (void)doc_base;
      (void)avg_docs;
      if (bits_doc < 0 || bits_doc > 32)
        return fdx.error("bitsPerDocBase " + std::to_string(bits_doc));
      ESSNAP_TRY_STATUS(fdx.skip((static_cast<std::uint64_t>(n) * bits_doc + 7) / 8));
      ESSNAP_TRY(std::int64_t start, fdx.vlong());
      ESSNAP_TRY(std::int64_t avg_size, fdx.vlong());
      ESSNAP_TRY(std::int32_t bits_ptr, fdx.vint());
      (void)avg_size;
      if (chunks == 0 && static_cast<std::uint64_t>(start) != info.chunks_begin)
        return fdx.error("first chunk at byte " + std::to_string(start) + " of " + seg.fdt->name() +
                         ", its chunks begin at " + std::to_string(info.chunks_begin));
      if (bits_ptr < 0 || bits_ptr > 64)
        return fdx.error("bitsPerStartPointer " + std::to_string(bits_ptr));
      ESSNAP_TRY_STATUS(fdx.skip((static_cast<std::uint64_t>(n) * bits_ptr + 7) / 8));
      chunks += n;
    }
    ESSNAP_TRY(std::int64_t max_pointer, fdx.vlong());
    ESSNAP_TRY_STATUS(expect_footer_at(fdx));
    if (max_pointer < 0) return fdx.error("negative end of chunks");
    info.max_pointer = static_cast<std::uint64_t>(max_pointer);
    info.num_chunks = chunks;
  } else {
    if (!seg.fdm) return file_error(*seg.fdt, "no .fdm beside it (stored fields meta)");
    if (!seg.fdx) return file_error(*seg.fdt, "no .fdx beside it (stored fields index)");
    const std::string index_codec = lucene90 ? "Lucene90FieldsIndex" : "Lucene85FieldsIndex";
    DataInput fdm(seg.fdm, info.order);
    ESSNAP_TRY(std::int32_t mv, check_header(fdm, {.codec = index_codec + "Meta",
                                                   .min_version = 0,
                                                   .max_version = v,
                                                   .index_header = true,
                                                   .expected_id = &seg.id,
                                                   .expected_suffix = &seg.suffix}));
    (void)mv;
    DataInput fdx(seg.fdx, info.order);
    ESSNAP_TRY(std::int32_t xv, check_header(fdx, {.codec = index_codec + "Idx",
                                                   .min_version = 0,
                                                   .max_version = 16,
                                                   .index_header = true,
                                                   .expected_id = &seg.id,
                                                   .expected_suffix = &seg.suffix}));
    (void)xv;
    if (lucene90 || v >= kVersionMeta) {
      ESSNAP_TRY(std::int32_t chunk_size, fdm.vint());
      if (chunk_size <= 0) return fdm.error("chunk size " + std::to_string(chunk_size));
      info.chunk_size = static_cast<std::uint32_t>(chunk_size);
      if (!lucene90) {
        ESSNAP_TRY(std::int32_t packed_version, fdm.vint());
        if (packed_version < 1 || packed_version > 2)
          return fdm.error("PackedInts version " + std::to_string(packed_version));
      }
    }
    ESSNAP_TRY(FieldsIndexMeta im, read_fields_index_meta(fdm, seg));
    info.max_pointer = im.max_pointer;
    info.num_chunks = im.num_chunks;
    if (lucene90 || v >= kVersionNumChunks) {
      ESSNAP_TRY(std::int64_t num_chunks, fdm.vlong());
      if (num_chunks != im.num_chunks)
        return fdm.error(std::to_string(num_chunks) + " chunks, its index says " +
                         std::to_string(im.num_chunks));
    }
    if (lucene90 || v >= kVersionMeta) {
      ESSNAP_TRY(std::int64_t dirty_chunks, fdm.vlong());
      ESSNAP_TRY(std::int64_t dirty_docs, fdm.vlong());
      if (dirty_chunks < 0 || dirty_chunks > im.num_chunks || dirty_docs < dirty_chunks ||
          (dirty_chunks == 0) != (dirty_docs == 0))
        return fdm.error("dirty chunk counts " + std::to_string(dirty_chunks) + "/" +
                         std::to_string(dirty_docs) + " do not fit " +
                         std::to_string(im.num_chunks) + " chunks");
    }
    ESSNAP_TRY_STATUS(expect_footer_at(fdm));
  }
  if (info.max_pointer < info.chunks_begin ||
      info.max_pointer + format::kFooterLength > seg.fdt->length())
    return file_error(*seg.fdt, "its index ends the chunks at byte " +
                                    std::to_string(info.max_pointer) + ", outside [" +
                                    std::to_string(info.chunks_begin) + ", " +
                                    std::to_string(seg.fdt->length() - format::kFooterLength) +
                                    "]: truncated or mismatched files");
  if (info.chunk_size == 0) return file_error(*seg.fdt, "no chunk size");
  StoredFieldsReader r;
  r.seg_ = std::move(seg);
  r.info_ = std::move(info);
  r.integrity_ = integrity;
  return r;
}

}  // namespace essnap::lucene
