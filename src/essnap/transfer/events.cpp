#include "essnap/transfer/events.hpp"

#include <algorithm>

namespace essnap::transfer {

util::ProgressEvent chunk_event(const ChunkProgress& p, long long run_documents) {
  util::ProgressEvent e;
  e.operation = p.phase;
  e.subject = p.index;
  e.state = p.chunk + ": " + std::to_string(p.chunk_documents);
  e.done = static_cast<std::uint64_t>(std::max(0LL, p.documents_done));
  e.total = static_cast<std::uint64_t>(std::max(0LL, p.documents_total));
  e.unit = "docs";
  e.bytes_done = static_cast<std::uint64_t>(std::max(0LL, p.bytes_done));
  e.elapsed = std::chrono::milliseconds(static_cast<std::int64_t>(p.seconds * 1000.0));
  e.rate_of = util::RateOf::kUnits;
  e.rate = p.seconds > 0 ? static_cast<double>(run_documents) / p.seconds : 0;
  const long long left = std::max(0LL, p.documents_total - p.documents_done);
  if (e.rate > 0 && static_cast<double>(left) / e.rate <= 1e7)
    e.eta_seconds = static_cast<double>(left) / e.rate;
  e.detail = {{"event", "chunk"},
              {"phase", p.phase},
              {"index", p.index},
              {"chunk", p.chunk},
              {"documents", p.chunk_documents},
              {"documents_done", p.documents_done},
              {"documents_total", p.documents_total},
              {"bytes", p.bytes_done},
              {"seconds", p.seconds}};
  return e;
}

void Hooks::chunk(const ChunkProgress& p) const {
  const long long run = run_documents ? (*run_documents += p.chunk_documents) : 0;
  if (progress) progress(chunk_event(p, run));
}

void Hooks::notify(const std::string& message) const {
  util::notify(progress, message);
}

}  // namespace essnap::transfer
