// `essnap copy --from-snapshot`: a snapshot's indices straight into a target cluster, with no
// source cluster and nothing stored: each shard's documents (source.hpp: the repository's Lucene
// segments, cut into chunks) go to transfer's Loader, the target index made by transfer's
// create_target_index with the translations import and copy make. The local state file is the
// copy's (transfer/import.hpp ImportState; a chunk done is "shard/seq/documents/sha256"); a
// snapshot does not change, so --resume skips each shard's loaded prefix of documents.
#pragma once

#include <string>
#include <vector>

#include "essnap/inspect/walker.hpp"
#include "essnap/transfer/import.hpp"

namespace essnap::fromsnapshot {

struct CopyOptions {
  std::string snapshot;
  std::string source;  // names the repository and snapshot in the state file
  std::vector<std::string> patterns;
  transfer::RenameOptions rename;
  transfer::Execution execution = transfer::Execution::kExecute;
  transfer::Existing existing = transfer::Existing::kRefuse;
  transfer::Resume resume = transfer::Resume::kNo;
  transfer::AliasPolicy aliases = transfer::AliasPolicy::kUnlessRenamed;
  long long chunk_docs = 5000;
  long long chunk_bytes = 8LL << 20;
  int concurrency = 4;  // shards read and loaded at once (each holds one chunk)
  std::string state_path;
  std::string errors_path;
  transfer::LoaderOptions loader;
};

Result<transfer::ImportResult> run_copy(inspect::Repository& repo,
                                        const transfer::ClientFactory& targets,
                                        const CopyOptions& options, const transfer::Hooks& hooks);

}  // namespace essnap::fromsnapshot
