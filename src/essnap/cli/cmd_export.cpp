// essnap export: indices -> chunk files + manifest.json in a directory or an S3 prefix; from a
// cluster, or with --from-snapshot from a snapshot's Lucene segments (fromsnapshot/).
#include <iostream>
#include <memory>

#include "essnap/cli/cluster_flags.hpp"
#include "essnap/cli/command.hpp"
#include "essnap/cli/exit_codes.hpp"
#include "essnap/cli/progress_output.hpp"
#include "essnap/cli/snapshot_repository.hpp"
#include "essnap/cli/transfer_common.hpp"
#include "essnap/cluster/names.hpp"
#include "essnap/fromsnapshot/export.hpp"
#include "essnap/inspect/walker.hpp"
#include "essnap/transfer/export.hpp"
#include "essnap/version.hpp"

namespace essnap::cli {
namespace {

struct ExportFlags {
  ClusterFlags cluster;
  S3Flags s3;
  std::vector<std::string> indices;
  std::string to;
  std::string compress = "zstd";
  long long chunk_docs = 100000;
  long long chunk_bytes = 0;
  int slices = 0;
  int page_size = 0;
  std::string read_strategy = "auto";
  bool resume = false;
  bool overwrite = false;
  bool quiet = false;
  bool dry_run = false;
  // --from-snapshot REPO SNAPSHOT (SNAPSHOT alone with -r NAME --url CLUSTER)
  std::vector<std::string> from_snapshot;
  SnapshotRepositoryFlags repo;
  std::string shards;  // i/N
};

// What both export paths (a cluster, --from-snapshot) take from the same flags.
template <class Options>
Status export_options_from(const ExportFlags& f, Options& o) {
  o.patterns = split_list(f.indices);
  ESSNAP_TRY_STATUS(cluster::names::validate_index_arguments(f.indices));
  auto comp = transfer::parse_compression(f.compress);
  if (!comp.ok()) return Error(comp.error()).with_context("--compress");
  o.compression = *comp;
  o.chunk_docs = f.chunk_docs;
  o.chunk_bytes = f.chunk_bytes;
  o.resume = f.resume ? transfer::Resume::kYes : transfer::Resume::kNo;
  o.overwrite = f.overwrite ? transfer::Overwrite::kYes : transfer::Overwrite::kNo;
  o.execution = f.dry_run ? transfer::Execution::kDryRun : transfer::Execution::kExecute;
  o.tool = std::string("essnap ") + kVersion;
  return ok_status();
}

// An export whose manifest.json is already there (a resume of a finished export): nothing to do.
int already_complete(const GlobalOptions& global, const std::string& destination) {
  if (global.output == OutputFormat::kJson)
    json_result({{"already_complete", true}, {"destination", destination}});
  else
    std::cerr << "the export in " << destination << " is already complete (manifest.json)\n";
  return kExitOk;
}

Result<int> run_from_snapshot(const GlobalOptions& global, ExportFlags& f) {
  ESSNAP_TRY_STATUS(refuse_cluster_read_flags(f.slices, f.page_size, f.read_strategy));
  fromsnapshot::ExportOptions o;
  ESSNAP_TRY_STATUS(export_options_from(f, o));
  if (!f.shards.empty()) {
    ESSNAP_TRY(auto share, fromsnapshot::parse_share(f.shards));
    o.share = share;
  }
  ESSNAP_TRY(OpenedSnapshot opened,
             open_from_snapshot(global, f.cluster, f.repo, f.s3, f.from_snapshot,
                                "essnap export --from-snapshot s3://acme-snapshots/logs nightly-1 "
                                "-i 'logs-*' --to /backup/logs"));
  o.snapshot = opened.snapshot;
  inspect::Repository& repo = *opened.repository;
  auto store = open_store(global, f.to, blob::Access::kWrite, f.s3, f.cluster.region);
  if (!store.ok()) return store.error();

  const ProgressStyle style = progress_style(global, f.quiet);
  auto r = run_transfer(style, [&](transfer::Hooks hooks) {
    return fromsnapshot::run_export(repo, **store, o, std::move(hooks));
  });
  if (!r.ok())
    return transfer_error(std::move(r).error(), "export",
                          "every complete chunk is checkpointed in " + (*store)->describe() + "/" +
                              fromsnapshot::state_file(o.share));
  const std::string where = "from snapshot " + o.snapshot + " of " + opened.container->describe() +
                            " to " + (*store)->describe();
  if (r->dry_run) return print_transfer_plan(r->indices, "export", where, global);
  if (r->already_complete) return already_complete(global, (*store)->describe());
  print_summaries(r->indices, "exported", global);
  const std::string manifest = (*store)->describe() + "/manifest.json";
  std::string pending;
  for (int k : r->shares_pending) pending += (pending.empty() ? "" : ", ") + std::to_string(k);
  if (global.output == OutputFormat::kJson) {
    json_field("shards", r->units.size());
    if (r->manifest_written)
      json_field("manifest", manifest);
    else
      json_field("shares_pending", r->shares_pending);
  } else if (r->manifest_written) {
    std::cout << "manifest: " << manifest << "\n";
  } else {
    std::cout << "share " << f.shards << " done (" << r->units.size()
              << " shards); manifest.json is written by the last share to finish (not done yet: "
              << pending << ")\n";
  }
  return kExitOk;
}

Result<int> run_export_command(const GlobalOptions& global, ExportFlags& f) {
  if (!f.from_snapshot.empty()) return run_from_snapshot(global, f);
  if (!f.shards.empty() || !f.repo.repository.empty() || !f.repo.location_map.empty())
    return make_error(ErrorCode::kInvalidArgument,
                      "--shards, --repository and --location-map go with --from-snapshot");
  transfer::ExportOptions o;
  ESSNAP_TRY_STATUS(export_options_from(f, o));
  o.slices = f.slices;
  o.page_size = f.page_size;
  o.strategy = read_strategy(f.read_strategy, f.cluster);
  ESSNAP_TRY_STATUS(transfer::validate(o));

  auto clients = client_factory(global, f.cluster);
  if (!clients.ok()) return clients.error();
  auto store = open_store(global, f.to, blob::Access::kWrite, f.s3, f.cluster.region);
  if (!store.ok()) return store.error();

  const ProgressStyle style = progress_style(global, f.quiet);
  auto r = run_transfer(style, [&](transfer::Hooks hooks) {
    return transfer::run_export(*clients, **store, o, std::move(hooks));
  });
  if (!r.ok())
    return transfer_error(std::move(r).error(), "export",
                          "every complete chunk is checkpointed in " + (*store)->describe());
  if (r->dry_run)
    return print_transfer_plan(r->indices, "export",
                               "from " + f.cluster.url + " to " + (*store)->describe(), global);
  if (r->already_complete) return already_complete(global, (*store)->describe());
  print_summaries(r->indices, "exported", global);
  if (global.output == OutputFormat::kJson)
    json_field("manifest", (*store)->describe() + "/manifest.json");
  else
    std::cout << "manifest: " << (*store)->describe() << "/manifest.json\n";
  return kExitOk;
}

}  // namespace

void register_export(CLI::App& app, CommandContext ctx) {
  auto f = std::make_shared<ExportFlags>();
  auto* c = app.add_subcommand(
      "export", "Copy indices (definition + documents) to a directory or an S3 prefix");
  c->fallthrough();
  add_cluster_flags(c, &f->cluster);
  add_s3_flags(c, &f->s3);
  c->add_option("--indices,-i", f->indices, "Index patterns (a,b*,-c); required")->required();
  c->add_option("--to", f->to, "Destination: s3://bucket/prefix or a local directory; required")
      ->required();
  c->add_option("--compress", f->compress, "zstd | gzip | none")
      ->check(CLI::IsMember({"zstd", "gzip", "none"}))
      ->capture_default_str();
  c->add_option("--chunk-docs", f->chunk_docs, "Documents per chunk file at most")
      ->capture_default_str();
  c->add_option("--chunk-bytes", f->chunk_bytes,
                "Uncompressed bytes per chunk file at most (default: 32 MiB for up to 2 slices, "
                "less for more "
                "slices, at least 4 MiB)");
  c->add_option("--slices", f->slices,
                "Parallel readers per index (default: shards, bounded by cores)");
  add_read_strategy_flag(c, &f->read_strategy);
  c->add_option("--page-size", f->page_size,
                "Documents per search page (default: as many as fill 8 MiB by a sample's size, at "
                "most 10000)");
  auto* resume = c->add_flag("--resume", f->resume,
                             "Continue an interrupted export in --to from its checkpoint (every "
                             "recorded chunk is checked against a new read of its index)");
  auto* overwrite = c->add_flag("--overwrite", f->overwrite,
                                "Write into a --to that is not empty: files of the same names are "
                                "replaced (the old manifest.json first)");
  resume->excludes(overwrite);
  add_from_snapshot_flags(c, &f->from_snapshot, &f->repo, "cluster");
  c->add_option(
       "--shards", f->shards,
       "With --from-snapshot: i/N, take share i of N of the (index, shard) units; the last "
       "share to finish writes manifest.json (e.g. $(JOB_COMPLETION_INDEX)/4)")
      ->type_name("i/N");
  c->add_flag("--quiet,-q", f->quiet, "No progress output");
  c->add_flag("--dry-run", f->dry_run,
              "Check the source and --to (a non-empty --to is refused) and list the indices; "
              "write nothing");
  c->footer(
      "Writes per index I: I/index.json (settings without creation-only ones, mappings, aliases)\n"
      "and I/SSS-NNNNNN.ndjson.zst chunks of {\"_id\",\"_routing\"?,\"_source\"} lines; then\n"
      "manifest.json (format, source engine and version, per index and chunk the document count\n"
      "and SHA-256). Reads with a point in time + search_after (Elasticsearch >= 7.16) or a "
      "sliced\n"
      "scroll, or search_after on _id alone where neither is served (--read-strategy; the default\n"
      "for OpenSearch Serverless). A data stream's name exports its backing indices, marked as "
      "its.\n"
      "Nothing is overwritten: a destination that is not empty is refused unless --overwrite.\n"
      "Ctrl-C leaves a checkpoint (export-state.json) that --resume continues from: each index\n"
      "is read again and its recorded chunks compared with the new read (damaged chunk files are\n"
      "written again); an index that changed in between is exported again from the start.\n"
      "Memory: about slices x (2 x --chunk-bytes + 16 MiB), at most ~160 MiB by default (slices\n"
      "beyond that budget wait their turn).\n"
      "--from-snapshot REPO SNAPSHOT reads no cluster: index.json from the snapshot's index\n"
      "metadata, one slice per shard, documents from its Lucene segments (nothing staged to\n"
      "disk; each running shard holds one chunk). An index that stores no complete _source\n"
      "(_source disabled, synthetic source, vectors left out of _source) is refused by name\n"
      "before anything is written (exit 8); no such snapshot or index is exit 6, damaged\n"
      "repository bytes exit 5 naming the blob and the Lucene file. --resume keeps each\n"
      "shard's recorded chunks. --shards i/N: N processes (a Kubernetes Indexed Job) share the\n"
      "shards, each with its checkpoint export-state-<i>-of-<N>.json in --to.\n\n"
      "EXAMPLES:\n"
      "  essnap export --url http://localhost:9200 -i 'logs-*' --to /backup/logs\n"
      "  essnap export --url https://search-x.us-east-1.es.amazonaws.com -i orders \\\n"
      "      --to s3://my-bucket/exports/orders-2026-12-01\n"
      "  essnap export -i orders --to s3://my-bucket/exports/orders --resume\n"
      "  essnap export -i orders --to /backup/orders --overwrite\n"
      "  essnap export --url https://abc.us-east-1.aoss.amazonaws.com -i logs --to "
      "/backup/aoss\n"
      "  essnap export --from-snapshot s3://acme-snapshots/logs nightly-1 -i 'logs-*' --to "
      "/backup/logs\n"
      "  essnap export --from-snapshot /mnt/backups/es-repo nightly-1 -i orders --to "
      "s3://my-bucket/exports/orders --shards 0/4\n"
      "  essnap export --from-snapshot nightly-1 -r nightly --url http://localhost:9200 -i "
      "orders --to /backup/orders --resume\n\n" +
      std::string(exit_status_help()));
  c->callback([ctx, f] { run_command(ctx, [&] { return run_export_command(*ctx.global, *f); }); });
}

}  // namespace essnap::cli
