// <seg>[_<gen36>].fnm: the fields of a segment (FieldInfosFormat): number -> name, doc-values
// type and generation, the soft-deletes flag, attributes (the per-field doc-values format and
// suffix, "PerFieldDocValuesFormat.format" / ".suffix"). Stored fields have no flag here:
// whether a field is stored shows only in the .fdt.
//
//   .fnm := IndexHeader(codec, format, segmentId, suffix = fieldInfosGen in base 36 or "")
//           count:vint field*count Footer
//   field := name:string number:vint bits:byte indexOptions:byte dvType:byte
//            [dvSkipIndex:byte if Lucene94 format >= 2] dvGen:long attributes:map<string,string>
//            pointDims:vint [pointIndexDims:vint (Lucene60 format >= 2, Lucene90+)
//            pointNumBytes:vint if pointDims != 0]
//            [vectorDims:vint similarity:byte if Lucene90]
//            [vectorDims:vint vectorEncoding:byte similarity:byte if Lucene94]
//   bits  := 0x1 term vectors | 0x2 omit norms | 0x4 payloads | 0x8 soft-deletes field
//            (Lucene60 format >= 1) | 0x10 parent field (Lucene94 format >= 1)
//   dvType := 0 none | 1 numeric | 2 binary | 3 sorted | 4 sorted set | 5 sorted numeric
//            (Lucene60 keeps it in the low 4 bits)
//   codec "Lucene60FieldInfos" formats 0..2 (Lucene 6–8, big-endian dvGen)
//         "Lucene90FieldInfos" format 0 (Lucene 9.0–9.3, little-endian)
//         "Lucene94FieldInfos" formats 0..2 (Lucene 9.4+, 10; 2 = doc-values skip index)
// Upstream read: lucene/backward-codecs/.../lucene60/Lucene60FieldInfosFormat.java,
// .../lucene90/Lucene90FieldInfosFormat.java,
// lucene/core/.../lucene94/Lucene94FieldInfosFormat.java.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "essnap/lucene/file_names.hpp"
#include "essnap/lucene/input.hpp"
#include "essnap/util/result.hpp"

namespace essnap::lucene {

enum class DocValuesType : std::uint8_t {
  kNone = 0,
  kNumeric = 1,
  kBinary = 2,
  kSorted = 3,
  kSortedSet = 4,
  kSortedNumeric = 5
};

struct FieldInfo {
  std::string name;
  std::int32_t number = 0;
  std::uint8_t bits = 0;
  std::uint8_t index_options = 0;  // 0 none .. 4 docs+freqs+positions+offsets
  DocValuesType dv_type = DocValuesType::kNone;
  bool dv_skip_index = false;
  std::int64_t dv_gen = -1;
  std::map<std::string, std::string> attributes;
  std::int32_t point_dims = 0;
  std::int32_t vector_dims = 0;

  bool soft_deletes() const { return bits & 0x8; }
  bool parent_field() const { return bits & 0x10; }
  std::string attribute(const std::string& key) const;
};

class FieldInfos {
 public:
  FieldInfos() = default;
  explicit FieldInfos(std::vector<FieldInfo> fields);
  const std::vector<FieldInfo>& fields() const { return fields_; }
  const FieldInfo* by_number(std::int32_t number) const;
  const FieldInfo* by_name(const std::string& name) const;
  // The field flagged as the soft-deletes field, if any.
  const FieldInfo* soft_deletes_field() const;
  std::string codec;  // the .fnm header's codec

 private:
  std::vector<FieldInfo> fields_;
  std::map<std::int32_t, std::size_t> by_number_;
  std::map<std::string, std::size_t> by_name_;
};

// Reads a .fnm; `suffix` is "" for the segment's own, the field-infos generation in base 36 for
// an update (_<seg>_<gen36>.fnm). The header's id is checked when `id` is given.
Result<FieldInfos> read_field_infos(const std::shared_ptr<const FileSource>& file,
                                    const SegmentId* id, const std::string& suffix);

}  // namespace essnap::lucene
