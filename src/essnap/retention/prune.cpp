#include "essnap/retention/prune.hpp"

#include <algorithm>
#include <tuple>

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

void describe(PrunePlan& pp, const Ownership& o, std::size_t owned) {
  util::Plan& p = pp.plan;
  const std::string n = std::to_string(pp.remove.size());
  p.summary = "will delete " + n + " of " + std::to_string(owned) + " snapshot(s) owned by " +
              describe_ownership(o) + " in repository " + pp.repository;
  auto snaps = json::array();
  for (std::size_t i = 0; i < pp.decisions.size(); ++i) {
    const Decision& d = pp.decisions[i];
    snaps.push_back(decision_json(d, pp.managed_by[i]));
    p.actions.push_back(std::string(to_string(d.action)) + " " + d.snapshot.name + "  (" +
                        util::join(d.reasons, "; ") + ")");
  }
  p.json = {{"repository", pp.repository},
            {"ownership", {{"policy", o.policy_name}, {"match", o.match}}},
            {"listed", pp.listed},
            {"snapshots", snaps},
            {"remove", pp.remove}};
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
  pp.decisions = std::move(decisions);
  for (const auto& d : pp.decisions) {
    const auto it = std::find_if(owned.begin(), owned.end(),
                                 [&](const auto* s) { return s->name == d.snapshot.name; });
    pp.managed_by.push_back(it == owned.end() ? "" : managed_by(**it));
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
