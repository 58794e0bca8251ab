// <seg>.cfe / <seg>.cfs: the compound file, every file of a segment but its .si (and the
// generation files written later: .liv, _<gen>.fnm, doc-values updates) in one data file, with
// an entries table beside it.
//
//   .cfe := IndexHeader(entriesCodec, 0, segmentId, "") count:vint
//           (suffix:string offset:long length:long)*count Footer
//           suffix = the file's name without the segment name (".fnm", "_Lucene90_0.dvd")
//   .cfs := IndexHeader(dataCodec, 0, segmentId, "") file bytes... Footer
//           each entry is a whole Lucene file (its own header and footer) at offset..+length
//   Lucene50CompoundFormat (Lucene 5–8): "Lucene50CompoundEntries" / "Lucene50CompoundData",
//     longs big-endian; Lucene90CompoundFormat (9, 10): "Lucene90CompoundEntries" /
//     "Lucene90CompoundData", longs little-endian.
// Upstream read: lucene/backward-codecs/.../lucene50/Lucene50CompoundReader.java and
// lucene/core/.../codecs/lucene90/Lucene90CompoundReader.java (readEntries; the data file's
// header is checked, its footer's structure retrieved, entries must lie inside it).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "essnap/lucene/file_names.hpp"
#include "essnap/lucene/input.hpp"
#include "essnap/util/result.hpp"

namespace essnap::lucene {

struct CompoundEntry {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

class CompoundFile {
 public:
  // file name ("_0.fnm") -> where it lies in the data file
  const std::map<std::string, CompoundEntry>& entries() const { return entries_; }
  bool contains(const std::string& file_name) const { return entries_.count(file_name) != 0; }
  // An entry as a file of its own (a slice of the .cfs); kParse naming it when absent.
  Result<std::shared_ptr<const FileSource>> open(const std::string& file_name) const;
  const FileSource& data() const { return *data_; }

 private:
  friend Result<CompoundFile> open_compound(std::shared_ptr<const FileSource>,
                                            std::shared_ptr<const FileSource>, const std::string&,
                                            const SegmentId&);
  std::shared_ptr<const FileSource> data_;
  std::map<std::string, CompoundEntry> entries_;
};

// Reads the entries (.cfe, footer checked) and checks the data file's header and footer
// structure; entries outside the data file are kParse. Whole-.cfs checksums are not computed
// here (each entry's own footer is checked by its reader).
Result<CompoundFile> open_compound(std::shared_ptr<const FileSource> entries,
                                   std::shared_ptr<const FileSource> data,
                                   const std::string& segment, const SegmentId& id);

// Parses a .cfe alone (the fuzz target's entry point): entries by file name.
Result<std::map<std::string, CompoundEntry>> read_compound_entries(
    const std::shared_ptr<const FileSource>& entries, const std::string& segment,
    const SegmentId* id, ByteOrder* order_out = nullptr);

}  // namespace essnap::lucene
