#include "essnap/transfer/batch.hpp"

#include <algorithm>
#include <cmath>

namespace essnap::transfer {

AdaptiveBatch::AdaptiveBatch(BatchOptions o) : o_(o) {
  o_.min_docs = std::max<std::size_t>(1, o_.min_docs);
  o_.max_docs = std::max(o_.min_docs, o_.max_docs);
  docs_ = std::clamp(o_.start_docs, o_.min_docs, o_.max_docs);
}

std::size_t AdaptiveBatch::docs() const {
  std::lock_guard<std::mutex> lock(mu_);
  return docs_;
}

void AdaptiveBatch::on_success(std::size_t docs, std::chrono::milliseconds took) {
  std::lock_guard<std::mutex> lock(mu_);
  // Only a full batch says something about the size: a chunk's short tail does not.
  if (took < o_.fast && docs >= docs_)
    docs_ = std::min(o_.max_docs, docs_ + docs_ / 2);
  else if (took > o_.slow)
    docs_ = std::max(o_.min_docs, docs_ * 2 / 3);
}

void AdaptiveBatch::on_pushback() {
  std::lock_guard<std::mutex> lock(mu_);
  docs_ = std::max(o_.min_docs, docs_ / 2);
}

std::chrono::milliseconds pushback_delay(int attempt, double jitter) {
  const double base = 250.0 * std::pow(2.0, std::clamp(attempt, 0, 20));
  const double capped = std::min(base, 30'000.0);
  const double j = std::clamp(jitter, 0.0, 0.999);
  // Half fixed, half jittered: never zero, never all retried at once.
  return std::chrono::milliseconds(static_cast<long long>(capped / 2 + capped / 2 * j));
}

}  // namespace essnap::transfer
