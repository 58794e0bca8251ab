#include "essnap/retention/prune.hpp"

#include <algorithm>
#include <optional>
#include <string_view>
#include <tuple>
#include <unordered_map>

#include "essnap/aws/timestamp.hpp"
#include "essnap/snapshot/selection.hpp"
#include "essnap/util/strings.hpp"
#include "essnap/version.hpp"

namespace essnap::retention {
namespace {

using nlohmann::json;

std::string metadata_string(const json& m, const char* key) {
  if (!m.is_object()) return "";
  const auto it = m.find(key);
  return it != m.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string essnap_policy(const cluster::SnapshotInfo& s) {
  if (!s.metadata.is_object()) return "";
  const auto it = s.metadata.find("essnap");
  return it == s.metadata.end() ? "" : metadata_string(*it, "policy");
}

std::string describe_ownership(const Ownership& o) {
  std::string out;
  if (!o.policy_name.empty()) out = "policy " + o.policy_name;
  if (!o.match.empty())
    out += (out.empty() ? "" : " or ") + std::string("names ") + util::join(o.match, ", ");
  return out;
}

json decision_json(const Decision& d, const std::string& source) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(d.snapshot.time.time_since_epoch())
          .count();
  json j{{"name", d.snapshot.name},
         {"action", to_string(d.action)},
         {"reasons", d.reasons},
         {"state", d.snapshot.state.text},
         {"start_time", ms > 0 ? json(aws::format_iso8601(d.snapshot.time)) : json(nullptr)}};
  if (!source.empty()) j["managed_by"] = source;
  return j;
}

// A --match glob that adopts the snapshots whose names share `prefix` (their longest common
// prefix), cut after its last separator, then '*' ("curator-2026.01.01", "curator-2026.02.01"
// -> "curator-*"); "*" when they share none.
std::string adoption_glob(std::string_view prefix) {
  const std::size_t cut = prefix.find_last_of("-_.");
  return (cut == std::string_view::npos ? std::string() : std::string(prefix.substr(0, cut + 1))) +
         "*";
}

void describe(PrunePlan& pp, const Ownership& o, std::size_t owned) {
  util::Plan& p = pp.plan;
  const std::string n = std::to_string(pp.remove.size());
  p.summary = "will delete " + n + " of " + std::to_string(owned) + " snapshot(s) owned by " +
              describe_ownership(o) + " in repository " + pp.repository;
  if (owned == 0 && pp.not_owned > 0)
    p.summary += "; the repository holds " + std::to_string(pp.not_owned) + " snapshot(s) " +
                 describe_ownership(o) +
                 " does not own (made by hand, SLM, Snapshot Management or another policy): "
                 "to prune them, adopt them with --match '" +
                 pp.adopt_match + "' (try it with --dry-run first)";
  p.actions.reserve(pp.decisions.size());
  for (const Decision& d : pp.decisions)
    p.actions.push_back(std::string(to_string(d.action)) + " " + d.snapshot.name + "  (" +
                        util::join(d.reasons, "; ") + ")");
  // The per-snapshot part of the JSON is built by plan_json, only when it is printed: a DOM of
  // 200,000 decisions costs hundreds of MiB that a text plan or `essnap run` never reads.
  p.json = {{"repository", pp.repository},
            {"ownership", {{"policy", o.policy_name}, {"match", o.match}}},
            {"listed", pp.listed},
            {"not_owned", pp.not_owned}};
  if (!pp.adopt_match.empty()) p.json["adopt_match"] = pp.adopt_match;
  p.confirm = pp.remove.empty() ? util::NeedsConfirmation::kNo : util::NeedsConfirmation::kYes;
  p.question = "Delete these " + n + " snapshot(s)?";
  p.unchanged = "nothing was deleted";
  p.yes_hint = "pass --yes to delete without a prompt";
}

}  // namespace

json plan_json(const PrunePlan& pp) {
  json j = pp.plan.json;
  auto snaps = json::array();
  for (std::size_t i = 0; i < pp.decisions.size(); ++i)
    snaps.push_back(decision_json(pp.decisions[i], pp.managed_by[i]));
  j["snapshots"] = std::move(snaps);
  j["remove"] = pp.remove;
  return j;
}

bool owns(const Ownership& o, const cluster::SnapshotInfo& s) {
  if (!o.policy_name.empty() && essnap_policy(s) == o.policy_name) return true;
  return std::any_of(o.match.begin(), o.match.end(),
                     [&](const std::string& g) { return snapshot::glob_match(g, s.name); });
}

json policy_metadata(const std::string& policy_name) {
  return {{"essnap", {{"policy", policy_name}, {"version", kVersion}}}};
}

std::string managed_by(const cluster::SnapshotInfo& s) {
  if (auto p = essnap_policy(s); !p.empty()) return "essnap:" + p;
  if (auto p = metadata_string(s.metadata, "policy"); !p.empty()) return "slm:" + p;
  if (auto p = metadata_string(s.metadata, "sm_policy"); !p.empty()) return "sm:" + p;
  return "";
}

bool is_aws_managed_repository(const std::string& repository) {
  return repository.starts_with("cs-");
}

namespace {

// What planning keeps of an owned snapshot: the listing's SnapshotInfo (index names, metadata,
// shard counts) is dropped as soon as a snapshot is read, so memory follows the owned names.
struct Owned {
  std::string name;
  std::int64_t start_ms = 0, end_ms = 0;
  cluster::SnapshotState state;
  std::string managed_by;
};

// The repository as planning sees it, filled one snapshot at a time.
struct Listing {
  std::vector<Owned> owned;
  int listed = 0;
  std::optional<std::string> unowned_prefix;  // common name prefix of the snapshots not owned

