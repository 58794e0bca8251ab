#include "essnap/util/sleep.hpp"

#include <algorithm>
#include <thread>

namespace essnap::util {

bool sleep_for(std::chrono::milliseconds d, const std::function<bool()>& interrupted,
               const SleepStep& sleep, std::chrono::milliseconds step) {
  if (step <= std::chrono::milliseconds(0)) step = kSleepStep;
  while (d > std::chrono::milliseconds(0)) {
    if (interrupted && interrupted()) return false;
    const auto s = std::min(d, step);
    if (sleep)
      sleep(s);
    else
      std::this_thread::sleep_for(s);
    d -= s;
  }
  return true;
}

}  // namespace essnap::util
