#include "essnap/lucene/segment_infos.hpp"

namespace essnap::lucene {
namespace {

constexpr std::int32_t kVersion70 = 7;
constexpr std::int32_t kVersion72 = 8;
constexpr std::int32_t kVersion74 = 9;
constexpr std::int32_t kVersion106 = 11;

Result<LuceneVersion> read_version_vints(DataInput& in) {
  LuceneVersion v;
  ESSNAP_TRY(v.major, in.vint());
  ESSNAP_TRY(v.minor, in.vint());
  ESSNAP_TRY(v.bugfix, in.vint());
  return v;
}

Result<SegmentId> read_id(DataInput& in) {
  SegmentId id{};
  ESSNAP_TRY_STATUS(in.bytes(std::span<std::uint8_t>(id.data(), id.size())));
  return id;
}

Result<SegmentCommitInfo> read_segment(DataInput& in, std::int32_t format) {
  SegmentCommitInfo s;
  ESSNAP_TRY(s.name, in.string());
  ESSNAP_TRY(s.id, read_id(in));
  ESSNAP_TRY(s.codec, in.string());
  ESSNAP_TRY(s.del_gen, in.be_i64());
  ESSNAP_TRY(s.del_count, in.be_i32());
  if (s.del_count < 0) return in.error("segment " + s.name + ": negative deletion count");
  ESSNAP_TRY(s.field_infos_gen, in.be_i64());
  ESSNAP_TRY(s.dv_gen, in.be_i64());
  if (format > kVersion72) {
    ESSNAP_TRY(s.soft_del_count, in.be_i32());
    if (s.soft_del_count < 0)
      return in.error("segment " + s.name + ": negative soft deletion count");
  }
  if (format > kVersion74) {
    ESSNAP_TRY(std::uint8_t marker, in.byte());
    if (marker == 1) {
      ESSNAP_TRY(s.sci_id, read_id(in));
    } else if (marker != 0) {
      return in.error("segment " + s.name + ": commit-info id marker " + std::to_string(marker) +
                      " (0 or 1 expected)");
    }
  }
  ESSNAP_TRY(s.field_infos_files, in.string_set());
  ESSNAP_TRY(std::int32_t dv_fields, in.be_i32());
  if (dv_fields < 0 || static_cast<std::uint64_t>(dv_fields) > in.remaining() / 5)
    return in.error("segment " + s.name + ": " + std::to_string(dv_fields) +
                    " doc-values update fields");
  for (std::int32_t i = 0; i < dv_fields; ++i) {
    ESSNAP_TRY(std::int32_t field, in.be_i32());
    ESSNAP_TRY(s.dv_update_files[field], in.string_set());
  }
  if (format >= kVersion106) {
    // per-field doc-values overlays (incremental updates): read past them; the overlaid
    // generations are in the field infos' dvGen and the update files above
    ESSNAP_TRY(std::int32_t overlays, in.be_i32());
    if (overlays < 0 || static_cast<std::uint64_t>(overlays) > in.remaining() / 16)
      return in.error("segment " + s.name + ": " + std::to_string(overlays) +
                      " doc-values overlays");
    for (std::int32_t i = 0; i < overlays; ++i) {
      ESSNAP_TRY_STATUS(in.skip(4 + 8));
      ESSNAP_TRY(std::int32_t deltas, in.be_i32());
      if (deltas < 0 || static_cast<std::uint64_t>(deltas) > in.remaining() / 8)
        return in.error("segment " + s.name + ": " + std::to_string(deltas) +
                        " overlay generations");
      ESSNAP_TRY_STATUS(in.skip(static_cast<std::uint64_t>(deltas) * 8));
    }
  }
  return s;
}

}  // namespace

Result<SegmentInfos> read_segment_infos(const std::shared_ptr<const FileSource>& file) {
  auto gen = segments_generation(file->name());
  if (!gen)
    return Error(ErrorCode::kParse,
                 file->name() + " (" + file->where() + "): not a segments_N file name");
  ESSNAP_TRY_STATUS(check_footer(file));
  DataInput in(file, ByteOrder::kBig);
  SegmentInfos infos;
  infos.generation = *gen;
  const std::string suffix = to_base36(*gen);
  SegmentId id{};
  CodecHeaderCheck check{"segments", kSegmentsFormatMin, kSegmentsFormatMax, true, nullptr,
                         &suffix};
  ESSNAP_TRY(infos.format, check_header(in, check));
  // the commit id sits inside the header: 4 magic + 1 + 8 "segments" + 4 version
  ESSNAP_TRY_STATUS(file->read(4 + 1 + 8 + 4, std::span<std::uint8_t>(id.data(), id.size())));
  infos.id = id;
  ESSNAP_TRY(infos.lucene_version, read_version_vints(in));
  if (infos.format >= kVersion70) {
    ESSNAP_TRY(infos.index_created_major, in.vint());
    if (infos.index_created_major > infos.lucene_version.major)
      return in.error("index created by Lucene " + std::to_string(infos.index_created_major) +
                      ", after the version that wrote the commit (" + infos.lucene_version.str() +
                      ")");
  }
  ESSNAP_TRY(infos.version, in.be_i64());
  if (infos.format > kVersion70) {
    ESSNAP_TRY(infos.counter, in.vlong());
  } else {
    ESSNAP_TRY(infos.counter, in.be_i32());
  }
  ESSNAP_TRY(std::int32_t count, in.be_i32());
  // a segment takes at least 16 (id) + 2 (name, codec) + 28 bytes: never trust the count
  if (count < 0 || static_cast<std::uint64_t>(count) > in.remaining() / 46)
    return in.error("segment count " + std::to_string(count) + " with " +
                    std::to_string(in.remaining()) + " bytes left");
  if (count > 0) {
    ESSNAP_TRY(infos.min_segment_version, read_version_vints(in));
  }
  infos.segments.reserve(static_cast<std::size_t>(count));
  for (std::int32_t i = 0; i < count; ++i) {
    ESSNAP_TRY(SegmentCommitInfo s, read_segment(in, infos.format));
    infos.segments.push_back(std::move(s));
  }
  ESSNAP_TRY(infos.user_data, in.string_map());
  if (in.position() + 16 != file->length())
    return in.error(std::to_string(file->length() - 16 - in.position()) +
                    " bytes between the commit's user data and the footer");
  return infos;
}

std::optional<std::string> latest_segments_file(const std::vector<std::string>& names) {
  std::optional<std::string> best;
  std::int64_t best_gen = -1;
  for (const auto& n : names) {
    auto g = segments_generation(n);
    if (g && *g > best_gen) {
      best_gen = *g;
      best = n;
    }
  }
  return best;
}

}  // namespace essnap::lucene
