// `essnap export`: indices of a cluster to a blob store — per index its definition (index.json:
// settings without the creation-only ones, mappings, aliases) and its documents as chunk files
// of NDJSON lines, compressed, plus manifest.json written last (an export without it is not
// finished). Slices are read in parallel, each through its own client. After every chunk the
// checkpoint export-state.json in the destination records it (with each chunk's SHA-256 of its
// lines and the index's uuid). --resume reads each unfinished index again and compares every
// recorded chunk with the same chunk of the new read: when all match, it writes on after them
// (and rewrites a recorded chunk whose stored file is missing or damaged), so the export is the
// new read exactly; when one differs (the index was written to in between) the index is
// exported again from the start. Never a mix of two reads. A destination that is not empty is
// refused unless --resume (its checkpoint) or --overwrite.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "essnap/blob/blob_store.hpp"
#include "essnap/cluster/search.hpp"
#include "essnap/transfer/codec.hpp"
#include "essnap/transfer/events.hpp"
#include "essnap/transfer/manifest.hpp"

namespace essnap::transfer {

enum class Resume { kNo, kYes };
// --overwrite: an export may be written into a destination that is not empty (files of the same
// names are replaced; the old manifest and checkpoint are removed first).
enum class Overwrite { kNo, kYes };

struct ExportOptions {
  Execution execution = Execution::kExecute;  // kDryRun: the checks, then the plan (events.hpp)
  std::vector<std::string> patterns;          // --indices, split on ','
  Compression compression = Compression::kZstd;
  long long chunk_docs = 100000;
  long long chunk_bytes = 0;  // uncompressed NDJSON per chunk; 0: chunk_bytes_for(the most slices)
  int slices = 0;             // 0: primaries bounded by cores
  int page_size = 0;          // 0: choose_page_size's sample (reader.hpp)
  std::optional<cluster::ReadStrategy> strategy;  // --read-strategy; nullopt: the engine's best
  std::string keep_alive = "10m";
  Resume resume = Resume::kNo;
  Overwrite overwrite = Overwrite::kNo;
  std::string tool;  // "essnap 0.1.0", recorded in the manifest
};

struct ExportResult {
  Manifest manifest;
  std::vector<IndexSummary> indices;
  bool already_complete = false;  // --resume found a finished export
  bool dry_run = false;           // Execution::kDryRun: `indices` names what would be exported
};

// The chunk size when --chunk-bytes is not given: as large as the export's memory budget allows
// for `slices` running slices (each holds a chunk and its compressed copy), between 4 and 32 MiB:
// fewer, larger objects cost the store less (an S3 PUT each), and the import's memory does not
// depend on it (it loads a chunk window by window).
long long chunk_bytes_for(int slices);

// Checks the limits (kInvalidArgument naming the flag).
Status validate(const ExportOptions& o);

Result<ExportResult> run_export(const ClientFactory& clients, blob::BlobStore& store,
                                const ExportOptions& options, const Hooks& hooks);

// "2026-12-01T10:00:00Z"
std::string utc_now_iso8601();

// The name of one thing in a destination ("" when it is empty or does not exist yet): what an
// export refuses to write into without --resume or --overwrite.
Result<std::string> first_entry(blob::BlobStore& store);
// -i patterns as a message quotes them: 'a,b,-c'.
std::string quoted_patterns(const std::vector<std::string>& patterns);

}  // namespace essnap::transfer
