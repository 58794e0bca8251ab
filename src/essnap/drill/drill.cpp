#include "essnap/drill/drill.hpp"

#include <cstdio>
#include <set>

#include "essnap/cluster/names.hpp"
#include "essnap/cluster/nodes.hpp"
#include "essnap/cluster/search.hpp"
#include "essnap/transfer/ndjson.hpp"
#include "essnap/util/civil.hpp"
#include "essnap/util/progress.hpp"
#include "essnap/util/strings.hpp"

namespace essnap::drill {
namespace {

using json = nlohmann::json;

// The engines stop allocating shards to a node past its high watermark (90 % used by default):
// what a restore may fill is the free space above it.
constexpr double kHighWatermark = 0.90;

bool damaged(const Error& e) {
  return e.code == ErrorCode::kParse || e.code == ErrorCode::kIncomplete;
}

// The engine's reason for a failed shard is a Java stack trace: its innermost cause's first line
// (where a failed restore names the Lucene file and the checksums), else its first line.
std::string root_cause(const std::string& details) {
  std::string text = details;
  if (const auto at = text.rfind("Caused by: "); at != std::string::npos)
    text = text.substr(at + 11);
  text = text.substr(0, text.find('\n'));
  // "[index/uuid][[index][0]] org.x.SomeException: ..." -> "org.x.SomeException: ..."
  while (text.starts_with("[")) {
    const auto close = text.find("] ");
    if (close == std::string::npos) break;
    text = text.substr(close + 2);
  }
  return text;
}

}  // namespace

std::string default_suffix(std::chrono::system_clock::time_point now) {
  const auto days = std::chrono::floor<std::chrono::days>(now).time_since_epoch().count();
  const auto d = util::civil_from_days(days);
  char buf[32];
  std::snprintf(buf, sizeof buf, "-drill-%04d%02d%02d", static_cast<int>(d.year), d.month, d.day);
  return buf;
}

bool is_drill_copy(std::int64_t created_ms, std::int64_t snapshot_end_ms,
                   std::optional<std::int64_t> restore_sent_ms) {
  if (snapshot_end_ms <= 0 || created_ms <= snapshot_end_ms) return true;
  return restore_sent_ms && created_ms >= *restore_sent_ms;
}

const char* to_string(Check c) {
  switch (c) {
    case Check::kPassed:
      return "passed";
    case Check::kFailed:
      return "failed";
    case Check::kNotChecked:
      break;
  }
  return "not checked";
}

std::string DrillPlan::cleanup_command() const {
  return "essnap request DELETE " + util::shell_word("/" + util::join(scratch, ","));
}

json DrillPlan::to_json() const {
  json j = restore.to_json();
  j["scratch_indices"] = scratch;
  j["snapshot_bytes"] = snapshot_bytes;
  j["free_bytes"] = free_bytes;
  j["data_nodes"] = data_nodes;
  j["replicas"] = 0;
  j["cleanup_command"] = cleanup_command();
  return j;
}

Result<DrillPlan> plan_drill(cluster::Client& c, const DrillOptions& o) {
  namespace names = cluster::names;
  ESSNAP_TRY_STATUS(names::validate_repository_name(o.repository, "--repository"));
  if (!o.snapshot.empty())
    ESSNAP_TRY_STATUS(names::validate_snapshot_name(o.snapshot, "--snapshot"));
  if (o.suffix.empty())
    return Error(ErrorCode::kInvalidArgument, "--into-suffix is empty",
                 "leave it out for the default -drill-<date>");
  ESSNAP_TRY_STATUS(names::validate_index_name("x" + o.suffix, "--into-suffix"));
  if (o.sample < 0) return Error(ErrorCode::kInvalidArgument, "--sample must be 0 or more");

  DrillPlan plan;
  auto& ro = plan.restore_options;
  ro.repository = o.repository;
  ro.snapshot = o.snapshot;
  if (ro.snapshot.empty()) {
    ESSNAP_TRY(ro.snapshot, snapshot::newest_success_snapshot(c, o.repository, o.patterns));
  }
  ro.patterns = o.patterns;
  std::tie(ro.rename_pattern, ro.rename_replacement) = snapshot::suffix_rename(o.suffix);
  ro.aliases = snapshot::Aliases::kExclude;
  ro.index_settings = {{"index.number_of_replicas", "0"}, {"index.auto_expand_replicas", "false"}};
  ro.conflicts = snapshot::ConflictPolicy::kRefuse;  // a scratch name in use is never overwritten
  ro.system = snapshot::SystemIndices::kExclude;
  ro.wait = snapshot::WaitMode::kWait;
  ro.poll = o.poll;
  ro.hooks = o.hooks;
  ESSNAP_TRY(plan.restore, snapshot::plan_restore(c, ro));
  for (const auto& [s, t] : plan.restore.indices) plan.scratch.push_back(t);
  if (auto st = snapshot::check_restore_plan(plan.restore, ro); !st.ok()) {
    Error e = std::move(st).error();
    if (!plan.restore.conflicts.empty() || !plan.restore.closed_targets.empty())
      e.hint =
          "a scratch index of that name exists (an earlier drill's, or someone's): delete it "
          "if it is a drill's leftover (essnap request DELETE /NAME), or choose another "
          "--into-suffix";
    plan.blocker = std::move(e);
    return plan;
  }
  if (auto st = cluster::snapshot_status(c, {o.repository, plan.restore.snapshot.name});
      st.ok() && !st->snapshots.empty()) {
    plan.snapshot_bytes = 0;
    for (const auto& [s, t] : plan.restore.indices) {
      auto it = st->snapshots.front().index_bytes.find(s);
      if (it != st->snapshots.front().index_bytes.end()) plan.snapshot_bytes += it->second;
    }
  }
  ESSNAP_TRY(auto disks, cluster::data_node_disks(c));
  plan.data_nodes = static_cast<int>(disks.size());
  plan.free_bytes = 0;
  for (const auto& d : disks) {
    const auto reserve =
        static_cast<std::int64_t>(static_cast<double>(d.total_bytes) * (1.0 - kHighWatermark));
    plan.free_bytes += std::max<std::int64_t>(0, d.available_bytes - reserve);
  }
  if (plan.snapshot_bytes > 0 && plan.snapshot_bytes > plan.free_bytes)
    plan.blocker =
        Error(ErrorCode::kConflict,
              "not enough disk for the drill: restoring " + std::to_string(plan.scratch.size()) +
                  " index(es) needs " + util::format_bytes(plan.snapshot_bytes) + ", and the " +
                  std::to_string(plan.data_nodes) + " data node(s) have " +
                  util::format_bytes(plan.free_bytes) + " free below the 90% high watermark",
              "drill fewer indices (-i), free disk, or drill on a larger cluster (--url)");
  return plan;
}

util::Plan describe_drill(const DrillPlan& plan) {
  util::Plan p;
  const auto& ro = plan.restore_options;
  p.summary = "drill: restore " + ro.repository + "/" + plan.restore.snapshot.name + " into " +
              std::to_string(plan.scratch.size()) +
              " scratch index(es) (no aliases, 0 replicas), check them, then delete them";
  for (const auto& [s, t] : plan.restore.indices) p.actions.push_back(s + " -> " + t);
  for (const auto& s : plan.restore.excluded_system)
    p.actions.push_back("skipped system index " + s);
  p.actions.push_back(
      "disk: " +
      (plan.snapshot_bytes >= 0 ? util::format_bytes(plan.snapshot_bytes) : std::string("?")) +
      " to restore, " + util::format_bytes(std::max<std::int64_t>(0, plan.free_bytes)) +
      " free on " + std::to_string(plan.data_nodes) + " data node(s)");
  p.actions.push_back("if the drill is killed, delete the scratch indices with: " +
                      plan.cleanup_command());
  p.json = {{"plan", plan.to_json()}};
  p.confirm = util::NeedsConfirmation::kNo;
  p.unchanged = "nothing was changed";
  p.blocker = plan.blocker;
  return p;
}

namespace {

// The restore's failed primaries, each with the engine's reason.
void explain_failures(cluster::Client& c, const DrillPlan& plan, DrillReport& rep) {
  auto inactive = cluster::inactive_primaries(c, plan.scratch);
  for (auto& ir : rep.indices) {
    std::vector<std::string> why;
    if (inactive.ok())
      for (const auto& [index, shard] : *inactive) {
        if (index != ir.scratch) continue;
        auto reason = cluster::unassigned_primary_reason(c, index, shard);
        why.push_back("shard " + std::to_string(shard) + ": " +
                      (reason.ok() && !reason->empty() ? root_cause(*reason) : "not active"));
      }
    if (why.empty()) {
      ir.restore = Check::kPassed;
      continue;
    }
    ir.restore = Check::kFailed;
    ir.restore_detail = util::join(why, "; ");
    rep.problems.push_back("index " + ir.source + " (restored as " + ir.scratch +
                           ") failed to restore: " + ir.restore_detail);
  }
  if (!inactive.ok() || rep.problems.empty())
    rep.problems.push_back(
        "primary shards failed to restore (see 'essnap request GET "
        "/_cluster/allocation/explain')");
}

// `sample` documents of the restored index against the snapshot's, byte for byte.
void sample_documents(cluster::Client& c, SnapshotDocuments& docs, int sample, IndexResult& ir,
                      DrillReport& rep) {
  const json body{{"size", sample}, {"sort", json::array({"_doc"})}};
  auto page = cluster::search_page(c, {ir.scratch, "", "", body.dump()});
  if (!page.ok()) {
    rep.error = page.error();
    return;
  }
  transfer::PageParser parser;
  auto hits = parser.parse(*page);
  if (!hits.ok()) {
    rep.error = hits.error();
    return;
  }
  std::vector<std::pair<std::string, std::string>> sampled;  // _id, the restored _source
  std::set<std::string> ids;
  for (const auto& h : hits->hits) {
    const std::string id = json::parse(h.id, nullptr, false).is_string()
                               ? json::parse(h.id).get<std::string>()
                               : std::string(h.id);
    sampled.emplace_back(id, std::string(h.source));
    ids.insert(id);
  }
  std::vector<std::string> differ;
  auto want = docs.document_sources(ir.source, ids);
  if (!want.ok()) {
    if (!damaged(want.error())) {
      rep.error = want.error();
      return;
    }
    differ.push_back(want.error().message);
  } else {
    for (const auto& [id, source] : sampled) {
      ++ir.sampled;
      auto it = want->find(id);
      if (it == want->end())
        differ.push_back(id + ": not in the snapshot");
      else if (it->second != source)
        differ.push_back(id + ": its _source differs from the snapshot's");
    }
  }
  ir.sample = differ.empty() ? Check::kPassed : Check::kFailed;
  ir.sample_detail = util::join(differ, "; ");
  if (!differ.empty())
    rep.problems.push_back("index " + ir.source +
                           ": sampled documents differ from the snapshot: " + ir.sample_detail);
}

void check_index(cluster::Client& c, SnapshotDocuments& docs, int sample, IndexResult& ir,
                 DrillReport& rep) {
  auto expected = docs.live_documents(ir.source);
  if (!expected.ok()) {
    if (!damaged(expected.error())) {
      rep.error = expected.error();
      return;
    }
    ir.count = Check::kFailed;
    ir.count_detail = expected.error().message;
    rep.problems.push_back("index " + ir.source + ": " + ir.count_detail);
  } else if (!*expected) {
    ir.count = Check::kNotChecked;
  } else {
    ir.expected_documents = **expected;
    if (ir.restored_documents < 0) {
      auto n = cluster::count_documents(c, ir.scratch, cluster::Refresh::kNo);
      if (!n.ok()) {
        rep.error = n.error();
        return;
      }
      ir.restored_documents = *n;
    }
    ir.count = ir.restored_documents == **expected ? Check::kPassed : Check::kFailed;
    ir.count_detail = "restored " + std::to_string(ir.restored_documents) + ", snapshot " +
                      std::to_string(**expected) + " (" + docs.count_source() + ")";
    if (ir.count == Check::kFailed)
      rep.problems.push_back("index " + ir.source + ": document count differs: " + ir.count_detail);
  }
  if (sample > 0 && docs.reads_documents()) sample_documents(c, docs, sample, ir, rep);
}

// Deletes the scratch indices that are this drill's restored copies (is_drill_copy).
void clean_up(cluster::Client& c, const DrillPlan& plan, DrillReport& rep,
              std::optional<std::int64_t> restore_began_ms) {
  auto dates = cluster::index_creation_dates(c, plan.scratch);
  if (!dates.ok()) {
    rep.left = plan.scratch;
    rep.warnings.push_back("could not look at the scratch indices to delete them (" +
                           dates.error().message +
                           "); delete them with: " + plan.cleanup_command());
    return;
  }
  const auto& snap = plan.restore.snapshot;
  const std::int64_t ended = snap.end_ms > 0 ? snap.end_ms : snap.start_ms;
  for (const auto& t : plan.scratch) {
    auto it = dates->find(t);
    if (it == dates->end()) continue;  // never created (or already gone)
    if (!is_drill_copy(it->second, ended, restore_began_ms)) {
      rep.warnings.push_back("index " + t +
                             " exists but is not this drill's restored copy (created after the "
                             "snapshot ended, before the drill's restore): left alone");
      continue;
    }
    auto del = cluster::delete_index(c, t);
    if (del.ok() || del.error().code == ErrorCode::kNotFound) {
      rep.deleted.push_back(t);
    } else {
      rep.left.push_back(t);
      rep.warnings.push_back("could not delete scratch index " + t + " (" + del.error().message +
                             "); delete it with: essnap request DELETE " +
                             util::shell_word("/" + t));
    }
  }
}

}  // namespace

DrillReport execute_drill(cluster::Client& c, cluster::Client& cleanup, const DrillPlan& plan,
                          SnapshotDocuments& docs, const DrillOptions& o) {
  DrillReport rep;
  rep.repository = plan.restore_options.repository;
  rep.snapshot = plan.restore.snapshot.name;
  rep.count_source = docs.count_source();
  for (const auto& [s, t] : plan.restore.indices) {
    IndexResult r;
    r.source = s;
    r.scratch = t;
    rep.indices.push_back(std::move(r));
  }
  if (plan.blocker) {
    rep.error = plan.blocker;
    return rep;
  }
  o.hooks.notify("scratch indices " + util::join(plan.scratch, ", ") +
                 " are deleted when the drill ends; if essnap is killed, delete them with: " +
                 plan.cleanup_command());
  const auto t0 = std::chrono::steady_clock::now();
  // Milliseconds since the epoch, a second early for the engine's clock granularity.
  const std::int64_t began_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count() -
                                1000;
  auto res = snapshot::execute_restore(c, plan.restore, plan.restore_options);
  // Sent, whatever came back: an interrupted or failed restore may have created the indices.
  const std::optional<std::int64_t> restore_began_ms = began_ms;
  const auto t1 = std::chrono::steady_clock::now();
  if (!res.ok()) {
    Error e = std::move(res).error();
    // The engine refusing this snapshot's restore disproves it; anything else is no verdict.
    if (e.code == ErrorCode::kConflict && e.message.starts_with("restore refused by the engine"))
      rep.problems.push_back(e.message);
    else
      rep.error = std::move(e);
  } else {
    rep.restore_seconds = std::chrono::duration<double>(t1 - t0).count();
    if (auto rec = cluster::recovery_progress(c, plan.scratch); rec.ok())
      rep.restored_bytes = rec->bytes_total > 0 ? rec->bytes_total : rec->bytes_done;
    if (rep.restore_seconds > 0)
      rep.bytes_per_second = static_cast<double>(rep.restored_bytes) / rep.restore_seconds;
    for (std::size_t i = 0; i < rep.indices.size() && i < res->indices.size(); ++i)
      rep.indices[i].restored_documents = res->indices[i].documents;
    rep.restored = res->shards_failed == 0;
    if (!rep.restored) {
      explain_failures(c, plan, rep);
    } else {
      for (auto& ir : rep.indices) {
        ir.restore = Check::kPassed;
        if (o.hooks.stop_requested()) {
          rep.error = snapshot::interrupted_error(
              {"the drill of snapshot " + rep.snapshot, "essnap drill --help"});
          break;
        }
        check_index(c, docs, o.sample, ir, rep);
        if (rep.error) break;
      }
    }
  }
  std::vector<std::string> uncounted;
  for (const auto& ir : rep.indices)
    if (ir.restore == Check::kPassed && ir.count == Check::kNotChecked)
      uncounted.push_back(ir.source);
  if (!uncounted.empty() && !rep.error)
    rep.warnings.push_back(
        "document count not checked for " + util::join(uncounted, ", ") +
        ": the snapshot records none (essnap records them in the snapshots it takes, as far as "
        "the 1 KiB of snapshot metadata allows), and the snapshot's segments were not read");
  if (rep.restored && o.sample > 0 && !docs.reads_documents() && !rep.error)
    rep.warnings.push_back(
        "documents not sampled: the snapshot's segments were not read, so nothing was compared "
        "byte for byte");
  clean_up(cleanup, plan, rep, restore_began_ms);
  return rep;
}

json DrillReport::to_json() const {
  json idx = json::array();
  for (const auto& i : indices) {
    json j{{"snapshot_index", i.source},
           {"restored_as", i.scratch},
           {"restore", to_string(i.restore)},
           {"count", to_string(i.count)},
           {"sample", to_string(i.sample)}};
    if (!i.restore_detail.empty()) j["restore_detail"] = i.restore_detail;
    if (i.restored_documents >= 0) j["restored_documents"] = i.restored_documents;
    if (i.expected_documents) j["snapshot_documents"] = *i.expected_documents;
    if (!i.count_detail.empty()) j["count_detail"] = i.count_detail;
    if (i.sample != Check::kNotChecked) j["sampled"] = i.sampled;
    if (!i.sample_detail.empty()) j["sample_detail"] = i.sample_detail;
    idx.push_back(std::move(j));
  }
  json j{{"repository", repository},
         {"snapshot", snapshot},
         {"passed", passed()},
         {"restored", restored},
         {"restore_seconds", restore_seconds},
         {"restored_bytes", restored_bytes},
         {"bytes_per_second", bytes_per_second},
         {"count_source", count_source},
         {"indices", idx},
         {"problems", problems},
         {"warnings", warnings},
         {"deleted", deleted},
         {"left", left}};
  return j;
}

}  // namespace essnap::drill
