// What a drill compares a restored index with: the snapshot's own account of its documents.
// `SnapshotDocuments` is the seam; `SegmentDocuments` reads the snapshot's Lucene segments from
// the repository's blobs (lucene/, through inspect::Repository: live counts per index, `_source`
// by `_id`), and `RecordedCounts` answers from the counts essnap recorded in the snapshot's
// metadata when it took it (snapshot/documents_metadata.hpp) and reads no document — the
// fallback when the repository's blobs cannot be read from where the drill runs.
// `snapshot_documents` is the one place a drill gets its source.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "essnap/blob/open.hpp"
#include "essnap/cluster/client.hpp"
#include "essnap/cluster/snapshots.hpp"
#include "essnap/inspect/walker.hpp"
#include "essnap/util/result.hpp"

namespace essnap::drill {

// The documents of one snapshot, by the names its indices have in the snapshot. Errors: kParse or
// kIncomplete mean the snapshot's bytes are damaged (the drill fails, exit 9, with the message,
// which should name the blob); any other code means they could not be read (the drill stops
// with that error, no verdict).
class SnapshotDocuments {
 public:
  virtual ~SnapshotDocuments() = default;
  // Where the counts come from, for the report: "recorded by essnap when the snapshot was taken",
  // "read from the snapshot's segments".
  virtual std::string count_source() const = 0;
  // Live (not deleted) top-level documents of `index` in the snapshot; nullopt: not known (the
  // count is reported "not checked").
  virtual Result<std::optional<std::int64_t>> live_documents(const std::string& index) = 0;
  // Whether document_sources can answer; false: sampling is reported "not checked".
  virtual bool reads_documents() const = 0;
  // The stored _source of each document of `index` whose _id (as a string) is in `ids`, byte for
  // byte as the engine stored it (JSON as stored; SMILE as compact JSON); an id absent from the
  // map is not a live document of the snapshot.
  virtual Result<std::map<std::string, std::string>> document_sources(
      const std::string& index, const std::set<std::string>& ids) = 0;
};

// Counts from the snapshot's metadata (essnap.documents); no documents.
class RecordedCounts final : public SnapshotDocuments {
 public:
  explicit RecordedCounts(const cluster::SnapshotInfo& snapshot);
  std::string count_source() const override;
  Result<std::optional<std::int64_t>> live_documents(const std::string& index) override;
  bool reads_documents() const override { return false; }
  Result<std::map<std::string, std::string>> document_sources(
      const std::string& index, const std::set<std::string>& ids) override;

 private:
  std::map<std::string, std::int64_t> counts_;
};

// The snapshot's own segments, read from its repository (nothing staged to disk). Counts are the
// live top-level documents of every shard's commit (what _count answers); damaged bytes are
// kParse naming the blob and the Lucene file.
class SegmentDocuments final : public SnapshotDocuments {
 public:
  SegmentDocuments(std::unique_ptr<blob::BlobStore> store,
                   std::unique_ptr<inspect::Repository> repository, std::string snapshot);
  std::string count_source() const override;
  Result<std::optional<std::int64_t>> live_documents(const std::string& index) override;
  bool reads_documents() const override { return true; }
  Result<std::map<std::string, std::string>> document_sources(
      const std::string& index, const std::set<std::string>& ids) override;

 private:
  struct IndexShards {
    const format::RepoIndex* index = nullptr;
    std::int64_t shards = 0;
  };
  Result<std::optional<IndexShards>> find(const std::string& index);

  std::unique_ptr<blob::BlobStore> store_;  // before repository_, which reads through it
  std::unique_ptr<inspect::Repository> repository_;
  std::string snapshot_;
  const format::RepoSnapshot* snap_ = nullptr;
};

// Opens the blobs of registered repository `repository` (its location from GET _snapshot, the
// first matching `location_map` FROM=TO applied: the cluster's path as this machine sees it).
Result<std::unique_ptr<blob::BlobStore>> open_repository_store(
    cluster::Client& c, const std::string& repository,
    const std::vector<std::pair<std::string, std::string>>& location_map,
    const blob::OpenOptions& options);

// The source a drill of `snapshot` uses: its segments when `store` (the repository's blobs, or
// an error saying why there are none) opens as a repository holding the snapshot; else the
// counts essnap recorded, and `*why_recorded` says why the segments are not read.
std::unique_ptr<SnapshotDocuments> snapshot_documents(
    const cluster::SnapshotInfo& snapshot, Result<std::unique_ptr<blob::BlobStore>> store,
    std::string* why_recorded);

}  // namespace essnap::drill
