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

enum class Blocks { kAbsent, kPresent };

// From the hasBlocks byte (when present) to the index sort count; checks the file ends there
// when there is no index sort.
Status read_rest(DataInput& in, SegmentInfo& si, Blocks blocks) {
  if (blocks == Blocks::kPresent) {
    ESSNAP_TRY(si.has_blocks, read_yes_no(in, "hasBlocks"));
  }
  ESSNAP_TRY(si.diagnostics, in.string_map());
  ESSNAP_TRY(si.files, in.string_set());
  ESSNAP_TRY(si.attributes, in.string_map());
  ESSNAP_TRY(si.num_sort_fields, in.vint());
  if (si.num_sort_fields < 0)
    return in.error("negative index sort field count " + std::to_string(si.num_sort_fields));
  const std::uint64_t end = in.file().length() - format::kFooterLength;
  if (si.num_sort_fields == 0 && in.position() != end)
    return in.error("the segment info ends " +
                    (in.position() < end ? std::to_string(end - in.position()) + " bytes before"
                                         : std::string("past")) +
                    " the footer");
  return ok_status();
}

}  // namespace

Result<SegmentInfo> read_segment_info(const std::shared_ptr<const FileSource>& file,
                                      const std::string& segment, const SegmentId& id) {
  ESSNAP_TRY_STATUS(check_footer(file));
  // the codec name decides the byte order; peek it from the header
  // the codec decides the grammar and byte order; check_header below checks the header whole
  auto peeked = peek_codec(*file);
  const std::string codec = peeked.ok() ? *peeked : std::string();
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
  if (codec != "Lucene90SegmentInfo") {
    ESSNAP_TRY_STATUS(read_rest(in, si, Blocks::kAbsent));
    return si;
  }
  // Lucene90SegmentInfoFormat and Lucene99SegmentInfoFormat share codec name and version: the
  // segment's version says which wrote it (9.9.0 made the latter the writing format); should
  // that reading fail (a writer on an older codec), the other one is tried.
  const Blocks first = si.version >= LuceneVersion{9, 9, 0} ? Blocks::kPresent : Blocks::kAbsent;
  const std::uint64_t at = in.position();
  SegmentInfo tried = si;
  Status s = read_rest(in, tried, first);
  if (s) return tried;
  ESSNAP_TRY_STATUS(in.seek(at));
  tried = si;
  if (read_rest(in, tried, first == Blocks::kPresent ? Blocks::kAbsent : Blocks::kPresent))
    return tried;
  return std::move(s).error();
}

}  // namespace essnap::lucene
