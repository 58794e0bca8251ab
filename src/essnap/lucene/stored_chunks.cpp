// StoredFieldsReader::visit: the chunks of a .fdt, one after another (grammar in
// stored_fields.hpp).
#include <bit>
#include <cstring>
#include <limits>

#include "essnap/format/lucene_footer.hpp"
#include "essnap/lucene/stored_fields.hpp"
#include "essnap/lucene/stored_stream.hpp"

namespace essnap::lucene {
namespace {

// Lucene caps a chunk's documents at 2^31 - 2^14 bytes in all.
constexpr std::uint64_t kMaxChunkBytes = (1ull << 31) - (1ull << 14);

// PackedInts.Format.PACKED without header: `n` values of `bits` bits, big-endian bit stream.
Status read_packed(StreamReader& in, std::uint32_t n, int bits, std::vector<std::uint32_t>& out) {
  const std::uint64_t nbytes = (static_cast<std::uint64_t>(n) * bits + 7) / 8;
  ESSNAP_TRY(auto b, in.need(static_cast<std::size_t>(nbytes)));
  out.resize(n);
  std::uint64_t bit = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    std::uint64_t v = 0;
    for (int k = 0; k < bits; ++k, ++bit) v = (v << 1) | ((b[bit >> 3] >> (7 - (bit & 7))) & 1u);
    out[i] = static_cast<std::uint32_t>(v);
  }
  return in.consume(static_cast<std::size_t>(nbytes));
}

// saveInts of Lucene 5-8 (CompressingStoredFieldsWriter).
Status read_ints_legacy(StreamReader& in, std::uint32_t n, std::vector<std::uint32_t>& out) {
  ESSNAP_TRY(std::int32_t bits, in.vint());
  if (bits == 0) {
    ESSNAP_TRY(std::int32_t v, in.vint());
    out.assign(n, static_cast<std::uint32_t>(v));
    return Ok{};
  }
  if (bits < 0 || bits > 31) return in.error("bits per value " + std::to_string(bits));
  return read_packed(in, n, bits, out);
}

Result<std::uint64_t> le(StreamReader& in, int width) {
  ESSNAP_TRY(auto b, in.need(static_cast<std::size_t>(width)));
  std::uint64_t v = 0;
  for (int i = width; i-- > 0;) v = (v << 8) | b[static_cast<std::size_t>(i)];
  ESSNAP_TRY_STATUS(in.consume(static_cast<std::size_t>(width)));
  return v;
}

// StoredFieldsInts.readInts (Lucene 9+).
Status read_ints_90(StreamReader& in, std::uint32_t n, std::vector<std::uint32_t>& out) {
  ESSNAP_TRY(std::uint8_t bits, in.byte());
  out.resize(n);
  if (bits == 0) {
    ESSNAP_TRY(std::int32_t v, in.vint());
    out.assign(n, static_cast<std::uint32_t>(v));
    return Ok{};
  }
  if (bits != 8 && bits != 16 && bits != 32)
    return in.error("bits per value " + std::to_string(bits) + " (8, 16 or 32)");
  const int lanes = 64 / bits;    // values per long
  const int longs = 128 / lanes;  // longs per block of 128 values
  const std::uint64_t mask = bits == 32 ? 0xFFFFFFFFull : ((1ull << bits) - 1);
  std::uint32_t k = 0;
  for (; n >= 128 && k <= n - 128; k += 128) {
    for (int i = 0; i < longs; ++i) {
      ESSNAP_TRY(std::uint64_t l, le(in, 8));
      for (int j = 0; j < lanes; ++j)
        out[k + static_cast<std::uint32_t>(i + j * longs)] =
            static_cast<std::uint32_t>((l >> (64 - bits * (j + 1))) & mask);
    }
  }
  for (; k < n; ++k) {
    ESSNAP_TRY(std::uint64_t v, le(in, bits / 8));
    out[k] = static_cast<std::uint32_t>(v);
  }
  return Ok{};
}

double float_bits(std::uint32_t b) {
  return static_cast<double>(std::bit_cast<float>(b));
}

// One document's values (Lucene90CompressingStoredFieldsReader#readField).
Status read_document(ByteReader& r, std::uint32_t count, std::vector<StoredValue>& values) {
  values.clear();
  for (std::uint32_t i = 0; i < count; ++i) {
    ESSNAP_TRY(std::int64_t info, r.vlong());
    StoredValue v;
    const std::uint64_t number = static_cast<std::uint64_t>(info) >> 3;
    if (number > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max()))
      return Error(ErrorCode::kParse, "field number " + std::to_string(number));
    v.field = static_cast<std::int32_t>(number);
    const unsigned type = static_cast<unsigned>(info & 7);
    switch (type) {
      case 0:
      case 1: {
        ESSNAP_TRY(std::int32_t len, r.vint());
        if (len < 0) return Error(ErrorCode::kParse, "negative value length");
        ESSNAP_TRY(v.bytes, r.bytes(static_cast<std::size_t>(len)));
        v.type = type == 0 ? StoredFieldType::kString : StoredFieldType::kBytes;
        break;
      }
      case 2: {
        ESSNAP_TRY(std::int32_t z, r.vint());
        const auto u = static_cast<std::uint32_t>(z);
        v.integer = static_cast<std::int32_t>((u >> 1) ^ (0u - (u & 1u)));
        v.type = StoredFieldType::kInt;
        break;
      }
      case 3: {  // zfloat
        ESSNAP_TRY(std::uint8_t b, r.byte());
        if (b == 0xFF) {
          ESSNAP_TRY(std::uint32_t bits, r.u32());
          v.real = float_bits(bits);
        } else if (b & 0x80) {
          v.real = static_cast<double>((b & 0x7F) - 1);
        } else {
          ESSNAP_TRY(std::uint16_t mid, r.u16());
          ESSNAP_TRY(std::uint8_t low, r.byte());
          v.real = float_bits((std::uint32_t{b} << 24) | (std::uint32_t{mid} << 8) | low);
        }
        v.type = StoredFieldType::kFloat;
        break;
      }
      case 4: {  // tlong
        ESSNAP_TRY(std::uint8_t header, r.byte());
        std::uint64_t bits = header & 0x1Fu;
        if (header & 0x20) {
          ESSNAP_TRY(std::int64_t more, r.vlong());
          bits |= static_cast<std::uint64_t>(more) << 5;
        }
        std::int64_t l = static_cast<std::int64_t>((bits >> 1) ^ (0ull - (bits & 1ull)));
        switch (header & 0xC0) {
          case 0x40:
            l = static_cast<std::int64_t>(static_cast<std::uint64_t>(l) * 1000u);
            break;
          case 0x80:
            l = static_cast<std::int64_t>(static_cast<std::uint64_t>(l) * 3600000u);
            break;
          case 0xC0:
            l = static_cast<std::int64_t>(static_cast<std::uint64_t>(l) * 86400000u);
            break;
          default:
            break;
        }
        v.integer = l;
        v.type = StoredFieldType::kLong;
        break;
      }
      case 5: {  // zdouble
        ESSNAP_TRY(std::uint8_t b, r.byte());
        if (b == 0xFF) {
          ESSNAP_TRY(std::uint64_t bits, r.u64());
          v.real = std::bit_cast<double>(bits);
        } else if (b == 0xFE) {
          ESSNAP_TRY(std::uint32_t bits, r.u32());
          v.real = float_bits(bits);
        } else if (b & 0x80) {
          v.real = static_cast<double>((b & 0x7F) - 1);
        } else {
          ESSNAP_TRY(std::uint32_t hi, r.u32());
          ESSNAP_TRY(std::uint16_t mid, r.u16());
          ESSNAP_TRY(std::uint8_t low, r.byte());
          v.real = std::bit_cast<double>((std::uint64_t{b} << 56) | (std::uint64_t{hi} << 24) |
                                         (std::uint64_t{mid} << 8) | low);
        }
        v.type = StoredFieldType::kDouble;
        break;
      }
      default:
        return Error(ErrorCode::kParse, "value type " + std::to_string(type) + " of field " +
                                            std::to_string(number) + " (0..5)");
    }
    values.push_back(v);
  }
  if (r.remaining() != 0)
    return Error(ErrorCode::kParse, std::to_string(r.remaining()) + " bytes left after its " +
                                        std::to_string(count) + " values");
  return Ok{};
}

