// `essnap repo sync`: DST becomes a consistent, incremental copy of SRC's snapshots (all, or those
// matching globs), written in the engines' own order (BlobStoreRepository) so that DST is a valid
// repository at every instant:
//
//   1. read SRC's root index-N once (generation G) and DST's root (or none): the plan is the
//      difference of the two roots, so unchanged indices cost no request and neither side is
//      listed in full (changed shard folders of DST are listed, to find what an interrupted sync
//      left);
//   2. data blobs (every part) DST lacks: server-side copy where DST can read SRC, else streamed;
//   3. shard-level snap-<uuid>.dat, then each changed shard's index-<gen>: SRC's copied as it is
//      when DST will hold exactly SRC's snapshots of that shard (the generation id is kept only for
//      identical bytes), else a new one listing only DST's snapshots under a new generation;
//   4. index metadata (indices/<id>/meta-*.dat), OpenSearch's snapshot_shard_paths/ blobs, root
//      meta-<uuid>.dat and snap-<uuid>.dat;
//   5. the new root index-(D+1), with a conditional put (refused when it exists, or when a higher
//      root appeared), then index.latest;
//   6. only after the root: what DST's retention removed (never an object under Object Lock) and
//      what the new root superseded (old shard index-<gen>, roots older than the previous one).
// A sync killed anywhere leaves DST at its previous generation; the next one reuses what arrived
// (a blob the root does not reference is reused only when its size is right).
// DST's repository uuid is its own (a new random one the first time, kept after), never SRC's:
// two repositories registered in one cluster must not share one. Snapshot uuids, index ids and
// blob names are SRC's.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "essnap/blob/blob_store.hpp"
#include "essnap/blob/open.hpp"
#include "essnap/retention/policy.hpp"
#include "essnap/util/progress.hpp"
#include "essnap/util/result.hpp"

namespace essnap::sync {

// Where a test stops the process (SIGKILL, as a crash would): after N data blobs, before the
// root, between the root and index.latest.
enum class CrashPoint { kNone, kAfterBlobs, kBeforeRoot, kBeforeLatest };

struct SyncOptions {
  std::vector<std::string> snapshots;  // globs; empty = every snapshot of SRC
  bool dry_run = false;
  int concurrency = 8;
  double limit_upload_bytes_per_second = 0;    // 0: unlimited
  std::optional<retention::Policy> retention;  // DST's own --keep-* rules
  bool check_locks = false;                    // DST has Object Lock: never delete a locked object
  bool server_side_copy = true;
  bool verify_data = false;  // after the sync, read every new data blob back and check it
  std::function<std::chrono::system_clock::time_point()> now;
  util::ProgressSink progress;
  std::function<bool()> interrupted;
  CrashPoint crash_at = CrashPoint::kNone;
  std::uint64_t crash_after_blobs = 0;
};

struct HeldSnapshot {
  std::string name;
  std::string until;  // ISO-8601, UTC
};

struct SyncPlan {
  std::uint64_t src_generation = 0;
  std::optional<std::uint64_t> dst_generation;  // none: DST was empty
  std::uint64_t new_generation = 0;
  std::vector<std::string> add;      // snapshot names copied to DST
  std::vector<std::string> remove;   // removed from DST by its retention
  std::vector<HeldSnapshot> held;    // retention would remove, Object Lock holds
  std::vector<std::string> kept;     // in DST before and after
  std::vector<std::string> skipped;  // "name: why"
  std::uint64_t blobs_to_copy = 0;   // data blob parts not in DST
  std::uint64_t bytes_to_copy = 0;
  std::uint64_t blobs_reused = 0;    // parts DST already held (left by an interrupted sync)
  std::uint64_t metadata_blobs = 0;  // metadata blobs copied or written
  std::uint64_t indices_changed = 0;
  std::uint64_t indices_unchanged = 0;
  std::uint64_t shards_changed = 0;
  bool up_to_date() const { return add.empty() && remove.empty(); }
};

struct SyncReport {
  SyncPlan plan;
  bool dry_run = false;
  std::uint64_t blobs_copied = 0;  // data parts
  std::uint64_t bytes_copied = 0;
  std::uint64_t server_side_copies = 0;
  std::uint64_t streamed_copies = 0;
  std::uint64_t blobs_deleted = 0;
  std::uint64_t restarts = 0;  // SRC changed under the sync: started again from its new root
  std::vector<std::string> notes;
  std::uint64_t verified_snapshots = 0;
  std::chrono::milliseconds elapsed{0};
};

// kNotFound: SRC is not a repository. kConflict (nothing written): DST holds a snapshot of the
// same name with another uuid, an index of the same name with another id, or another writer's
// root appeared; kIncomplete: DST failed its verification after the sync (what is wrong is in
// the message). kInvalidArgument: DST holds files but is not a repository.
Result<SyncReport> sync_repository(blob::BlobStore& src, blob::BlobStore& dst,
                                   const SyncOptions& options);

// A DST opened for a sync: `options.write` gets Object Lock retention (`lock_days` > 0, in
// `lock_mode`); an s3:// DST's bucket is asked whether Object Lock is on (then the sync must
// never delete a locked object: `object_lock`). kInvalidArgument when retention is asked of a
// bucket without Object Lock. Shared by `essnap repo sync` and `essnap run`'s copy_to.
struct Destination {
  std::unique_ptr<blob::BlobStore> store;
  bool object_lock = false;
};
Result<Destination> open_destination(const std::string& where, blob::OpenOptions options,
                                     int lock_days, const std::string& lock_mode);

// ES's UUIDs.randomBase64UUID(): 16 random bytes, version 4 bits, URL-safe base64 unpadded.
std::string random_base64_uuid();

}  // namespace essnap::sync
