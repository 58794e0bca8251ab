// Helpers shared by the retention unit tests: times as "YYYY-MM-DDTHH:MM:SSZ", candidates,
// running a policy, and the plan rendered one line per snapshot (the golden-file format).
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "essnap/retention/policy.hpp"
#include "essnap/util/civil.hpp"

namespace essnap::retention::retention_test {

using cluster::SnapshotStateKind;
using std::chrono::system_clock;

// "YYYY-MM-DDTHH:MM:SSZ" -> time_point (test input is always well formed).
inline system_clock::time_point T(const std::string& s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  EXPECT_EQ(std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%dZ", &y, &mo, &d, &h, &mi, &se), 6) << s;
  const std::int64_t secs = util::days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
  return system_clock::time_point(std::chrono::seconds(secs));
}

inline std::string format(system_clock::time_point t) {
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  const std::int64_t days = util::floor_div(secs, 86400);
  const std::int64_t rem = secs - days * 86400;
  const util::CivilDate d = util::civil_from_days(days);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02lld:%02lld:%02lldZ",
                static_cast<long long>(d.year), d.month, d.day, static_cast<long long>(rem / 3600),
                static_cast<long long>(rem / 60 % 60), static_cast<long long>(rem % 60));
  return buf;
}

inline Candidate snap(const std::string& time, SnapshotStateKind kind = SnapshotStateKind::kSuccess,
                      std::string name = "") {
  if (name.empty()) name = "s-" + time;
  return Candidate{std::move(name), T(time), cluster::make_snapshot_state(kind)};
}

inline std::vector<Candidate> snaps(const std::vector<std::string>& times) {
  std::vector<Candidate> out;
  for (const auto& t : times) out.push_back(snap(t));
  return out;
}

inline Duration dur(const std::string& text) {
  auto d = parse_duration(text);
  EXPECT_TRUE(d.ok()) << text;
  return d.ok() ? *d : Duration{};
}

inline std::vector<Decision> run(const Policy& p, std::vector<Candidate> s,
                                 const std::string& now = "2030-01-01T00:00:00Z") {
  auto r = apply_policy(std::move(s), p, T(now));
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : std::vector<Decision>{};
}

// The times kept, newest first.
inline std::vector<std::string> kept(const std::vector<Decision>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds)
    if (d.action == Action::kKeep) out.push_back(format(d.snapshot.time));
  return out;
}

inline std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

inline const Decision& find(const std::vector<Decision>& ds, const std::string& time) {
  for (const auto& d : ds)
    if (format(d.snapshot.time) == time) return d;
  ADD_FAILURE() << "no decision for " << time;
  static const Decision none;
  return none;
}

}  // namespace essnap::retention::retention_test
