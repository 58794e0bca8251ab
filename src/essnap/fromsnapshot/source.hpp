// What export and copy --from-snapshot read: the selected indices of one snapshot (each one's
// definition checked for a complete _source before anything is written), a shard opened from the
// repository (refused when a segment stores no _source), and a shard's documents cut into chunks
// by the export's rules (a chunk closes at chunk_docs documents, or before a document that would
// take its lines past chunk_bytes), past the documents a resume skips.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "essnap/fromsnapshot/plan.hpp"
#include "essnap/inspect/walker.hpp"
#include "essnap/lucene/shard.hpp"
#include "essnap/lucene/stored_document.hpp"

namespace essnap::fromsnapshot {

struct Selection {
  const format::RepoSnapshot* snapshot = nullptr;
  std::vector<IndexDefinition> indices;  // by name
  std::map<std::string, const format::RepoIndex*> repo_indices;
  SourceEngine engine;
  std::vector<ShardUnit> units;  // every shard of `indices`, sorted (plan.hpp)
};

// kNotFound naming a missing snapshot or index, kConflict for a snapshot that is not SUCCESS,
// nothing selected, or an index whose _source is not whole in it (check_source_stored).
Result<Selection> select(inspect::Repository& repo, const std::string& snapshot,
                         const std::vector<std::string>& patterns);

// The unit's shard; kConflict naming the index and shard when a segment stores no _source.
Result<lucene::Shard> open_unit(inspect::Repository& repo, const Selection& s, const ShardUnit& u);

// Every shard of `units`, opened and checked before anything is written (the refusals first),
// with its live documents counted per index. The shards that fit in `keep_bytes` (their live and
// top-level bit sets, and the headers their files keep) stay open for the reading that follows,
// so their commit, headers, live docs and soft deletes are not read from the repository twice;
// the rest are opened again when taken.
class CheckedShards {
 public:
  static constexpr std::size_t kDefaultKeepBytes = 32u << 20;
  static Result<CheckedShards> open(inspect::Repository& repo, const Selection& s,
                                    const std::vector<ShardUnit>& units,
                                    std::size_t keep_bytes = kDefaultKeepBytes);
  // Live documents (not nested children) of the checked shards of `index`.
  long long documents(const std::string& index) const;
  const std::map<std::string, long long>& documents() const { return documents_; }
  // The unit's shard: the one kept (given away), else opened again. Thread-safe.
  Result<lucene::Shard> take(inspect::Repository& repo, const Selection& s, const ShardUnit& u);

 private:
  std::map<std::string, long long> documents_;
  std::map<std::pair<std::string, int>, lucene::Shard> kept_;
  std::unique_ptr<std::mutex> mu_ = std::make_unique<std::mutex>();
};

struct ChunkCut {
  long long chunk_docs = 5000;
  long long chunk_bytes = 8LL << 20;
  long long skip = 0;  // documents of the shard already done (its first ones)
  int first_seq = 0;   // the number of the first chunk written
};
// The export's cut by bytes: appends `doc`'s line to `chunk`, which holds `in_chunk` lines. When
// the line takes a non-empty chunk past `chunk_bytes`, it is moved to `held` and true returned:
// the caller closes the chunk without it, then starts the next one with `held`. kParse (chunk
// unchanged) when the stored _source is not JSON or SMILE.
Result<bool> append_line(std::string& chunk, long long in_chunk, long long chunk_bytes,
                         const lucene::EsDocument& doc, std::string& held);
using ChunkSink = std::function<Status(int seq, std::string& ndjson, long long documents)>;

// The shard's documents past `cut.skip`, as chunks of export lines, in order. kInterrupted when
// `interrupted` says so (checked between chunks and every 256 documents).
Status read_chunks(const lucene::Shard& shard, const ShardUnit& u, const ChunkCut& cut,
                   const ChunkSink& on_chunk, const std::function<bool()>& interrupted);

}  // namespace essnap::fromsnapshot
