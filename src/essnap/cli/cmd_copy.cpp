// essnap copy: indices of one cluster into another, export piped into import in memory; or with
// --from-snapshot, a snapshot's indices read from its Lucene segments (fromsnapshot/copy).
#include <cstdlib>
#include <iostream>
#include <memory>

#include "essnap/cli/cluster_flags.hpp"
#include "essnap/cli/command.hpp"
#include "essnap/cli/exit_codes.hpp"
#include "essnap/cli/progress_output.hpp"
#include "essnap/cli/rename_flags.hpp"
#include "essnap/cli/snapshot_repository.hpp"
#include "essnap/cli/transfer_common.hpp"
#include "essnap/cluster/names.hpp"
#include "essnap/fromsnapshot/copy.hpp"
#include "essnap/transfer/copy.hpp"
#include "essnap/transfer/state_paths.hpp"

namespace essnap::cli {
namespace {

struct CopyFlags {
  ClusterFlags source;
  ClusterFlags target;
  std::vector<std::string> indices;
  RenameFlags rename;  // --rename, --rename-regex, --rename-suffix (cli/rename_flags.hpp)
  bool append = false;
  bool resume = false;
  bool include_aliases = false;
  int slices = 0;
  int concurrency = 4;
  int page_size = 0;
  std::string read_strategy = "auto";
  long long chunk_docs = 5000;
  std::string state_dir;
  std::string errors;
  bool quiet = false;
  bool dry_run = false;
  // --from-snapshot REPO SNAPSHOT (SNAPSHOT alone with -r NAME --url CLUSTER)
  std::vector<std::string> from_snapshot;
  SnapshotRepositoryFlags repo;
  S3Flags s3;
};

// The target's secrets come from ESSNAP_TO_PASSWORD / ESSNAP_TO_API_KEY when set, else from the
// source's variables (one cluster's credentials for both).
const char* target_secret_env(const char* target_var, const char* shared_var) {
  return std::getenv(target_var) != nullptr ? target_var : shared_var;
}

// What both copy paths (a source cluster, --from-snapshot) take from the same flags.
template <class Options>
Status copy_options_from(const CopyFlags& f, Options& o) {
  ESSNAP_TRY_STATUS(cluster::names::validate_index_arguments(f.indices));
  o.patterns = split_list(f.indices);
  ESSNAP_TRY(Renames renames, parse_renames(f.rename));
  o.rename = {renames.suffix, renames.exact, renames.regex_pattern, renames.regex_replacement};
  o.existing = f.append ? transfer::Existing::kAppend : transfer::Existing::kRefuse;
  o.execution = f.dry_run ? transfer::Execution::kDryRun : transfer::Execution::kExecute;
  o.resume = f.resume ? transfer::Resume::kYes : transfer::Resume::kNo;
  o.aliases =
      f.include_aliases ? transfer::AliasPolicy::kInclude : transfer::AliasPolicy::kUnlessRenamed;
  o.concurrency = f.concurrency;
  return ok_status();
}

Result<int> run_copy_from_snapshot(const GlobalOptions& global, CopyFlags& f,
                                   const transfer::ClientFactory& targets) {
  ESSNAP_TRY_STATUS(refuse_cluster_read_flags(f.slices, f.page_size, f.read_strategy));
  fromsnapshot::CopyOptions o;
  ESSNAP_TRY_STATUS(copy_options_from(f, o));
  o.chunk_docs = f.chunk_docs;
  ESSNAP_TRY(OpenedSnapshot opened,
             open_from_snapshot(global, f.source, f.repo, f.s3, f.from_snapshot,
                                "essnap copy --from-snapshot s3://acme-snapshots/logs nightly-1 -i "
                                "'logs-*' --to-url http://opensearch:9200"));
  o.snapshot = opened.snapshot;
  o.source = "snapshot " + o.snapshot + " of " + opened.container->describe();
  inspect::Repository& repo = *opened.repository;
  auto paths = transfer::state_paths(f.state_dir, "copy", o.source, f.target.url, f.errors);
  if (!paths.ok()) return paths.error();
  o.state_path = paths->state;
  o.errors_path = paths->errors;

  const ProgressStyle style = progress_style(global, f.quiet);
  auto r = run_transfer(style, [&](transfer::Hooks hooks) {
    return fromsnapshot::run_copy(repo, targets, o, std::move(hooks));
  });
  if (!r.ok())
    return transfer_error(std::move(r).error(), "copy",
                          "the loaded chunks are recorded in " + o.state_path);
  if (r->dry_run)
    return print_transfer_plan(r->indices, "copy", "from " + o.source + " to " + f.target.url,
                               global);
  print_summaries(r->indices, "copied", global);
  if (r->problem) return *r->problem;
  return kExitOk;
}

Result<int> run_copy_command(const GlobalOptions& global, CopyFlags& f) {
  if (!f.from_snapshot.empty()) {
    if (f.target.url.empty())
      return Error(ErrorCode::kInvalidArgument, "no target cluster",
                   "pass --to-url https://host:9200");
    f.target.password_env = target_secret_env("ESSNAP_TO_PASSWORD", "ESSNAP_PASSWORD");
    f.target.api_key_env = target_secret_env("ESSNAP_TO_API_KEY", "ESSNAP_API_KEY");
    auto targets = client_factory(global, f.target);
    if (!targets.ok()) return Error(targets.error()).with_context("--to-url");
    return run_copy_from_snapshot(global, f, *targets);
  }
  if (!f.repo.repository.empty() || !f.repo.location_map.empty())
    return make_error(ErrorCode::kInvalidArgument,
                      "--repository and --location-map go with --from-snapshot");
  transfer::CopyOptions o;
  ESSNAP_TRY_STATUS(copy_options_from(f, o));
  o.slices = f.slices;
  o.page_size = f.page_size;
  o.strategy = read_strategy(f.read_strategy, f.source);
  o.chunk_docs = f.chunk_docs;
  if (f.target.url.empty())
    return Error(ErrorCode::kInvalidArgument, "no target cluster",
                 "pass --to-url https://host:9200");

  auto sources = client_factory(global, f.source);
  if (!sources.ok()) return sources.error();
  f.target.password_env = target_secret_env("ESSNAP_TO_PASSWORD", "ESSNAP_PASSWORD");
  f.target.api_key_env = target_secret_env("ESSNAP_TO_API_KEY", "ESSNAP_API_KEY");
  auto targets = client_factory(global, f.target);
  if (!targets.ok()) return Error(targets.error()).with_context("--to-url");
  auto paths = transfer::state_paths(f.state_dir, "copy", f.source.url, f.target.url, f.errors);
  if (!paths.ok()) return paths.error();
  o.state_path = paths->state;
  o.errors_path = paths->errors;

  const ProgressStyle style = progress_style(global, f.quiet);
  auto r = run_transfer(style, [&](transfer::Hooks hooks) {
    return transfer::run_copy(*sources, *targets, o, std::move(hooks));
  });
  if (!r.ok())
    return transfer_error(std::move(r).error(), "copy",
                          "the loaded chunks are recorded in " + o.state_path);
  if (r->dry_run)
    return print_transfer_plan(r->indices, "copy", "from " + f.source.url + " to " + f.target.url,
                               global);
  print_summaries(r->indices, "copied", global);
  if (r->problem) return *r->problem;
  return kExitOk;
}

}  // namespace

void register_copy(CLI::App& app, CommandContext ctx) {
  auto f = std::make_shared<CopyFlags>();
  auto* c = app.add_subcommand(
      "copy", "Copy indices from one cluster to another (no intermediate storage)");
  c->fallthrough();
  add_cluster_flags(c, &f->source);
  c->add_option("--to-url", f->target.url, "Target cluster URL; required");
  c->add_option("--to-auth", f->target.auth, "Target auth: aws | basic | apikey | none")
      ->check(CLI::IsMember({"aws", "basic", "apikey", "none"}));
  c->add_option("--to-service", f->target.service, "Target SigV4 service (es, aoss)");
  c->add_option("--to-region", f->target.region, "Target AWS region");
  c->add_option("--to-user", f->target.user,
                "Target user for basic auth (password: ESSNAP_TO_PASSWORD)");
  c->add_option("--to-cacert", f->target.cacert, "PEM file of CAs to trust for the target");
  c->add_flag("--to-insecure", f->target.insecure, "Do not verify the target's TLS certificate");
  c->add_option("--indices,-i", f->indices, "Index patterns (a,b*,-c); required")->required();
  add_rename_flags(c, &f->rename, "Copy");
  c->add_flag("--append", f->append, "Load into target indices that exist already");
  c->add_flag("--include-aliases", f->include_aliases,
              "Give a renamed index the source's aliases too (left out by default, as restore "
              "does; an alias never gets a second write index)");
  c->add_flag("--resume", f->resume, "Continue an interrupted copy");
  c->add_option("--slices", f->slices,
                "Parallel readers per index (default: shards, bounded by cores)")
      ->check(CLI::Range(0, 64));
  add_read_strategy_flag(c, &f->read_strategy);
  c->add_option("--page-size", f->page_size,
                "Documents per search page (default: as many as fill 8 MiB by a sample's size, at "
                "most 10000)")
      ->check(CLI::Range(0, 10000));
  c->add_option("--concurrency", f->concurrency, "Parallel bulk loaders")
      ->check(CLI::Range(1, 32))
      ->capture_default_str();
  c->add_option("--chunk-docs", f->chunk_docs,
                "Documents per chunk (the unit of the queue and of --resume)")
      ->check(CLI::Range(1LL, 1'000'000LL))
      ->capture_default_str();
  c->add_option("--state-dir", f->state_dir,
                "Where the state and errors files go (default ~/.local/state/essnap)");
  c->add_option("--errors", f->errors,
                "Write rejected documents here (default: in the state directory)");
  add_from_snapshot_flags(c, &f->from_snapshot, &f->repo, "source cluster");
  add_s3_flags(c, &f->s3);
  c->add_flag("--quiet,-q", f->quiet, "No progress output");
  c->add_flag("--dry-run", f->dry_run,
              "Check both clusters and print what each index would become; copy nothing");
  c->footer(
      "Reads like export, loads like import, with a bounded queue between them and nothing "
      "stored.\n"
      "The target's secrets: ESSNAP_TO_PASSWORD / ESSNAP_TO_API_KEY (else the source's "
      "variables).\n\n"
      "EXAMPLES:\n"
      "  essnap copy --url https://es8:9200 --to-url https://opensearch:9200 -i 'orders*'\n"
      "  essnap copy --url http://old:9200 --to-url http://new:9200 -i logs --rename-suffix -v2 "
      "--resume\n"
      "  essnap copy --url http://old:9200 --to-url http://new:9200 -i 'logs-*' "
      "--rename-regex '^logs-(.+)=archive-$1' --dry-run\n"
      "  essnap copy --from-snapshot s3://acme-snapshots/logs nightly-1 -i 'logs-*' --to-url "
      "http://opensearch:9200\n\n"
      "--from-snapshot reads no source cluster: the documents come from the snapshot's Lucene\n"
      "segments (one reader per shard, --concurrency at once, each holding one chunk), the index\n"
      "is created from the snapshot's metadata with import's translations. An index whose\n"
      "_source is not in the snapshot whole is refused by name (exit 8).\n\n" +
      std::string(exit_status_help()));
  c->callback([ctx, f] { run_command(ctx, [&] { return run_copy_command(*ctx.global, *f); }); });
}

}  // namespace essnap::cli
