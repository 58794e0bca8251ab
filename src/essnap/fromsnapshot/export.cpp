#include "essnap/fromsnapshot/export.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "essnap/format/framing.hpp"
#include "essnap/fromsnapshot/source.hpp"
#include "essnap/inspect/docs.hpp"
#include "essnap/lucene/documents.hpp"
#include "essnap/snapshot/selection.hpp"
#include "essnap/util/crypto.hpp"
#include "essnap/util/durations.hpp"

namespace essnap::fromsnapshot {
namespace {

constexpr std::size_t kMaxStateBytes = 512u << 20;
// What the running shards may hold at once: a chunk and its compressed copy each, plus the
// shard reader's windows and bit sets.
constexpr long long kShardBudget = 160LL << 20;

using transfer::ChunkEntry;
using transfer::IndexEntry;

// This process's checkpoint in the target store.
struct Checkpoint {
  blob::BlobStore& store;
  std::string file;
  ShareState st;
  std::mutex mu;
  std::chrono::steady_clock::time_point last_save{};
  std::chrono::milliseconds save_every{1000};
  Status save_locked() { return store.put(file, state_text(st)); }
};

bool intact(blob::BlobStore& store, const ChunkEntry& c, Status& failure) {
  auto stored = store.read(c.file, static_cast<std::uint64_t>(c.bytes));
  if (stored.ok())
    return static_cast<long long>(stored->size()) == c.bytes &&
           util::sha256_hex(*stored) == c.sha256;
  if (!inspect::is_damage(stored.error())) failure = std::move(stored).error();
  return false;
}

const Error kStopWalk(ErrorCode::kInternal, "stop");

struct RunState {
  Selection sel;
  std::atomic<long long> bytes_written{0};
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::mutex docs_mu;
  std::map<std::string, long long> docs_done;  // by index, this run's chunks plus resumed ones
  std::optional<CheckedShards> shards;  // opened and checked before anything is written; their
                                        // live documents are the progress totals
};

// One shard: the recorded chunk prefix is kept (a damaged file written again from the same
// documents), the rest is cut into chunks, written and recorded.
Status export_unit(inspect::Repository& repo, RunState& rs, Checkpoint& cp, const ShardUnit& u,
                   const transfer::Hooks& hooks, const std::atomic<bool>& stop) {
  std::size_t at = 0;
  std::vector<ChunkEntry> recorded;
  long long chunk_docs = 0, chunk_bytes = 0;
  transfer::Compression compression{};
  {
    std::lock_guard<std::mutex> lock(cp.mu);
    auto& indices = cp.st.manifest.indices;
    at = static_cast<std::size_t>(
        std::find_if(indices.begin(), indices.end(),
                     [&](const IndexEntry& e) { return e.name == u.index; }) -
        indices.begin());
    IndexEntry& e = indices[at];
    const transfer::SlicePrefix p = transfer::completed_prefix(e, u.shard);
    std::vector<ChunkEntry> kept;
    for (auto& c : e.chunks)
      if (c.slice != u.shard)
        kept.push_back(c);
      else if (c.seq < p.chunks)
        recorded.push_back(c);
    std::sort(recorded.begin(), recorded.end(),
              [](const ChunkEntry& a, const ChunkEntry& b) { return a.seq < b.seq; });
    kept.insert(kept.end(), recorded.begin(), recorded.end());
    e.chunks = std::move(kept);  // chunks past the prefix are written again (identically)
    e.slices_done[static_cast<std::size_t>(u.shard)] = false;
    chunk_docs = cp.st.manifest.chunk_docs;
    chunk_bytes = cp.st.manifest.chunk_bytes;
    compression = cp.st.manifest.compression;
  }
  // The documents of each recorded chunk, and which ones must be written again.
  long long skip = 0;
  std::vector<long long> starts;
  std::vector<bool> bad;
  for (const auto& c : recorded) {
    starts.push_back(skip);
    skip += c.documents;
    Status failure = ok_status();
    bad.push_back(!intact(cp.store, c, failure));
    ESSNAP_TRY_STATUS(failure);
  }
  const long long last_bad_end = [&] {
    long long end = 0;
    for (std::size_t k = 0; k < recorded.size(); ++k)
      if (bad[k]) end = starts[k] + recorded[k].documents;
    return end;
  }();
  {
    std::lock_guard<std::mutex> lock(rs.docs_mu);
    rs.docs_done[u.index] += skip;
  }

  ESSNAP_TRY(lucene::Shard shard, rs.shards->take(repo, rs.sel, u));

  std::string chunk, held;
  chunk.reserve(static_cast<std::size_t>(chunk_bytes) + (64u << 10));
  long long in_chunk = 0;
  int seq = static_cast<int>(recorded.size());
  long long position = 0;
  std::size_t redo = 0;  // the recorded chunk the position is in
  Status failed = ok_status();
  auto interrupted = [&] { return stop.load() || (hooks.interrupted && hooks.interrupted()); };

  auto record = [&](ChunkEntry c) -> Status {
    std::lock_guard<std::mutex> lock(cp.mu);
    auto& chunks = cp.st.manifest.indices[at].chunks;
    auto it = std::find_if(chunks.begin(), chunks.end(), [&](const ChunkEntry& x) {
      return x.slice == c.slice && x.seq == c.seq;
    });
    if (it != chunks.end())
      *it = c;
    else
      chunks.push_back(c);
    const auto now = std::chrono::steady_clock::now();
    if (now - cp.last_save >= cp.save_every) {
      ESSNAP_TRY_STATUS(cp.save_locked());
      cp.last_save = now;
    }
    return ok_status();
  };
  auto flush = [&]() -> Status {
    if (in_chunk == 0) return ok_status();
    if (interrupted())
      return Error(ErrorCode::kInterrupted,
                   "interrupted while reading " + u.index + " shard " + std::to_string(u.shard));
    ESSNAP_TRY(std::string stored, transfer::compress(compression, chunk));
    ChunkEntry c;
    c.slice = u.shard;
    c.seq = seq;
    c.documents = in_chunk;
    c.bytes = static_cast<long long>(stored.size());
    c.sha256 = util::sha256_hex(stored);
    c.ndjson_sha256 = util::sha256_hex(chunk);
    c.file = transfer::chunk_file(u.index, u.shard, seq, compression);
    ESSNAP_TRY_STATUS(cp.store.put(c.file, stored));
    ESSNAP_TRY_STATUS(record(c));
    rs.bytes_written += c.bytes;
    long long done = 0, total = 0;
    {
      std::lock_guard<std::mutex> lock(rs.docs_mu);
      done = rs.docs_done[u.index] += c.documents;
      total = rs.shards->documents(u.index);
    }
    if (hooks.progress)
      hooks.chunk({"export", u.index, c.file, c.documents, done, total, rs.bytes_written.load(),
                   util::seconds_since(rs.start)});
    ++seq;
    chunk.clear();
    in_chunk = 0;
    return ok_status();
  };
  // A recorded chunk whose file is bad: the same documents again, checked against its record.
  auto rewrite = [&](const ChunkEntry& r) -> Status {
    if (util::sha256_hex(chunk) != r.ndjson_sha256 || in_chunk != r.documents)
      return Error(ErrorCode::kConflict,
                   r.file +
                       ": the snapshot's documents differ from the chunk the checkpoint "
                       "records (another snapshot, or a checkpoint of another export)",
                   "export to an empty destination, or pass --overwrite");
    ESSNAP_TRY(std::string stored, transfer::compress(compression, chunk));
    ChunkEntry c = r;
    c.bytes = static_cast<long long>(stored.size());
    c.sha256 = util::sha256_hex(stored);
    ESSNAP_TRY_STATUS(cp.store.put(c.file, stored));
    ESSNAP_TRY_STATUS(record(c));
    hooks.notify(c.file + " was missing or damaged: written again");
    chunk.clear();
    in_chunk = 0;
    return ok_status();
  };

  // One pass over each .fdt: its CRC-32 is computed as the chunks are decoded and checked when
  // the segment's walk ends (reading it twice from S3 halved the rate). Documents of a damaged
  // segment may reach chunk files before that verdict, but never a finished export: the shard
  // is marked done only after a clean walk, the manifest only after every shard, and a damaged
  // walk drops every chunk of the shard from the checkpoint, so a resume reads it all again.
  lucene::ShardDocumentsOptions opt;
  opt.integrity = lucene::Integrity::kVerifyWhileReading;
  Status walked = lucene::visit_shard_documents(
      shard,
      [&](const lucene::EsDocument& doc) -> Status {
        const long long pos = position++;
        if ((pos & 255) == 0 && interrupted()) {
          failed = Error(ErrorCode::kInterrupted, "interrupted while reading " + u.index +
                                                      " shard " + std::to_string(u.shard));
          return kStopWalk;
        }
        if (pos < skip) {
          if (pos >= last_bad_end) return ok_status();  // nothing left to write again
          while (pos >= starts[redo] + recorded[redo].documents) ++redo;
          if (!bad[redo]) return ok_status();
          ESSNAP_TRY_STATUS(inspect::append_document_line(chunk, doc));
          ++in_chunk;
          if (in_chunk == recorded[redo].documents) {
            if (failed = rewrite(recorded[redo]); !failed.ok()) return kStopWalk;
          }
          return ok_status();
        }
        ESSNAP_TRY(const bool full, append_line(chunk, in_chunk, chunk_bytes, doc, held));
        if (full) {
          if (failed = flush(); !failed.ok()) return kStopWalk;
          chunk += held;
        }
        ++in_chunk;
        if (in_chunk >= chunk_docs)
          if (failed = flush(); !failed.ok()) return kStopWalk;
        return ok_status();
      },
      opt);
  if (!failed.ok()) return failed;
  if (!walked.ok()) {
    {  // damage (kParse, or a document without _source: kConflict) or a failed read
      std::lock_guard<std::mutex> lock(cp.mu);
      std::erase_if(cp.st.manifest.indices[at].chunks,
                    [&](const ChunkEntry& c) { return c.slice == u.shard; });
      (void)cp.save_locked();  // the error below is the one to report
    }
    return Error(walked.error())
        .with_context("index " + u.index + " shard " + std::to_string(u.shard));
  }
  if (position < skip)
    return Error(ErrorCode::kConflict,
                 u.index + " shard " + std::to_string(u.shard) + " holds " +
                     std::to_string(position) + " documents, fewer than the checkpoint records",
                 "export to an empty destination, or pass --overwrite");
  ESSNAP_TRY_STATUS(flush());
  std::lock_guard<std::mutex> lock(cp.mu);
  cp.st.manifest.indices[at].slices_done[static_cast<std::size_t>(u.shard)] = true;
  return cp.save_locked();
}

}  // namespace

Result<ExportResult> run_export(inspect::Repository& repo, blob::BlobStore& target,
                                const ExportOptions& o, const transfer::Hooks& hooks_in) {
  {
    transfer::ExportOptions limits;
    limits.chunk_docs = o.chunk_docs;
    limits.chunk_bytes = o.chunk_bytes;
    ESSNAP_TRY_STATUS(transfer::validate(limits));
  }
  const transfer::Hooks hooks = transfer::synchronized(hooks_in);
  RunState rs;

  // The snapshot and its selected indices, each checked before anything is written.
  ESSNAP_TRY(rs.sel, select(repo, o.snapshot, o.patterns));
  const format::RepoSnapshot& snap = *rs.sel.snapshot;
  const std::vector<IndexDefinition>& defs = rs.sel.indices;
  const std::vector<ShardUnit>& units = rs.sel.units;
  const Share share = o.share.value_or(Share{0, 1});
  const std::vector<ShardUnit> mine = share_units(units, share);
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int parallel = o.parallel > 0 ? o.parallel : std::min(cores, 8);
  parallel = std::clamp<int>(parallel, 1, std::max<int>(1, static_cast<int>(mine.size())));

  Checkpoint cp{target, state_file(o.share), {}, {}, {}};
  cp.save_every = o.checkpoint_every;
  ExportResult result;
  result.units = mine;
  ESSNAP_TRY(const bool has_manifest, target.exists(transfer::kManifestFile));
  if (o.resume == transfer::Resume::kYes) {
    if (has_manifest) {
      ESSNAP_TRY(std::string text, target.read(transfer::kManifestFile, kMaxStateBytes));
      ESSNAP_TRY(result.manifest,
                 transfer::parse_manifest(text, target.describe() + "/" + transfer::kManifestFile,
                                          transfer::ManifestKind::kManifest));
      result.already_complete = result.manifest_written = true;
      return result;
    }
    auto text = target.read(cp.file, kMaxStateBytes);
    if (!text.ok()) {
      Error e = std::move(text).error();
      if (e.code == ErrorCode::kNotFound)
        e = Error(ErrorCode::kNotFound,
                  "nothing to resume: " + target.describe() + " holds no " + cp.file,
                  "run the export without --resume");
      return e;
    }
    ESSNAP_TRY(cp.st, parse_state(*text, target.describe() + "/" + cp.file));
    auto conflict = [&](const std::string& what, const std::string& hint) {
      return Error(ErrorCode::kConflict,
                   "the interrupted export in " + target.describe() + " " + what, hint);
    };
    if (cp.st.snapshot_uuid != snap.uuid)
      return conflict("read snapshot " + cp.st.snapshot + ", not " + o.snapshot,
                      "resume with the snapshot it began with, or export to another place");
    if (cp.st.manifest.patterns != o.patterns)
      return conflict("read -i " + transfer::quoted_patterns(cp.st.manifest.patterns) + ", not " +
                          transfer::quoted_patterns(o.patterns),
                      "resume with the -i it began with, or export to another place");
    bool same = cp.st.manifest.indices.size() == defs.size();
    for (std::size_t i = 0; same && i < defs.size(); ++i)
      same = cp.st.manifest.indices[i].name == defs[i].name &&
             cp.st.manifest.indices[i].slices == defs[i].shards;
    if (!same || cp.st.share != share.index || cp.st.shares != share.count)
      return conflict("planned other indices or shares", "export to another place");
    hooks.notify("resuming the export in " + target.describe() +
                 " (compression and chunk limits as it began)");
  } else {
    ESSNAP_TRY(const bool has_state, target.exists(cp.file));
    if (o.overwrite == transfer::Overwrite::kNo) {
      if (has_manifest || has_state)
        return Error(ErrorCode::kConflict,
                     target.describe() + " already holds an export" +
                         (has_manifest ? "" : " (an interrupted one: " + cp.file + ")"),
                     has_manifest ? "choose an empty destination, or pass --overwrite to "
                                    "replace it"
                                  : "pass --resume to finish it, choose an empty destination, "
                                    "or pass --overwrite to start it again");
      // Shares write into one place at once: only a run alone wants it empty.
      if (!o.share) {
        ESSNAP_TRY(const std::string first, transfer::first_entry(target));
        if (!first.empty())
          return Error(ErrorCode::kConflict,
                       target.describe() + " is not empty (it holds " + first +
                           "); an export writes only into an empty destination",
                       "choose an empty destination, or pass --overwrite to write over the "
                       "files an export names");
      }
    }
    ShareState& st = cp.st;
    st.snapshot = o.snapshot;
    st.snapshot_uuid = snap.uuid;
    st.share = share.index;
    st.shares = share.count;
    const SourceEngine& src = rs.sel.engine;
    st.manifest.tool = o.tool;
    st.manifest.created = transfer::utc_now_iso8601();
    st.manifest.source_engine = src.engine;
    st.manifest.source_version = src.version;
    st.manifest.compression = o.compression;
    st.manifest.chunk_docs = o.chunk_docs;
    const int memory_bound =
        static_cast<int>(std::max<long long>(1, kShardBudget / ((4LL << 20) * 2 + (8LL << 20))));
    parallel = std::min(parallel, memory_bound);
    st.manifest.chunk_bytes =
        o.chunk_bytes > 0 ? o.chunk_bytes : transfer::chunk_bytes_for(parallel);
    st.manifest.patterns = o.patterns;
    for (const auto& d : defs) {
      IndexEntry e;
      e.name = d.name;
      e.slices = d.shards;
      e.slices_done.assign(static_cast<std::size_t>(d.shards), false);
      e.uuid = d.uuid;
      e.data_stream = d.data_stream;
      e.timestamp_field = d.timestamp_field;
      st.manifest.indices.push_back(std::move(e));
    }
  }
  // Memory: each running shard holds a chunk and its compressed copy.
  parallel = std::clamp<int>(
      static_cast<int>(kShardBudget / (2 * cp.st.manifest.chunk_bytes + (8LL << 20))), 1, parallel);
  if (o.execution == transfer::Execution::kDryRun) {
    result.dry_run = true;
    for (const auto& d : defs)
      if (std::any_of(mine.begin(), mine.end(),
                      [&](const ShardUnit& u) { return u.index == d.name; }))
        result.indices.emplace_back().index = d.name;
    result.manifest = cp.st.manifest;
    return result;
  }
  // Every shard of this share is opened and checked before anything is written.
  ESSNAP_TRY(rs.shards, CheckedShards::open(repo, rs.sel, mine));
  if (o.overwrite == transfer::Overwrite::kYes && o.resume == transfer::Resume::kNo)
    ESSNAP_TRY_STATUS(target.remove({transfer::kManifestFile, cp.file}));
  // Every share writes every index.json (the same bytes): each state then names them all.
  for (const auto& d : defs) {
    const std::string text = d.index_json().dump(1);
    ESSNAP_TRY_STATUS(target.put(transfer::metadata_file(d.name), text));
    cp.st.manifest.find(d.name)->metadata_sha256 = util::sha256_hex(text);
  }
  {
    std::lock_guard<std::mutex> lock(cp.mu);
    cp.st.done = false;
    ESSNAP_TRY_STATUS(cp.save_locked());
  }

  // The units, `parallel` at a time.
  std::atomic<bool> stop{false};
  std::atomic<std::size_t> next{0};
  std::mutex err_mu;
  std::optional<Error> first_error;
  std::vector<std::thread> threads;
  const auto t0 = std::chrono::steady_clock::now();
  for (int w = 0; w < parallel; ++w)
    threads.emplace_back([&] {
      for (std::size_t k = next++; k < mine.size() && !stop; k = next++) {
        {
          std::lock_guard<std::mutex> lock(cp.mu);
          const IndexEntry* e = cp.st.manifest.find(mine[k].index);
          if (e->slices_done[static_cast<std::size_t>(mine[k].shard)]) {
            // Done before: its chunk files are checked (and written again when bad) below.
            bool all_intact = true;
            for (const auto& c : e->chunks) {
              if (c.slice != mine[k].shard) continue;
              Status failure = ok_status();
              all_intact = all_intact && intact(cp.store, c, failure);
            }
            if (all_intact) {
              std::lock_guard<std::mutex> l2(rs.docs_mu);
              for (const auto& c : e->chunks)
                if (c.slice == mine[k].shard) rs.docs_done[mine[k].index] += c.documents;
              continue;
            }
          }
        }
        Status s = export_unit(repo, rs, cp, mine[k], hooks, stop);
        if (!s.ok()) {
          std::lock_guard<std::mutex> lock(err_mu);
          stop = true;
          if (!first_error || first_error->code == ErrorCode::kInterrupted)
            first_error = std::move(s).error();
        }
      }
    });
  for (auto& t : threads) t.join();
  {
    std::lock_guard<std::mutex> lock(cp.mu);
    if (first_error) {
      (void)cp.save_locked();
      return *first_error;
    }
    cp.st.done = true;
    ESSNAP_TRY_STATUS(cp.save_locked());
  }
  const double seconds = util::seconds_since(t0);
  for (const auto& e : cp.st.manifest.indices) {
    if (!std::any_of(mine.begin(), mine.end(),
                     [&](const ShardUnit& u) { return u.index == e.name; }))
      continue;
    transfer::IndexSummary s;
    s.index = e.name;
    for (const auto& c : e.chunks) s.documents += c.documents;
    s.source_count = s.documents;
    s.seconds = seconds;
    result.indices.push_back(s);
    if (hooks.index_done) hooks.index_done(s);
  }

  // The manifest: once every share is done, merged from their states by whichever sees it.
  std::vector<ShareState> states;
  for (int k = 0; k < share.count; ++k) {
    if (k == share.index) {
      states.push_back(cp.st);
      continue;
    }
    const std::string file = state_file(Share{k, share.count});
    auto text = target.read(file, kMaxStateBytes);
    if (!text.ok()) {
      if (text.error().code != ErrorCode::kNotFound) return std::move(text).error();
      result.shares_pending.push_back(k);
      continue;
    }
    ESSNAP_TRY(ShareState s, parse_state(*text, target.describe() + "/" + file));
    if (!s.done) {
      result.shares_pending.push_back(k);
      continue;
    }
    states.push_back(std::move(s));
  }
  if (!result.shares_pending.empty()) {
    result.manifest = cp.st.manifest;
    return result;
  }
  ESSNAP_TRY(result.manifest, merge_states(states));
  const std::string text = to_json(result.manifest, transfer::ManifestKind::kManifest).dump(1);
  Status put = target.put_if_absent(transfer::kManifestFile, text);
  if (!put.ok() && put.error().code != ErrorCode::kConflict) return put.error();
  if (!put.ok()) hooks.notify("another share wrote manifest.json first");
  result.manifest_written = true;
  return result;
}

}  // namespace essnap::fromsnapshot
