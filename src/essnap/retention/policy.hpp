// Retention: which snapshots a policy keeps, as a pure function with restic's `forget`
// semantics (restic internal/restic/snapshot_policy.go) plus essnap's safety rules on top.
//
//   apply_policy(snapshots, policy (with its tz), now) -> one Decision per snapshot, newest first,
//   each naming every rule that keeps it ("last snapshot", "daily snapshot 2026-11-30", ...).
//
// restic's rules, combined with OR: keep-last N; keep-hourly/daily/weekly(ISO week)/monthly/
// yearly N (the newest snapshot of each of the N most recent buckets that hold one; -1 =
// unlimited); keep-within D (every snapshot newer than the newest one minus D); keep-within-
// hourly/... D (one per bucket, unlimited, for snapshots within D of the newest). Buckets are
// computed in `tz` (an IANA zone name, DST-correct).
// Safety (essnap's, not restic's), applied around restic's rules:
//   - an empty policy (no rule, or only zero durations) is refused: kInvalidArgument;
//   - IN_PROGRESS snapshots (and states essnap does not know) are kept, "in progress: never
//     touched", and take no rule's slot;
//   - snapshots dated after `now` are kept, "dated in the future", and take no slot; the newest
//     snapshot that within rules measure from is the newest SUCCESS one not in the future;
//   - FAILED/PARTIAL/INCOMPATIBLE ones never count toward a keep rule (they occupy no bucket);
//     they are kept, "failed: kept (pass --prune-failed to remove)", or with prune_failed
//     removed, "failed snapshot";
//   - the newest SUCCESS snapshot is always kept, "newest successful snapshot";
//   - when fewer than keep_min SUCCESS snapshots would stay, the newest removed SUCCESS ones are
//     kept back until the floor holds, "keep-min N floor" (future-dated ones do not count).
// restic's rules run on the remaining SUCCESS snapshots exactly as restic >= 0.16 runs them: newest
// first (ties in the given order, as restic's sort.Stable), the oldest one also kept by a bucket
// rule that has counts left ("oldest daily snapshot ..."), within rules strictly after newest
// minus D with Go's AddDate calendar arithmetic in `tz`.
// Reasons: "within 7d", "last snapshot", "hourly snapshot 2026-11-30T02", "daily snapshot
// 2026-11-30", "weekly snapshot 2026-W49", "monthly snapshot 2026-11", "yearly snapshot 2026",
// "within-daily 30d 2026-11-30"; a removal says "matched no keep rule" or "failed snapshot".
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "essnap/cluster/snapshots.hpp"
#include "essnap/util/result.hpp"

namespace essnap::retention {

// restic's duration grammar, stricter: duration = 1*(number unit), unit = "y"|"m"|"d"|"h"
// (years, months, days, hours; "mo" is accepted for months too: "m" is MONTHS here, as in
// restic), number = 1*6DIGIT; surrounding spaces are trimmed, units in any order. Unlike restic:
// no negative numbers, no repeated unit, no number above 999999 (restic panics on overflow).
// "0d" parses, and like restic a zero duration is no rule. The tokenizing is
// util::parse_calendar_duration's (util/durations.hpp), shared with the clock spans.
struct Duration {
  int years = 0, months = 0, days = 0, hours = 0;
  std::string text;  // as given (trimmed), for reasons
};
Result<Duration> parse_duration(std::string_view text);  // kInvalidArgument when malformed
std::string describe(const Duration& d);  // in words: "30 months", "1 year 2 months 3 days"

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

// The policy in words, for plans and logs, after restic's ExpirePolicy.String():
// "keep 7 daily, all yearly snapshots; daily snapshots within 30d; all snapshots within 7d of
// the newest; keep-min 1; tz UTC" (+ "; prune failed").
std::string describe(const Policy& p);

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
