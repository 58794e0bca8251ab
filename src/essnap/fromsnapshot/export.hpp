// `essnap export --from-snapshot`: indices of a snapshot, read from the repository's Lucene
// segments (inspect/docs: lucene/ through the repository walker), written in the export format
// (transfer/manifest.hpp) so that `essnap import` loads them into any engine. Per index:
// index.json from the snapshot's index metadata; one slice per shard, its documents in the
// shard's fixed order (segments in commit order, doc ids within) cut into chunks by the export's
// rules; manifest.json last. Nothing is staged to local disk; each running shard holds one chunk.
//
// A snapshot does not change, so a resumed run keeps each shard's complete chunk prefix from the
// checkpoint, skips that many documents and writes on; a recorded chunk whose stored file is
// missing or damaged is written again from the same documents (its lines' SHA-256 checked).
// With a share (--shards i/N) the process takes its units (plan.hpp), keeps its own checkpoint,
// and the share that finds every share done writes the merged manifest (put_if_absent).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "essnap/blob/blob_store.hpp"
#include "essnap/fromsnapshot/plan.hpp"
#include "essnap/inspect/walker.hpp"
#include "essnap/transfer/events.hpp"
#include "essnap/transfer/export.hpp"

namespace essnap::fromsnapshot {

struct ExportOptions {
  transfer::Execution execution = transfer::Execution::kExecute;
  std::string snapshot;
  std::vector<std::string> patterns;  // -i, split on ','
  transfer::Compression compression = transfer::Compression::kZstd;
  long long chunk_docs = 100000;
  long long chunk_bytes = 0;  // 0: transfer::chunk_bytes_for(the shards run at once)
  int parallel = 0;           // shards read at once; 0: bounded by cores and memory
  std::optional<Share> share;
  transfer::Resume resume = transfer::Resume::kNo;
  transfer::Overwrite overwrite = transfer::Overwrite::kNo;
  std::string tool;
  // How often the checkpoint is written while chunks are recorded (tests: 0, every chunk).
  std::chrono::milliseconds checkpoint_every{1000};
};

struct ExportResult {
  transfer::Manifest manifest;  // the merged manifest when written, else this share's state
  std::vector<transfer::IndexSummary> indices;
  std::vector<ShardUnit> units;   // what this process took
  bool manifest_written = false;  // false: other shares are not done yet
  bool already_complete = false;  // --resume found manifest.json
  bool dry_run = false;
  std::vector<int> shares_pending;  // the shares not done when this one finished
};

Result<ExportResult> run_export(inspect::Repository& repo, blob::BlobStore& target,
                                const ExportOptions& options, const transfer::Hooks& hooks);

}  // namespace essnap::fromsnapshot
