// What export, import and copy tell their caller while they run (progress after each chunk and
// notices such as each translation change, both as the one progress event of util/progress.hpp;
// a summary per index) and how they learn they should stop (SIGINT). The library calls the hooks
// under one lock: a hook needs no locking of its own.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "essnap/cluster/client.hpp"
#include "essnap/util/progress.hpp"
#include "essnap/util/result.hpp"

namespace essnap::transfer {

// --dry-run of export, import and copy: the whole pre-flight (selection, renamed targets, what is
// in the way), then the plan as the result (each index, its target, its documents when known)
// and nothing written.
enum class Execution { kExecute, kDryRun };

struct ChunkProgress {
  std::string phase;  // "export" | "import" | "copy"
  std::string index;  // the source index
  std::string chunk;  // the chunk's file name (export, import) or "slice/seq" (copy)
  long long chunk_documents = 0;
  long long documents_done = 0;   // this index, so far (resumed chunks included)
  long long documents_total = 0;  // this index (source count or manifest count)
  long long bytes_done = 0;       // this run: bytes written (export) or read (import)
  double seconds = 0;             // since this run began
};

struct IndexSummary {
  std::string index;   // source
  std::string target;  // import / copy: the target index
  long long source_count = 0;
  long long documents = 0;  // exported, or imported (loaded without error)
  long long rejected = 0;
  long long target_count = -1;  // after the final refresh (import / copy); -1 when not counted
  double seconds = 0;
  std::vector<std::string> changes;  // translation changes (import / copy)
  double docs_per_second() const {
    return seconds > 0 ? static_cast<double>(documents) / seconds : 0;
  }
};

// One chunk done as the one progress event: documents as units ("docs") with the rate of this
// run's documents (`run_documents`, every index so far) and the index's ETA at that rate, bytes
// written or read without a total, the chunk and its documents as the state, and the JSON event
// -o json has always printed ({"event":"chunk","phase",...}) as its detail.
util::ProgressEvent chunk_event(const ChunkProgress& p, long long run_documents);

struct Hooks {
  std::function<bool()> interrupted;  // polled between pages and between bulk requests
  util::ProgressSink progress;        // each chunk (chunk_event) and each notice
  std::function<void(const IndexSummary&)> index_done;

  // What the library calls: a chunk done (counted into the run's documents), a notice.
  void chunk(const ChunkProgress& p) const;
  void notify(const std::string& message) const;

  // This run's documents, shared by the copies of these hooks.
  std::shared_ptr<std::atomic<long long>> run_documents =
      std::make_shared<std::atomic<long long>>(0);
};

// The same hooks, each call (but interrupted) made under one lock shared by the copies.
inline Hooks synchronized(const Hooks& h) {
  auto mu = std::make_shared<std::mutex>();
  Hooks out;
  out.interrupted = h.interrupted;
  out.run_documents = h.run_documents;
  if (h.progress)
    out.progress = [mu, f = h.progress](const util::ProgressEvent& e) {
      std::lock_guard<std::mutex> lock(*mu);
      f(e);
    };
  if (h.index_done)
    out.index_done = [mu, f = h.index_done](const IndexSummary& s) {
      std::lock_guard<std::mutex> lock(*mu);
      f(s);
    };
  return out;
}

// Each thread talks to the cluster through its own client (a transport's retry loop and its
// connection pool are per client).
using ClientFactory = std::function<Result<std::unique_ptr<cluster::Client>>()>;

}  // namespace essnap::transfer
