// What `export`, `import` and `copy` share on the command line: the S3 flags and the Store a
// --to / --from names, a client factory from the cluster flags (each worker thread gets its own
// client on the same resolved connection), and the progress output
// (updating line on a terminal, one line per chunk otherwise, JSON events with -o json) with
// the final summary per index.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "essnap/blob/open.hpp"
#include "essnap/cli/aws_context.hpp"
#include "essnap/cli/cluster_flags.hpp"
#include "essnap/cli/command.hpp"
#include "essnap/cli/progress_output.hpp"
#include "essnap/cluster/search.hpp"
#include "essnap/transfer/events.hpp"
#include "essnap/transfer/import.hpp"

namespace essnap::cli {

void add_s3_flags(CLI::App* cmd, S3Flags* flags);

// s3://bucket/prefix -> an S3 store (credentials resolved now); anything else a local directory
// (created on the first write with Access::kWrite).
Result<std::unique_ptr<blob::BlobStore>> open_store(const GlobalOptions& global,
                                                    const std::string& where, blob::Access access,
                                                    const S3Flags& s3,
                                                    const std::string& region_flag);

// Resolves the connection once (credentials, password prompt) and returns a factory of clients.
Result<transfer::ClientFactory> client_factory(const GlobalOptions& global, ClusterFlags& flags);

// --read-strategy auto|pit|scroll|search-after (export, copy); `auto` is the engine's best, and
// search-after for Amazon OpenSearch Serverless, which serves no scroll.
void add_read_strategy_flag(CLI::App* cmd, std::string* value);
std::optional<cluster::ReadStrategy> read_strategy(const std::string& value,
                                                   const ClusterFlags& source);

// The hooks that draw chunk progress and notices into `out` (the one renderer); SIGINT through
// InterruptScope. The test knob ESSNAP_TEST_STOP_AFTER_CHUNKS=N raises SIGINT after the N-th
// chunk of the run (the real signal path, at a reproducible point).
transfer::Hooks transfer_hooks(ProgressOutput& out);

void limit_heap_growth();

// One run of export, import or copy: the allocator tuned (limit_heap_growth), SIGINT/SIGTERM
// turned into an orderly stop (InterruptScope), progress drawn in `style` and its line ended.
template <class Run>
auto run_transfer(ProgressStyle style, Run&& run) {
  limit_heap_growth();
  InterruptScope interrupt_scope;
  ProgressOutput progress(style);
  auto result = run(transfer_hooks(progress));
  progress.finish();
  return result;
}

// A run that failed: an interruption says where its progress is kept (`kept`) and that --resume
// finishes it; any other error as it is.
Error transfer_error(Error e, const std::string& command, const std::string& kept);

// After the run: the summary per index (text to stdout, or the "indices" of the one document).
void print_summaries(const std::vector<transfer::IndexSummary>& s, const std::string& verb,
                     const GlobalOptions& global);

// The allocator for a few threads moving large buffers: buffers above 8 MiB (large chunks) come
// straight from and go back to the kernel, smaller ones (bulk bodies, 4 MiB chunks, pages) are
// reused from at most two arenas. glibc's defaults raise the mmap threshold after the first
// large free and give every thread an arena of its own, where the loaders' buffers add up to
// twice the memory in use; a low fixed threshold instead costs a page fault per touched page.
void limit_heap_growth();

// --dry-run of export, import and copy: the pre-flight's plan (each index, its target, its
// documents when known) printed as every plan is (print_plan: "dry run: ..." first, or the
// document's "plan" with "dry_run": true). `verb`: "export", "import", "copy"; `where` ends the
// summary ("from /backup/logs into http://...").
Result<int> print_transfer_plan(const std::vector<transfer::IndexSummary>& indices,
                                const std::string& verb, const std::string& where,
                                const GlobalOptions& global);

// Splits "a,b" arguments into patterns.
std::vector<std::string> split_list(const std::vector<std::string>& args);

}  // namespace essnap::cli
