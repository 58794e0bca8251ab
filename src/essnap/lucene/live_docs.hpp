// Which documents of a segment are live: <seg>_<delGen36>.liv (hard deletes, LiveDocsFormat)
// and a bit set of documents (FixedBitSet) shared with the doc-values reader.
//
//   .liv := IndexHeader(codec, 0, segmentId, suffix = delGen in base 36)
//           word:long * ceil(maxDoc / 64) Footer
//           bit d of word d/64 (lowest bit first) set = document d is live
//   codec "Lucene50LiveDocs" (Lucene 5–8, longs big-endian),
//         "Lucene90LiveDocs" (Lucene 9, 10, longs little-endian)
//   maxDoc - cardinality must equal the commit's delCount.
// Upstream read: lucene/backward-codecs/.../lucene50/Lucene50LiveDocsFormat.java,
// lucene/core/.../codecs/lucene90/Lucene90LiveDocsFormat.java (readLiveDocs).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "essnap/lucene/file_names.hpp"
#include "essnap/lucene/input.hpp"
#include "essnap/util/result.hpp"

namespace essnap::lucene {

// A set of document numbers [0, size) (Lucene's FixedBitSet): size/8 bytes.
class DocBits {
 public:
  DocBits() = default;
  DocBits(std::uint32_t size, bool all);
  std::uint32_t size() const { return size_; }
  bool get(std::uint32_t doc) const { return doc < size_ && (words_[doc >> 6] >> (doc & 63)) & 1; }
  void set(std::uint32_t doc) { words_[doc >> 6] |= std::uint64_t{1} << (doc & 63); }
  void clear(std::uint32_t doc) { words_[doc >> 6] &= ~(std::uint64_t{1} << (doc & 63)); }
  std::uint32_t count() const;
  std::vector<std::uint64_t>& words() { return words_; }
  const std::vector<std::uint64_t>& words() const { return words_; }

 private:
  std::uint32_t size_ = 0;
  std::vector<std::uint64_t> words_;
};

// Reads the live docs of a segment of `max_doc` documents at deletion generation `del_gen`,
// checking header (id, suffix), footer and that exactly `del_count` documents are deleted.
Result<DocBits> read_live_docs(const std::shared_ptr<const FileSource>& file, std::int32_t max_doc,
                               const SegmentId* id, std::int64_t del_gen, std::int32_t del_count);

}  // namespace essnap::lucene
