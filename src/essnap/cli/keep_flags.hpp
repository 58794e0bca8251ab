// The --keep-* flags of a retention policy (restic's forget rules plus essnap's floor), one
// spelling for every command that applies one: `prune` (snapshots in a cluster) and `repo sync`
// (DST's own retention).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "essnap/retention/policy.hpp"
#include "essnap/util/result.hpp"

namespace essnap::cli {

struct KeepFlags {
  int last = 0, hourly = 0, daily = 0, weekly = 0, monthly = 0, yearly = 0, keep_min = 1;
  std::string within, within_hourly, within_daily, within_weekly, within_monthly, within_yearly;
  bool prune_failed = false;
  std::string tz = "UTC";

  bool any_rule() const;  // a --keep-* rule was given
};

void add_keep_flags(CLI::App* c, KeepFlags* f);

// The policy the flags describe; kInvalidArgument naming the flag of a malformed duration.
Result<retention::Policy> keep_policy(const KeepFlags& f);

}  // namespace essnap::cli
