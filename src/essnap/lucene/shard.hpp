// One shard of a snapshot as a Lucene index, read straight from the repository: the files of
// its shard snapshot (snap-<uuid>.dat) as FileSources read by ranged reads across their blob
// parts ("__<id>", "__<id>.partN") or held in the snapshot itself ("v__<id>": meta_hash) —
// nothing is staged to local disk — then the commit (newest segments_N), and per segment its
// .si, compound file, field infos (+ updates), live docs (.liv) and soft deletes.
//
// live(doc)      = not deleted in the .liv (delGen) and no value in the soft-deletes field
//                  (flagged in the field infos; Elasticsearch's "__soft_deletes", read from the
//                  doc values of its dvGen: the update files _<seg>_<gen36>_<format>_<n>.dvm/.dvd
//                  sit outside the compound file). Counts are checked against the commit's
//                  delCount / softDelCount.
// top_level(doc) = the document has a `_primary_term` doc value, or a value in the field flagged
//                  as Lucene's parent field: what Elasticsearch (indices created since 6.1) and
//                  OpenSearch use to tell a top-level document from the nested child documents
//                  stored before it in the same block (Queries.newNonNestedFilter). Indices
//                  older than 6.1 have no such field: every document is then counted.
// Memory: two bit sets of maxDoc bits per segment (live, top-level) and read windows of 64 KiB.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "essnap/blob/blob_store.hpp"
#include "essnap/format/shard_snapshot.hpp"
#include "essnap/lucene/compound.hpp"
#include "essnap/lucene/field_infos.hpp"
#include "essnap/lucene/input.hpp"
#include "essnap/lucene/live_docs.hpp"
#include "essnap/lucene/segment_info.hpp"
#include "essnap/lucene/segment_infos.hpp"
#include "essnap/util/result.hpp"

namespace essnap::lucene {

// The Lucene files of one shard by physical name.
class ShardDirectory {
 public:
  virtual ~ShardDirectory() = default;
  virtual std::vector<std::string> names() const = 0;
  virtual bool contains(const std::string& name) const = 0;
  // kParse naming the file when the shard has no such file.
  virtual Result<std::shared_ptr<const FileSource>> open(const std::string& name) const = 0;
};

// A shard snapshot's files in `store`: `shard_dir` is the shard's folder ("indices/<index
// id>/<shard>"). The store must outlive the directory and every file opened from it.
std::shared_ptr<const ShardDirectory> snapshot_directory(blob::BlobStore& store,
                                                         std::string shard_dir,
                                                         const format::ShardSnapshot& snapshot);
// Files held in memory (tests, fuzzing).
std::shared_ptr<const ShardDirectory> memory_directory(
    std::vector<std::shared_ptr<const FileSource>> files);

// One file of a shard snapshot as a FileSource: ranged reads of its parts (or its meta_hash).
std::shared_ptr<const FileSource> snapshot_file(blob::BlobStore& store, std::string shard_dir,
                                                format::FileInfo info);

class Segment {
 public:
  SegmentCommitInfo commit;  // what segments_N says of it
  SegmentInfo info;          // its .si: max_doc, compound, attributes (stored-fields mode, ...)
  FieldInfos field_infos;    // its .fnm, or the newest _<seg>_<gen>.fnm
  DocBits live;              // not hard- and not soft-deleted
  std::optional<DocBits> top_level;  // nullopt: no field tells nested documents apart

  const std::string& name() const { return info.name; }
  // The segment id every index header of its files carries (CodecHeaderCheck::expected_id).
  const SegmentId& id() const { return commit.id; }
  std::int32_t max_doc() const { return info.max_doc; }
  std::uint32_t live_count() const { return live.count(); }
  // Live documents that are not nested children.
  std::uint32_t live_top_level_count() const;
  bool is_live_top_level(std::uint32_t doc) const {
    return live.get(doc) && (!top_level || top_level->get(doc));
  }
  // Any file of the segment by name ("_0.fdt", "_0_Lucene90_0.dvd"): from its compound file
  // when it holds it, else from the shard.
  Result<std::shared_ptr<const FileSource>> open(const std::string& file_name) const;

 private:
  friend class ShardOpener;
  std::shared_ptr<const ShardDirectory> dir_;
  std::optional<CompoundFile> compound_;
};

struct Shard {
  std::string segments_file;  // "segments_5"
  SegmentInfos commit;
  std::vector<Segment> segments;

  // Live documents that are not nested children: what the index's _count answers.
  std::uint64_t live_document_count() const;
  // Every live Lucene document, nested children included (_stats docs.count).
  std::uint64_t live_lucene_document_count() const;
};

// Opens the shard's newest commit and every segment of it.
Result<Shard> open_shard(std::shared_ptr<const ShardDirectory> dir);
// The same from a shard snapshot in a repository.
Result<Shard> open_shard(blob::BlobStore& store, const std::string& shard_dir,
                         const format::ShardSnapshot& snapshot);

}  // namespace essnap::lucene
