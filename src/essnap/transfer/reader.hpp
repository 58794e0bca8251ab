// Reading one slice of an index in a fixed order and cutting it into chunks: a point in time +
// search_after on `_shard_doc` (Elasticsearch >= 7.16) or a sliced scroll sorted by `_doc`.
// Chunk boundaries depend only on the documents and the limits (a chunk closes at chunk_docs
// documents, or before a document that would take it past chunk_bytes), never on page sizes or
// timing: a resumed read that skips the documents of the chunks already done produces the
// same next chunks.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>

#include "essnap/cluster/client.hpp"
#include "essnap/cluster/search.hpp"
#include "essnap/transfer/events.hpp"
#include "essnap/util/result.hpp"

namespace essnap::transfer {

struct SliceJob {
  std::string index;
  int slice = 0;
  int slices = 1;
  cluster::ReadStrategy strategy = cluster::ReadStrategy::kScroll;
  std::string pit_id;            // kPointInTime: the index's point in time, shared by its slices
  long long skip_documents = 0;  // resume: documents of the chunks already done
  int first_seq = 0;             // resume: the number of the next chunk
  long long chunk_docs = 100000;
  long long chunk_bytes = 16 << 20;
  int page_size = 5000;  // see choose_page_size
  std::string keep_alive = "10m";
};

// A complete chunk of NDJSON lines (uncompressed). The callee may take the string.
using ChunkHandler = std::function<Status(int seq, std::string& ndjson, long long documents)>;

// Reads the slice to its end, calling `on_chunk` for each chunk in order. Stops with
// kInterrupted when hooks.interrupted() says so or `stop` is set (another slice failed).
Status read_slice(cluster::Client& client, const SliceJob& job, const ChunkHandler& on_chunk,
                  const Hooks& hooks, const std::atomic<bool>& stop);

// The slice count for an index: `requested` when > 0, else its primary shards bounded by the
// machine's cores (and by 8 either way).
int choose_slices(int requested, int primaries);

// How an index is read: `asked` (--read-strategy) or, when nullopt, the engine's best
// (read_strategy_for). A point in time on an engine without the one essnap reads with
// (Elasticsearch 7.16+) is kInvalidArgument.
Result<cluster::ReadStrategy> choose_strategy(const std::optional<cluster::ReadStrategy>& asked,
                                              const cluster::ClusterInfo& info);

// Documents per search page when none is asked for: as many as fill kTargetPageBytes at the
// average size of a hit, between 100 and 10000 (the engines' index.max_result_window). Large
// pages keep the engine busy with fewer round trips; the byte target keeps memory bounded
// whatever the documents weigh (a scroll keeps the size it was opened with).
inline constexpr std::size_t kTargetPageBytes = 8u << 20;
int page_size_for(double average_hit_bytes);

// `requested` when > 0; otherwise page_size_for() of a 20-document sample of `index`.
Result<int> choose_page_size(cluster::Client& client, const std::string& index, int requested);

}  // namespace essnap::transfer
