// Retention: which snapshots a policy keeps, as a pure function with restic's `forget`
// semantics (restic internal/restic/snapshot_policy.go) plus essnap's safety rules on top.
//
//   apply_policy(snapshots, policy, now, tz) -> one Decision per snapshot, newest first, each
//   naming every rule that keeps it ("last 3", "daily 2026-11-30", "within 7d", ...).
//
// restic's rules, combined with OR: keep-last N; keep-hourly/daily/weekly(ISO week)/monthly/
// yearly N (the newest snapshot of each of the N most recent buckets that hold one; -1 =
// unlimited); keep-within D (every snapshot no older than the newest one minus D); keep-within-
// hourly/... D (one per bucket, unlimited, for snapshots within D of the newest). Buckets are
// computed in `tz` (an IANA zone name, DST-correct).
// Safety: an empty policy is refused; IN_PROGRESS snapshots are never touched; FAILED/PARTIAL
// ones never count toward a keep rule and are removed only with prune_failed; the newest SUCCESS
// snapshot is always kept; at least keep_min SUCCESS snapshots stay.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "essnap/cluster/snapshots.hpp"
#include "essnap/util/result.hpp"

namespace essnap::retention {

// restic's duration grammar: "1y2m3d4h" (years, months, days, hours; at least one part).
struct Duration {
  int years = 0, months = 0, days = 0, hours = 0;
  std::string text;  // as given, for reasons
};
Result<Duration> parse_duration(std::string_view text);  // kInvalidArgument when malformed

enum class PruneFailed { kNo, kYes };

struct Policy {
  // 0 = rule off, -1 = unlimited, N > 0 = N buckets.
  int last = 0, hourly = 0, daily = 0, weekly = 0, monthly = 0, yearly = 0;
  std::optional<Duration> within, within_hourly, within_daily, within_weekly, within_monthly,
      within_yearly;
  int keep_min = 1;  // SUCCESS snapshots never go below this
  PruneFailed prune_failed = PruneFailed::kNo;
  std::string tz = "UTC";

  bool empty() const;  // no keep rule at all
};

struct Candidate {
  std::string name;
  std::chrono::system_clock::time_point time;  // the snapshot's start time
  cluster::SnapshotState state;
};

enum class Action { kKeep, kRemove };
const char* to_string(Action a);  // "keep" | "remove"

struct Decision {
  Candidate snapshot;
  Action action = Action::kRemove;
  std::vector<std::string> reasons;  // every rule that keeps it; for a removal why not kept
};

// kInvalidArgument for an empty policy, a negative count other than -1, an unknown zone.
Result<std::vector<Decision>> apply_policy(std::vector<Candidate> snapshots, const Policy& policy,
                                           std::chrono::system_clock::time_point now);

}  // namespace essnap::retention
