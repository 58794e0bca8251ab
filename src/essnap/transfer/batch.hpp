// The import's bulk batch size, adapted to what the target sustains: it grows while bulks come
// back quickly and clean, halves on back-pressure (429 / es_rejected_execution_exception) or on
// slow answers, and stays within bounds. Shared by the loader threads (thread-safe).
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>

namespace essnap::transfer {

struct BatchOptions {
  std::size_t min_docs = 100;
  std::size_t start_docs = 2000;
  std::size_t max_docs = 20000;
  std::size_t max_bytes = 6u << 20;      // a bulk body never exceeds this (one document may)
  std::chrono::milliseconds fast{1000};  // an answer quicker than this grows the batch
  std::chrono::milliseconds slow{5000};  // an answer slower than this shrinks it
};

class AdaptiveBatch {
 public:
  explicit AdaptiveBatch(BatchOptions o = {});
  std::size_t docs() const;
  std::size_t max_bytes() const { return o_.max_bytes; }
  // A bulk of `docs` documents answered in `took` without back-pressure.
  void on_success(std::size_t docs, std::chrono::milliseconds took);
  // The target pushed back (some or all items 429).
  void on_pushback();

 private:
  BatchOptions o_;
  mutable std::mutex mu_;
  std::size_t docs_;
};

// The wait before retrying items the target pushed back: truncated exponential, 0-based
// attempt (250 ms, 500 ms, 1 s, ... capped at 30 s), with the jitter fraction given in [0, 1).
std::chrono::milliseconds pushback_delay(int attempt, double jitter);

}  // namespace essnap::transfer
