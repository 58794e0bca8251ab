#include "essnap/cli/keep_flags.hpp"

#include <optional>

#include "essnap/cli/command.hpp"

namespace essnap::cli {
namespace {

Status set_duration(const std::string& text, const char* flag,
                    std::optional<retention::Duration>& out) {
  if (text.empty()) return ok_status();
  auto d = retention::parse_duration(text);
  if (!d.ok()) return Error(d.error()).with_context(flag);
  out = *d;
  return ok_status();
}

}  // namespace

bool KeepFlags::any_rule() const {
  return last || hourly || daily || weekly || monthly || yearly || !within.empty() ||
         !within_hourly.empty() || !within_daily.empty() || !within_weekly.empty() ||
         !within_monthly.empty() || !within_yearly.empty();
}

void add_keep_flags(CLI::App* c, KeepFlags* f) {
  c->add_option("--keep-last", f->last, "Keep the newest N snapshots")->check(integer_at_least(-1));
  c->add_option("--keep-hourly", f->hourly, "Keep the newest of each of the last N hours (-1: all)")
      ->check(integer_at_least(-1));
  c->add_option("--keep-daily", f->daily, "... of the last N days")->check(integer_at_least(-1));
  c->add_option("--keep-weekly", f->weekly, "... of the last N ISO weeks")
      ->check(integer_at_least(-1));
  c->add_option("--keep-monthly", f->monthly, "... of the last N months")
      ->check(integer_at_least(-1));
  c->add_option("--keep-yearly", f->yearly, "... of the last N years")->check(integer_at_least(-1));
  c->add_option("--keep-within", f->within,
                "Keep all within D of the newest: restic's durations, y, m = MONTHS (or mo), d, h "
                "(1y2m3d4h, 30d, 36h)");
  c->add_option("--keep-within-hourly", f->within_hourly, "One per hour within D of the newest");
  c->add_option("--keep-within-daily", f->within_daily, "One per day within D");
  c->add_option("--keep-within-weekly", f->within_weekly, "One per week within D");
  c->add_option("--keep-within-monthly", f->within_monthly, "One per month within D");
  c->add_option("--keep-within-yearly", f->within_yearly, "One per year within D");
  c->add_option("--keep-min", f->keep_min, "Never fewer SUCCESS snapshots than this (default 1)")
      ->check(integer_at_least(0));
  c->add_flag("--prune-failed", f->prune_failed, "Also remove FAILED and PARTIAL snapshots");
  c->add_option("--tz", f->tz, "Time zone of the hour/day/week buckets (IANA name; default UTC)");
}

Result<retention::Policy> keep_policy(const KeepFlags& f) {
  retention::Policy p;
  p.last = f.last, p.hourly = f.hourly, p.daily = f.daily, p.weekly = f.weekly;
  p.monthly = f.monthly, p.yearly = f.yearly, p.keep_min = f.keep_min, p.tz = f.tz;
  p.prune_failed = f.prune_failed ? retention::PruneFailed::kYes : retention::PruneFailed::kNo;
  ESSNAP_TRY_STATUS(set_duration(f.within, "--keep-within", p.within));
  ESSNAP_TRY_STATUS(set_duration(f.within_hourly, "--keep-within-hourly", p.within_hourly));
  ESSNAP_TRY_STATUS(set_duration(f.within_daily, "--keep-within-daily", p.within_daily));
  ESSNAP_TRY_STATUS(set_duration(f.within_weekly, "--keep-within-weekly", p.within_weekly));
  ESSNAP_TRY_STATUS(set_duration(f.within_monthly, "--keep-within-monthly", p.within_monthly));
  ESSNAP_TRY_STATUS(set_duration(f.within_yearly, "--keep-within-yearly", p.within_yearly));
  return p;
}

}  // namespace essnap::cli
