// essnap import: an export (directory or S3 prefix) -> indices of a cluster.
#include <iostream>
#include <memory>

#include "essnap/cli/cluster_flags.hpp"
#include "essnap/cli/command.hpp"
#include "essnap/cli/exit_codes.hpp"
#include "essnap/cli/progress_output.hpp"
#include "essnap/cli/rename_flags.hpp"
#include "essnap/cli/transfer_common.hpp"
#include "essnap/cluster/names.hpp"
#include "essnap/transfer/import.hpp"
#include "essnap/transfer/state_paths.hpp"

namespace essnap::cli {
namespace {

struct ImportFlags {
  ClusterFlags cluster;
  S3Flags s3;
  std::string from;
  std::vector<std::string> indices;
  RenameFlags rename;  // --rename, --rename-regex, --rename-suffix (cli/rename_flags.hpp)
  bool append = false;
  bool resume = false;
  bool include_aliases = false;
  int concurrency = 4;
  long long window_bytes = 8LL << 20;
  std::string state_dir;
  std::string errors;
  bool quiet = false;
  bool dry_run = false;
};

Result<int> run_import_command(const GlobalOptions& global, ImportFlags& f) {
  transfer::ImportOptions o;
  if (!f.indices.empty()) {
    ESSNAP_TRY_STATUS(cluster::names::validate_index_arguments(f.indices));
    o.patterns = split_list(f.indices);
  }
  ESSNAP_TRY(Renames renames, parse_renames(f.rename));
  o.rename = {renames.suffix, renames.exact, renames.regex_pattern, renames.regex_replacement};
  o.existing = f.append ? transfer::Existing::kAppend : transfer::Existing::kRefuse;
  o.execution = f.dry_run ? transfer::Execution::kDryRun : transfer::Execution::kExecute;
  o.resume = f.resume ? transfer::Resume::kYes : transfer::Resume::kNo;
  o.aliases =
      f.include_aliases ? transfer::AliasPolicy::kInclude : transfer::AliasPolicy::kUnlessRenamed;
  o.concurrency = f.concurrency;
  o.window_bytes = f.window_bytes;

  auto clients = client_factory(global, f.cluster);
  if (!clients.ok()) return clients.error();
  auto store = open_store(global, f.from, blob::Access::kRead, f.s3, f.cluster.region);
  if (!store.ok()) return store.error();
  auto paths =
      transfer::state_paths(f.state_dir, "import", (*store)->describe(), f.cluster.url, f.errors);
  if (!paths.ok()) return paths.error();
  o.state_path = paths->state;
  o.errors_path = paths->errors;

  const ProgressStyle style = progress_style(global, f.quiet);
  auto r = run_transfer(style, [&](transfer::Hooks hooks) {
    return transfer::run_import(*clients, **store, o, std::move(hooks));
  });
  if (!r.ok())
    return transfer_error(std::move(r).error(), "import",
                          "the loaded chunks are recorded in " + o.state_path);
  if (r->dry_run)
    return print_transfer_plan(r->indices, "import",
                               "from " + (*store)->describe() + " into " + f.cluster.url, global);
  print_summaries(r->indices, "imported", global);
  if (r->problem) return *r->problem;
  return kExitOk;
}

}  // namespace

void register_import(CLI::App& app, CommandContext ctx) {
  auto f = std::make_shared<ImportFlags>();
  auto* c =
      app.add_subcommand("import", "Load an essnap export into a cluster (creating its indices)");
  c->fallthrough();
  add_cluster_flags(c, &f->cluster);
  add_s3_flags(c, &f->s3);
  c->add_option("--from", f->from, "The export: s3://bucket/prefix or a local directory; required")
      ->required();
  c->add_option("--indices,-i", f->indices, "Index patterns among the export's (default: all)");
  add_rename_flags(c, &f->rename, "Import");
  c->add_flag("--append", f->append, "Load into target indices that exist already");
  c->add_flag("--include-aliases", f->include_aliases,
              "Give a renamed index the source's aliases too (left out by default, as restore "
              "does; an alias never gets a second write index)");
  c->add_flag("--resume", f->resume, "Continue an interrupted import (skips the chunks it loaded)");
  c->add_option("--concurrency", f->concurrency, "Chunks loaded in parallel")
      ->check(CLI::Range(1, 32))
      ->capture_default_str();
  c->add_option(
       "--window-bytes", f->window_bytes,
       "Bytes of a chunk's lines parsed and sent at a time: a loader holds one window and the "
       "compressed chunk, never the whole chunk")
      ->check(CLI::Range(1LL << 10, 64LL << 20))
      ->capture_default_str();
  c->add_option("--state-dir", f->state_dir,
                "Where the state and errors files go (default ~/.local/state/essnap)");
  c->add_option("--errors", f->errors,
                "Write rejected documents here (default: in the state directory)");
  c->add_flag("--quiet,-q", f->quiet, "No progress output");
  c->add_flag("--dry-run", f->dry_run,
              "List what the export holds and what each index would become; load nothing");
  c->footer(
      "Creates each index from its index.json, translated for the target (mapping types of 6.x,\n"
      "settings the target does not know: each change is reported), refusing indices that exist\n"
      "unless --append. Checks every chunk's SHA-256 before loading it (a corrupted chunk is\n"
      "refused and named), loads it window by window (--window-bytes: memory does not grow with\n"
      "the chunk), bulk-loads with adaptive batches and backoff on 429, writes every\n"
      "rejected document with its error to the errors file, then refreshes and compares each\n"
      "index's count with the manifest. Exits 9 when anything was rejected, refused or differs.\n"
      "Field types the target lacks are mended from its own refusal (flattened <-> flat_object,\n"
      "vectors, wildcard, ...; else a disabled object) and every change is printed. The backing\n"
      "indices of a data stream load into one data stream (made from the target's template, or\n"
      "one essnap puts: essnap-<name>).\n\n"
      "EXAMPLES:\n"
      "  essnap import --url http://localhost:9200 --from /backup/logs\n"
      "  essnap import --url http://localhost:9200 --from /backup/logs --dry-run\n"
      "  essnap import --url https://new:9200 --from s3://my-bucket/exports/orders --rename-suffix "
      "-restored\n"
      "  essnap import --from /backup/logs -i 'logs-2026*' --rename logs-2026.01=old-logs "
      "--append\n"
      "  essnap import --url http://os2:9200 --from /backup/logs -i logs-app --rename "
      "logs-app=logs-copy\n\n" +
      std::string(exit_status_help()));
  c->callback([ctx, f] { run_command(ctx, [&] { return run_import_command(*ctx.global, *f); }); });
}

}  // namespace essnap::cli
