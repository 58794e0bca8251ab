// Runs tasks on N threads, stops handing out new ones once one fails or `stop` says so, and
// returns the first error. Used by verify, du and orphans for concurrent blob reads.
#pragma once

#include <algorithm>
#include <atomic>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "essnap/util/result.hpp"

namespace essnap::util {

inline Status run_pool(std::size_t tasks, int concurrency,
                       const std::function<Status(std::size_t)>& task,
                       const std::function<bool()>& stop = {}) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  std::optional<Error> first;
  auto worker = [&] {
    for (;;) {
      if (failed.load() || (stop && stop())) return;
      const std::size_t i = next.fetch_add(1);
      if (i >= tasks) return;
      Status s = ok_status();
      try {
        s = task(i);
      } catch (const std::exception& e) {  // a bug below must not take the process down
        s = make_error(ErrorCode::kInternal, std::string("unexpected exception: ") + e.what());
      }
      if (!s.ok()) {
        std::lock_guard<std::mutex> l(mu);
        if (!first) first = s.error();
        failed = true;
      }
    }
  };
  const std::size_t n =
      std::min<std::size_t>(tasks, static_cast<std::size_t>(std::max(1, concurrency)));
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < n; ++i) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  if (first) return *first;
  if (stop && stop() && next.load() < tasks)
    return make_error(ErrorCode::kInterrupted, "interrupted");
  return ok_status();
}

}  // namespace essnap::util
