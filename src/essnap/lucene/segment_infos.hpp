// segments_N: the commit point of a Lucene index, the list of its segments (SegmentInfos).
// Every fixed-width number of segments_N is big-endian in every version (Lucene 9+ writes it
// with CodecUtil.writeBEInt/writeBELong); vints are byte-order free.
//
//   segments_N := IndexHeader("segments", format, commitId[16], suffix = N in base 36)
//                 luceneVersion:vint*3 indexCreatedMajor:vint        (the latter from format 7)
//                 version:be64 counter:(format>=8 ? vlong : be32) segCount:be32
//                 [minSegmentVersion:vint*3 if segCount > 0]
//                 segment*segCount userData:map<string,string> Footer
//   segment    := name:string segId:byte[16] codec:string delGen:be64 delCount:be32
//                 fieldInfosGen:be64 dvGen:be64 [softDelCount:be32 if format>=9]
//                 [sciIdMarker:byte (0|1) sciId:byte[16] if marker==1; if format>=10]
//                 fieldInfosFiles:set<string> dvFieldCount:be32 (field:be32 files:set<string>)*
//                 [overlayCount:be32 (field:be32 baseGen:be64 n:be32 gen:be64*n)* if format>=11]
//   format     := 6 (VERSION_53, Lucene 6) | 7 (VERSION_70) | 8 (VERSION_72) | 9 (VERSION_74,
//                 Lucene 7.4–8.5) | 10 (VERSION_86, Lucene 8.6–10.x) | 11 (VERSION_10_6)
//   delGen / fieldInfosGen / dvGen = -1 when none.
// Upstream read: lucene/core/src/java/org/apache/lucene/index/SegmentInfos.java (apache/lucene
// main: VERSION_74..VERSION_10_6 with readBEInt/readBELong; Lucene 7.x/8.x readCommit, where
// counter is a be32 up to VERSION_70 and softDelCount starts after VERSION_72).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "essnap/lucene/file_names.hpp"
#include "essnap/lucene/input.hpp"
#include "essnap/util/result.hpp"

namespace essnap::lucene {

struct SegmentCommitInfo {
  std::string name;  // "_3"
  SegmentId id{};
  std::string codec;  // "Lucene90", "Elasticsearch900Lucene101", "ZSTD", ...
  std::int64_t del_gen = -1;
  std::int32_t del_count = 0;  // hard deletes (in the .liv)
  std::int64_t field_infos_gen = -1;
  std::int64_t dv_gen = -1;
  std::int32_t soft_del_count = 0;  // soft-deleted and not hard-deleted
  std::optional<SegmentId> sci_id;
  std::set<std::string> field_infos_files;
  std::map<std::int32_t, std::set<std::string>> dv_update_files;  // field number -> files
};

struct SegmentInfos {
  std::int32_t format = 0;
  SegmentId id{};
  std::int64_t generation = 0;
  LuceneVersion lucene_version;
  int index_created_major = 6;
  std::int64_t version = 0;
  std::int64_t counter = 0;
  std::optional<LuceneVersion> min_segment_version;
  std::vector<SegmentCommitInfo> segments;
  std::map<std::string, std::string> user_data;
};

constexpr std::int32_t kSegmentsFormatMin = 6;   // VERSION_53
constexpr std::int32_t kSegmentsFormatMax = 11;  // VERSION_10_6

// Reads segments_N (its generation from file.name()), checking the header's suffix and the
// footer's checksum. kParse naming the file on any malformation.
Result<SegmentInfos> read_segment_infos(const std::shared_ptr<const FileSource>& file);

// The newest commit among file names: the segments_N of the highest N (what
// SegmentInfos.getLastCommitSegmentsFileName picks); nullopt when there is none.
std::optional<std::string> latest_segments_file(const std::vector<std::string>& file_names);

}  // namespace essnap::lucene
