// What export, import and copy tell their caller while they run (progress after each chunk,
// notices such as each translation change, a summary per index) and how they learn they should
// stop (SIGINT). The library calls the hooks under one lock: a hook needs no locking of its own.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "essnap/cluster/client.hpp"
#include "essnap/util/result.hpp"

namespace essnap::transfer {

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
  double docs_per_second() const { return seconds > 0 ? static_cast<double>(documents) / seconds : 0; }
};

struct Hooks {
  std::function<bool()> interrupted;  // polled between pages and between bulk requests
  std::function<void(const ChunkProgress&)> progress;
  std::function<void(const std::string&)> notice;
  std::function<void(const IndexSummary&)> index_done;
};

// The same hooks, each call (but interrupted) made under one lock shared by the copies.
inline Hooks synchronized(const Hooks& h) {
  auto mu = std::make_shared<std::mutex>();
  Hooks out;
  out.interrupted = h.interrupted;
  if (h.progress)
    out.progress = [mu, f = h.progress](const ChunkProgress& p) {
      std::lock_guard<std::mutex> lock(*mu);
      f(p);
    };
  if (h.notice)
    out.notice = [mu, f = h.notice](const std::string& s) {
      std::lock_guard<std::mutex> lock(*mu);
      f(s);
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
