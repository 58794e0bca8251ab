#include "essnap/lucene/field_infos.hpp"

#include "essnap/format/lucene_footer.hpp"

namespace essnap::lucene {

std::string FieldInfo::attribute(const std::string& key) const {
  auto it = attributes.find(key);
  return it == attributes.end() ? std::string() : it->second;
}

FieldInfos::FieldInfos(std::vector<FieldInfo> fields) : fields_(std::move(fields)) {
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    by_number_[fields_[i].number] = i;
    by_name_[fields_[i].name] = i;
  }
}

const FieldInfo* FieldInfos::by_number(std::int32_t number) const {
  auto it = by_number_.find(number);
  return it == by_number_.end() ? nullptr : &fields_[it->second];
}

const FieldInfo* FieldInfos::by_name(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &fields_[it->second];
}

const FieldInfo* FieldInfos::soft_deletes_field() const {
  for (const auto& f : fields_)
    if (f.soft_deletes()) return &f;
  return nullptr;
}

namespace {

enum class Fnm { k60, k90, k94 };

}  // namespace

Result<FieldInfos> read_field_infos(const std::shared_ptr<const FileSource>& file,
                                    const SegmentId* id, const std::string& suffix) {
  ESSNAP_TRY_STATUS(check_footer(file));
  // the codec decides the grammar and byte order; check_header below checks the header whole
  auto peeked = peek_codec(*file);
  const std::string codec = peeked.ok() ? *peeked : std::string();
  Fnm kind;
  std::int32_t max_format;
  if (codec == "Lucene60FieldInfos") {
    kind = Fnm::k60;
    max_format = 2;
  } else if (codec == "Lucene90FieldInfos") {
    kind = Fnm::k90;
    max_format = 0;
  } else if (codec == "Lucene94FieldInfos") {
    kind = Fnm::k94;
    max_format = 2;
  } else {
    return Error(ErrorCode::kParse, file->name() + " (" + file->where() +
                                        "): field infos codec \"" + codec +
                                        "\" is not Lucene60FieldInfos, Lucene90FieldInfos or "
                                        "Lucene94FieldInfos");
  }
  DataInput in(file, kind == Fnm::k60 ? ByteOrder::kBig : ByteOrder::kLittle);
  ESSNAP_TRY(std::int32_t format, check_header(in, {codec, 0, max_format, true, id, &suffix}));
  ESSNAP_TRY(std::int32_t count, in.vint());
  // a field takes at least 16 bytes (name, number, 3 bytes, dvGen, map, dims)
  if (count < 0 || static_cast<std::uint64_t>(count) > in.remaining() / 14)
    return in.error(std::to_string(count) + " fields with " + std::to_string(in.remaining()) +
                    " bytes left");
  std::vector<FieldInfo> fields;
  fields.reserve(static_cast<std::size_t>(count));
  std::map<std::int32_t, std::string> seen;
  for (std::int32_t i = 0; i < count; ++i) {
    FieldInfo f;
    ESSNAP_TRY(f.name, in.string());
    ESSNAP_TRY(f.number, in.vint());
    if (f.number < 0) return in.error("field " + f.name + ": negative number");
    if (!seen.emplace(f.number, f.name).second)
      return in.error("field number " + std::to_string(f.number) + " given to both " +
                      seen[f.number] + " and " + f.name);
    ESSNAP_TRY(f.bits, in.byte());
    ESSNAP_TRY(f.index_options, in.byte());
    if (f.index_options > 4)
      return in.error("field " + f.name + ": index options " + std::to_string(f.index_options));
    ESSNAP_TRY(std::uint8_t dv, in.byte());
    if (kind == Fnm::k60) dv &= 0x0F;
    if (dv > 5) return in.error("field " + f.name + ": doc-values type " + std::to_string(dv));
    f.dv_type = static_cast<DocValuesType>(dv);
    if (kind == Fnm::k94 && format >= 2) {
      ESSNAP_TRY(std::uint8_t skip, in.byte());
      if (skip > 1)
        return in.error("field " + f.name + ": doc-values skip index type " + std::to_string(skip));
      f.dv_skip_index = skip == 1;
    }
    ESSNAP_TRY(f.dv_gen, in.i64());
    ESSNAP_TRY(f.attributes, in.string_map());
    ESSNAP_TRY(f.point_dims, in.vint());
    if (f.point_dims != 0) {
      if (kind != Fnm::k60 || format >= 2) {
        ESSNAP_TRY(std::int32_t index_dims, in.vint());
        (void)index_dims;
      }
      ESSNAP_TRY(std::int32_t num_bytes, in.vint());
      (void)num_bytes;
    }
    if (kind != Fnm::k60) {
      ESSNAP_TRY(f.vector_dims, in.vint());
      if (kind == Fnm::k94) {
        ESSNAP_TRY(std::uint8_t encoding, in.byte());
        (void)encoding;
      }
      ESSNAP_TRY(std::uint8_t similarity, in.byte());
      (void)similarity;
    }
    fields.push_back(std::move(f));
  }
  if (in.position() + format::kFooterLength != file->length())
    return in.error("bytes between the field infos and the footer");
  FieldInfos infos(std::move(fields));
  infos.codec = codec;
  return infos;
}

}  // namespace essnap::lucene
