// `essnap inspect orphans`: every blob that no snapshot in the current root index-N references,
// by path from the repository root, with its size — read-only. Each says whether the engine's
// `POST _snapshot/<repo>/_cleanup` would delete it: cleanup removes stale root blobs (older
// index-N, snap-/meta- blobs of snapshots the root does not list) and whole indices/<id>/
// folders no snapshot uses (BlobStoreRepository.cleanupStaleBlobs); blobs left inside a live
// shard are removed only when a later snapshot deletion rewrites that shard.
// A shard whose shard snapshots cannot be read is not judged (its blobs are not listed as orphans):
// a damaged reference must never make live data look deletable.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "essnap/blob/blob_store.hpp"
#include "essnap/util/progress.hpp"
#include "essnap/util/result.hpp"

namespace essnap::inspect {

struct Orphan {
  std::string path;
  std::uint64_t bytes = 0;
  bool removed_by_cleanup = false;
  std::string why;  // "stale root index-N", "snapshot no longer in the root", ...
};

struct OrphansReport {
  std::uint64_t generation = 0;
  std::vector<Orphan> orphans;  // sorted by path
  std::uint64_t bytes = 0;
  std::uint64_t cleanup_blobs = 0, cleanup_bytes = 0;
  std::vector<std::string> not_judged;  // directories skipped because a reference is damaged
  std::vector<std::string> notes;
};

struct OrphansOptions {
  int concurrency = 8;
  util::ProgressSink progress;  // shards scanned ("inspect orphans <repository>: 3/10 shards")
  std::function<bool()> interrupted;
};

Result<OrphansReport> find_orphans(blob::BlobStore& container, const OrphansOptions& options);

}  // namespace essnap::inspect
