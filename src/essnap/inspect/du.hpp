// `essnap inspect du`: space per snapshot, per index and for the repository, from the shard
// snapshots of every snapshot in the root index-N (elastic/elasticsearch#56536, #23479):
//   total_bytes       sum of the lengths of every file in the snapshot's shards (what a restore
//   writes) unique_bytes      bytes of the data blobs (all parts) that this snapshot alone
//   references
//                     (what deleting it frees)
//   shared_bytes      bytes of the data blobs it references that other snapshots reference too
//   incremental_bytes the shard snapshots' own incremental total_size (what it added when taken)
// v__ files have no blob: they count in total_bytes only.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "essnap/blob/blob_store.hpp"
#include "essnap/util/progress.hpp"
#include "essnap/util/result.hpp"

namespace essnap::inspect {

struct SnapshotUsage {
  std::string name, uuid, state;
  std::uint64_t total_bytes = 0, unique_bytes = 0, shared_bytes = 0, incremental_bytes = 0;
  std::uint64_t files = 0;
};

struct IndexUsage {
  std::string name, id;
  std::uint64_t snapshots = 0;
  std::uint64_t shards = 0;
  std::uint64_t data_bytes = 0;  // distinct data blobs of the index, every snapshot together
  std::uint64_t data_files = 0;
};

struct DuReport {
  std::uint64_t generation = 0;
  std::vector<SnapshotUsage> snapshots;  // in the root's order
  std::vector<IndexUsage> indices;       // by name
  std::uint64_t data_bytes = 0;          // distinct data blobs of the repository
  std::uint64_t data_files = 0;
  std::vector<std::string> damaged;  // blobs that could not be counted (path: reason)
  std::vector<std::string> notes;
};

struct DuOptions {
  int concurrency = 8;
  util::ProgressSink progress;  // shards scanned ("inspect du <repository>: 3/10 shards")
  std::function<bool()> interrupted;
};

Result<DuReport> disk_usage(blob::BlobStore& container, const DuOptions& options);

}  // namespace essnap::inspect
