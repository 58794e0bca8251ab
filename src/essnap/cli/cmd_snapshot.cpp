// `essnap snapshot create|list|show|status|delete|clone`: the snapshot life cycle, with live
// progress while waiting and plan -> confirm -> execute for deletions.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "essnap/aws/timestamp.hpp"
#include "essnap/cli/cluster_flags.hpp"
#include "essnap/cli/command.hpp"
#include "essnap/cli/exit_codes.hpp"
#include "essnap/cli/progress_output.hpp"
#include "essnap/cli/repository_flag.hpp"
#include "essnap/cluster/names.hpp"
#include "essnap/cluster/snapshots.hpp"
#include "essnap/snapshot/create.hpp"
#include "essnap/snapshot/delete.hpp"
#include "essnap/snapshot/naming.hpp"
#include "essnap/snapshot/selection.hpp"
#include "essnap/util/durations.hpp"
#include "essnap/util/strings.hpp"
#include "essnap/util/yaml.hpp"

namespace essnap::cli {
namespace {

struct SnapshotFlags {
  ClusterFlags cluster;
  std::string repository;
  std::vector<std::string> names;
  std::vector<std::string> indices;
  std::vector<std::string> metadata;
  std::vector<std::string> states;
  std::string target;
  std::string format;
  std::string since;  // list: --since / --until, a date or a span back from now (7d)
  std::string until;
  int limit = 0;
  bool include_global_state = false;
  bool partial = false;
  bool wait = false;
  bool no_wait = false;
  bool wait_for_slot = false;
  bool quiet = false;
  bool yes = false;
  bool abort = false;
  bool dry_run = false;
  bool allow_empty = false;
};

std::string iso_time(std::int64_t ms) {
  if (ms <= 0) return "-";
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void print_failures(const cluster::SnapshotInfo& s) {
  for (const auto& f : s.failures)
    std::cerr << "  failed: " << f.index << " shard " << f.shard << ": " << f.reason << "\n";
}

// Names of existing snapshots given as date math ('<nightly-{now/d}>') or {now:...} templates
// resolve now, as create resolves the new name: names[from, to) in place.
Status resolve_references(std::vector<std::string>* names, std::size_t from, std::size_t to) {
  const auto now = std::chrono::system_clock::now();
  for (std::size_t i = from; i < to && i < names->size(); ++i) {
    ESSNAP_TRY(auto n, snapshot::resolve_snapshot_reference((*names)[i], now));
    (*names)[i] = std::move(n);
  }
  return ok_status();
}

Result<int> finish_snapshot(const GlobalOptions& g, const cluster::SnapshotInfo& s) {
  if (g.output == OutputFormat::kJson) {
    json_field("snapshot", s.to_json());
  } else {
    std::cout << "snapshot " << s.name << " " << s.state.text << ": " << s.indices.size()
              << " indices, " << s.shards_successful << "/" << s.shards_total << " shards in "
              << snapshot::format_duration(std::chrono::milliseconds(s.duration_ms)) << "\n";
  }
  if (s.state == cluster::SnapshotStateKind::kSuccess) return kExitOk;
  if (g.output != OutputFormat::kJson) print_failures(s);
  return Error(ErrorCode::kIncomplete,
               "snapshot " + s.name + " finished " + s.state.text + " (" +
                   std::to_string(s.shards_failed) + " of " + std::to_string(s.shards_total) +
                   " shards failed)",
               s.state == cluster::SnapshotStateKind::kPartial
                   ? "the failed shards are listed above; the others are restorable"
                   : s.reason);
}

Result<int> run_create(const GlobalOptions& g, SnapshotFlags f) {
  ESSNAP_TRY(f.repository, resolve_repository(f.repository));
  const std::string tmpl = f.names.empty() ? "essnap-{now:%Y.%m.%d-%H%M%S}" : f.names.front();
  ESSNAP_TRY_STATUS(cluster::names::validate_utf8(tmpl, "snapshot NAME"));
  auto name = snapshot::expand_snapshot_name(tmpl, std::chrono::system_clock::now());
  if (!name.ok()) return name.error();
  ESSNAP_TRY_STATUS(cluster::names::validate_index_arguments(f.indices, "--indices"));
  snapshot::CreateOptions o;
  o.empty = f.allow_empty ? snapshot::EmptySelection::kAllow : snapshot::EmptySelection::kRefuse;
  o.request.repository = f.repository;
  o.request.name = *name;
  o.request.indices = [&] {
    std::string s;
    for (const auto& p : snapshot::split_patterns(f.indices)) s += (s.empty() ? "" : ",") + p;
    return s;
  }();
  o.request.include_global_state = f.include_global_state;
  o.request.partial = f.partial;
  for (const auto& kv : f.metadata) {
    const auto eq = kv.find('=');
    ESSNAP_TRY_STATUS(cluster::names::validate_text(kv, "--metadata"));
    if (eq == std::string::npos || eq == 0)
      return Error(ErrorCode::kInvalidArgument, "--metadata '" + kv + "' is not k=v");
    o.request.metadata[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  // Waits by default, with a terminal or without (cron): only the drawing of progress differs.
  o.wait = f.no_wait ? snapshot::WaitMode::kNoWait : snapshot::WaitMode::kWait;
  o.slot = f.wait_for_slot ? snapshot::SlotMode::kWaitForSlot : snapshot::SlotMode::kRefuse;
  o.record_documents = snapshot::RecordDocuments::kYes;  // compared by `essnap drill`
  ProgressOutput progress(progress_style(g, f.quiet));
  o.hooks = wait_hooks(progress);
  const std::string follow =
      snapshot::follow_snapshot_command(f.repository, *name) + connection_words(f.cluster);
  auto client = make_cluster_client(g, f.cluster);
  if (!client.ok()) return client.error();
  // plan -> execute: the plan is printed only by --dry-run (a snapshot changes nothing a user
  // would confirm); the repository is looked up first so that a dry run catches a wrong -r.
  util::Plan plan;
  plan.confirm = util::NeedsConfirmation::kNo;
  plan.summary = "create snapshot " + *name + " in repository " + f.repository;
  const std::string what = o.request.indices.empty() ? "all" : o.request.indices;
  plan.actions = {
      "indices: " + what,
      std::string("global state: ") + (f.include_global_state ? "included" : "not included"),
      std::string(o.wait == snapshot::WaitMode::kWait ? "wait for the snapshot to finish"
                                                      : "return once the cluster accepts it")};
  plan.json = {{"plan",
                {{"action", "create_snapshot"},
                 {"snapshot", *name},
                 {"repository", f.repository},
                 {"indices", what},
                 {"include_global_state", f.include_global_state},
                 {"partial", f.partial}}}};
  if (f.dry_run) {
    auto repo = cluster::get_repositories(*client, f.repository);
    if (!repo.ok()) return repo.error();
  }
  std::optional<Result<snapshot::CreateResult>> created;
  std::optional<InterruptScope> interrupts;
  auto ran = util::run_plan(
      plan, confirm_policy(true, f.dry_run),
      [&](const util::Plan& p) {
        if (f.dry_run) print_plan(p, g, PlanRun::kDryRun);
      },
      [&]() -> Status {
        interrupts.emplace();
        created = snapshot::create_snapshot(*client, o);
        progress.finish();
        if (!created->ok()) return created->error();
        return ok_status();
      });
  if (!ran.ok()) return ran.error();
  if (*ran == util::Outcome::kDryRun) return kExitOk;
  auto& res = *created;
  if (o.wait == snapshot::WaitMode::kNoWait) {
    if (g.output == OutputFormat::kJson)
      json_result({{"snapshot", {{"snapshot", *name}, {"state", "STARTED"}}},
                   {"repository", f.repository},
                   {"waited", false},
                   {"follow", follow}});
    else
      std::cout << "snapshot " << *name << " started in repository " << f.repository
                << "; not waiting\nfollow it with: " << follow << "\n";
    return kExitOk;
  }
  return finish_snapshot(g, res->info);
}

Result<std::vector<cluster::SnapshotInfo>> fetch(cluster::Client& c, const std::string& repo,
                                                 const std::string& names) {
  auto got = cluster::get_snapshots(c, {repo, names, false});
  if (!got.ok()) return std::move(got).error();
  auto v = std::move(got->snapshots);
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
    return a.start_ms != b.start_ms ? a.start_ms < b.start_ms : a.name < b.name;
  });
  return v;
}

// --since / --until: "2026-12-01", "2026-12-01T06:00:00Z", or a span back from now ("7d",
// "12h"; util/durations). Milliseconds since the epoch.
Result<std::int64_t> parse_when(const std::string& text, const std::string& flag) {
  const auto now = std::chrono::system_clock::now();
  if (text.find('-') == std::string::npos) {  // a span (7d, 12h): dates have dashes
    auto span = util::parse_span(text, flag);
    if (!span.ok()) return span.error();
    return std::chrono::duration_cast<std::chrono::milliseconds>((now - *span).time_since_epoch())
        .count();
  }
  auto t = aws::parse_iso8601(text.size() == 10 ? text + "T00:00:00Z" : text);
  if (!t.ok())
    return Error(
        ErrorCode::kInvalidArgument, flag + " '" + text + "' is neither a date nor a duration",
        "e.g. " + flag + " 2026-12-01, " + flag + " 2026-12-01T06:00:00Z or " + flag + " 7d");
  return std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count();
}

Result<int> run_snapshot_list(const GlobalOptions& g, SnapshotFlags f) {
  ESSNAP_TRY(f.repository, resolve_repository(f.repository));
  std::int64_t since = 0, until = 0;
  if (!f.since.empty()) {
    ESSNAP_TRY(since, parse_when(f.since, "--since"));
  }
  if (!f.until.empty()) {
    ESSNAP_TRY(until, parse_when(f.until, "--until"));
  }
  if (!f.indices.empty())
    ESSNAP_TRY_STATUS(cluster::names::validate_index_arguments(f.indices, "--indices"));
  const auto patterns = snapshot::split_patterns(f.indices);
  auto client = make_cluster_client(g, f.cluster);
  if (!client.ok()) return client.error();
  auto snaps = fetch(*client, f.repository, "_all");
  if (!snaps.ok()) return snaps.error();
  std::vector<cluster::SnapshotState> wanted;
  for (const auto& w : f.states) {
    wanted.push_back(cluster::parse_snapshot_state(w));
    if (wanted.back() == cluster::SnapshotStateKind::kUnknown)
      return Error(ErrorCode::kInvalidArgument, "--state '" + w + "' is not a state",
                   "use success, partial, failed, in_progress or incompatible");
  }
  std::vector<cluster::SnapshotInfo> shown;
  for (auto& s : *snaps) {
    bool keep = wanted.empty();
    for (const auto& w : wanted) keep = keep || s.state == w.kind;
    keep = keep && (since == 0 || s.start_ms >= since) && (until == 0 || s.start_ms < until);
    keep = keep && (patterns.empty() || !snapshot::select_names(s.indices, patterns).empty());
    if (keep) shown.push_back(std::move(s));
  }
  if (f.limit > 0 && shown.size() > static_cast<size_t>(f.limit))
    shown.erase(shown.begin(), shown.end() - f.limit);
  const std::string format = !f.format.empty()                 ? f.format
                             : g.output == OutputFormat::kJson ? "json"
                                                               : "table";
  if (format == "json" || format == "yaml") {
    auto arr = nlohmann::json::array();
    for (const auto& s : shown) arr.push_back(s.to_json());
    if (format == "json" && g.output == OutputFormat::kJson)
      json_result(std::move(arr));
    else
      std::cout << (format == "json" ? arr.dump() + "\n" : util::to_yaml(arr));
    return kExitOk;
  }
  size_t w = 8;
  for (const auto& s : shown) w = std::max(w, s.name.size());
  std::printf("%-*s  %-11s  %-20s  %8s  %7s  %s\n", static_cast<int>(w), "SNAPSHOT", "STATE",
              "START", "DURATION", "INDICES", "SHARDS");
  for (const auto& s : shown)
    std::printf("%-*s  %-11s  %-20s  %8s  %7zu  %d/%d\n", static_cast<int>(w), s.name.c_str(),
                s.state.text.c_str(), iso_time(s.start_ms).c_str(),
                snapshot::format_duration(std::chrono::milliseconds(s.duration_ms)).c_str(),
                s.indices.size(), s.shards_successful, s.shards_total);
  return kExitOk;
}

// One snapshot as `show` prints it: sizes from _status when it has finished.
void print_snapshot(const GlobalOptions& g, cluster::Client& client, const std::string& repo,
                    const cluster::SnapshotInfo& s, nlohmann::json* json_out) {
  std::map<std::string, std::int64_t> sizes;
  if (s.state != cluster::SnapshotStateKind::kInProgress)
    if (auto st = cluster::snapshot_status(client, {repo, s.name});
        st.ok() && !st->snapshots.empty())
      sizes = st->snapshots.front().index_bytes;
  if (g.output == OutputFormat::kJson) {
    auto j = s.to_json();
    if (!sizes.empty()) j["index_sizes_in_bytes"] = sizes;
    *json_out = std::move(j);
    return;
  }
  std::cout << "snapshot:   " << s.name << " (" << s.uuid << ")\n"
            << "repository: " << repo << "\n"
            << "state:      " << s.state.text << "\n"
            << "version:    " << s.version << "\n"
            << "started:    " << iso_time(s.start_ms) << "\n"
            << "ended:      " << iso_time(s.end_ms) << " (took "
            << snapshot::format_duration(std::chrono::milliseconds(s.duration_ms)) << ")\n"
            << "shards:     " << s.shards_successful << "/" << s.shards_total << " ("
            << s.shards_failed << " failed)\n"
            << "global state: " << (s.include_global_state ? "included" : "not included") << "\n";
  if (!s.metadata.is_null() && !s.metadata.empty())
    std::cout << "metadata:   " << s.metadata.dump() << "\n";
  std::cout << "indices (" << s.indices.size() << "):\n";
  auto idx = s.indices;
  std::sort(idx.begin(), idx.end());
  for (const auto& i : idx) {
    std::cout << "  " << i;
    if (auto it = sizes.find(i); it != sizes.end())
      std::cout << "  " << snapshot::format_bytes(it->second);
    std::cout << "\n";
  }
  for (const auto& fl : s.failures)
    std::cout << "failure: " << fl.index << " shard " << fl.shard << ": " << fl.reason << "\n";
}

Result<int> run_snapshot_show(const GlobalOptions& g, SnapshotFlags f) {
  ESSNAP_TRY(f.repository, resolve_repository(f.repository));
  if (f.names.empty()) return Error(ErrorCode::kInvalidArgument, "snapshot show needs a NAME");
  ESSNAP_TRY_STATUS(resolve_references(&f.names, 0, f.names.size()));
  for (const auto& n : f.names)
    ESSNAP_TRY_STATUS(cluster::names::validate_snapshot_name(n, "snapshot NAME"));
  auto client = make_cluster_client(g, f.cluster);
  if (!client.ok()) return client.error();
  auto got = cluster::get_named_snapshots(*client, f.repository, f.names);
  if (!got.ok()) return got.error();
  // What was found is shown; every name that was not is reported, and the exit says so.
  auto shown = nlohmann::json::array();
  for (std::size_t i = 0; i < got->found.size(); ++i) {
    if (i > 0 && g.output != OutputFormat::kJson) std::cout << "\n";
    nlohmann::json j;
    print_snapshot(g, *client, f.repository, got->found[i], &j);
    shown.push_back(std::move(j));
  }
  if (g.output == OutputFormat::kJson && !shown.empty())
    json_result(f.names.size() == 1 ? shown.front() : shown);
  if (got->missing.empty()) return kExitOk;
  std::string missing;
  for (const auto& n : got->missing) missing += (missing.empty() ? "" : ", ") + n;
  return Error(ErrorCode::kNotFound,
               (got->missing.size() == 1 ? "no snapshot " : "no snapshots ") + missing + " in " +
                   f.repository,
               "list the snapshots with 'essnap snapshot list -r " + f.repository + "'");
}

// What runs now, as one progress line per snapshot (or a JSON array of progress events).
Result<int> print_running(const GlobalOptions& g, const cluster::SnapshotStatusResponse& st) {
  if (g.output == OutputFormat::kJson) {
    auto arr = nlohmann::json::array();
    for (const auto& s : st.snapshots)
      arr.push_back(snapshot::progress_event({"snapshot",
                                              s.name,
                                              s.state.text,
                                              s.shards_done,
                                              s.shards_total,
                                              s.bytes_done,
                                              s.bytes_total,
                                              {}}));
    json_result(std::move(arr));
    return kExitOk;
  }
  if (st.snapshots.empty()) std::cout << "no snapshot is running\n";
  for (const auto& s : st.snapshots)
    std::cout << s.repository << "/"
              << snapshot::format_progress({"snapshot",
                                            s.name,
                                            s.state.text,
                                            s.shards_done,
                                            s.shards_total,
                                            s.bytes_done,
                                            s.bytes_total,
                                            {}})
              << "\n";
  return kExitOk;
}

// `snapshot status [NAME...] [--wait]`: what runs now; NAMEs: those snapshots, running or not;
// --wait: re-attach to them (or to every snapshot running now) through the one wait loop and
// exit as `snapshot create` would have: 0 SUCCESS, 9 PARTIAL or FAILED.
Result<int> run_status(const GlobalOptions& g, SnapshotFlags f) {
  if (f.names.empty()) {
    ESSNAP_TRY(f.repository, resolve_optional_repository(f.repository));
  } else {
    ESSNAP_TRY(f.repository, resolve_repository(f.repository));
    ESSNAP_TRY_STATUS(resolve_references(&f.names, 0, f.names.size()));
    for (const auto& n : f.names)
      ESSNAP_TRY_STATUS(cluster::names::validate_snapshot_name(n, "snapshot NAME"));
  }
  auto client = make_cluster_client(g, f.cluster);
  if (!client.ok()) return client.error();
  // Which snapshots: the names given (each must exist), or what runs now.
  std::vector<std::pair<std::string, std::string>> targets;  // repository, name
  if (f.names.empty()) {
    auto st = cluster::snapshot_status(*client, {f.repository, ""});
    if (!st.ok()) return st.error();
    if (!f.wait || st->snapshots.empty()) return print_running(g, *st);
    for (const auto& s : st->snapshots) targets.emplace_back(s.repository, s.name);
  } else {
    auto got = cluster::get_named_snapshots(*client, f.repository, f.names);
    if (!got.ok()) return got.error();
    if (!got->missing.empty())
      return Error(ErrorCode::kNotFound,
                   "no snapshot " + util::join(got->missing, ", ") + " in " + f.repository,
                   "list the snapshots with 'essnap snapshot list -r " + f.repository + "'");
    if (!f.wait) {
      cluster::SnapshotStatusResponse running;
      std::vector<cluster::SnapshotInfo> done;
      auto now = cluster::snapshot_status(*client, {f.repository, ""});
      if (!now.ok()) return now.error();
      for (const auto& s : got->found) {
        bool found = false;
        for (const auto& r : now->snapshots)
          if (r.name == s.name) running.snapshots.push_back(r), found = true;
        if (!found) done.push_back(s);
      }
      if (g.output == OutputFormat::kJson) {
        auto arr = nlohmann::json::array();
        for (const auto& s : got->found) arr.push_back(s.to_json());
        json_result(std::move(arr));
        return kExitOk;
      }
      if (!running.snapshots.empty()) (void)print_running(g, running);
      for (const auto& s : done)
        std::cout << f.repository << "/" << s.name << ": " << s.state.text << ", "
                  << s.shards_successful << "/" << s.shards_total << " shards\n";
      return kExitOk;
    }
    for (const auto& s : got->found) targets.emplace_back(f.repository, s.name);
  }
  ProgressOutput progress(progress_style(g, f.quiet));
  const auto hooks = wait_hooks(progress);
  InterruptScope interrupts;
  std::vector<cluster::SnapshotInfo> outcomes;
  for (const auto& [repo, name] : targets) {
    auto info = snapshot::wait_for_snapshot(*client, repo, name, snapshot::PollPolicy{}, hooks);
    progress.finish();
    if (!info.ok()) return info.error();
    outcomes.push_back(std::move(*info));
  }
  if (outcomes.size() == 1) return finish_snapshot(g, outcomes.front());
  // Several: each reported; the exit is that of the first one that did not succeed.
  std::optional<Error> first_failure;
  auto arr = nlohmann::json::array();
  for (const auto& s : outcomes) {
    if (g.output == OutputFormat::kJson) {
      arr.push_back(s.to_json());
      if (s.state != cluster::SnapshotStateKind::kSuccess && !first_failure)
        first_failure =
            Error(ErrorCode::kIncomplete, "snapshot " + s.name + " finished " + s.state.text);
      continue;
    }
    auto r = finish_snapshot(g, s);
    if (!r.ok() && !first_failure) first_failure = r.error();
  }
  if (g.output == OutputFormat::kJson) json_field("snapshots", std::move(arr));
  if (first_failure) return *first_failure;
  return kExitOk;
}

Result<int> run_delete(const GlobalOptions& g, SnapshotFlags f) {
  ESSNAP_TRY(f.repository, resolve_repository(f.repository));
  if (f.names.empty())
    return Error(ErrorCode::kInvalidArgument, "snapshot delete needs NAME or PATTERN");
  ESSNAP_TRY_STATUS(resolve_references(&f.names, 0, f.names.size()));
  for (const auto& n : f.names) {
    ESSNAP_TRY_STATUS(cluster::names::validate_utf8(n, "snapshot delete NAME"));
    bool any = false;
    for (const auto& p : snapshot::split_patterns({n})) {
      any = true;
      ESSNAP_TRY_STATUS(cluster::names::validate_snapshot_pattern(p, "snapshot delete NAME"));
    }
    if (!any)
      return Error(ErrorCode::kInvalidArgument,
                   "snapshot delete NAME '" + n + "' names no snapshot",
                   "name the snapshots or patterns to delete: 'nightly-2026.01.*'");
  }
  auto client = make_cluster_client(g, f.cluster);
  if (!client.ok()) return client.error();
  auto plan = snapshot::plan_delete(
      *client, f.repository, f.names,
      f.abort ? snapshot::RunningSnapshots::kAbort : snapshot::RunningSnapshots::kRefuse);
  if (!plan.ok()) return plan.error();
  const bool json = g.output == OutputFormat::kJson;
  auto deleted = nlohmann::json::array(), gone = nlohmann::json::array();
  auto ran = util::run_plan(
      plan->plan, confirm_policy(f.yes, f.dry_run),
      [&](const util::Plan& p) { print_plan(p, g, plan_run(f.dry_run)); },
      [&] {
        auto said = [&](const char* event, const char* text, nlohmann::json* names) {
          return [&, event, text, names](const std::string& n) {
            names->push_back(n);
            if (json)
              json_event({{"event", event}, {"snapshot", n}});
            else
              std::cout << text << n << "\n";
          };
        };
        return snapshot::execute_delete(*client, *plan, said("deleted", "deleted ", &deleted),
                                        said("gone", "already gone: ", &gone));
      });
  if (json && ran.ok() && *ran == util::Outcome::kDryRun) {
    json_field("dry_run", true);
  } else if (json) {  // what was done, also when it then failed
    json_field("deleted", deleted);
    json_field("already_gone", gone);
  }
  if (!ran.ok()) return ran.error();
  return kExitOk;
}

Result<int> run_clone(const GlobalOptions& g, SnapshotFlags f) {
  ESSNAP_TRY(f.repository, resolve_repository(f.repository));
  if (f.names.size() != 2)
    return Error(ErrorCode::kInvalidArgument, "snapshot clone needs SOURCE TARGET");
  ESSNAP_TRY_STATUS(resolve_references(&f.names, 0, 1));
  ESSNAP_TRY_STATUS(cluster::names::validate_snapshot_name(f.names[0], "clone SOURCE"));
  ESSNAP_TRY_STATUS(cluster::names::validate_utf8(f.names[1], "clone TARGET"));
  auto target = snapshot::expand_snapshot_name(f.names[1], std::chrono::system_clock::now());
  if (!target.ok()) return target.error();
  if (!f.indices.empty())
    ESSNAP_TRY_STATUS(cluster::names::validate_index_arguments(f.indices, "--indices"));
  const std::string follow =
      snapshot::follow_snapshot_command(f.repository, *target) + connection_words(f.cluster);
  auto client = make_cluster_client(g, f.cluster);
  if (!client.ok()) return client.error();
  std::string indices;
  for (const auto& p : snapshot::split_patterns(f.indices))
    indices += (indices.empty() ? "" : ",") + p;
  snapshot::CloneOptions o;
  o.request = {f.repository, f.names[0], *target, indices};
  o.wait = f.no_wait ? snapshot::WaitMode::kNoWait : snapshot::WaitMode::kWait;
  const bool wait = o.wait == snapshot::WaitMode::kWait;
  ProgressOutput progress(progress_style(g, f.quiet));
  o.hooks = wait_hooks(progress);
  util::Plan plan;  // printed only by --dry-run, as create's
  plan.confirm = util::NeedsConfirmation::kNo;
  plan.summary =
      "clone snapshot " + f.names[0] + " to " + *target + " in repository " + f.repository;
  plan.actions = {"indices: " + (indices.empty() ? std::string("all") : indices)};
  plan.json = {{"plan",
                {{"action", "clone_snapshot"},
                 {"source", f.names[0]},
                 {"snapshot", *target},
                 {"repository", f.repository},
                 {"indices", indices.empty() ? std::string("all") : indices}}}};
  if (f.dry_run) {  // the source must exist for the clone to
    auto got = cluster::get_named_snapshots(*client, f.repository, {f.names[0]});
    if (!got.ok()) return got.error();
    if (!got->missing.empty())
      return Error(ErrorCode::kNotFound, "no snapshot " + f.names[0] + " in " + f.repository,
                   "list the snapshots with 'essnap snapshot list -r " + f.repository + "'");
  }
  std::optional<InterruptScope> interrupts;  // Ctrl-C stops a wait; the clone keeps running
  std::optional<Result<snapshot::CloneResult>> cloned;
  auto ran = util::run_plan(
      plan, confirm_policy(true, f.dry_run),
      [&](const util::Plan& p) {
        if (f.dry_run) print_plan(p, g, PlanRun::kDryRun);
      },
      [&]() -> Status {
        if (wait) interrupts.emplace();
        cloned = snapshot::clone_snapshot(*client, o);
        progress.finish();
        if (!cloned->ok()) return cloned->error();
        return ok_status();
      });
  if (!ran.ok()) return ran.error();
  if (*ran == util::Outcome::kDryRun) return kExitOk;
  auto& res = *cloned;
  if (!wait) {
    if (g.output == OutputFormat::kJson)
      json_result({{"snapshot", {{"snapshot", *target}, {"state", "STARTED"}}},
                   {"source", f.names[0]},
                   {"repository", f.repository},
                   {"waited", false},
                   {"follow", follow}});
    else
      std::cout << "clone of " << f.names[0] << " to " << *target << " started in repository "
                << f.repository << "; not waiting\nfollow it with: " << follow << "\n";
    return kExitOk;
  }
  return finish_snapshot(g, res->info);
}

CLI::App* sub(CLI::App* parent, const char* name, const char* help, SnapshotFlags* f) {
  auto* c = parent->add_subcommand(name, help);
  c->fallthrough();  // global flags (-o json, -v, --profile) may follow the subcommand
  add_cluster_flags(c, &f->cluster);
  c->add_option("--repository,-r", f->repository, "Repository (default: ESSNAP_REPOSITORY)");
  return c;
}

}  // namespace

void register_snapshot(CLI::App& app, CommandContext ctx) {
  auto* cmd =
      app.add_subcommand("snapshot", "Create, list, show, follow, delete and clone snapshots");
  cmd->require_subcommand(1);
  cmd->fallthrough();
  const std::string exits = exit_status_help();

  auto f = std::make_shared<SnapshotFlags>();
  auto* create =
      sub(cmd, "create", "Take a snapshot and follow it to its end (--no-wait: do not)", f.get());
  create
      ->add_option("NAME", f->names,
                   "Name or template: nightly-{now:%Y.%m.%d-%H%M} (UTC) or '<snap-{now/d}>' "
                   "(default essnap-{now:%Y.%m.%d-%H%M%S})")
      ->expected(0, 1);
  create->add_option("--indices,-i", f->indices,
                     "Indices: names, patterns and -exclusions, comma-separated or repeated "
                     "(default: all)");
  create->add_flag("--include-global-state", f->include_global_state,
                   "Also store templates, persistent settings and the like");
  create->add_flag("--partial", f->partial,
                   "Snapshot what is available even if primaries are missing");
  create->add_option("--metadata", f->metadata, "k=v stored with the snapshot (repeatable)");
  mutually_exclusive(
      {create->add_flag("--wait", f->wait, "Wait for the end (the default, terminal or not)"),
       create->add_flag("--no-wait", f->no_wait,
                        "Return once the cluster accepted it, printing the command that follows "
                        "it")});
  create->add_flag("--wait-for-slot", f->wait_for_slot,
                   "If another snapshot is running, wait for it");
  create->add_flag("--quiet,-q", f->quiet, "No progress output");
  create->add_flag("--dry-run", f->dry_run,
                   "Check the repository and print what would be taken; take nothing");
  create->add_flag("--allow-empty", f->allow_empty,
                   "Take the snapshot even if --indices matches no index (else exit 8)");
  create->footer(
      "It waits for the end whether or not a terminal is attached (from cron too), showing\n"
      "shards, bytes, throughput and ETA (an updating line on a terminal, one line per change\n"
      "otherwise, JSON events on stderr with --output json), and returns within half a second\n"
      "of the cluster finishing. 5xx answers and dropped connections while waiting are waited\n"
      "through. PARTIAL or FAILED exits 9 with the failed shards listed. --no-wait returns once\n"
      "the cluster accepted the snapshot and prints the command that re-attaches to it\n"
      "('essnap snapshot status -r REPO NAME --wait'). --timeout SECONDS bounds the whole\n"
      "command (exit 4; the snapshot keeps running). Ctrl-C while waiting stops the wait\n"
      "(exit 130); the snapshot keeps running.\n\n"
      "EXAMPLES:\n"
      "  essnap snapshot create snapshot_1 --repository s3-repo --indices new_index\n"
      "  essnap snapshot create 'nightly-{now:%Y.%m.%d-%H%M}' -r s3-repo -i 'logs-*,-logs-debug*'\n"
      "  essnap snapshot create '<snap-{now/d}>' -r s3-repo --metadata taken_by=cron --no-wait\n"
      "  essnap snapshot create nightly -r s3-repo --timeout 7200\n"
      "  essnap -o json snapshot create weekly -r s3-repo --wait-for-slot\n\n" +
      exits);
  create->callback([ctx, f] { run_command(ctx, [&] { return run_create(*ctx.global, *f); }); });

  auto* list = sub(cmd, "list", "List a repository's snapshots, oldest first", f.get());
  list->add_option("--format", f->format, "table (default), json (default with -o json) or yaml")
      ->check(CLI::IsMember({"table", "json", "yaml"}));
  list->add_option("--limit", f->limit, "Only the newest N (after --state)")
      ->check(integer_at_least(1));
  list->add_option("--state", f->states,
                   "Only these states: success, partial, failed, in_progress");
  list->add_option("--indices,-i", f->indices,
                   "Only snapshots holding an index these patterns select ('logs-*,-logs-debug*')");
  list->add_option("--since", f->since,
                   "Only snapshots started at or after: a date (2026-12-01, "
                   "2026-12-01T06:00:00Z) or a span back from now (7d, 12h, 30min)");
  list->add_option("--until", f->until, "Only snapshots started before (the same forms)");
  list->footer(
      "EXAMPLES:\n  essnap snapshot list -r s3-repo\n  essnap snapshot list -r s3-repo --format "
      "yaml --limit 10\n  essnap snapshot list -r s3-repo --state "
      "partial --state failed\n  essnap -o json snapshot list -r s3-repo\n"
      "  essnap snapshot list -r s3-repo -i 'orders*' --since 7d\n"
      "  essnap snapshot list -r s3-repo --since 2026-11-01 --until 2026-12-01 -o yaml\n\n" +
      exits);
  list->callback(
      [ctx, f] { run_command(ctx, [&] { return run_snapshot_list(*ctx.global, *f); }); });

  auto* show =
      sub(cmd, "show", "Indices, shards, sizes, duration, version, failures and metadata", f.get());
  show->add_option("NAME", f->names, "Snapshot names (each one missing is reported, exit 6)")
      ->required();
  show->footer(
      "EXAMPLES:\n  essnap snapshot show snapshot_1 -r s3-repo\n  essnap -o json snapshot show "
      "snapshot_1 -r s3-repo\n\n" +
      exits);
  show->callback(
      [ctx, f] { run_command(ctx, [&] { return run_snapshot_show(*ctx.global, *f); }); });

  auto* status =
      sub(cmd, "status",
          "What is running now (every repository without -r); with --wait, follow it", f.get());
  status->add_option("NAME", f->names, "Snapshots to look at or wait for (need -r)");
  status->add_flag("--wait", f->wait,
                   "Re-attach: wait for NAME (or everything running now) to end, and exit as "
                   "'snapshot create' does");
  status->add_flag("--quiet,-q", f->quiet, "No progress output while waiting");
  status->footer(
      "Without NAME it lists the snapshots running now. With NAME it shows those snapshots,\n"
      "running or finished. --wait re-attaches to a snapshot already running, started from\n"
      "another shell, by 'snapshot create --no-wait', by SLM / ISM snapshot management or by\n"
      "the service (cs-automated): the same progress and the same exit codes as\n"
      "'snapshot create' (0 SUCCESS, 9 PARTIAL or FAILED with the failed shards listed, 130 on\n"
      "Ctrl-C: the snapshot keeps running). Without NAME, --wait follows every snapshot running\n"
      "now, one after the other.\n\n"
      "EXAMPLES:\n  essnap snapshot status\n  essnap snapshot status -r s3-repo -o json\n"
      "  essnap snapshot status -r s3-repo nightly-2026.01.02 --wait\n"
      "  essnap snapshot status -r s3-repo --wait --timeout 3600\n\n" +
      exits);
  status->callback([ctx, f] { run_command(ctx, [&] { return run_status(*ctx.global, *f); }); });

  auto* del =
      sub(cmd, "delete", "Delete snapshots by name or pattern (plan, then confirm)", f.get());
  del->add_option("NAME", f->names, "Names or patterns ('nightly-2026.01.*', '*,-keep*')")
      ->required();
  del->add_flag("--yes,-y", f->yes, "Do not ask (required when there is no terminal)");
  del->add_flag("--abort", f->abort, "Also delete (abort) running snapshots");
  del->add_flag("--dry-run", f->dry_run, "Print the plan only (-o json: as JSON)");
  del->footer(
      "Nothing is deleted without confirmation: on a terminal it asks; otherwise --yes is\n"
      "required, and without it the plan is printed, nothing is deleted and the command exits 8.\n"
      "--dry-run prints the plan and exits 0.\n\n"
      "EXAMPLES:\n  essnap snapshot delete snapshot_1 -r s3-repo --yes\n"
      "  essnap snapshot delete 'nightly-2026.01.*' -r s3-repo --dry-run\n\n" +
      exits);
  del->callback([ctx, f] { run_command(ctx, [&] { return run_delete(*ctx.global, *f); }); });

  auto* clone =
      sub(cmd, "clone", "Copy a snapshot (or some of its indices) under a new name", f.get());
  clone->add_option("SOURCE TARGET", f->names, "Source snapshot and new name")->expected(2);
  clone->add_option("--indices,-i", f->indices, "Indices to keep (default: all)");
  mutually_exclusive(
      {clone->add_flag("--wait", f->wait, "Wait for the end (the default, terminal or not)"),
       clone->add_flag("--no-wait", f->no_wait,
                       "Return once the cluster accepted it, printing the command that follows "
                       "it")});
  clone->add_flag("--quiet,-q", f->quiet, "No progress output");
  clone->add_flag("--dry-run", f->dry_run,
                  "Check the source exists and print the clone; clone nothing");
  clone->footer(
      "It waits for the clone to end, terminal or not, and exits as 'snapshot create' does\n"
      "(9 when it ends PARTIAL or FAILED); --no-wait returns at once and prints the command\n"
      "that re-attaches to it.\n\n"
      "EXAMPLES:\n  essnap snapshot clone snapshot_1 snapshot_1-copy -r s3-repo\n  essnap "
      "snapshot clone nightly keep-logs -r s3-repo -i 'logs-*'\n"
      "  essnap snapshot clone nightly nightly-copy -r s3-repo --no-wait\n\n" +
      exits);
  clone->callback([ctx, f] { run_command(ctx, [&] { return run_clone(*ctx.global, *f); }); });
}

}  // namespace essnap::cli
