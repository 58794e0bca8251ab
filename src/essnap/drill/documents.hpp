// What a drill compares a restored index with: the snapshot's own account of its documents.
// `SnapshotDocuments` is the seam for the reader of documents from snapshot blobs (lucene/, not
// written yet); until it is wired, `RecordedCounts` answers from the counts essnap recorded in the
// snapshot's metadata when it took it (snapshot/documents_metadata.hpp) and reads no document,
// so sampling is "not checked". `snapshot_documents` is the one place a drill gets its source.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "essnap/cluster/snapshots.hpp"
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
  // Whether document_source can answer; false: sampling is reported "not checked".
  virtual bool reads_documents() const = 0;
  // The stored _source of document `id` (the _id as a string) of `index`, byte for byte as the
  // engine stored it; nullopt when the snapshot holds no live document of that id.
  virtual Result<std::optional<std::string>> document_source(const std::string& index,
                                                             const std::string& id) = 0;
};

// Counts from the snapshot's metadata (essnap.documents); no documents.
class RecordedCounts final : public SnapshotDocuments {
 public:
  explicit RecordedCounts(const cluster::SnapshotInfo& snapshot);
  std::string count_source() const override;
  Result<std::optional<std::int64_t>> live_documents(const std::string& index) override;
  bool reads_documents() const override { return false; }
  Result<std::optional<std::string>> document_source(const std::string& index,
                                                     const std::string& id) override;

 private:
  std::map<std::string, std::int64_t> counts_;
};

// The source a drill of `snapshot` uses (today: RecordedCounts). Where the snapshot reader is
// wired in once it exists.
std::unique_ptr<SnapshotDocuments> snapshot_documents(const cluster::SnapshotInfo& snapshot);

}  // namespace essnap::drill
