#include "essnap/lucene/doc_values.hpp"

#include <bit>
#include <optional>

#include "essnap/format/lucene_footer.hpp"

namespace essnap::lucene {
namespace {

enum class Dv { k70, k80, k90 };

struct Disi {
  std::int64_t offset = -2;
  std::int64_t length = 0;
  std::int16_t jump_entries = -1;
  std::int8_t dense_rank_power = -1;
};

struct MetaReader {
  DataInput& in;
  Dv kind;
  std::int32_t version;

  Status dm(std::int64_t num_values, std::int32_t block_shift) {
    if (block_shift < 0 || block_shift > 62 || num_values < 0)
      return in.error("monotonic block shift " + std::to_string(block_shift) + " for " +
                      std::to_string(num_values) + " values");
    const std::uint64_t n = static_cast<std::uint64_t>(num_values);
    const std::uint64_t blocks = (n >> block_shift) + ((n & ((1ull << block_shift) - 1)) ? 1 : 0);
    if (blocks > in.remaining() / 21)
      return in.error(std::to_string(blocks) + " monotonic blocks with " +
                      std::to_string(in.remaining()) + " bytes left");
    return in.skip(blocks * 21);
  }

  Result<Disi> dwf() {
    Disi d;
    ESSNAP_TRY(d.offset, in.i64());
    ESSNAP_TRY(d.length, in.i64());
    if (kind != Dv::k70) {
      ESSNAP_TRY(d.jump_entries, in.i16());
      ESSNAP_TRY(std::uint8_t p, in.byte());
      d.dense_rank_power = static_cast<std::int8_t>(p);
    }
    return d;
  }

  // numeric entry; returns numValues through `num_values`
  Result<Disi> numeric(std::int64_t* num_values) {
    ESSNAP_TRY(Disi d, dwf());
    ESSNAP_TRY(std::int64_t n, in.i64());
    if (num_values) *num_values = n;
    ESSNAP_TRY(std::int32_t table, in.i32());
    if (table > 256) return in.error("numeric table of " + std::to_string(table) + " values");
    if (table > 0) ESSNAP_TRY_STATUS(in.skip(static_cast<std::uint64_t>(table) * 8));
    // bpv:byte min gcd valuesOffset valuesLength [valueJumpTableOffset]
    ESSNAP_TRY_STATUS(in.skip(1 + 4 * 8 + (kind == Dv::k70 ? 0 : 8)));
    return d;
  }

  Result<Disi> sorted_numeric() {
    std::int64_t num_values = 0;
    ESSNAP_TRY(Disi d, numeric(&num_values));
    ESSNAP_TRY(std::int32_t docs, in.i32());
    if (docs != num_values) {
      ESSNAP_TRY_STATUS(in.skip(8));
      ESSNAP_TRY(std::int32_t shift, in.vint());
      ESSNAP_TRY_STATUS(dm(std::int64_t{docs} + 1, shift));
      ESSNAP_TRY_STATUS(in.skip(8));
    }
    return d;
  }

  Result<Disi> binary(const FieldInfo& field) {
    ESSNAP_TRY_STATUS(in.skip(16));  // dataOffset dataLength
    ESSNAP_TRY(Disi d, dwf());
    ESSNAP_TRY(std::int32_t docs, in.i32());
    ESSNAP_TRY(std::int32_t min_len, in.i32());
    ESSNAP_TRY(std::int32_t max_len, in.i32());
    bool compressed = false;
    if (kind == Dv::k80) {
      compressed = version >= 2
                       ? field.attribute("Lucene80DocValuesFormat.mode") == "BEST_COMPRESSION"
                       : version >= 1;
    }
    if ((compressed && docs > 0) || min_len < max_len) {
      ESSNAP_TRY_STATUS(in.skip(8));
      std::int64_t addresses = std::int64_t{docs} + 1;
      if (compressed) {
        ESSNAP_TRY(std::int32_t chunks, in.vint());
        ESSNAP_TRY(std::int32_t shift, in.vint());
        ESSNAP_TRY(std::int32_t max_chunk, in.vint());
        (void)shift;
        (void)max_chunk;
        addresses = chunks;
      }
      ESSNAP_TRY(std::int32_t block_shift, in.vint());
      ESSNAP_TRY_STATUS(dm(addresses, block_shift));
      ESSNAP_TRY_STATUS(in.skip(8));
    }
    return d;
  }

