// `essnap inspect snapshots` and `show`: the snapshots of the root index-N with their root
// snap-<uuid>.dat (indices, shards, times, state), and one snapshot's indices and shards with
// their files, sizes and incremental sizes, read from the shard snapshots.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "essnap/blob/blob_store.hpp"
#include "essnap/format/snapshot_info.hpp"
#include "essnap/util/result.hpp"

namespace essnap::inspect {

struct SnapshotSummary {
  std::string name, uuid, state, version;
  std::optional<std::int64_t> start_time_millis, end_time_millis;
  std::vector<std::string> indices;
  std::vector<std::string> data_streams;
  std::int64_t total_shards = 0, successful_shards = 0, failed_shards = 0;
  std::optional<bool> include_global_state;
  bool shallow = false;
  std::string problem;  // snap-<uuid>.dat could not be read: why (the root's fields remain)
};

struct SnapshotList {
  std::uint64_t generation = 0;
  std::vector<SnapshotSummary> snapshots;  // the root's order
  std::vector<std::string> notes;
};

Result<SnapshotList> list_snapshots(blob::BlobStore& container, int concurrency);

struct ShardDetail {
  std::int64_t shard = 0;
  std::string path;
  std::uint64_t files = 0, bytes = 0;
  std::uint64_t incremental_files = 0, incremental_bytes = 0;
  std::string problem;
  // A shard the snapshot lists as failed (PARTIAL / FAILED): `problem` says so, but it is the
  // snapshot's record, not damage.
  bool failed_shard = false;
};
struct IndexDetail {
  std::string name, id;
  std::vector<ShardDetail> shards;
  std::uint64_t files = 0, bytes = 0, incremental_files = 0, incremental_bytes = 0;
};
struct SnapshotDetail {
  SnapshotSummary summary;
  std::vector<IndexDetail> indices;  // by name
  std::uint64_t files = 0, bytes = 0, incremental_files = 0, incremental_bytes = 0;
  std::vector<std::string> notes;
};

Result<SnapshotDetail> show_snapshot(blob::BlobStore& container, const std::string& name,
                                     int concurrency);

// "2026-12-01T09:52:40.897Z" from epoch milliseconds.
std::string iso8601_millis(std::int64_t millis);

}  // namespace essnap::inspect
