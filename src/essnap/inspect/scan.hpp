// The one walk over a repository's snapshots and shards that verify, du and orphans share:
// (1) each snapshot's root snap-<uuid>.dat, (2) each index's metadata per snapshot (its shard
// count), (3) each shard directory once — its listing, its current index-<gen> name and the shard
// snapshot of every snapshot holding it — handed to a visitor. Steps run on `concurrency` threads;
// the visitor is called from them (it synchronises itself). Damage is reported through `damage`,
// not as an error: an Error means the repository could not be read.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "essnap/format/shallow_snapshot.hpp"
#include "essnap/inspect/walker.hpp"
#include "essnap/util/progress.hpp"

namespace essnap::inspect {

// Shards per index: the engines refuse more (index.number_of_shards, at most 1024 unless a
// node's es.index.max_number_of_shards raises it); a larger count in a metadata blob is damage.
inline constexpr std::int64_t kMaxShards = 1024;

struct SnapshotScan {
  const format::RepoSnapshot* snapshot = nullptr;
  std::optional<format::SnapshotInfo> info;  // nullopt when snap-<uuid>.dat is damaged
  std::set<std::pair<std::string, std::int64_t>> failed_shards;  // (index name, shard) it lists
  bool shallow() const { return info && info->remote_store_index_shallow_copy; }
};

struct ShardScan {
  const format::RepoIndex* index = nullptr;
  std::int64_t shard = 0;
  std::string dir;  // from the repository root
  blob::Listing listing;
  std::optional<std::string> index_blob;  // current index-<gen> blob name
  struct Entry {
    const SnapshotScan* snapshot = nullptr;
    std::optional<format::ShardSnapshot>
        files;  // nullopt: missing or damaged (reported) or expected
    std::optional<format::ShallowShardSnapshot>
        shallow;                    // a shallow copy's shallow-snap-<uuid>.dat
    bool expected_missing = false;  // a failed shard of a PARTIAL / FAILED snapshot
  };
  std::vector<Entry> entries;  // snapshots of the selection holding this shard
};

enum class GlobalMetadata { kSkip, kCheck };

struct ScanHooks {
  GlobalMetadata global_metadata = GlobalMetadata::kSkip;  // also check root meta-<uuid>.dat
  // Damage found by the scan itself: the path, what is wrong, which snapshots and indices.
  std::function<void(std::string path, std::string problem, std::vector<std::string> snapshots,
                     std::vector<std::string> indices)>
      damage;
  std::function<void(const std::string&)> note;
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;  // shards
  std::function<bool()> interrupted;
  std::function<void(const std::string& path)> metadata_read;  // each framed blob read
};

struct ScanResult {
  std::vector<SnapshotScan> snapshots;
  std::uint64_t shards = 0;
  // Every index metadata blob path the selection uses (for orphans).
  std::set<std::string> index_metadata_paths;
};

Result<ScanResult> scan(Repository& repo, const std::vector<const format::RepoSnapshot*>& selection,
                        int concurrency, const ScanHooks& hooks,
                        const std::function<Status(ShardScan&)>& visit);

// The progress of an inspect command as the one progress event (util/progress.hpp): operation
// "inspect", subject "<command> <repository>" ("verify s3://bucket/prefix"), `done` of `total`
// `unit` at `state` ("metadata", "data", or ""), elapsed since `started`.
util::ProgressEvent inspect_progress(const std::string& subject, const std::string& state,
                                     std::uint64_t done, std::uint64_t total,
                                     const std::string& unit,
                                     std::chrono::steady_clock::time_point started);

// A ScanHooks::progress that reports the shards scanned to `sink` as inspect_progress events
// (empty when `sink` is).
std::function<void(std::uint64_t done, std::uint64_t total)> shard_progress(
    util::ProgressSink sink, std::string subject, std::string state,
    std::chrono::steady_clock::time_point started);

}  // namespace essnap::inspect