  Status terms_dict() {
    ESSNAP_TRY(std::int64_t size, in.vlong());
    std::int32_t dict_shift = 6;
    bool lz4 = kind == Dv::k90;
    if (kind != Dv::k90) {
      ESSNAP_TRY(dict_shift, in.i32());
      if (kind == Dv::k80 && dict_shift == ((6 << 16) | 1)) {
        dict_shift = 6;
        lz4 = true;
      }
      if (dict_shift < 0 || dict_shift > 30)
        return in.error("terms dictionary block shift " + std::to_string(dict_shift));
    }
    ESSNAP_TRY(std::int32_t block_shift, in.i32());
    if (size < 0) return in.error("negative terms dictionary size");
    const std::int64_t blocks = (size + (std::int64_t{1} << dict_shift) - 1) >> dict_shift;
    ESSNAP_TRY_STATUS(dm(blocks, block_shift));
    ESSNAP_TRY_STATUS(in.skip(4 + (lz4 ? 4 : 0) + 4 * 8));  // maxTermLength [maxBlockLength]
    ESSNAP_TRY(std::int32_t index_shift, in.i32());
    if (index_shift < 0 || index_shift > 30)
      return in.error("terms index shift " + std::to_string(index_shift));
    const std::int64_t index = (size + (std::int64_t{1} << index_shift) - 1) >> index_shift;
    ESSNAP_TRY_STATUS(dm(1 + index, block_shift));
    return in.skip(4 * 8);
  }

  Result<Disi> sorted() {
    if (kind == Dv::k90) {
      ESSNAP_TRY(Disi d, numeric(nullptr));
      ESSNAP_TRY_STATUS(terms_dict());
      return d;
    }
    ESSNAP_TRY(Disi d, dwf());
    ESSNAP_TRY_STATUS(in.skip(4 + 1 + 16));  // numDocs bpv ordsOffset ordsLength
    ESSNAP_TRY_STATUS(terms_dict());
    return d;
  }

  Result<Disi> sorted_set() {
    ESSNAP_TRY(std::uint8_t multi, in.byte());
    if (multi == 0) return sorted();
    if (multi != 1) return in.error("sorted set multi-valued flag " + std::to_string(multi));
    if (kind == Dv::k90) {
      ESSNAP_TRY(Disi d, sorted_numeric());
      ESSNAP_TRY_STATUS(terms_dict());
      return d;
    }
    ESSNAP_TRY(Disi d, dwf());
    ESSNAP_TRY_STATUS(in.skip(1 + 16));  // bpv ordsOffset ordsLength
    ESSNAP_TRY(std::int32_t docs, in.i32());
    ESSNAP_TRY_STATUS(in.skip(8));
    ESSNAP_TRY(std::int32_t shift, in.vint());
    ESSNAP_TRY_STATUS(dm(std::int64_t{docs} + 1, shift));
    ESSNAP_TRY_STATUS(in.skip(8));
    ESSNAP_TRY_STATUS(terms_dict());
    return d;
  }

