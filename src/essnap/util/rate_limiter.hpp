// A token bucket shared by every download worker: --limit-download MiB/s for the whole command.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>

#include "essnap/util/sleep.hpp"

namespace essnap::util {

class RateLimiter {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  // `now` and `sleep` are injectable for tests (default: the steady clock, a real sleep).
  explicit RateLimiter(double bytes_per_second, Clock now = {}, SleepStep sleep = {})
      : rate_(bytes_per_second), now_(std::move(now)), sleep_(std::move(sleep)) {}
  bool enabled() const { return rate_ > 0; }
  // Waits until `bytes` more may pass: the bytes let through by time t never exceed rate x
  // (t - first acquire) + this call's bytes. Idle time earns no credit, so nothing bursts after
  // a pause. The wait is the one interruptible sleep (util/sleep.hpp): false when `interrupted`
  // said stop before it ended (the bytes must then not pass).
  bool acquire(std::size_t bytes, const std::function<bool()>& interrupted = {}) {
    if (rate_ <= 0) return !(interrupted && interrupted());
    using clock = std::chrono::steady_clock;
    clock::time_point until, now;
    {
      std::lock_guard<std::mutex> l(mu_);
      now = now_ ? now_() : clock::now();
      if (next_ < now) next_ = now;
      next_ += std::chrono::duration_cast<clock::duration>(
          std::chrono::duration<double>(static_cast<double>(bytes) / rate_));
      until = next_;
    }
    // Whole milliseconds: the remainder stays in next_, so rounding never lets more through.
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(until - now);
    if (wait.count() <= 0) return !(interrupted && interrupted());
    return sleep_for(wait, interrupted, sleep_);
  }

 private:
  double rate_;
  Clock now_;
  SleepStep sleep_;
  std::mutex mu_;
  std::chrono::steady_clock::time_point next_{};
};

}  // namespace essnap::util
