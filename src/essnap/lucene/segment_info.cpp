#include "essnap/lucene/segment_info.hpp"

#include "essnap/format/lucene_footer.hpp"

namespace essnap::lucene {

std::string SegmentInfo::attribute(const std::string& key) const {
  auto it = attributes.find(key);
  return it == attributes.end() ? std::string() : it->second;
}

namespace {

Result<LuceneVersion> read_version_ints(DataInput& in) {
  LuceneVersion v;
  ESSNAP_TRY(v.major, in.i32());
  ESSNAP_TRY(v.minor, in.i32());
  ESSNAP_TRY(v.bugfix, in.i32());
  if (v.major < 0 || v.minor < 0 || v.bugfix < 0) return in.error("a negative Lucene version");
  return v;
}

Result<bool> read_yes_no(DataInput& in, const char* what) {
  ESSNAP_TRY(std::uint8_t b, in.byte());
  if (b == 1) return true;
  if (b == 0xFF) return false;  // SegmentInfo.NO = -1
  return in.error(std::string(what) + " byte " + std::to_string(b) + " (1 or -1 expected)");
}

}  // namespace

Result<SegmentInfo> read_segment_info(const std::shared_ptr<const FileSource>& file,
                                      const std::string& segment, const SegmentId& id) {
  ESSNAP_TRY_STATUS(check_footer(file));
  // the codec name decides the byte order; peek it from the header
  std::uint8_t head[4 + 1 + 64];
  const std::size_t take =
      static_cast<std::size_t>(std::min<std::uint64_t>(sizeof head, file->length()));
  ESSNAP_TRY_STATUS(file->read(0, std::span<std::uint8_t>(head, take)));
  std::string codec;
  if (take > 5 && head[4] <= take - 5)
    codec.assign(reinterpret_cast<const char*>(head + 5), head[4]);
  ByteOrder order;
  if (codec == "Lucene70SegmentInfo" || codec == "Lucene86SegmentInfo") {
    order = ByteOrder::kBig;
  } else if (codec == "Lucene90SegmentInfo") {
    order = ByteOrder::kLittle;
  } else {
    return Error(ErrorCode::kParse, file->name() + " (" + file->where() +
                                        "): segment info codec \"" + codec +
                                        "\" is not one this reader knows (Lucene70SegmentInfo, "
                                        "Lucene86SegmentInfo, Lucene90SegmentInfo)");
  }
  DataInput in(file, order);
  const std::string empty;
  ESSNAP_TRY_STATUS(check_header(in, {codec, 0, 0, true, &id, &empty}));
  SegmentInfo si;
  si.name = segment;
  si.codec = codec;
  ESSNAP_TRY(si.version, read_version_ints(in));
  ESSNAP_TRY(std::uint8_t has_min, in.byte());
  if (has_min == 1) {
    ESSNAP_TRY(si.min_version, read_version_ints(in));
  } else if (has_min != 0) {
    return in.error("hasMinVersion byte " + std::to_string(has_min) + " (0 or 1 expected)");
  }
  ESSNAP_TRY(si.max_doc, in.i32());
  if (si.max_doc < 0) return in.error("negative maxDoc " + std::to_string(si.max_doc));
  ESSNAP_TRY(si.compound, read_yes_no(in, "isCompoundFile"));
  if (codec == "Lucene90SegmentInfo" && si.version >= LuceneVersion{9, 9, 0}) {
    ESSNAP_TRY(si.has_blocks, read_yes_no(in, "hasBlocks"));
  }
  ESSNAP_TRY(si.diagnostics, in.string_map());
  ESSNAP_TRY(si.files, in.string_set());
  ESSNAP_TRY(si.attributes, in.string_map());
  ESSNAP_TRY(si.num_sort_fields, in.vint());
  if (si.num_sort_fields < 0)
    return in.error("negative index sort field count " + std::to_string(si.num_sort_fields));
  if (si.num_sort_fields == 0 && in.position() + format::kFooterLength != file->length())
    return in.error(std::to_string(file->length() - format::kFooterLength - in.position()) +
                    " bytes between the segment info and the footer");
  return si;
}

}  // namespace essnap::lucene