  // one entry after its field number; the field's docs-with-field
  Result<Disi> entry(const FieldInfo& field) {
    ESSNAP_TRY(std::uint8_t type, in.byte());
    if (kind == Dv::k90 && field.dv_skip_index) {
      ESSNAP_TRY_STATUS(in.skip(4 * 8 + 2 * 4));
    }
    switch (type) {
      case 0:
        return numeric(nullptr);
      case 1:
        return binary(field);
      case 2:
        return sorted();
      case 3:
        return sorted_set();
      case 4:
        return sorted_numeric();
      default:
        return in.error("field " + field.name + ": doc-values type byte " + std::to_string(type));
    }
  }
};

struct Opened {
  Dv kind;
  ByteOrder order;
  std::string data_codec;
  std::int32_t version;
};

Result<Opened> open_meta(DataInput& in, const SegmentId* id, const std::string* suffix) {
  const FileSource& f = in.file();
  std::uint8_t head[4 + 1 + 32];
  const std::size_t take =
      static_cast<std::size_t>(std::min<std::uint64_t>(sizeof head, f.length()));
  ESSNAP_TRY_STATUS(f.read(0, std::span<std::uint8_t>(head, take)));
  std::string codec;
  if (take > 5 && head[4] <= take - 5)
    codec.assign(reinterpret_cast<const char*>(head + 5), head[4]);
  Opened o;
  std::int32_t max_version;
  if (codec == "Lucene70DocValuesMetadata") {
    o = {Dv::k70, ByteOrder::kBig, "Lucene70DocValuesData", 0};
    max_version = 0;
  } else if (codec == "Lucene80DocValuesMetadata") {
    o = {Dv::k80, ByteOrder::kBig, "Lucene80DocValuesData", 0};
    max_version = 2;
  } else if (codec == "Lucene90DocValuesMetadata") {
    o = {Dv::k90, ByteOrder::kLittle, "Lucene90DocValuesData", 0};
    max_version = 1;
  } else {
    return Error(ErrorCode::kParse,
                 f.name() + " (" + f.where() + "): doc-values codec \"" + codec +
                     "\" is not one this reader knows (Lucene70, Lucene80, Lucene90 doc values)");
  }
  in.set_order(o.order);
  ESSNAP_TRY(o.version, check_header(in, {codec, 0, max_version, true, id, suffix}));
  return o;
}

Result<Disi> find_entry(const std::shared_ptr<const FileSource>& meta, const FieldInfos& infos,
                        const FieldInfo* target, const SegmentId* id, const std::string* suffix,
                        Opened* opened, int* entries) {
  ESSNAP_TRY_STATUS(check_footer(meta));
  DataInput in(meta);
  ESSNAP_TRY(*opened, open_meta(in, id, suffix));
  MetaReader r{in, opened->kind, opened->version};
  std::optional<Disi> found;
  int n = 0;
  for (;;) {
    ESSNAP_TRY(std::int32_t number, in.i32());
    if (number == -1) break;
    const FieldInfo* f = infos.by_number(number);
    if (!f)
      return in.error("doc values of field number " + std::to_string(number) +
                      ", which the segment's field infos lack");
    ESSNAP_TRY(Disi d, r.entry(*f));
    ++n;
    if (target && f->number == target->number) found = d;
  }
  if (in.position() + format::kFooterLength != meta->length())
    return in.error("bytes between the doc-values entries and the footer");
  if (entries) *entries = n;
  if (!target) return Disi{};
  if (!found)
    return Error(ErrorCode::kParse, meta->name() + " (" + meta->where() +
                                        "): no doc values for field " + target->name);
  return *found;
}

Status read_disi(const std::shared_ptr<const FileSource>& data, const Disi& d, ByteOrder order,
                 DocBits& bits) {
  if (d.offset < 0 || d.length < 0 || static_cast<std::uint64_t>(d.offset) > data->length() ||
      static_cast<std::uint64_t>(d.length) > data->length() - static_cast<std::uint64_t>(d.offset))
    return Error(ErrorCode::kParse, data->name() + " (" + data->where() + "): docs-with-field at " +
                                        std::to_string(d.offset) + "+" + std::to_string(d.length) +
                                        " outside the file");
  DataInput in(data, static_cast<std::uint64_t>(d.offset),
               static_cast<std::uint64_t>(d.offset + d.length), order);
  const std::uint32_t max_doc = bits.size();
  int last_block = -1;
  std::vector<std::uint8_t> dense(8192);
  for (;;) {
    ESSNAP_TRY(std::int16_t raw_block, in.i16());
    ESSNAP_TRY(std::int16_t raw_card, in.i16());
    const int block = static_cast<std::uint16_t>(raw_block);
    const std::uint32_t card = std::uint32_t{static_cast<std::uint16_t>(raw_card)} + 1;
    if (block == 0x7FFF) break;  // NO_MORE_DOCS >>> 16
    if (block <= last_block) return in.error("docs-with-field blocks out of order");
    last_block = block;
    const std::uint32_t base = static_cast<std::uint32_t>(block) << 16;
    auto put = [&](std::uint32_t doc) -> Status {
      if (doc >= max_doc)
        return in.error("document " + std::to_string(doc) + " past maxDoc " +
                        std::to_string(max_doc));
      bits.set(doc);
      return ok_status();
    };
    if (card <= 4095) {
      for (std::uint32_t i = 0; i < card; ++i) {
        ESSNAP_TRY(std::int16_t low, in.i16());
        ESSNAP_TRY_STATUS(put(base + static_cast<std::uint16_t>(low)));
      }
    } else if (card == 65536) {
      for (std::uint32_t i = 0; i < 65536; ++i) ESSNAP_TRY_STATUS(put(base + i));
    } else {
      if (d.dense_rank_power != -1) {
        if (d.dense_rank_power < 7 || d.dense_rank_power > 15)
          return in.error("dense rank power " + std::to_string(d.dense_rank_power));
        ESSNAP_TRY_STATUS(in.skip(1024u >> (d.dense_rank_power - 7)));
      }
      ESSNAP_TRY_STATUS(in.bytes(std::span<std::uint8_t>(dense)));
      std::uint32_t seen = 0;
      for (std::uint32_t w = 0; w < 1024; ++w) {
        std::uint64_t word = 0;
        for (int b = 0; b < 8; ++b) {
          const std::uint64_t byte = dense[w * 8 + static_cast<std::uint32_t>(b)];
          word |= order == ByteOrder::kLittle ? byte << (8 * b) : byte << (8 * (7 - b));
        }
        while (word) {
          const int bit = std::countr_zero(word);
          word &= word - 1;
          ESSNAP_TRY_STATUS(put(base + w * 64 + static_cast<std::uint32_t>(bit)));
          ++seen;
        }
      }
      if (seen != card)
        return in.error("a dense docs-with-field block of " + std::to_string(seen) +
                        " documents, its header says " + std::to_string(card));
    }
  }
  return ok_status();
}

}  // namespace

Result<DocBits> docs_with_field(const std::shared_ptr<const FileSource>& meta,
                                const std::shared_ptr<const FileSource>& data,
                                const FieldInfos& infos, const FieldInfo& field,
                                std::int32_t max_doc, const SegmentId* id,
                                const std::string& suffix) {
  if (max_doc < 0) return Error(ErrorCode::kParse, meta->name() + ": negative maxDoc");
  Opened opened{};
  ESSNAP_TRY(Disi d, find_entry(meta, infos, &field, id, &suffix, &opened, nullptr));
  {
    DataInput din(data, opened.order);
    ESSNAP_TRY(std::int32_t v, check_header(din, {opened.data_codec, 0, 2, true, id, &suffix}));
    if (v != opened.version)
      return din.error("doc-values data version " + std::to_string(v) + ", meta version " +
                       std::to_string(opened.version));
    if (auto sum = footer_checksum(data); !sum) return std::move(sum).error();
  }
  if (d.offset == -2) return DocBits(static_cast<std::uint32_t>(max_doc), false);
  if (d.offset == -1) return DocBits(static_cast<std::uint32_t>(max_doc), true);
  DocBits bits(static_cast<std::uint32_t>(max_doc), false);
  ESSNAP_TRY_STATUS(read_disi(data, d, opened.order, bits));
  return bits;
}

Result<int> check_doc_values_meta(const std::shared_ptr<const FileSource>& meta,
                                  const FieldInfos& infos) {
  Opened opened{};
  int n = 0;
  ESSNAP_TRY(Disi d, find_entry(meta, infos, nullptr, nullptr, nullptr, &opened, &n));
  (void)d;
  return n;
}

}  // namespace essnap::lucene
