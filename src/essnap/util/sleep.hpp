// The one interruptible sleep: a span slept in short steps, ended early once the caller's
// `interrupted` says so (a signal flag, a stop request), so no wait, back-off or idle sleep holds
// up a Ctrl-C or a SIGTERM by more than one step. Snapshot waits (with their injected sleep), the
// transfer loader's push-back delay and `essnap run`'s idle sleep all go through it.
#pragma once

#include <chrono>
#include <functional>

namespace essnap::util {

// One step of a sleep; tests inject a fake that advances their clock instead.
using SleepStep = std::function<void(std::chrono::milliseconds)>;

// How long one step lasts unless the caller says otherwise: an interruption is noticed within it.
inline constexpr std::chrono::milliseconds kSleepStep{50};

// Sleeps `d` in steps of at most `step` through `sleep` (default std::this_thread::sleep_for),
// asking `interrupted` (may be empty) before each step. True when all of `d` was slept; false
// when it stopped early because `interrupted` said so.
bool sleep_for(std::chrono::milliseconds d, const std::function<bool()>& interrupted,
               const SleepStep& sleep = {}, std::chrono::milliseconds step = kSleepStep);

}  // namespace essnap::util
