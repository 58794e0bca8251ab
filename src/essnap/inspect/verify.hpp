// `essnap inspect verify`: is every blob of these snapshots there and intact? Structural by
// default — every referenced blob exists with the right size and parts, every framed blob's
// header and CRC-32 footer are valid, every document decodes and parses; with read_data, every
// data file's Lucene footer CRC-32 is recomputed over the whole file as it streams (across its
// parts) and compared with the footer and the recorded checksum, v__ files' bytes too. Every
// problem names the blob by its path from the repository root, the Lucene file, and the
// snapshots and indices it breaks. PARTIAL snapshots' failed shards are not problems.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "essnap/blob/blob_store.hpp"
#include "essnap/inspect/verify_state.hpp"
#include "essnap/util/progress.hpp"
#include "essnap/util/result.hpp"

namespace essnap::inspect {

enum class ReadData { kNo, kYes };

struct VerifyOptions {
  std::vector<std::string> snapshots;  // empty: every snapshot of the root index-N
  ReadData read_data = ReadData::kNo;
  std::optional<Subset> subset;  // with read_data: only these data files
  VerifyState* state = nullptr;  // rolling: skip files read within max_age; record reads
  std::chrono::seconds max_age{0};
  std::function<std::chrono::system_clock::time_point()> now;  // default system_clock
  double limit_bytes_per_second = 0;  // 0: unlimited (all workers together)
  int concurrency = 8;
  // Called often, from worker threads: "inspect verify <repository>: 3/10 shards [metadata]",
  // then "...: 2/40 data files, 1.0 MiB/9.0 MiB, 2.0 MiB/s, ETA 0:04 [data]" with read_data.
  util::ProgressSink progress;
  std::function<bool()> interrupted;
};

struct Problem {
  std::string path;                    // blob path from the repository root
  std::string lucene_file;             // the Lucene file it holds, when it is a data blob
  std::string problem;                 // what is wrong
  std::vector<std::string> snapshots;  // the snapshots it breaks
  std::vector<std::string> indices;    // the indices it breaks
};

struct VerifyReport {
  std::uint64_t generation = 0;
  std::vector<std::string> snapshots;  // checked
  std::vector<Problem> problems;       // sorted by path; at most 10000
  std::uint64_t problems_omitted = 0;  // found past those 10000: counted, not kept
  std::vector<std::string> notes;    // not damage: shallow snapshots, PARTIAL shards, index.latest
  std::uint64_t metadata_blobs = 0;  // framed blobs read and checked
  std::uint64_t shards = 0;
  std::uint64_t data_files = 0;                // referenced data files (blobs with all their parts)
  std::uint64_t data_files_read = 0;           // read whole and checksummed
  std::uint64_t data_files_skipped_fresh = 0;  // --state: read within --max-age
  std::uint64_t data_files_skipped_subset = 0;  // --read-data-subset
  std::uint64_t virtual_files = 0;
  std::uint64_t bytes_read = 0;  // data bytes streamed
  bool intact() const { return problems.empty() && problems_omitted == 0; }
};

// An Error only when the repository could not be read (network, permissions, not a repository,
// an unknown snapshot name); damage is in the report.
Result<VerifyReport> verify(blob::BlobStore& container, const VerifyOptions& options);

}  // namespace essnap::inspect
