// `essnap copy`: export piped into import in memory — slice readers on the source hand chunks of
// NDJSON lines through a bounded queue to bulk loaders on the target; nothing is stored between.
// The local state file (the import's format; a chunk is named "slice/seq/documents") records
// each loaded chunk, so --resume re-reads each slice past its loaded prefix, to the same result.
#pragma once

#include <optional>

#include "essnap/cluster/search.hpp"
#include "essnap/transfer/import.hpp"

namespace essnap::transfer {

struct CopyOptions {
  std::vector<std::string> patterns;
  RenameOptions rename;
  Execution execution = Execution::kExecute;  // kDryRun: the pre-flight only (import.hpp)
  Existing existing = Existing::kRefuse;
  Resume resume = Resume::kNo;
  AliasPolicy aliases = AliasPolicy::kUnlessRenamed;
  int slices = 0;
  int page_size = 0;                              // 0: choose_page_size's sample (reader.hpp)
  std::optional<cluster::ReadStrategy> strategy;  // --read-strategy; nullopt: the engine's best
  long long chunk_docs = 5000;  // a chunk is the unit of the queue and of the checkpoint
  long long chunk_bytes = 8LL << 20;
  int concurrency = 4;  // loaders
  std::string keep_alive = "10m";
  std::string state_path;
  std::string errors_path;
  LoaderOptions loader;
};

Result<ImportResult> run_copy(const ClientFactory& source, const ClientFactory& target,
                              const CopyOptions& options, const Hooks& hooks);

}  // namespace essnap::transfer
