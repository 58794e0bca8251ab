// Test-only: runs retention::apply_policy on JSON Lines read from stdin, one result per line, so
// the restic differential test (tests/scripts/retention_vs_restic.py) drives many policies
// through one process.
//
// In:  {"policy":{"last","hourly","daily","weekly","monthly","yearly": N,
//                 "within","within_hourly",...: "7d", "keep_min": N, "prune_failed": bool,
//                 "tz": "UTC"},
//       "now": "YYYY-MM-DDTHH:MM:SSZ",
//       "snapshots":[{"name","time":"YYYY-MM-DDTHH:MM:SSZ","state":"SUCCESS"}]}
// Out: {"ok":true,"decisions":[{"name","time","action":"keep|remove","reasons":[...]}]}
//      or {"ok":false,"error":"..."}
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "essnap/retention/policy.hpp"
#include "essnap/util/civil.hpp"

namespace {

using essnap::retention::Policy;
using nlohmann::json;
using std::chrono::system_clock;

bool parse_time(const std::string& s, system_clock::time_point& out) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  char z = 0;
  if (std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%d%c", &y, &mo, &d, &h, &mi, &se, &z) != 7 ||
      z != 'Z') {
    return false;
  }
  const std::int64_t secs =
      essnap::util::days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
  out = system_clock::time_point(std::chrono::seconds(secs));
  return true;
}

std::string read_policy(const json& j, Policy& p) {
  p.last = j.value("last", 0);
  p.hourly = j.value("hourly", 0);
  p.daily = j.value("daily", 0);
  p.weekly = j.value("weekly", 0);
  p.monthly = j.value("monthly", 0);
  p.yearly = j.value("yearly", 0);
  p.keep_min = j.value("keep_min", 1);
  p.prune_failed = j.value("prune_failed", false) ? essnap::retention::PruneFailed::kYes
                                                   : essnap::retention::PruneFailed::kNo;
  p.tz = j.value("tz", std::string("UTC"));
  const std::pair<const char*, std::optional<essnap::retention::Duration>*> durations[] = {
      {"within", &p.within},
      {"within_hourly", &p.within_hourly},
      {"within_daily", &p.within_daily},
      {"within_weekly", &p.within_weekly},
      {"within_monthly", &p.within_monthly},
      {"within_yearly", &p.within_yearly}};
  for (const auto& [key, field] : durations) {
    if (!j.contains(key)) continue;
    auto d = essnap::retention::parse_duration(j.at(key).get<std::string>());
    if (!d.ok()) return d.error().message;
    *field = *d;
  }
  return {};
}

json handle(const json& in) {
  Policy p;
  if (auto err = read_policy(in.at("policy"), p); !err.empty()) return {{"ok", false}, {"error", err}};
  system_clock::time_point now;
  if (!parse_time(in.at("now").get<std::string>(), now)) return {{"ok", false}, {"error", "bad now"}};
  std::vector<essnap::retention::Candidate> snaps;
  for (const auto& s : in.at("snapshots")) {
    essnap::retention::Candidate c;
    c.name = s.at("name").get<std::string>();
    if (!parse_time(s.at("time").get<std::string>(), c.time))
      return {{"ok", false}, {"error", "bad time " + s.at("time").dump()}};
    c.state = essnap::cluster::parse_snapshot_state(s.value("state", std::string("SUCCESS")));
    snaps.push_back(std::move(c));
  }
  auto r = essnap::retention::apply_policy(std::move(snaps), p, now);
  if (!r.ok()) return {{"ok", false}, {"error", r.error().message}};
  json out = {{"ok", true}, {"decisions", json::array()}};
  for (const auto& d : *r) {
    out["decisions"].push_back({{"name", d.snapshot.name},
                                {"action", essnap::retention::to_string(d.action)},
                                {"reasons", d.reasons}});
  }
  return out;
}

}  // namespace

int main() {
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    json out;
    try {
      out = handle(json::parse(line));
    } catch (const std::exception& e) {  // malformed test input: say so, keep going
      out = {{"ok", false}, {"error", e.what()}};
    }
    std::cout << out.dump() << "\n" << std::flush;
  }
  return 0;
}
