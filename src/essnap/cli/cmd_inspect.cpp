// `essnap inspect snapshots|show|verify|du|orphans REPO`: read a snapshot repository straight
// from S3 or disk, no cluster needed. REPO is s3://BUCKET/PREFIX, a local directory, or
// --repository NAME --url CLUSTER (the location read from the registered repository). This file
// parses, builds the container, calls repo/ and prints; exit 0 intact, 1 damaged, 2 could not read.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "essnap/aws/credentials.hpp"
#include "essnap/aws/endpoint.hpp"
#include "essnap/aws/region.hpp"
#include "essnap/blob/open.hpp"
#include "essnap/cli/aws_context.hpp"
#include "essnap/cli/cluster_flags.hpp"
#include "essnap/cli/command.hpp"
#include "essnap/cli/exit_codes.hpp"
#include "essnap/cli/progress_output.hpp"
#include "essnap/cli/repository_flag.hpp"
#include "essnap/cli/snapshot_repository.hpp"
#include "essnap/cluster/names.hpp"
#include "essnap/cluster/repository.hpp"
#include "essnap/cluster/snapshots.hpp"
#include "essnap/inspect/docs.hpp"
#include "essnap/inspect/du.hpp"
#include "essnap/inspect/orphans.hpp"
#include "essnap/inspect/show.hpp"
#include "essnap/inspect/verify.hpp"
#include "essnap/inspect/verify_state.hpp"
#include "essnap/retention/policy.hpp"
#include "essnap/snapshot/progress.hpp"
#include "essnap/util/durations.hpp"
#include "essnap/util/escape.hpp"

