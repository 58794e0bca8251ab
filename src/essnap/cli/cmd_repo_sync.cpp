// `essnap repo sync SRC DST`: a second, consistent, incremental copy of a snapshot repository
// (sync/sync.hpp), SRC and DST each an s3://BUCKET/PREFIX or a directory (SRC also a registered
// repository: -r NAME --url CLUSTER), each with its own credentials, region and endpoint.
#include <csignal>
#include <iostream>
#include <nlohmann/json.hpp>

#include "essnap/blob/open.hpp"
#include "essnap/blob/s3_store.hpp"
#include "essnap/cli/aws_context.hpp"
#include "essnap/cli/cluster_flags.hpp"
#include "essnap/cli/command.hpp"
#include "essnap/cli/exit_codes.hpp"
#include "essnap/cli/keep_flags.hpp"
#include "essnap/cli/progress_output.hpp"
#include "essnap/cli/repository_flag.hpp"
#include "essnap/s3/client.hpp"
#include "essnap/sync/sync.hpp"
#include "essnap/util/escape.hpp"

namespace essnap::cli {
namespace {

using nlohmann::json;

struct SyncFlags {
  ClusterFlags cluster;
  std::vector<std::string> args;  // SRC DST (DST only with -r)
  std::string repository;
  std::vector<std::string> location_map;
  S3Flags src_s3, dst_s3;
  std::string to_profile, to_region;
  std::vector<std::string> snapshots;
  bool dry_run = false;
  int concurrency = 8;
  double limit_upload = 0;  // MiB/s
  KeepFlags keep;
  int object_lock_days = 0;
  std::string object_lock_mode = "GOVERNANCE";
  std::string storage_class;
  bool verify_data = false;
  bool no_server_side_copy = false;
  bool quiet = false;
  std::string crash_at;  // hidden: tests stop the process here (SIGKILL)
};

// Progress: nothing for the first second, then four redraws a second on a terminal, a line (or
// an event) every five seconds otherwise.
constexpr ProgressPace kSyncPace{std::chrono::seconds(1), std::chrono::milliseconds(250),
                                 std::chrono::seconds(5)};

Result<sync::CrashPoint> crash_point(const std::string& text, std::uint64_t& after) {
  if (text.empty()) return sync::CrashPoint::kNone;
  if (text == "before-root") return sync::CrashPoint::kBeforeRoot;
  if (text == "before-latest") return sync::CrashPoint::kBeforeLatest;
  if (text.rfind("after-blobs:", 0) == 0) {
    after = std::stoull(text.substr(12));
    return sync::CrashPoint::kAfterBlobs;
  }
  return make_error(ErrorCode::kInvalidArgument, "--crash-at '" + text + "' is not known");
}

json plan_json(const sync::SyncPlan& p) {
  json held = json::array();
  for (const auto& h : p.held) held.push_back({{"snapshot", h.name}, {"until", h.until}});
  return {{"src_generation", p.src_generation},
          {"dst_generation", p.dst_generation ? json(*p.dst_generation) : json(nullptr)},
          {"new_generation", p.new_generation},
          {"add", p.add},
          {"remove", p.remove},
          {"held", held},
          {"kept", p.kept},
          {"skipped", p.skipped},
          {"blobs_to_copy", p.blobs_to_copy},
          {"bytes_to_copy", p.bytes_to_copy},
          {"blobs_reused", p.blobs_reused},
          {"metadata_blobs", p.metadata_blobs},
          {"indices_changed", p.indices_changed},
          {"indices_unchanged", p.indices_unchanged},
          {"shards_changed", p.shards_changed}};
}

std::string list_of(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + util::escape_control(n);
  return out.empty() ? "none" : out;
}

Result<int> run_sync(const GlobalOptions& g, SyncFlags f) {
  std::string src_where, dst_where;
  if (!f.repository.empty()) {
    if (f.args.size() != 1)
      return make_error(ErrorCode::kInvalidArgument,
                        "with -r NAME the only argument is DST (s3://BUCKET/PREFIX or a directory)",
                        "essnap repo sync -r NAME --url CLUSTER s3://BUCKET/PREFIX");
    dst_where = f.args[0];
  } else {
    if (f.args.size() != 2)
      return make_error(ErrorCode::kInvalidArgument,
                        "SRC and DST are required: s3://BUCKET/PREFIX or a directory each (SRC "
                        "may be -r NAME --url CLUSTER instead)",
                        "essnap repo sync s3://BUCKET/PREFIX /mnt/second-copy");
    src_where = f.args[0];
    dst_where = f.args[1];
  }
  sync::SyncOptions o;
  ESSNAP_TRY(o.crash_at, crash_point(f.crash_at, o.crash_after_blobs));
  if (f.keep.any_rule()) {
    ESSNAP_TRY(auto policy, keep_policy(f.keep));
    o.retention = policy;
  }
  if (f.object_lock_days < 0)
    return make_error(ErrorCode::kInvalidArgument, "--object-lock-days must be 0 or more");
  for (auto& c : f.object_lock_mode) c = static_cast<char>(std::toupper(c));
  if (f.object_lock_mode != "GOVERNANCE" && f.object_lock_mode != "COMPLIANCE")
    return make_error(ErrorCode::kInvalidArgument,
                      "--object-lock-mode must be governance or compliance");
  for (auto& c : f.storage_class) c = static_cast<char>(std::toupper(c));
  if (!f.storage_class.empty())
    ESSNAP_TRY_STATUS(s3::check_repository_storage_class(f.storage_class));
  if ((f.object_lock_days > 0 || !f.storage_class.empty()) && !blob::is_s3_uri(dst_where))
    return make_error(ErrorCode::kInvalidArgument,
                      "--object-lock-days and --storage-class need an S3 DST (s3://BUCKET/PREFIX)");
  if (!f.repository.empty()) {
    ESSNAP_TRY(src_where,
               registered_repository_location(g, f.cluster, f.repository, f.location_map));
  }
  if (!src_where.empty() && src_where == dst_where)
    return make_error(ErrorCode::kInvalidArgument, "SRC and DST are the same place: " + src_where);

  auto src = blob::open_blob_store(src_where, blob::Access::kRead,
                                   blob_open_options(g, f.src_s3, f.cluster.region));
  if (!src.ok()) return Error(std::move(src).error()).with_context("SRC " + src_where);
  GlobalOptions to = g;
  if (!f.to_profile.empty()) to.profile = f.to_profile;
  blob::OpenOptions dst_options =
      blob_open_options(to, f.dst_s3, f.to_region.empty() ? f.cluster.region : f.to_region);
  dst_options.write.storage_class = f.storage_class;
  auto dst = sync::open_destination(dst_where, dst_options, f.object_lock_days, f.object_lock_mode);
  if (!dst.ok()) return Error(std::move(dst).error()).with_context("DST " + dst_where);
  o.check_locks = dst->object_lock;
  o.snapshots = f.snapshots;
  o.dry_run = f.dry_run;
  o.concurrency = f.concurrency;
  o.limit_upload_bytes_per_second = f.limit_upload * 1024 * 1024;
  o.verify_data = f.verify_data;
  o.server_side_copy = !f.no_server_side_copy;
  InterruptScope interrupt;
  o.interrupted = [] { return InterruptScope::requested(); };
  ProgressOutput progress(progress_style(g, f.quiet), kSyncPace);
  o.progress = progress.sink();
  auto ran = sync::sync_repository(**src, *dst->store, o);
  progress.finish();
  if (!ran.ok()) return ran.error();
  const sync::SyncReport& r = *ran;
  const sync::SyncPlan& p = r.plan;
  if (g.output == OutputFormat::kJson) {
    json out{{"src", (*src)->describe()},
             {"dst", dst->store->describe()},
             {"dry_run", r.dry_run},
             {"up_to_date", p.up_to_date()},
             {"plan", plan_json(p)},
             {"blobs_copied", r.blobs_copied},
             {"bytes_copied", r.bytes_copied},
             {"server_side_copies", r.server_side_copies},
             {"streamed_copies", r.streamed_copies},
             {"blobs_deleted", r.blobs_deleted},
             {"restarts", r.restarts},
             {"verified_snapshots", r.verified_snapshots},
             {"notes", r.notes},
             {"elapsed_seconds", static_cast<double>(r.elapsed.count()) / 1000.0}};
    json_result(std::move(out));
    return kExitOk;
  }
  for (const auto& n : r.notes) std::cerr << "essnap: note: " << util::escape_control(n) << "\n";
  const std::string dst_name = util::escape_control(dst->store->describe());
  std::cout << (r.dry_run ? "plan: " : "") << "SRC " << util::escape_control((*src)->describe())
            << " (generation " << p.src_generation << ") -> DST " << dst_name << " ("
            << (p.dst_generation ? "generation " + std::to_string(*p.dst_generation) : "empty")
            << ")\n";
  std::cout << "  add:    " << list_of(p.add) << "\n";
  std::cout << "  remove: " << list_of(p.remove) << "\n";
  for (const auto& h : p.held)
    std::cout << "  held:   " << util::escape_control(h.name) << " (Object Lock until " << h.until
              << ")\n";
  for (const auto& s : p.skipped) std::cout << "  skipped: " << util::escape_control(s) << "\n";
  std::cout << "  data:   " << p.blobs_to_copy << " blob(s), "
            << util::format_bytes(static_cast<std::int64_t>(p.bytes_to_copy)) << " to copy; "
            << p.blobs_reused << " reused; " << p.metadata_blobs << " metadata blob(s); "
            << p.indices_changed << " index(es) changed, " << p.indices_unchanged << " unchanged\n";
  if (r.dry_run) {
    std::cout << "dry run: nothing was written\n";
  } else if (p.up_to_date()) {
    std::cout << "DST is up to date\n";
  } else {
    std::cout << "synced: DST " << dst_name << " is at generation " << p.new_generation << "; "
              << r.blobs_copied << " blob(s), "
              << util::format_bytes(static_cast<std::int64_t>(r.bytes_copied)) << " copied ("
              << r.server_side_copies << " server-side), " << r.blobs_deleted << " deleted, "
              << r.verified_snapshots << " snapshot(s) verified, in "
              << util::format_duration(r.elapsed) << "\n";
  }
  return kExitOk;
}

}  // namespace

void register_repo_sync(CLI::App* repo, CommandContext ctx) {
  auto f = std::make_shared<SyncFlags>();
  auto* c = repo->add_subcommand(
      "sync", "Copy a repository's snapshots to another bucket, region, account or disk");
  c->fallthrough();
  add_cluster_flags(c, &f->cluster);
  c->add_option("ARGS", f->args, "SRC DST: s3://BUCKET/PREFIX or a directory each");
  c->add_option("--repository,-r", f->repository,
                "SRC is this registered repository (its location from the cluster at --url)");
  c->add_option("--location-map", f->location_map,
                "FROM=TO: the repository location as this machine sees it (repeatable)");
  c->add_option("--s3-endpoint-url", f->src_s3.endpoint_url, "SRC's S3 endpoint");
  c->add_flag("--s3-path-style", f->src_s3.path_style, "SRC: path-style S3 addressing");
  c->add_option("--to-profile", f->to_profile, "DST's AWS profile (another account)");
  c->add_option("--to-region", f->to_region, "DST's region");
  c->add_option("--to-s3-endpoint-url", f->dst_s3.endpoint_url, "DST's S3 endpoint");
  c->add_flag("--to-s3-path-style", f->dst_s3.path_style, "DST: path-style S3 addressing");
  c->add_option("--snapshots", f->snapshots, "Only snapshots matching these globs (default all)")
      ->expected(1, -1);
  c->add_flag("--dry-run", f->dry_run,
              "Print the plan (snapshots to add and remove, blobs and bytes to move) only");
  c->add_option("--concurrency", f->concurrency, "Blobs copied at once (default 8)")
      ->check(integer_at_least(1));
  c->add_option("--limit-upload", f->limit_upload, "MiB/s for all copies together");
  add_keep_flags(c, &f->keep);
  c->add_option("--object-lock-days", f->object_lock_days,
                "Write every new DST object with S3 Object Lock retention of N days");
  c->add_option("--object-lock-mode", f->object_lock_mode, "governance (default) or compliance");
  c->add_option("--storage-class", f->storage_class,
                "Storage class of new DST objects (STANDARD_IA, GLACIER_IR, ...; not GLACIER or "
                "DEEP_ARCHIVE)");
  c->add_flag("--verify-data", f->verify_data,
              "After the sync, read the new snapshots' data back and check every checksum");
  c->add_flag("--no-server-side-copy", f->no_server_side_copy,
              "Stream every blob through essnap even where DST could copy it from SRC");
  c->add_flag("-q,--quiet", f->quiet, "No progress on stderr");
  c->add_option("--crash-at", f->crash_at)->group("");  // tests only
  c->footer(
      "DST becomes a snapshot repository in SRC's format that any engine able to read SRC can\n"
      "register (read-only while syncs run) and restore from. Data blobs go first, the new root\n"
      "index-N last (refused if another writer made it), so DST is valid at every instant and\n"
      "a sync killed anywhere leaves it at its previous generation. Snapshots SRC deleted stay in\n"
      "DST until DST's own --keep-* rules remove them (never an object under Object Lock).\n\n"
      "EXAMPLES:\n"
      "  essnap repo sync s3://acme-snapshots/prod s3://acme-dr/prod --to-region eu-west-1\n"
      "  essnap repo sync s3://acme-snapshots/prod s3://acme-vault/prod --to-profile vault "
      "--object-lock-days 30 --keep-daily 30\n"
      "  essnap repo sync -r backups --url http://localhost:9200 /mnt/second-copy --dry-run\n"
      "  essnap -o json repo sync /mnt/es-backups s3://acme-dr/es --snapshots 'nightly-*'\n\n"
      "Exit 0: synced, up to date, or planned (--dry-run); 2: bad arguments, or DST holds files\n"
      "but is not a repository; 6: SRC is not a repository; 8: DST changed under the sync or\n"
      "holds a conflicting snapshot (nothing was overwritten); 9: DST failed its check after\n"
      "the sync.\n\n" +
      std::string(exit_status_help()));
  c->callback([ctx, f] { run_command(ctx, [&] { return run_sync(*ctx.global, *f); }); });
}

}  // namespace essnap::cli
