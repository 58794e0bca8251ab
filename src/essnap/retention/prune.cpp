#include "essnap/retention/prune.hpp"

#include <algorithm>
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

// A --match glob that adopts the snapshots of the listing: their longest common name prefix,
// cut after its last separator, then '*' ("curator-2026.01.01", "curator-2026.02.01" ->
// "curator-*"); "*" when they share none.
std::string adoption_glob(const std::vector<cluster::SnapshotInfo>& snapshots) {
  std::string_view prefix = snapshots.front().name;
  for (const auto& s : snapshots) {
    std::size_t i = 0;
    while (i < prefix.size() && i < s.name.size() && prefix[i] == s.name[i]) ++i;
    prefix = prefix.substr(0, i);
  }
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
  auto snaps = json::array();
  for (std::size_t i = 0; i < pp.decisions.size(); ++i) {
    const Decision& d = pp.decisions[i];
    snaps.push_back(decision_json(d, pp.managed_by[i]));
    p.actions.push_back(std::string(to_string(d.action)) + " " + d.snapshot.name + "  (" +
                        util::join(d.reasons, "; ") + ")");
  }
  p.json = {
      {"repository", pp.repository}, {"ownership", {{"policy", o.policy_name}, {"match", o.match}}},
      {"listed", pp.listed},         {"not_owned", pp.not_owned},
      {"snapshots", snaps},          {"remove", pp.remove}};
  if (!pp.adopt_match.empty()) p.json["adopt_match"] = pp.adopt_match;
  p.confirm = pp.remove.empty() ? util::NeedsConfirmation::kNo : util::NeedsConfirmation::kYes;
  p.question = "Delete these " + n + " snapshot(s)?";
  p.unchanged = "nothing was deleted";
  p.yes_hint = "pass --yes to delete without a prompt";
}

}  // namespace

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

Result<PrunePlan> make_prune_plan(const PruneOptions& options,
                                  const std::vector<cluster::SnapshotInfo>& snapshots,
                                  std::chrono::system_clock::time_point now) {
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
  std::vector<const cluster::SnapshotInfo*> owned;
  for (const auto& s : snapshots)
    if (owns(o, s)) owned.push_back(&s);
  // Elasticsearch's start times come from a clock cached for ~200 ms, so snapshots taken in quick
  // succession tie. apply_policy keeps ties in input order (newest first), so hand it the owned
  // snapshots newest first with the end time, then the name, breaking ties: the plan must not
  // depend on the order the engine happened to list them in.
  std::stable_sort(owned.begin(), owned.end(), [](const auto* a, const auto* b) {
    return std::tie(a->start_ms, a->end_ms, a->name) > std::tie(b->start_ms, b->end_ms, b->name);
  });
  std::vector<Candidate> candidates;
  for (const auto* s : owned)
    candidates.push_back(
        {s->name, std::chrono::system_clock::time_point(std::chrono::milliseconds(s->start_ms)),
         s->state});
  ESSNAP_TRY(auto decisions, apply_policy(std::move(candidates), options.policy, now));
  PrunePlan pp;
  pp.repository = options.repository;
  pp.listed = static_cast<int>(snapshots.size());
  pp.not_owned = static_cast<int>(snapshots.size() - owned.size());
  if (owned.empty() && !snapshots.empty()) pp.adopt_match = adoption_glob(snapshots);
  pp.decisions = std::move(decisions);
  // Names are unique in a repository: one hash lookup per decision keeps this linear.
  std::unordered_map<std::string_view, const cluster::SnapshotInfo*> by_name;
  by_name.reserve(owned.size());
  for (const auto* s : owned) by_name.emplace(s->name, s);
  pp.managed_by.reserve(pp.decisions.size());
  for (const auto& d : pp.decisions) {
    const auto it = by_name.find(d.snapshot.name);
    pp.managed_by.push_back(it == by_name.end() ? "" : managed_by(*it->second));
    if (d.action == Action::kRemove) pp.remove.push_back(d.snapshot.name);
  }
  describe(pp, o, owned.size());
  return pp;
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
  ESSNAP_TRY(auto info, c.info());
  const ListingPlan l = listing_plan(info);
  std::vector<cluster::SnapshotInfo> out;
  cluster::GetSnapshotsRequest r{repo, "_all", false};
  r.size = l.page_size;
  r.index_names = l.index_names;
  if (l.page_size > 0) r.sort = "start_time";
  for (int pages = 1;; ++pages) {
    auto got = cluster::get_snapshots(c, r);
    if (!got.ok()) return std::move(got).error();
    if (requests) *requests = pages;
    for (auto& s : got->snapshots) out.push_back(std::move(s));
    if (l.page_size == 0 || got->next.empty()) break;
    r.after = got->next;
  }
  return out;
}

Result<PrunePlan> plan_prune(cluster::Client& c, const PruneOptions& options,
                             std::chrono::system_clock::time_point now) {
  if (is_aws_managed_repository(options.repository))
    return make_prune_plan(options, {}, now);  // the refusal, before anything is sent
  int requests = 0;
  ESSNAP_TRY(auto snapshots, list_repository(c, options.repository, &requests));
  ESSNAP_TRY(auto plan, make_prune_plan(options, snapshots, now));
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
