// <seg>.si: one segment's own description (SegmentInfoFormat): its document count (maxDoc),
// whether it lives in a compound file, its files and attributes (e.g. the stored-fields mode
// "Lucene90StoredFieldsFormat.mode" = BEST_SPEED | BEST_COMPRESSION).
//
//   .si := IndexHeader(codec, 0, segmentId, suffix "") version:int*3 hasMinVersion:byte
//          [minVersion:int*3 if hasMinVersion == 1] maxDoc:int isCompound:byte (1 yes, -1 no)
//          [hasBlocks:byte if Lucene99SegmentInfoFormat] diagnostics:map<string,string>
//          files:set<string> attributes:map<string,string> numSortFields:vint sortField*
//          Footer
//   codec "Lucene70SegmentInfo"  Lucene 7.0–8.5   ints big-endian; sortField = name:string
//                                                  type:vint reverse:byte missing...
//         "Lucene86SegmentInfo"  Lucene 8.6–8.11  ints big-endian; sortField = provider:string
//                                                  + the provider's own bytes
//         "Lucene90SegmentInfo"  Lucene 9.0–9.8   ints little-endian
//         "Lucene90SegmentInfo"  Lucene 9.9+ (Lucene99SegmentInfoFormat, same codec name and
//                                version 0): a hasBlocks byte after isCompound. Told apart by
//                                the segment's own version (>= 9.9.0), which is what picks the
//                                format upstream (the codec of 9.9+ writers); when that reading
//                                fails, the other layout is tried.
// Index sorts are not decoded (their fields are not needed to read documents): the count is
// kept, the bytes after it are covered by the footer's checksum.
// Upstream read: lucene/backward-codecs/.../lucene70/Lucene70SegmentInfoFormat.java,
// .../lucene86/Lucene86SegmentInfoFormat.java, .../lucene90/Lucene90SegmentInfoFormat.java,
// lucene/core/.../codecs/lucene99/Lucene99SegmentInfoFormat.java.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "essnap/lucene/file_names.hpp"
#include "essnap/lucene/input.hpp"
#include "essnap/util/result.hpp"

namespace essnap::lucene {

struct SegmentInfo {
  std::string name;
  std::string codec;  // the .si header's codec ("Lucene90SegmentInfo")
  LuceneVersion version;
  std::optional<LuceneVersion> min_version;
  std::int32_t max_doc = 0;
  bool compound = false;
  bool has_blocks = false;
  std::map<std::string, std::string> diagnostics;
  std::set<std::string> files;
  std::map<std::string, std::string> attributes;
  std::int32_t num_sort_fields = 0;

  // The attribute, or "" when absent.
  std::string attribute(const std::string& key) const;
};

// Reads <segment>.si, checking the header's segment id against the commit's and the footer.
Result<SegmentInfo> read_segment_info(const std::shared_ptr<const FileSource>& file,
                                      const std::string& segment, const SegmentId& id);

}  // namespace essnap::lucene
