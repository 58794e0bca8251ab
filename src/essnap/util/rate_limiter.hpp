// A token bucket shared by every download worker: --limit-download MiB/s for the whole command.
#pragma once

#include <chrono>
#include <mutex>
#include <thread>

namespace essnap::util {

class RateLimiter {
 public:
  explicit RateLimiter(double bytes_per_second) : rate_(bytes_per_second) {}
  bool enabled() const { return rate_ > 0; }
  // Blocks until `bytes` more may pass. Chunks are small against a second's worth, so the
  // bucket allows a burst of one second.
  void acquire(std::size_t bytes) {
    if (rate_ <= 0) return;
    using clock = std::chrono::steady_clock;
    clock::time_point until;
    {
      std::lock_guard<std::mutex> l(mu_);
      const auto now = clock::now();
      const auto burst = std::chrono::duration_cast<clock::duration>(std::chrono::seconds(1));
      if (next_ < now - burst) next_ = now - burst;
      next_ += std::chrono::duration_cast<clock::duration>(
          std::chrono::duration<double>(static_cast<double>(bytes) / rate_));
      until = next_;
    }
    std::this_thread::sleep_until(until);
  }

 private:
  double rate_;
  std::mutex mu_;
  std::chrono::steady_clock::time_point next_{};
};

}  // namespace essnap::util
