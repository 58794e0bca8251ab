// Lucene's file naming (IndexFileNames.java, SegmentInfos.java), the segment id and the Lucene
// version triple shared by the parsers of lucene/.
//   segments_N         N = the commit generation in base 36 ("segments" alone = generation 0)
//   _<seg>.<ext>       a segment's file; _<seg>_<suffix>.<ext> with a segment suffix
//   _<seg>_<gen36>.liv live docs of deletion generation gen (fileNameFromGeneration; gen 0 = no
//                      "_<gen>" part, gen -1 = no file)
//   _<seg>_<gen36>.fnm field infos of field-infos generation gen
//   _<seg>[_<gen36>]_<format>_<n>.dvm/.dvd  per-field doc values (PerFieldDocValuesFormat), the
//                      generation part only for doc-values updates
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace essnap::lucene {

using SegmentId = std::array<std::uint8_t, 16>;  // StringHelper.ID_LENGTH

struct LuceneVersion {
  int major = 0;
  int minor = 0;
  int bugfix = 0;
  std::string str() const;
  auto operator<=>(const LuceneVersion&) const = default;
};

// Long.toString(n, 36) (Character.MAX_RADIX), as Lucene names generations.
std::string to_base36(std::int64_t n);
// Long.parseLong(s, 36); nullopt unless s is [0-9a-z]+ and fits.
std::optional<std::int64_t> from_base36(std::string_view s);

// IndexFileNames.segmentFileName: name + ("_" + suffix if any) + "." + ext.
std::string segment_file_name(std::string_view segment, std::string_view suffix,
                              std::string_view ext);
// IndexFileNames.fileNameFromGeneration: nullopt for gen -1, base.ext for 0, base_<gen36>.ext.
std::optional<std::string> file_name_from_generation(std::string_view base, std::string_view ext,
                                                     std::int64_t gen);
// The generation of "segments_N" (0 for "segments"); nullopt for any other name, incl.
// "segments.gen" and "pending_segments_N".
std::optional<std::int64_t> segments_generation(std::string_view file_name);
// The segment name of a file ("_3" of "_3_1.liv", "_3.cfs"): up to the first '_' or '.' after the
// leading '_' (IndexFileNames.parseSegmentName); empty when the name does not start with '_'.
std::string segment_name_of(std::string_view file_name);

// Hex of a segment id, for messages.
std::string id_hex(const SegmentId& id);

}  // namespace essnap::lucene