namespace essnap::cli {
namespace {

using nlohmann::json;

constexpr int kInspectIntact = 0;
constexpr int kInspectDamaged = 1;
constexpr int kInspectUnreadable = 2;

const char* kInspectExits =
    "EXIT STATUS (inspect):\n"
    "  0    read and intact (verify: no problem found)\n"
    "  1    damaged: verify found problems (each is listed with its blob path, Lucene file,\n"
    "       snapshots and indices); du / orphans / show found blobs they could not count;\n"
    "       docs: a damaged segment (the blob and the Lucene file are named)\n"
    "  2    could not read the repository (the reason is printed: not a repository, no such\n"
    "       bucket, access denied, network) or a usage error; docs: no such snapshot or\n"
    "       index, or an index that stores no _source\n"
    "  130  interrupted (SIGINT/SIGTERM)\n";

struct InspectFlags {
  ClusterFlags cluster;
  std::vector<std::string> args;  // REPO [SNAPSHOT...]
  std::string repository;         // --repository NAME (with --url)
  std::vector<std::string> location_map;
  std::string s3_endpoint_url;
  bool s3_path_style = false;
  int concurrency = 8;
  bool quiet = false;
  // verify
  bool read_data = false;
  std::string subset;
  std::string state;
  std::string max_age = "30d";
  std::chrono::seconds max_age_span{0};  // max_age parsed, before the repository is opened
  double limit_download = 0;             // MiB/s
  // docs
  std::vector<std::string> ids;
  std::uint64_t limit = 0;  // 0 = every document
};

// An error of inspect: it could not read (2), or it was interrupted (130).
int inspect_exit_code(const Error& e) {
  return e.code == ErrorCode::kInterrupted ? kExitInterrupted : kInspectUnreadable;
}

// inspect docs: a damaged segment (kParse naming the blob and the Lucene file) is 1, as verify's
// damage; the rest as every inspect command.
int inspect_docs_exit_code(const Error& e) {
  return e.code == ErrorCode::kParse ? kInspectDamaged : inspect_exit_code(e);
}

Result<OpenedRepository> open_container(const GlobalOptions& g, InspectFlags& f) {
  return open_snapshot_repository(g, f.cluster, {f.repository, f.location_map},
                                  S3Flags{f.s3_endpoint_url, f.s3_path_style}, f.args);
}

// Progress on stderr through the one renderer: nothing for the first second (quick work draws
// nothing), then at most four times a second on a terminal, a line (or a JSON event) every five
// seconds otherwise, and the last state.
constexpr ProgressPace kInspectPace{std::chrono::seconds(1), std::chrono::milliseconds(250),
                                    std::chrono::seconds(5)};

json j_opt(const std::optional<std::int64_t>& v) {
  return v ? json(*v) : json(nullptr);
}

json summary_json(const inspect::SnapshotSummary& s) {
  json j{{"name", s.name},
         {"uuid", s.uuid},
         {"state", s.state},
         {"version", s.version},
         {"start_time", s.start_time_millis ? json(inspect::iso8601_millis(*s.start_time_millis))
                                            : json(nullptr)},
         {"start_time_in_millis", j_opt(s.start_time_millis)},
         {"end_time",
          s.end_time_millis ? json(inspect::iso8601_millis(*s.end_time_millis)) : json(nullptr)},
         {"end_time_in_millis", j_opt(s.end_time_millis)},
         {"indices", s.indices},
         {"data_streams", s.data_streams},
         {"shards",
          {{"total", s.total_shards},
           {"successful", s.successful_shards},
           {"failed", s.failed_shards}}}};
  if (s.include_global_state) j["include_global_state"] = *s.include_global_state;
  if (s.shallow) j["shallow"] = true;
  if (!s.problem.empty()) j["problem"] = s.problem;
  return j;
}

// Names and messages from the repository, escaped by the output layer's one rule.
std::string shown(std::string_view s) {
  return util::escape_control(s);
}

void print_notes(const std::vector<std::string>& notes) {
  for (const auto& n : notes) std::cerr << "essnap: note: " << shown(n) << "\n";
}

Result<int> run_snapshots(const GlobalOptions& g, InspectFlags& f, blob::BlobStore& c) {
  auto list = inspect::list_snapshots(c, f.concurrency);
  if (!list.ok()) return list.error();
  bool damaged = false;
  for (const auto& s : list->snapshots) damaged |= !s.problem.empty();
  if (g.output == OutputFormat::kJson) {
    json arr = json::array();
    for (const auto& s : list->snapshots) arr.push_back(summary_json(s));
    json out{{"repository", c.describe()}, {"generation", list->generation}, {"snapshots", arr}};
    if (!list->notes.empty()) out["notes"] = list->notes;
    json_result(std::move(out));
  } else {
    print_notes(list->notes);
    std::cout << "repository " << shown(c.describe()) << ", generation " << list->generation << ", "
              << list->snapshots.size() << " snapshot(s)\n";
    for (const auto& s : list->snapshots) {
      std::cout << shown(s.name) << "  " << shown(s.uuid) << "  " << shown(s.state) << "  "
                << (s.start_time_millis ? inspect::iso8601_millis(*s.start_time_millis) : "-")
                << "  " << (s.end_time_millis ? inspect::iso8601_millis(*s.end_time_millis) : "-")
                << "  " << (s.version.empty() ? "-" : shown(s.version)) << "  " << s.indices.size()
                << " indices  " << s.successful_shards << "/" << s.total_shards << " shards"
                << (s.shallow ? "  (shallow: data in a remote store)" : "") << "\n";
      if (!s.problem.empty()) std::cout << "  problem: " << shown(s.problem) << "\n";
    }
  }
  return damaged ? kInspectDamaged : kInspectIntact;
}

Result<int> run_docs(InspectFlags& f, blob::BlobStore& c, const std::vector<std::string>& rest) {
  if (rest.size() != 2)
    return make_error(ErrorCode::kInvalidArgument, "inspect docs takes SNAPSHOT and INDEX",
                      "e.g. essnap inspect docs s3://acme-snapshots/logs nightly-1 logs-2026.12");
  ESSNAP_TRY(auto repo, inspect::Repository::open(c));
  inspect::DocsRequest req;
  req.snapshot = rest[0];
  req.index = rest[1];
  req.ids = f.ids;
  if (f.limit > 0) req.limit = f.limit;
  auto done = inspect::read_documents(*repo, req, [](const std::string& line) -> Status {
    std::cout << line;
    if (!std::cout) return make_error(ErrorCode::kIo, "writing the documents to stdout failed");
    return ok_status();
  });
  std::cout.flush();
  if (!done.ok()) return done.error();
  if (!f.quiet)
    std::cerr << done->documents << " document" << (done->documents == 1 ? "" : "s") << " from "
              << done->shards << " shard" << (done->shards == 1 ? "" : "s")
              << (done->limited ? " (stopped at --limit)" : "") << "\n";
  return kInspectIntact;
}

Result<int> run_inspect_show(const GlobalOptions& g, InspectFlags& f, blob::BlobStore& c,
                             const std::vector<std::string>& rest) {
  if (rest.size() != 1)
    return make_error(ErrorCode::kInvalidArgument, "inspect show takes one SNAPSHOT name");
  auto d = inspect::show_snapshot(c, rest[0], f.concurrency);
  if (!d.ok()) return d.error();
  bool damaged = !d->summary.problem.empty();
  for (const auto& i : d->indices)
    for (const auto& s : i.shards) damaged |= !s.problem.empty() && !s.failed_shard;
  if (g.output == OutputFormat::kJson) {
    json indices = json::array();
    for (const auto& i : d->indices) {
      json shards = json::array();
      for (const auto& s : i.shards) {
        json js{{"shard", s.shard},
                {"path", s.path},
                {"files", s.files},
                {"bytes", s.bytes},
                {"incremental_files", s.incremental_files},
                {"incremental_bytes", s.incremental_bytes}};
        if (!s.problem.empty()) js["problem"] = s.problem;
        shards.push_back(js);
      }
      indices.push_back({{"name", i.name},
                         {"id", i.id},
                         {"files", i.files},
                         {"bytes", i.bytes},
                         {"incremental_files", i.incremental_files},
                         {"incremental_bytes", i.incremental_bytes},
                         {"shards", shards}});
    }
    json out{{"snapshot", summary_json(d->summary)},
             {"indices", indices},
             {"files", d->files},
             {"bytes", d->bytes},
             {"incremental_files", d->incremental_files},
             {"incremental_bytes", d->incremental_bytes}};
    if (!d->notes.empty()) out["notes"] = d->notes;
    json_result(std::move(out));
  } else {
    print_notes(d->notes);
    const auto& s = d->summary;
    std::cout << "snapshot " << shown(s.name) << " (" << shown(s.uuid) << ") " << shown(s.state)
              << ", " << d->files << " files, "
              << snapshot::format_bytes(static_cast<std::int64_t>(d->bytes))
              << " (incremental: " << d->incremental_files << " files, "
              << snapshot::format_bytes(static_cast<std::int64_t>(d->incremental_bytes)) << ")\n";
    for (const auto& i : d->indices) {
      std::cout << "  index " << shown(i.name) << " [" << shown(i.id) << "]: " << i.files
                << " files, " << snapshot::format_bytes(static_cast<std::int64_t>(i.bytes))
                << " (incremental "
                << snapshot::format_bytes(static_cast<std::int64_t>(i.incremental_bytes)) << ")\n";
      for (const auto& sh : i.shards) {
        std::cout << "    shard " << sh.shard << ": " << sh.files << " files, "
                  << snapshot::format_bytes(static_cast<std::int64_t>(sh.bytes)) << ", incremental "
                  << sh.incremental_files << " files / "
                  << snapshot::format_bytes(static_cast<std::int64_t>(sh.incremental_bytes));
        if (!sh.problem.empty()) std::cout << "  [" << shown(sh.problem) << "]";
        std::cout << "\n";
      }
    }
  }
  return damaged ? kInspectDamaged : kInspectIntact;
}

// A clock span (util/durations.hpp): 30min, 12h, 7d, 6mo; a bare "30m" is refused as ambiguous.
Result<std::chrono::seconds> parse_max_age(const std::string& text) {
  ESSNAP_TRY(auto age, util::parse_span(text, "--max-age"));
  if (age.count() <= 0)
    return make_error(ErrorCode::kInvalidArgument, "--max-age " + text + " is zero",
                      "e.g. --max-age 7d (a rolling check covering everything every 7 days)");
  return age;
}

Result<int> run_inspect_verify(const GlobalOptions& g, InspectFlags& f, blob::BlobStore& c,
                               const std::vector<std::string>& rest) {
  inspect::VerifyOptions o;
  o.snapshots = rest;
  o.read_data = f.read_data || !f.subset.empty() ? inspect::ReadData::kYes : inspect::ReadData::kNo;
  o.concurrency = f.concurrency;
  o.limit_bytes_per_second = f.limit_download * 1024.0 * 1024.0;
  if (!f.subset.empty()) {
    auto s = inspect::parse_subset(f.subset);
    if (!s.ok()) return s.error();
    o.subset = *s;
  }
  std::optional<inspect::VerifyState> state;
  if (!f.state.empty()) {
    if (o.read_data == inspect::ReadData::kNo)
      return make_error(ErrorCode::kInvalidArgument, "--state needs --read-data",
                        "a rolling check records full reads: add --read-data");
    o.max_age = f.max_age_span;
    // The state names its repository: a directory by its absolute path (the same repository
    // from another working directory is the same), anything else as the store describes it.
    std::string where = c.describe();
    if (where.find("://") == std::string::npos) {
      std::error_code ec;
      auto canonical = std::filesystem::weakly_canonical(where, ec);
      if (!ec) where = canonical.string();
    }
    auto st = inspect::VerifyState::load(f.state, where);
    if (!st.ok()) return st.error();
    state.emplace(std::move(st).value());
    o.state = &*state;
  }
  InterruptScope interrupt;
  o.interrupted = [] { return InterruptScope::requested(); };
  {
    ProgressOutput progress(progress_style(g, f.quiet), kInspectPace);
    o.progress = progress.sink();
    auto r = inspect::verify(c, o);
    progress.finish();
    if (state) {
      auto saved = state->save();  // what was read before an interruption is kept
      if (!saved.ok()) return saved.error();
    }
    if (!r.ok()) return r.error();
    const auto& v = *r;
    const char* mode = o.read_data == inspect::ReadData::kNo ? "structural" : "read-data";
    if (g.output == OutputFormat::kJson) {
      json problems = json::array();
      for (const auto& p : v.problems)
        problems.push_back({{"path", p.path},
                            {"lucene_file", p.lucene_file},
                            {"problem", p.problem},
                            {"snapshots", p.snapshots},
                            {"indices", p.indices}});
      json out{{"repository", c.describe()},
               {"generation", v.generation},
               {"intact", v.intact()},
               {"mode", mode},
               {"snapshots", v.snapshots},
               {"problems", problems},
               {"problems_omitted", v.problems_omitted},
               {"notes", v.notes},
               {"shards", v.shards},
               {"metadata_blobs", v.metadata_blobs},
               {"data_files", v.data_files},
               {"virtual_files", v.virtual_files},
               {"data_files_read", v.data_files_read},
               {"data_files_skipped_fresh", v.data_files_skipped_fresh},
               {"data_files_skipped_subset", v.data_files_skipped_subset},
               {"bytes_read", v.bytes_read}};
      json_result(std::move(out));
    } else {
      print_notes(v.notes);
      for (const auto& p : v.problems) {
        std::cout << "PROBLEM " << shown(p.path) << ": " << shown(p.problem) << "\n";
        if (!p.lucene_file.empty()) std::cout << "  lucene file: " << shown(p.lucene_file) << "\n";
        if (!p.snapshots.empty()) {
          std::cout << "  breaks snapshots:";
          for (const auto& s : p.snapshots) std::cout << " " << shown(s);
          std::cout << "\n";
        }
        if (!p.indices.empty()) {
          std::cout << "  indices:";
          for (const auto& s : p.indices) std::cout << " " << shown(s);
          std::cout << "\n";
        }
      }
      std::cout << "repository " << shown(c.describe()) << " generation " << v.generation << " ("
                << mode << "): " << v.snapshots.size() << " snapshot(s), " << v.shards
                << " shard(s), " << v.metadata_blobs << " metadata blobs, " << v.data_files
                << " data files, " << v.virtual_files << " v__ files";
      if (o.read_data == inspect::ReadData::kYes)
        std::cout << "; read " << v.data_files_read << " data files ("
                  << snapshot::format_bytes(static_cast<std::int64_t>(v.bytes_read)) << ")"
                  << (v.data_files_skipped_fresh
                          ? ", " + std::to_string(v.data_files_skipped_fresh) +
                                " verified within --max-age"
                          : "")
                  << (v.data_files_skipped_subset
                          ? ", " + std::to_string(v.data_files_skipped_subset) +
                                " outside the subset"
                          : "");
      std::cout << "\n"
                << (v.intact()
                        ? "no problems found"
                        : std::to_string(v.problems.size() + v.problems_omitted) +
                              " problem(s) found" +
                              (v.problems_omitted ? " (" + std::to_string(v.problems_omitted) +
                                                        " not listed: the first " +
                                                        std::to_string(v.problems.size()) + " are)"
                                                  : std::string()))
                << "\n";
    }
    return v.intact() ? kInspectIntact : kInspectDamaged;
  }
}

Result<int> run_du(const GlobalOptions& g, InspectFlags& f, blob::BlobStore& c) {
  InterruptScope interrupt;
  ProgressOutput progress(progress_style(g, f.quiet), kInspectPace);
  inspect::DuOptions o;
  o.concurrency = f.concurrency;
  o.interrupted = [] { return InterruptScope::requested(); };
  o.progress = progress.sink();
  auto r = inspect::disk_usage(c, o);
  progress.finish();
  if (!r.ok()) return r.error();
  const auto& u = *r;
  if (g.output == OutputFormat::kJson) {
    json snaps = json::array(), indices = json::array();
    for (const auto& s : u.snapshots)
      snaps.push_back({{"name", s.name},
                       {"uuid", s.uuid},
                       {"state", s.state},
                       {"total_bytes", s.total_bytes},
                       {"unique_bytes", s.unique_bytes},
                       {"shared_bytes", s.shared_bytes},
                       {"incremental_bytes", s.incremental_bytes},
                       {"files", s.files}});
    for (const auto& i : u.indices)
      indices.push_back({{"name", i.name},
                         {"id", i.id},
                         {"snapshots", i.snapshots},
                         {"shards", i.shards},
                         {"data_bytes", i.data_bytes},
                         {"data_files", i.data_files}});
    json out{{"repository",
              {{"location", c.describe()},
               {"generation", u.generation},
               {"data_bytes", u.data_bytes},
               {"data_files", u.data_files},
               {"snapshots", u.snapshots.size()},
               {"indices", u.indices.size()}}},
             {"snapshots", snaps},
             {"indices", indices},
             {"damaged", u.damaged},
             {"notes", u.notes}};
    json_result(std::move(out));
  } else {
    print_notes(u.notes);
    for (const auto& d : u.damaged) std::cerr << "essnap: not counted: " << shown(d) << "\n";
    auto b = [](std::uint64_t v) { return snapshot::format_bytes(static_cast<std::int64_t>(v)); };
    std::cout << "SNAPSHOT  TOTAL  UNIQUE (freed by deleting it)  SHARED  INCREMENTAL\n";
    for (const auto& s : u.snapshots)
      std::cout << shown(s.name) << "  " << b(s.total_bytes) << "  " << b(s.unique_bytes) << "  "
                << b(s.shared_bytes) << "  " << b(s.incremental_bytes) << "\n";
    std::cout << "\nINDEX  SNAPSHOTS  SHARDS  DATA\n";
    for (const auto& i : u.indices)
      std::cout << shown(i.name) << "  " << i.snapshots << "  " << i.shards << "  "
                << b(i.data_bytes) << "\n";
    std::cout << "\nrepository " << shown(c.describe()) << " generation " << u.generation << ": "
              << u.snapshots.size() << " snapshot(s), " << u.data_files << " data files, "
              << b(u.data_bytes) << "\n";
  }
  return u.damaged.empty() ? kInspectIntact : kInspectDamaged;
}

Result<int> run_orphans(const GlobalOptions& g, InspectFlags& f, blob::BlobStore& c) {
  InterruptScope interrupt;
  ProgressOutput progress(progress_style(g, f.quiet), kInspectPace);
  inspect::OrphansOptions o;
  o.concurrency = f.concurrency;
  o.interrupted = [] { return InterruptScope::requested(); };
  o.progress = progress.sink();
  auto r = inspect::find_orphans(c, o);
  progress.finish();
  if (!r.ok()) return r.error();
  const auto& u = *r;
  if (g.output == OutputFormat::kJson) {
    json arr = json::array();
    for (const auto& x : u.orphans)
      arr.push_back({{"path", x.path},
                     {"bytes", x.bytes},
                     {"removed_by_cleanup", x.removed_by_cleanup},
                     {"why", x.why}});
    json_result({{"repository", c.describe()},
                 {"generation", u.generation},
                 {"orphans", arr},
                 {"bytes", u.bytes},
                 {"cleanup", {{"blobs", u.cleanup_blobs}, {"bytes", u.cleanup_bytes}}},
                 {"not_judged", u.not_judged},
                 {"notes", u.notes}});
  } else {
    print_notes(u.notes);
    for (const auto& x : u.orphans)
      std::cout << shown(x.path) << "  " << x.bytes << "  " << shown(x.why)
                << (x.removed_by_cleanup ? "  [repo cleanup removes it]" : "") << "\n";
    for (const auto& d : u.not_judged)
      std::cerr << "essnap: not judged (a reference in it is damaged): " << shown(d) << "\n";
    std::cout << u.orphans.size() << " orphan blob(s), "
              << snapshot::format_bytes(static_cast<std::int64_t>(u.bytes))
              << "; 'essnap repo cleanup "
              << (f.repository.empty() ? std::string("REPOSITORY") : f.repository)
              << "' would delete " << u.cleanup_blobs << " of them ("
              << snapshot::format_bytes(static_cast<std::int64_t>(u.cleanup_bytes))
              << "): stale root blobs and unused index folders. Nothing was changed.\n";
  }
  return u.not_judged.empty() ? kInspectIntact : kInspectDamaged;
}

Result<int> run(const GlobalOptions& g, InspectFlags f, const std::string& action) {
  if (f.concurrency < 1 || f.concurrency > 256)
    return make_error(ErrorCode::kInvalidArgument, "--concurrency must be 1..256");
  if (f.limit_download < 0)
    return make_error(ErrorCode::kInvalidArgument, "--limit-download must be >= 0");
  if (action == "verify") {  // a usage error, before anything is read
    auto age = parse_max_age(f.max_age);
    if (!age.ok()) return age.error();
    f.max_age_span = *age;
  }
  auto opened = open_container(g, f);
  if (!opened.ok()) return opened.error();
  blob::BlobStore& c = *opened->container;
  if (action != "verify" && action != "show" && action != "docs" && !opened->rest.empty())
    return make_error(
        ErrorCode::kInvalidArgument,
        "inspect " + action + " takes only REPO; unexpected '" + opened->rest.front() + "'");
  if (action == "snapshots") return run_snapshots(g, f, c);
  if (action == "show") return run_inspect_show(g, f, c, opened->rest);
  if (action == "docs") return run_docs(f, c, opened->rest);
  if (action == "verify") return run_inspect_verify(g, f, c, opened->rest);
  if (action == "du") return run_du(g, f, c);
  return run_orphans(g, f, c);
}

}  // namespace

void register_inspect(CLI::App& app, CommandContext ctx) {
  auto* cmd = app.add_subcommand(
      "inspect", "Read a snapshot repository from S3 or disk without a cluster: list, verify, du");
  cmd->require_subcommand(1);
  cmd->fallthrough();
  struct Spec {
    const char* name;
    const char* help;
    const char* positional;
    const char* example;
  };
  const Spec specs[] = {
      {"snapshots", "List the snapshots of the repository's current root index-N", "REPO",
       "essnap inspect snapshots s3://acme-snapshots/logs\n"
       "  essnap inspect snapshots /mnt/backups/es-repo -o json"},
      {"show", "One snapshot's indices and shards: files, sizes, incremental sizes",
       "REPO SNAPSHOT", "essnap inspect show s3://acme-snapshots/logs nightly-2026.12.01"},
      {"verify", "Check every blob of the snapshots (all, or those named) is there and intact",
       "REPO [SNAPSHOT...]",
       "essnap inspect verify s3://acme-snapshots/logs\n"
       "  essnap inspect verify s3://acme-snapshots/logs nightly-1 --read-data\n"
       "  essnap inspect verify /mnt/backups/es-repo --read-data-subset 1/7\n"
       "  essnap inspect verify s3://acme-snapshots/logs --read-data --state ~/.essnap-verify.json "
       "--max-age 7d --limit-download 50"},
      {"docs",
       "Documents of one index of a snapshot, read from its Lucene segments (no cluster), as "
       "NDJSON lines {\"_id\",\"_routing\",\"_source\"}",
       "REPO SNAPSHOT INDEX",
       "essnap inspect docs s3://acme-snapshots/logs nightly-2026.12.01 orders --id 4711\n"
       "  essnap inspect docs /mnt/backups/es-repo nightly-1 orders --limit 10 > orders.ndjson"},
      {"du", "Space per snapshot (total, unique = freed by deleting it, shared), per index, in all",
       "REPO", "essnap inspect du s3://acme-snapshots/logs -o json"},
      {"orphans",
       "Blobs no snapshot of the root index-N references (read-only; a snapshot being written "
       "has blobs the root does not list yet: run it when none is running)",
       "REPO",
       "essnap inspect orphans s3://acme-snapshots/logs\n"
       "  essnap inspect orphans --repository nightly --url http://localhost:9200"},
  };
  for (const auto& s : specs) {
    auto f = std::make_shared<InspectFlags>();
    auto* c = cmd->add_subcommand(s.name, s.help);
    c->fallthrough();
    const std::string name = s.name;
    c->add_option("ARGS", f->args, s.positional);
    c->add_option("--repository,-r", f->repository,
                  "Registered repository to read (its location from the cluster at --url)");
    add_cluster_flags(c, &f->cluster);
    c->add_option("--location-map", f->location_map,
                  "FROM=TO: the repository location as this machine sees it (repeatable), e.g. "
                  "/mnt/es-backups=s3://bucket/prefix");
    c->add_option("--s3-endpoint-url", f->s3_endpoint_url,
                  "S3 endpoint (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, AWS); path-style "
                  "for non-AWS endpoints");
    c->add_flag("--s3-path-style", f->s3_path_style, "Path-style S3 addressing");
    c->add_option("--concurrency", f->concurrency, "Blobs read at once (default 8)");
    c->add_flag("--quiet,-q", f->quiet, "No progress on stderr");
    if (name == "verify") {
      c->add_flag("--read-data", f->read_data,
                  "Read every data file whole: Lucene footer CRC-32 recomputed and compared");
      c->add_option("--read-data-subset", f->subset,
                    "Read only a deterministic subset: n/t (group n of t) or p% (implies "
                    "--read-data)");
      c->add_option("--state", f->state,
                    "Rolling check: skip files read within --max-age, record what was read (the "
                    "file names its repository and is refused for any other)");
      c->add_option("--max-age", f->max_age,
                    "With --state: how long a read stays valid (default 30d; units s, min, h, d, "
                    "w, mo = 30d, y = 365d; a bare m is refused: write 30min or 30mo)");
      c->add_option("--limit-download", f->limit_download, "MiB/s for all reads together");
    }
    if (name == "docs") {
      c->add_option("--id", f->ids, "Only the document with this _id (repeatable)");
      c->add_option("--limit", f->limit, "Stop after this many documents")
          ->check(CLI::PositiveNumber);
    }
    c->footer(std::string("REPO is s3://BUCKET/PREFIX, a local directory, or -r/--repository NAME "
                          "--url CLUSTER.\nS3 credentials come from the usual chain (--profile, "
                          "AWS_* variables, ...).\n\nEXAMPLES:\n  ") +
              s.example + "\n\n" + kInspectExits);
    c->callback([ctx, f, name] {
      run_command(
          ctx, [&] { return run(*ctx.global, *f, name); },
          name == "docs" ? inspect_docs_exit_code : inspect_exit_code);
    });
  }
}

}  // namespace essnap::cli
