#include "essnap/schedule/runner.hpp"

#include "essnap/blob/open.hpp"
#include "essnap/cluster/names.hpp"
#include "essnap/cluster/repository.hpp"
#include "essnap/drill/drill.hpp"
#include "essnap/retention/prune.hpp"
#include "essnap/snapshot/create.hpp"
#include "essnap/snapshot/selection.hpp"
#include "essnap/sync/sync.hpp"
#include "essnap/util/strings.hpp"

namespace essnap::schedule {
namespace {

RunOutcome failed(const Error& e, std::string snapshot = {}) {
  RunOutcome o;
  o.snapshot = std::move(snapshot);
  o.message = e.message + (e.hint.empty() ? "" : " (" + e.hint + ")");
  o.interrupted = e.code == ErrorCode::kInterrupted;
  o.refused = e.code == ErrorCode::kConflict;
  // A refusal is not a failed snapshot (nothing was attempted): exit 8, counted as failed.
  o.result = o.refused ? RunResult::kSuccess : RunResult::kFailed;
  return o;
}

}  // namespace

ClusterRunner::ClusterRunner(ClientFactory factory, Logger& log, std::function<bool()> stop,
                             snapshot::PollPolicy poll)
    : factory_(std::move(factory)), log_(log), stop_(std::move(stop)), poll_(poll) {}

void ClusterRunner::configure(const Config& config) {
  config_ = config;
  clients_.clear();  // credentials or URLs may have changed
}

Result<std::shared_ptr<cluster::Client>> ClusterRunner::client(const std::string& name) {
  if (auto it = clients_.find(name); it != clients_.end()) return it->second;
  auto cl = config_.clusters.find(name);
  if (cl == config_.clusters.end())
    return Error(ErrorCode::kInvalidArgument, "unknown cluster '" + name + "'");
  ESSNAP_TRY(auto c, factory_(cl->second));
  clients_[name] = c;
  return c;
}

snapshot::WaitHooks ClusterRunner::hooks(const std::string& policy, std::int64_t* bytes) {
  snapshot::WaitHooks h;
  h.progress = [this, bytes, policy](const util::ProgressEvent& e) {
    if (e.kind == util::ProgressKind::kNotice)
      log_.info(e.message, {{"policy", policy}});
    else if (e.bytes_total > 0)
      *bytes = static_cast<std::int64_t>(e.bytes_total);
  };
  h.interrupted = stop_;
  return h;
}

std::optional<std::int64_t> ClusterRunner::count_owned(cluster::Client& c, const PolicyConfig& p) {
  auto got = retention::list_repository(c, p.repository);
  if (!got.ok()) return std::nullopt;
  const retention::Ownership own{p.name, p.match};
  std::int64_t n = 0;
  for (const auto& s : *got) n += retention::owns(own, s) ? 1 : 0;
  return n;
}

RunOutcome ClusterRunner::snapshot(const PolicyConfig& p, SysSeconds now) {
  auto name = snapshot_name(p, Clock::time_point(now));
  if (!name.ok()) return failed(name.error());
  auto c = client(p.cluster);
  if (!c.ok()) return failed(c.error(), *name);
  std::int64_t bytes = 0;
  snapshot::CreateOptions o;
  o.request.repository = p.repository;
  o.request.name = *name;
  // The config check refuses these; a Config built another way must not turn an empty
  // selection into a snapshot of every index.
  if (!p.indices.empty())
    if (auto st =
            cluster::names::validate_index_arguments(p.indices, "indices of policy " + p.name);
        !st.ok())
      return failed(st.error(), *name);
  o.request.indices = util::join(snapshot::split_patterns(p.indices));
  o.request.include_global_state = p.include_global_state;
  o.request.partial = p.partial;
  o.request.metadata_object = retention::policy_metadata(p.name);
  o.wait = snapshot::WaitMode::kWait;
  o.slot = snapshot::SlotMode::kWaitForSlot;  // SLM, SM or cs-automated running: wait, not fail
  o.record_documents = snapshot::RecordDocuments::kYes;  // counts for a drill
  o.poll = poll_;
  o.hooks = hooks(p.name, &bytes);
  auto res = snapshot::create_snapshot(**c, o);
  if (!res.ok()) return failed(res.error(), *name);
  RunOutcome out;
  out.snapshot = *name;
  const auto& info = res->info;
  out.result = info.state == cluster::SnapshotStateKind::kSuccess   ? RunResult::kSuccess
               : info.state == cluster::SnapshotStateKind::kPartial ? RunResult::kPartial
                                                                    : RunResult::kFailed;
  if (out.result != RunResult::kSuccess)
    out.message = "snapshot finished " + info.state.text + ": " +
                  std::to_string(info.shards_failed) + " of " + std::to_string(info.shards_total) +
                  " shards failed " + info.reason;
  if (bytes == 0)  // too quick for a progress poll: ask the finished snapshot's status
    if (auto st = cluster::snapshot_status(**c, {p.repository, *name});
        st.ok() && !st->snapshots.empty())
      bytes = st->snapshots.front().bytes_total;
  out.bytes = bytes;
  if (p.prune == PruneMode::kNever || p.prune == PruneMode::kOnSchedule)
    out.snapshots = count_owned(**c, p);
  return out;
}

RunOutcome ClusterRunner::prune(const PolicyConfig& p, Clock::time_point now) {
  auto c = client(p.cluster);
  if (!c.ok()) return failed(c.error());
  retention::PruneOptions o;
  o.repository = p.repository;
  o.ownership = {p.name, p.match};
  o.policy = p.retention;
  auto plan = retention::plan_prune(**c, o, now);
  if (!plan.ok()) return failed(plan.error());
  if (plan->decisions.empty() && plan->not_owned > 0)
    log_.warn("the policy owns no snapshot in its repository; add match: globs to adopt others",
              {{"policy", p.name},
               {"repository", p.repository},
               {"not_owned", plan->not_owned},
               {"match_example", plan->adopt_match}});
  RunOutcome out;
  out.snapshots = static_cast<std::int64_t>(plan->decisions.size() - plan->remove.size());
  if (plan->remove.empty()) return out;
  if (stop_ && stop_()) {  // never start a delete batch while stopping
    out.message = "stopping: prune not started";
    out.snapshots = static_cast<std::int64_t>(plan->decisions.size());
    return out;
  }
  log_.info("pruning",
            {{"policy", p.name}, {"repository", p.repository}, {"remove", plan->remove}});
  auto done = retention::execute_prune(**c, *plan, [&](const std::string& n) {
    log_.info("deleted snapshot", {{"policy", p.name}, {"snapshot", n}});
  });
  if (!done.ok()) return failed(done.error());
  out.deleted = static_cast<int>(done->deleted.size());
  return out;
}

PolicyHistory ClusterRunner::history(const PolicyConfig& p) {
  PolicyHistory h;
  auto c = client(p.cluster);
  if (!c.ok()) return h;
  auto got = retention::list_repository(**c, p.repository);
  if (!got.ok()) return h;
  const retention::Ownership own{p.name, p.match};
  std::int64_t newest = 0, success_start = 0, success_end = 0, owned = 0;
  for (const auto& s : *got) {
    if (!retention::owns(own, s)) continue;
    ++owned;
    newest = std::max(newest, s.start_ms);
    if (s.state == cluster::SnapshotStateKind::kSuccess && s.start_ms >= success_start) {
      success_start = s.start_ms;
      success_end = std::max(s.end_ms, s.start_ms);
    }
  }
  h.owned = owned;
  if (newest > 0) h.newest_start = SysSeconds(Seconds(newest / 1000));
  if (success_end > 0) h.last_success = SysSeconds(Seconds(success_end / 1000));
  return h;
}

CopyOutcome ClusterRunner::copy(const PolicyConfig& p) {
  CopyOutcome out;
  const CopyToConfig& t = *p.copy_to;
  std::vector<std::string> owned;
  auto lag = [&] {
    std::int64_t n = 0;
    for (const auto& s : owned)
      n += in_dst_[p.name].count(s) || not_copied_[p.name].count(s) ? 0 : 1;
    return n;
  };
  auto fail = [&](const Error& e, const std::string& where) {
    out.message = where + ": " + e.message + (e.hint.empty() ? "" : " (" + e.hint + ")");
    if (!owned.empty()) out.lag = lag();
    return out;
  };
  auto c = client(p.cluster);
  if (!c.ok()) return fail(c.error(), "cluster " + p.cluster);
  auto listed = retention::list_repository(**c, p.repository);
  if (!listed.ok()) return fail(listed.error(), "repository " + p.repository);
  const retention::Ownership own{p.name, p.match};
  for (const auto& s : *listed)
    if (retention::owns(own, s)) owned.push_back(s.name);
  auto repos = cluster::get_repositories(**c, p.repository);
  if (!repos.ok()) return fail(repos.error(), "repository " + p.repository);
  if (repos->empty())
    return fail(Error(ErrorCode::kNotFound, "not registered"), "repository " + p.repository);
  auto location = cluster::repository_location(repos->front());
  if (!location.ok()) return fail(location.error(), "repository " + p.repository);
  const std::string src_where = cluster::map_location(*location, t.location_map);
  if (src_where == t.to)
    return fail(Error(ErrorCode::kInvalidArgument, "SRC and DST are the same place"), t.to);
  const ClusterConfig& cl = config_.clusters.at(p.cluster);
  blob::OpenOptions so;
  so.s3.region = cl.region;
  so.s3.profile = cl.profile;
  so.credentials = cluster::credential_options(cl.profile, cl.region, 0);
  auto src = blob::open_blob_store(src_where, blob::Access::kRead, so);
  if (!src.ok()) return fail(src.error(), "SRC " + src_where);
  blob::OpenOptions dopt;
  dopt.s3.region = t.region;
  dopt.s3.profile = t.profile;
  dopt.s3.endpoint_url = t.s3_endpoint_url;
  dopt.s3.path_style = t.s3_path_style;
  dopt.credentials = cluster::credential_options(t.profile, t.region, 0);
  dopt.write.storage_class = t.storage_class;
  auto dst = sync::open_destination(t.to, dopt, t.object_lock_days, t.object_lock_mode);
  if (!dst.ok()) return fail(dst.error(), "DST " + t.to);
  sync::SyncOptions o;
  // By default exactly the snapshots the policy owns (its metadata or its match globs): a
  // repository shared with SLM or other policies copies only this policy's part.
  o.snapshots = t.snapshots.empty() ? owned : t.snapshots;
  if (o.snapshots.empty()) {  // an empty selection would mean every snapshot of SRC
    out.ok = true;
    out.lag = 0;
    out.message = "the policy owns no snapshot yet";
    return out;
  }
  o.retention = t.retention;
  o.check_locks = dst->object_lock;
  o.verify_data = t.verify_data;
  o.interrupted = stop_;
  auto r = sync::sync_repository(**src, *dst->store, o);
  if (!r.ok()) return fail(r.error(), "sync to " + t.to);
  auto& held = in_dst_[p.name];
  held.clear();
  for (const auto& n : r->plan.add) held.insert(n);
  for (const auto& n : r->plan.kept) held.insert(n);
  for (const auto& h : r->plan.held) held.insert(h.name);
  auto& gone = not_copied_[p.name];
  for (const auto& n : r->plan.remove) gone.insert(n);
  for (const auto& s : r->plan.skipped)  // for good (a shallow copy), not one still running
    if (s.find(": in progress") == std::string::npos) gone.insert(s.substr(0, s.find(": ")));
  out.ok = true;
  out.bytes = r->bytes_copied;
  out.added = r->plan.add;
  out.lag = lag();
  return out;
}

DrillOutcome ClusterRunner::drill(const PolicyConfig& p) {
  DrillOutcome out;
  const DrillConfig& d = *p.drill;
  out.cluster = d.cluster;
  auto fail = [&](const Error& e) {
    out.message = e.message + (e.hint.empty() ? "" : " (" + e.hint + ")");
    out.interrupted = e.code == ErrorCode::kInterrupted;
    return out;
  };
  auto c = client(d.cluster);
  if (!c.ok()) return fail(c.error());
  // The policy's own newest SUCCESS snapshot, as the drill cluster sees the repository.
  auto listed = retention::list_repository(**c, d.repository);
  if (!listed.ok()) return fail(listed.error());
  const retention::Ownership own{p.name, p.match};
  const cluster::SnapshotInfo* newest = nullptr;
  for (const auto& s : *listed)
    if (retention::owns(own, s) && s.state == cluster::SnapshotStateKind::kSuccess &&
        (!newest || s.start_ms > newest->start_ms ||
         (s.start_ms == newest->start_ms && s.name > newest->name)))
      newest = &s;
  if (!newest)
    return fail(Error(ErrorCode::kNotFound, "the policy owns no SUCCESS snapshot in repository " +
                                                d.repository + " of cluster " + d.cluster));
  out.snapshot = newest->name;
  drill::DrillOptions o;
  o.repository = d.repository;
  o.snapshot = newest->name;
  o.patterns = snapshot::split_patterns(d.indices);
  o.suffix = d.into_suffix.empty() ? drill::default_suffix(std::chrono::system_clock::now())
                                   : d.into_suffix;
  o.sample = d.sample;
  o.poll = poll_;
  std::int64_t ignored = 0;
  o.hooks = hooks(p.name, &ignored);
  auto plan = drill::plan_drill(**c, o);
  if (!plan.ok()) return fail(plan.error());
  if (plan->blocker) return fail(*plan->blocker);
  // The snapshot's segments, read where the drill cluster says the repository is (the policy's
  // copy_to location_map, when it has one, says where this machine sees it).
  const ClusterConfig& cl = config_.clusters.at(d.cluster);
  blob::OpenOptions so;
  so.s3.region = cl.region;
  so.s3.profile = cl.profile;
  so.credentials = cluster::credential_options(cl.profile, cl.region, 0);
  const auto no_map = std::vector<std::pair<std::string, std::string>>{};
  std::string why_recorded;
  auto docs = drill::snapshot_documents(
      plan->restore.snapshot,
      drill::open_repository_store(**c, d.repository, p.copy_to ? p.copy_to->location_map : no_map,
                                   so),
      &why_recorded);
  if (!why_recorded.empty()) o.hooks.notify(why_recorded);
  const drill::DrillReport r = drill::execute_drill(**c, **c, *plan, *docs, o);
  out.restore_seconds = r.restore_seconds;
  out.restored_bytes = r.restored_bytes;
  out.bytes_per_second = r.bytes_per_second;
  out.problems = r.problems;
  out.warnings = r.warnings;
  if (r.error) return fail(*r.error);
  out.passed = r.passed();
  return out;
}

}  // namespace essnap::schedule
