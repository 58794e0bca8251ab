#include "essnap/fromsnapshot/source.hpp"

#include <algorithm>

#include "essnap/format/framing.hpp"
#include "essnap/inspect/docs.hpp"
#include "essnap/lucene/documents.hpp"
#include "essnap/snapshot/selection.hpp"

namespace essnap::fromsnapshot {

Result<Selection> select(inspect::Repository& repo, const std::string& snapshot,
                         const std::vector<std::string>& patterns_in) {
  Selection out;
  ESSNAP_TRY(auto selected, repo.select({snapshot}));
  out.snapshot = selected.front();
  const format::RepoSnapshot& snap = *out.snapshot;
  ESSNAP_TRY(format::SnapshotInfo info, repo.snapshot_info(snap));
  if (!info.state.empty() && info.state != "SUCCESS")
    return Error(ErrorCode::kConflict,
                 "snapshot " + snapshot + " is " + info.state + ": some of its shards hold no data",
                 "export a snapshot whose state is SUCCESS ('essnap inspect snapshots REPO')");
  out.engine = source_engine(info.version_id, snap.version);
  std::vector<std::string> names;
  std::map<std::string, const format::RepoIndex*> by_name;
  for (const format::RepoIndex* i : repo.indices_of(snap)) {
    names.push_back(i->name);
    by_name[i->name] = i;
  }
  std::sort(names.begin(), names.end());
  // A data stream's name selects its backing indices, which are marked with it (import makes
  // the stream again).
  std::map<std::string, std::pair<std::string, std::string>> backing;
  if (!info.data_streams.empty()) {
    auto meta =
        repo.read_framed(inspect::Repository::global_metadata_path(snap), format::kCodecMetadata);
    backing = backing_indices(meta.ok() ? *meta : nlohmann::json(), info.data_streams, names);
  }
  std::vector<std::string> available = names;
  available.insert(available.end(), info.data_streams.begin(), info.data_streams.end());
  const std::vector<std::string> patterns = snapshot::split_patterns(patterns_in);
  ESSNAP_TRY_STATUS(
      snapshot::check_selection(patterns, available, "in snapshot " + snapshot,
                                "list them with 'essnap inspect show REPO " + snapshot + "'"));
  std::vector<std::string> chosen = snapshot::select_names(names, patterns);
  for (const auto& stream : snapshot::select_names(info.data_streams, patterns))
    for (const auto& [index, ds] : backing)
      if (ds.first == stream && by_name.count(index) &&
          std::find(chosen.begin(), chosen.end(), index) == chosen.end())
        chosen.push_back(index);
  std::sort(chosen.begin(), chosen.end());
  std::vector<std::pair<std::string, int>> shard_counts;
  for (const auto& name : chosen) {
    const format::RepoIndex& ri = *by_name.at(name);
    out.repo_indices[name] = &ri;
    ESSNAP_TRY(std::string path, repo.index_metadata_path(snap, ri));
    ESSNAP_TRY(nlohmann::json doc, repo.read_framed(path, format::kCodecIndexMetadata));
    ESSNAP_TRY(IndexDefinition def, definition_from_metadata(doc, path));
    def.name = name;
    if (auto b = backing.find(name); b != backing.end()) {
      def.data_stream = b->second.first;
      def.timestamp_field = b->second.second;
    }
    ESSNAP_TRY_STATUS(check_source_stored(def));
    shard_counts.push_back({name, def.shards});
    out.indices.push_back(std::move(def));
  }
  out.units = all_units(shard_counts);
  return out;
}

Result<lucene::Shard> open_unit(inspect::Repository& repo, const Selection& s, const ShardUnit& u) {
  const format::RepoIndex& ri = *s.repo_indices.at(u.index);
  ESSNAP_TRY(std::string dir, repo.shard_dir(ri, u.shard));
  ESSNAP_TRY(format::ShardSnapshot ss, repo.shard_snapshot(dir, *s.snapshot));
  auto shard = lucene::open_shard(repo.container(), dir, ss);
  if (!shard.ok())
    return Error(shard.error())
        .with_context("index " + u.index + " shard " + std::to_string(u.shard));
  if (!lucene::shard_stores_source(*shard))
    return Error(ErrorCode::kConflict,
                 "index " + u.index + " shard " + std::to_string(u.shard) +
                     " stores no _source (_source disabled, or synthetic / derived source): its "
                     "documents are not in the snapshot",
                 "leave it out (-i '*,-" + u.index +
                     "'), or restore it to a cluster and use 'essnap export' there");
  return shard;
}

namespace {
// What a kept shard holds: two bit sets per segment, and the head and small blocks its files
// cache (lucene/shard.cpp's BlobFile: 64 KiB + 4 x 16 KiB, about three blob files a segment).
std::size_t kept_bytes(const lucene::Shard& shard) {
  std::size_t n = 0;
  for (const auto& seg : shard.segments) {
    n += seg.live.words().size() * sizeof(std::uint64_t);
    if (seg.top_level) n += seg.top_level->words().size() * sizeof(std::uint64_t);
    n += 3 * (128u << 10);
  }
  return n;
}
}  // namespace

Result<CheckedShards> CheckedShards::open(inspect::Repository& repo, const Selection& s,
                                          const std::vector<ShardUnit>& units,
                                          std::size_t keep_bytes) {
  CheckedShards out;
  std::size_t kept = 0;
  for (const ShardUnit& u : units) {
    ESSNAP_TRY(lucene::Shard shard, open_unit(repo, s, u));
    out.documents_[u.index] += static_cast<long long>(shard.live_document_count());
    const std::size_t bytes = kept_bytes(shard);
    if (kept + bytes <= keep_bytes) {
      kept += bytes;
      out.kept_.emplace(std::make_pair(u.index, u.shard), std::move(shard));
    }
  }
  return out;
}

long long CheckedShards::documents(const std::string& index) const {
  auto it = documents_.find(index);
  return it == documents_.end() ? 0 : it->second;
}

Result<lucene::Shard> CheckedShards::take(inspect::Repository& repo, const Selection& s,
                                          const ShardUnit& u) {
  {
    std::lock_guard<std::mutex> lock(*mu_);
    auto it = kept_.find(std::make_pair(u.index, u.shard));
    if (it != kept_.end()) {
      lucene::Shard shard = std::move(it->second);
      kept_.erase(it);
      return shard;
    }
  }
  return open_unit(repo, s, u);
}

Result<bool> append_line(std::string& chunk, long long in_chunk, long long chunk_bytes,
                         const lucene::EsDocument& doc, std::string& held) {
  const std::size_t before = chunk.size();
  ESSNAP_TRY_STATUS(inspect::append_document_line(chunk, doc));
  if (in_chunk == 0 || static_cast<long long>(chunk.size()) <= chunk_bytes) return false;
  held.assign(chunk, before, std::string::npos);
  chunk.resize(before);
  return true;
}

Status read_chunks(const lucene::Shard& shard, const ShardUnit& u, const ChunkCut& cut,
                   const ChunkSink& on_chunk, const std::function<bool()>& interrupted) {
  const Error stop_walk(ErrorCode::kInternal, "stop");
  std::string chunk, held;
  chunk.reserve(static_cast<std::size_t>(cut.chunk_bytes) + (64u << 10));
  long long in_chunk = 0, position = 0;
  int seq = cut.first_seq;
  Status failed = ok_status();
  const std::string where = u.index + " shard " + std::to_string(u.shard);
  auto flush = [&]() -> Status {
    if (in_chunk == 0) return ok_status();
    if (interrupted && interrupted())
      return Error(ErrorCode::kInterrupted, "interrupted while reading " + where);
    ESSNAP_TRY_STATUS(on_chunk(seq, chunk, in_chunk));
    ++seq;
    chunk.clear();
    in_chunk = 0;
    return ok_status();
  };
  Status walked =
      lucene::visit_shard_documents(shard, [&](const lucene::EsDocument& doc) -> Status {
        const long long pos = position++;
        if ((pos & 255) == 0 && interrupted && interrupted()) {
          failed = Error(ErrorCode::kInterrupted, "interrupted while reading " + where);
          return stop_walk;
        }
        if (pos < cut.skip) return ok_status();
        ESSNAP_TRY(const bool full, append_line(chunk, in_chunk, cut.chunk_bytes, doc, held));
        if (full) {
          if (failed = flush(); !failed.ok()) return stop_walk;
          chunk += held;
        }
        ++in_chunk;
        if (in_chunk >= cut.chunk_docs)
          if (failed = flush(); !failed.ok()) return stop_walk;
        return ok_status();
      });
  if (!failed.ok()) return failed;
  if (!walked.ok()) return Error(walked.error()).with_context("index " + where);
  if (position < cut.skip)
    return Error(ErrorCode::kConflict,
                 where + " holds " + std::to_string(position) +
                     " documents, fewer than the interrupted run recorded",
                 "start again without --resume");
  return flush();
}

}  // namespace essnap::fromsnapshot