  void take(const Ownership& o, cluster::SnapshotInfo&& s) {
    ++listed;
    if (owns(o, s)) {
      std::string by = managed_by(s);
      owned.push_back({std::move(s.name), s.start_ms, s.end_ms, std::move(s.state), std::move(by)});
      return;
    }
    if (!unowned_prefix) {
      unowned_prefix = s.name;
      return;
    }
    std::size_t i = 0;
    while (i < unowned_prefix->size() && i < s.name.size() && (*unowned_prefix)[i] == s.name[i])
      ++i;
    unowned_prefix->resize(i);
  }
};

Status check_prunable(const PruneOptions& options) {
  if (is_aws_managed_repository(options.repository))
    return Error(
        ErrorCode::kConflict,
        "refusing to prune repository " + options.repository +
            ": cs-* repositories belong to Amazon OpenSearch Service's automated snapshots",
        "AWS deletes those itself; prune a repository you registered");
  const Ownership& o = options.ownership;
  if (o.policy_name.empty() && o.match.empty())
    return Error(
        ErrorCode::kInvalidArgument, "no snapshots are owned: no policy and no --match",
        "pass --policy NAME (snapshots essnap made for it) or --match GLOB to adopt others");
  return ok_status();
}

// Every step is linear (or n log n for the sort): no per-snapshot search of the listing.
Result<PrunePlan> plan_listing(const PruneOptions& options, Listing l,
                               std::chrono::system_clock::time_point now) {
  auto& owned = l.owned;
  // Elasticsearch's start times come from a clock cached for ~200 ms, so snapshots taken in quick
  // succession tie. apply_policy keeps ties in input order (newest first), so hand it the owned
  // snapshots newest first with the end time, then the name, breaking ties: the plan must not
  // depend on the order the engine happened to list them in.
  std::sort(owned.begin(), owned.end(), [](const Owned& a, const Owned& b) {
    return std::tie(a.start_ms, a.end_ms, a.name) > std::tie(b.start_ms, b.end_ms, b.name);
  });
  std::vector<Candidate> candidates;
  candidates.reserve(owned.size());
  for (const auto& s : owned)
    candidates.push_back(
        {s.name, std::chrono::system_clock::time_point(std::chrono::milliseconds(s.start_ms)),
         s.state});
  ESSNAP_TRY(auto decisions, apply_policy(std::move(candidates), options.policy, now));
  PrunePlan pp;
  pp.repository = options.repository;
  pp.listed = l.listed;
  pp.not_owned = l.listed - static_cast<int>(owned.size());
  if (owned.empty() && l.unowned_prefix) pp.adopt_match = adoption_glob(*l.unowned_prefix);
  pp.decisions = std::move(decisions);
  // Names are unique in a repository: one hash lookup per decision keeps this linear.
  std::unordered_map<std::string_view, const Owned*> by_name;
  by_name.reserve(owned.size());
  for (const auto& s : owned) by_name.emplace(s.name, &s);
  pp.managed_by.reserve(pp.decisions.size());
  for (const auto& d : pp.decisions) {
    const auto it = by_name.find(d.snapshot.name);
    pp.managed_by.push_back(it == by_name.end() ? "" : it->second->managed_by);
    if (d.action == Action::kRemove) pp.remove.push_back(d.snapshot.name);
  }
  describe(pp, options.ownership, owned.size());
  return pp;
}

// Each page of the repository's listing, as plan_prune and list_repository read it.
Status for_each_page(cluster::Client& c, const std::string& repo, int* requests,
                     const std::function<void(std::vector<cluster::SnapshotInfo>&&)>& page) {
  ESSNAP_TRY(auto info, c.info());
  const ListingPlan l = listing_plan(info);
  cluster::GetSnapshotsRequest r{repo, "_all", false};
  r.size = l.page_size;
  r.index_names = l.index_names;
  if (l.page_size > 0) r.sort = "start_time";
  for (int pages = 1;; ++pages) {
    auto got = cluster::get_snapshots(c, r);
    if (!got.ok()) return std::move(got).error();
    if (requests) *requests = pages;
    page(std::move(got->snapshots));
    if (l.page_size == 0 || got->next.empty()) break;
    r.after = got->next;
  }
  return ok_status();
}

}  // namespace

Result<PrunePlan> make_prune_plan(const PruneOptions& options,
                                  const std::vector<cluster::SnapshotInfo>& snapshots,
                                  std::chrono::system_clock::time_point now) {
  ESSNAP_TRY_STATUS(check_prunable(options));
  Listing l;
  for (const auto& s : snapshots) l.take(options.ownership, cluster::SnapshotInfo(s));
  return plan_listing(options, std::move(l), now);
}

ListingPlan listing_plan(const cluster::ClusterInfo& info) {
  ListingPlan l;
  if (info.distribution != cluster::Distribution::kElasticsearch) return l;
  if (info.version >= cluster::Version{7, 14, 0, ""}) l.page_size = 1000;
  if (info.version >= cluster::Version{8, 3, 0, ""}) l.index_names = false;
  return l;
}

Result<std::vector<cluster::SnapshotInfo>> list_repository(cluster::Client& c,
                                                           const std::string& repo, int* requests) {
  std::vector<cluster::SnapshotInfo> out;
  ESSNAP_TRY_STATUS(for_each_page(c, repo, requests, [&](std::vector<cluster::SnapshotInfo>&& p) {
    for (auto& s : p) out.push_back(std::move(s));
  }));
  return out;
}

Result<PrunePlan> plan_prune(cluster::Client& c, const PruneOptions& options,
                             std::chrono::system_clock::time_point now) {
  ESSNAP_TRY_STATUS(check_prunable(options));  // the refusals, before anything is sent
  int requests = 0;
  Listing l;
  ESSNAP_TRY_STATUS(
      for_each_page(c, options.repository, &requests, [&](std::vector<cluster::SnapshotInfo>&& p) {
        for (auto& s : p) l.take(options.ownership, std::move(s));
      }));
  ESSNAP_TRY(auto plan, plan_listing(options, std::move(l), now));
  plan.list_requests = requests;
  return plan;
}

Result<PruneReport> execute_prune(cluster::Client& c, const PrunePlan& plan,
                                  const snapshot::DeleteHooks& hooks) {
  ESSNAP_TRY(auto r, snapshot::delete_snapshots(c, plan.repository, plan.remove, hooks));
  return PruneReport{std::move(r.deleted), std::move(r.already_gone), r.delete_requests};
}

Result<PruneReport> execute_prune(cluster::Client& c, const PrunePlan& plan,
                                  const std::function<void(const std::string&)>& deleted) {
  snapshot::DeleteHooks hooks;
  hooks.deleted = deleted;
  return execute_prune(c, plan, hooks);
}

}  // namespace essnap::retention