Error file_error_doc(const StoredFieldsSegment& seg, const std::string& where, std::int32_t doc,
                     const std::string& what) {
  std::string msg = seg.fdt->name();
  if (seg.fdt->where() != seg.fdt->name()) msg += " (" + seg.fdt->where() + ")";
  return Error(ErrorCode::kParse,
               msg + ": " + where + ": document " + std::to_string(doc) + ": " + what);
}

}  // namespace

Status StoredFieldsReader::visit(const LiveDocs& live, const DocumentVisitor& visitor) const {
  const StoredFieldsInfo& info = info_;
  const bool lucene90 = info.order == ByteOrder::kLittle;
  const int token_shift = (lucene90 || info.version >= 4) ? 2 : 1;
  StreamReader in(seg_.fdt, info.chunks_begin, info.max_pointer);
  // kVerifyWhileReading: the CRC-32 of the .fdt's bytes before its footer's checksum, in order:
  // header, the chunks as the walk reads them, then the rest.
  format::Crc32 crc;
  const std::uint64_t crc_end = seg_.fdt->length() - 8;  // the checksum covers magic, algorithm
  if (integrity_ == Integrity::kVerifyWhileReading) {
    std::vector<std::uint8_t> head(static_cast<std::size_t>(info.chunks_begin));
    ESSNAP_TRY_STATUS(seg_.fdt->read(0, head));
    crc.update(head);
    in.checksum_into(&crc);
  }
  ChunkDecompressor decompressor(info.compression);
  std::vector<std::uint32_t> num_fields;
  std::vector<std::uint32_t> lengths;
  std::vector<std::uint8_t> data;
  std::vector<StoredValue> values;
  std::int64_t chunk = 0;
  std::int32_t doc = 0;
  while (doc < seg_.max_doc) {
    const std::uint64_t chunk_at = in.position();
    std::string where = "chunk " + std::to_string(chunk) + " at byte " + std::to_string(chunk_at);
    auto fail = [&](Error e) { return std::move(e).with_context(where); };
    if (in.remaining() == 0)
      return fail(in.error("the chunks end (index: byte " + std::to_string(info.max_pointer) +
                           ") before document " + std::to_string(doc) + " of " +
                           std::to_string(seg_.max_doc) + ": truncated or mismatched index"));
    auto doc_base = in.vint();
    if (!doc_base) return fail(doc_base.error());
    auto token = in.vint();
    if (!token) return fail(token.error());
    const std::uint32_t chunk_docs = static_cast<std::uint32_t>(*token) >> token_shift;
    const bool sliced = (*token & 1) != 0;
    if (*doc_base != doc || chunk_docs == 0 ||
        chunk_docs > static_cast<std::uint32_t>(seg_.max_doc - doc))
      return fail(in.error("chunk of documents " + std::to_string(*doc_base) + " +" +
                           std::to_string(chunk_docs) + ", expected to start at " +
                           std::to_string(doc) + " (max_doc " + std::to_string(seg_.max_doc) +
                           ")"));
    where = "chunk " + std::to_string(chunk) + " (documents " + std::to_string(doc) + ".." +
            std::to_string(doc + static_cast<std::int32_t>(chunk_docs) - 1) + ") at byte " +
            std::to_string(chunk_at);
    if (chunk_docs == 1) {
      auto n = in.vint();
      if (!n) return fail(n.error());
      auto l = in.vint();
      if (!l) return fail(l.error());
      num_fields.assign(1, static_cast<std::uint32_t>(*n));
      lengths.assign(1, static_cast<std::uint32_t>(*l));
    } else {
      Status st = lucene90 ? read_ints_90(in, chunk_docs, num_fields)
                           : read_ints_legacy(in, chunk_docs, num_fields);
      if (!st) return fail(st.error());
      st = lucene90 ? read_ints_90(in, chunk_docs, lengths)
                    : read_ints_legacy(in, chunk_docs, lengths);
      if (!st) return fail(st.error());
    }
    std::uint64_t total = 0;
    for (std::uint32_t i = 0; i < chunk_docs; ++i) {
      if ((lengths[i] == 0) != (num_fields[i] == 0))
        return fail(in.error("document " + std::to_string(doc + static_cast<std::int32_t>(i)) +
                             " of " + std::to_string(lengths[i]) + " bytes with " +
                             std::to_string(num_fields[i]) + " values"));
      total += lengths[i];
    }
    if (total > kMaxChunkBytes)
      return fail(in.error("documents of " + std::to_string(total) + " bytes in one chunk"));
    data.clear();
    const auto total32 = static_cast<std::uint32_t>(total);
    if (sliced) {
      for (std::uint32_t done = 0; done < total32;) {
        const std::uint32_t n = std::min(info.chunk_size, total32 - done);
        Status st = decompressor.decompress(in, n, data);
        if (!st) return fail(st.error());
        done += n;
      }
    } else {
      Status st = decompressor.decompress(in, total32, data);
      if (!st) return fail(st.error());
    }
    std::size_t off = 0;
    for (std::uint32_t i = 0; i < chunk_docs; ++i) {
      const std::int32_t d = doc + static_cast<std::int32_t>(i);
      const std::size_t len = lengths[i];
      if (!live || live(d)) {
        ByteReader r(std::span<const std::uint8_t>(data.data() + off, len), info.order);
        Status st = read_document(r, num_fields[i], values);
        if (!st) return file_error_doc(seg_, where, d, st.error().message);
        ESSNAP_TRY_STATUS(visitor(d, std::span<const StoredValue>(values)));
      }
      off += len;
    }
    doc += static_cast<std::int32_t>(chunk_docs);
    ++chunk;
  }
  if (in.remaining() != 0)
    return Error(ErrorCode::kParse, seg_.fdt->name() + ": the chunks of " +
                                        std::to_string(seg_.max_doc) + " documents end at byte " +
                                        std::to_string(in.position()) + ", its index says " +
                                        std::to_string(info.max_pointer));
  if (info.num_chunks >= 0 && info.num_chunks != chunk)
    return Error(ErrorCode::kParse, seg_.fdt->name() + ": " + std::to_string(chunk) +
                                        " chunks, its index says " +
                                        std::to_string(info.num_chunks));
  // Versions 1..2 of Lucene 5-8 record numChunks and numDirtyChunks after the chunks (version 2,
  // Lucene 8.5, is read either way: its reader never looks there).
  const bool no_trailer =
      info.version == 2 && info.max_pointer + format::kFooterLength == seg_.fdt->length();
  if (!lucene90 && info.version >= 1 && info.version <= 2 && !no_trailer) {
    DataInput tail(seg_.fdt, info.max_pointer, seg_.fdt->length(), info.order);
    ESSNAP_TRY(std::int64_t num_chunks, tail.vlong());
    ESSNAP_TRY(std::int64_t dirty, tail.vlong());
    if (num_chunks != chunk || dirty < 0 || dirty > num_chunks)
      return tail.error("trailer of " + std::to_string(num_chunks) + " chunks (" +
                        std::to_string(dirty) + " dirty), " + std::to_string(chunk) + " read");
    if (tail.position() + format::kFooterLength != seg_.fdt->length())
      return tail.error("bytes between the chunk statistics and the footer");
  } else if (in.position() + format::kFooterLength != seg_.fdt->length()) {
    return Error(ErrorCode::kParse,
                 seg_.fdt->name() + ": " +
                     std::to_string(seg_.fdt->length() - format::kFooterLength - in.position()) +
                     " bytes between the last chunk and the footer");
  }
  if (integrity_ == Integrity::kVerifyWhileReading) {
    std::vector<std::uint8_t> tail(static_cast<std::size_t>(crc_end - info.max_pointer));
    ESSNAP_TRY_STATUS(seg_.fdt->read(info.max_pointer, tail));
    crc.update(tail);
    ESSNAP_TRY(std::uint32_t want, footer_checksum(seg_.fdt));
    if (crc.value() != want)
      return Error(ErrorCode::kParse,
                   seg_.fdt->name() + " (" + seg_.fdt->where() + "): checksum " +
                       format::checksum_to_base36(crc.value()) + " of its bytes, footer says " +
                       format::checksum_to_base36(want) +
                       ": corrupt (the documents read from it must be discarded)");
  }
  return Ok{};
}

}  // namespace essnap::lucene
