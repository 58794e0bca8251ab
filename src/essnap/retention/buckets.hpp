// restic's forget algorithm (internal/data/snapshot_policy.go ApplyPolicy) on bare instants:
// the rules only, without essnap's safety rules (policy.cpp adds those).
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <string>
#include <vector>

#include "essnap/retention/policy.hpp"
#include "essnap/util/timezone.hpp"

namespace essnap::retention {

// A UTC instant as whole seconds + nanoseconds: wide enough for any duration essnap accepts.
struct Instant {
  std::int64_t sec = 0;
  std::int64_t nsec = 0;  // 0..999999999
  static Instant of(std::chrono::system_clock::time_point t);
  auto operator<=>(const Instant&) const = default;
};

// The instant `d` before `latest`, as restic computes it: Go's
// latest.AddDate(-years, -months, -days) on the wall clock of `tz`, then minus `hours` hours.
Instant subtract_duration(Instant latest, const Duration& d, const util::TimeZone& tz);

// For snapshots sorted newest first (ties in the caller's order), the reasons each is kept by
// restic's rules, in restic's order (within, last/hourly/.../yearly, within-hourly/...); an
// empty list means restic would remove it. The newest one is the reference for every within rule.
std::vector<std::vector<std::string>> restic_forget(const std::vector<Instant>& newest_first,
                                                    const Policy& policy,
                                                    const util::TimeZone& tz);

}  // namespace essnap::retention
