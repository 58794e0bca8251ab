#include "essnap/transfer/export.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "essnap/cluster/search.hpp"
#include "essnap/transfer/reader.hpp"
#include "essnap/transfer/translate.hpp"
#include "essnap/util/crypto.hpp"
#include "essnap/util/durations.hpp"
#include "essnap/util/strings.hpp"

namespace essnap::transfer {
namespace {

constexpr std::size_t kMaxStateBytes = 512u << 20;
// What the running slices of one index may hold at once (see export_index).
constexpr long long kSliceBudget = 160LL << 20;

// The export's shared state: the manifest being built and its checkpoint in the store.
struct Checkpoint {
  blob::BlobStore& store;
  Manifest m;
  std::mutex mu;
  std::chrono::steady_clock::time_point last_save{};
  Status save_locked() {
    return store.put(kExportStateFile, to_json(m, ManifestKind::kState).dump(1));
  }
};

// The source index's index.uuid from its settings ("" when absent).
std::string uuid_of(const nlohmann::json& settings) {
  const nlohmann::json* idx = &settings;
  if (idx->contains("index") && (*idx)["index"].is_object()) idx = &(*idx)["index"];
  if (idx->contains("uuid") && (*idx)["uuid"].is_string()) return (*idx)["uuid"];
  if (settings.contains("index.uuid") && settings["index.uuid"].is_string())
    return settings["index.uuid"];
  return "";
}

// What a slice's handler returns when its new read differs from a recorded chunk: the index
// changed since the interrupted run (or merges reordered it), and it is exported again.
constexpr const char* kExportChanged = "the index changed since the interrupted export";

// One read of every slice of an index: chunks the checkpoint records are compared with the same
// chunk of this read (their documents' lines, by SHA-256) and their stored files checked (size
// and SHA-256; a damaged one is written again from this read); the chunks after them are
// written and recorded. `changed` is set when a recorded chunk differs from this read.
Status read_index(const ClientFactory& clients, cluster::Client& main,
                  cluster::ReadStrategy strategy, Checkpoint& cp, std::size_t index_at,
                  const std::string& name, int page_size, long long source_count,
                  const ExportOptions& o, const Hooks& hooks, long long& bytes_written,
                  std::chrono::steady_clock::time_point run_start, std::atomic<bool>& changed) {
  std::vector<SliceJob> jobs;
  std::vector<std::vector<ChunkEntry>> recorded;  // by slice: the complete prefix, by seq
  long long resumed_docs = 0;
  int slices = 1;
  {
    std::lock_guard<std::mutex> lock(cp.mu);
    IndexEntry& e = cp.m.indices[index_at];
    slices = e.slices;
    recorded.resize(static_cast<std::size_t>(slices));
    // Chunks past a slice's complete prefix are written again (identically).
    std::vector<ChunkEntry> kept;
    for (int s = 0; s < slices; ++s) {
      const SlicePrefix p = completed_prefix(e, s);
      for (const auto& c : e.chunks)
        if (c.slice == s && c.seq < p.chunks) kept.push_back(c);
      resumed_docs += p.documents;
    }
    std::sort(kept.begin(), kept.end(), [](const ChunkEntry& a, const ChunkEntry& b) {
      return std::tie(a.slice, a.seq) < std::tie(b.slice, b.seq);
    });
    for (const auto& c : kept) recorded[static_cast<std::size_t>(c.slice)].push_back(c);
    // Every slice is read, the finished ones too: their recorded chunks are verified against
    // this read, so the export is one read whatever happened to the index in between.
    for (int s = 0; s < slices; ++s) {
      e.slices_done[static_cast<std::size_t>(s)] = false;
      SliceJob j;
      j.index = name;
      j.slice = s;
      j.slices = slices;
      j.strategy = strategy;
      j.chunk_docs = cp.m.chunk_docs;
      j.chunk_bytes = cp.m.chunk_bytes;
      j.page_size = page_size;
      j.keep_alive = o.keep_alive;
      jobs.push_back(j);
    }
    e.chunks = std::move(kept);
    ESSNAP_TRY_STATUS(cp.save_locked());
  }

  std::string pit;
  if (!jobs.empty() && jobs.front().strategy == cluster::ReadStrategy::kPointInTime) {
    ESSNAP_TRY(pit, cluster::open_pit(main, {name, o.keep_alive}));
    for (auto& j : jobs) j.pit_id = pit;
  }

  std::atomic<bool> stop{false};
  std::mutex err_mu;
  std::optional<Error> first_error;
  long long docs_done = resumed_docs;
  auto fail = [&](Error e) {
    std::lock_guard<std::mutex> lock(err_mu);
    stop = true;
    if (changed) return;  // the index is read again: no error of this read matters
    // An interruption is the least interesting error: keep a real one when there is one.
    if (!first_error || first_error->code == ErrorCode::kInterrupted) first_error = std::move(e);
  };
  // Memory: each running slice holds a chunk, its compressed copy and a page. At most
  // kSliceBudget / (2 x chunk_bytes + 16 MiB) slices run at once; the others wait their turn
  // (a slice not yet started holds no scroll, and the shared point in time is kept alive by the
  // running ones).
  const long long per_slice = 2 * cp.m.chunk_bytes + (16LL << 20);
  const std::size_t parallel = static_cast<std::size_t>(std::clamp<long long>(
      kSliceBudget / per_slice, 1, static_cast<long long>(std::max<std::size_t>(1, jobs.size()))));
  std::atomic<std::size_t> next_job{0};
  std::vector<std::thread> threads;
  for (std::size_t w = 0; w < parallel && w < jobs.size(); ++w) {
    threads.emplace_back([&] {
      auto client = clients();
      if (!client.ok()) return fail(std::move(client).error());
      for (std::size_t k = next_job++; k < jobs.size() && !stop; k = next_job++) {
        const SliceJob& job = jobs[k];
        const std::vector<ChunkEntry>& mine = recorded[static_cast<std::size_t>(job.slice)];
        std::size_t verified = 0;
        // The upload of chunk n runs while the slice reads and compresses chunk n+1 (one at a
        // time per slice, in order, so the checkpoint's prefix property holds).
        std::future<Status> upload;
        auto wait_upload = [&]() -> Status { return upload.valid() ? upload.get() : ok_status(); };
        const ChunkHandler on_chunk = [&](int seq, std::string& ndjson, long long docs) -> Status {
          const std::string lines_sha = util::sha256_hex(ndjson);
          if (static_cast<std::size_t>(seq) < mine.size()) {
            const ChunkEntry& r = mine[static_cast<std::size_t>(seq)];
            if (r.ndjson_sha256 != lines_sha || r.documents != docs) {
              changed = true;
              return Error(ErrorCode::kConflict, kExportChanged);
            }
            ++verified;
            // The same documents: the stored file must hold exactly what was recorded.
            auto stored = cp.store.read(r.file, static_cast<std::uint64_t>(r.bytes));
            if (stored.ok() && static_cast<long long>(stored->size()) == r.bytes &&
                util::sha256_hex(*stored) == r.sha256)
              return ok_status();
            if (!stored.ok() && stored.error().code != ErrorCode::kNotFound &&
                stored.error().code != ErrorCode::kParse)
              return std::move(stored).error();
            ESSNAP_TRY(std::string again, compress(cp.m.compression, ndjson));
            ESSNAP_TRY_STATUS(cp.store.put(r.file, again));
            std::lock_guard<std::mutex> lock(cp.mu);
            for (auto& c : cp.m.indices[index_at].chunks)
              if (c.slice == r.slice && c.seq == r.seq) {
                c.bytes = static_cast<long long>(again.size());
                c.sha256 = util::sha256_hex(again);
              }
            ESSNAP_TRY_STATUS(cp.save_locked());
            hooks.notify(r.file + " was missing or damaged: written again");
            return ok_status();
          }
          ESSNAP_TRY(std::string stored, compress(cp.m.compression, ndjson));
          ChunkEntry c;
          c.slice = job.slice;
          c.seq = seq;
          c.documents = docs;
          c.bytes = static_cast<long long>(stored.size());
          c.sha256 = util::sha256_hex(stored);
          c.ndjson_sha256 = lines_sha;
          c.file = chunk_file(name, job.slice, seq, cp.m.compression);
          ESSNAP_TRY_STATUS(wait_upload());
          upload = std::async(std::launch::async, [&, c, stored = std::move(stored)]() -> Status {
            // put() returns once the bytes are durable (the local store fsyncs the file and its
            // directory; S3 acknowledges a stored object): only then is the chunk recorded.
            ESSNAP_TRY_STATUS(cp.store.put(c.file, stored));
            std::lock_guard<std::mutex> lock(cp.mu);
            cp.m.indices[index_at].chunks.push_back(c);
            // The checkpoint at most once a second (and at every slice's end): chunks done since
            // the last one are read and written again, identically, by a resume.
            const auto now = std::chrono::steady_clock::now();
            if (now - cp.last_save >= std::chrono::seconds(1)) {
              ESSNAP_TRY_STATUS(cp.save_locked());
              cp.last_save = now;
            }
            docs_done += c.documents;
            bytes_written += c.bytes;
            if (hooks.progress)
              hooks.chunk({"export", name, c.file, c.documents, docs_done, source_count,
                           bytes_written, util::seconds_since(run_start)});
            return ok_status();
          });
          return ok_status();
        };
        auto s = read_slice(**client, job, on_chunk, hooks, stop);
        auto uploaded = wait_upload();
        // This read ended before the chunks recorded for the slice did: fewer documents now.
        if (s.ok() && uploaded.ok() && verified < mine.size()) {
          changed = true;
          s = Error(ErrorCode::kConflict, kExportChanged);
        }
        std::lock_guard<std::mutex> lock(cp.mu);
        if (s.ok() && uploaded.ok()) cp.m.indices[index_at].slices_done[job.slice] = true;
        auto saved = changed ? ok_status() : cp.save_locked();  // what is done stays done
        if (!s.ok()) return fail(std::move(s).error());
        if (!uploaded.ok()) return fail(std::move(uploaded).error());
        if (!saved.ok()) return fail(std::move(saved).error());
      }
    });
  }
  for (auto& t : threads) t.join();
  if (!pit.empty()) (void)cluster::close_pit(main, pit);
  if (changed) return ok_status();
  if (first_error) return *first_error;
  return ok_status();
}

Status export_index(const ClientFactory& clients, cluster::Client& main,
                    cluster::ReadStrategy strategy, Checkpoint& cp, std::size_t index_at,
                    const ExportOptions& o, const Hooks& hooks, long long& bytes_written,
                    std::chrono::steady_clock::time_point run_start) {
  const auto t0 = std::chrono::steady_clock::now();
  std::string name;
  {
    std::lock_guard<std::mutex> lock(cp.mu);
    name = cp.m.indices[index_at].name;
  }
  // The definition, every time (it is small, and a resumed run may not have written it).
  ESSNAP_TRY(cluster::IndexMetadata meta, cluster::get_index_metadata(main, name));
  nlohmann::json def{{"settings", export_settings(meta.settings)},
                     {"mappings", meta.mappings},
                     {"aliases", meta.aliases}};
  const std::string def_text = def.dump(1);
  const std::string uuid = uuid_of(meta.settings);
  ESSNAP_TRY_STATUS(cp.store.put(metadata_file(name), def_text));
  ESSNAP_TRY(long long source_count, cluster::count_documents(main, name));
  ESSNAP_TRY(const int page_size, choose_page_size(main, name, o.page_size));

  // Files of an earlier read that this one does not write again are removed at the end.
  std::set<std::string> stale;
  auto start_over = [&](const std::string& why) -> Status {
    std::lock_guard<std::mutex> lock(cp.mu);
    IndexEntry& e = cp.m.indices[index_at];
    for (const auto& c : e.chunks) stale.insert(c.file);
    e.chunks.clear();
    e.slices_done.assign(e.slices_done.size(), false);
    e.source_count = source_count;
    hooks.notify(name + ": " + why + "; exporting it again from the start");
    return cp.save_locked();
  };
  {
    std::lock_guard<std::mutex> lock(cp.mu);
    IndexEntry& e = cp.m.indices[index_at];
    e.metadata_sha256 = util::sha256_hex(def_text);
    if (e.source_count == 0) e.source_count = source_count;
  }
  std::string recorded_uuid;
  bool has_chunks = false;
  {
    std::lock_guard<std::mutex> lock(cp.mu);
    recorded_uuid = cp.m.indices[index_at].uuid;
    has_chunks = !cp.m.indices[index_at].chunks.empty();
  }
  if (has_chunks && (recorded_uuid.empty() || uuid.empty() || recorded_uuid != uuid))
    ESSNAP_TRY_STATUS(start_over(recorded_uuid.empty()
                                     ? "the checkpoint does not record which index it read"
                                     : "the index was deleted and created again since the "
                                       "interrupted export (another uuid)"));
  {
    std::lock_guard<std::mutex> lock(cp.mu);
    cp.m.indices[index_at].uuid = uuid;
  }
  // At most two reads: the second has nothing recorded to differ from.
  for (int attempt = 0;; ++attempt) {
    std::atomic<bool> changed{false};
    ESSNAP_TRY_STATUS(read_index(clients, main, strategy, cp, index_at, name, page_size,
                                 source_count, o, hooks, bytes_written, run_start, changed));
    if (!changed) break;
    if (attempt > 0)
      return Error(ErrorCode::kInternal, name + ": a read with nothing recorded differed");
    ESSNAP_TRY_STATUS(start_over(
        "its documents differ from the chunks the interrupted export recorded (the index was "
        "written to, or its segments merged, in between)"));
  }
  if (!stale.empty()) {
    std::vector<std::string> gone;
    {
      std::lock_guard<std::mutex> lock(cp.mu);
      for (const auto& c : cp.m.indices[index_at].chunks) stale.erase(c.file);
      gone.assign(stale.begin(), stale.end());
    }
    (void)cp.store.remove(gone);  // unlisted files are harmless: the manifest names the export
  }

  IndexSummary summary;
  {
    std::lock_guard<std::mutex> lock(cp.mu);
    IndexEntry& e = cp.m.indices[index_at];
    std::sort(e.chunks.begin(), e.chunks.end(), [](const ChunkEntry& a, const ChunkEntry& b) {
      return std::tie(a.slice, a.seq) < std::tie(b.slice, b.seq);
    });
    e.documents = 0;
    for (const auto& c : e.chunks) e.documents += c.documents;
    summary.index = name;
    summary.source_count = e.source_count;
    summary.documents = e.documents;
  }
  summary.seconds = util::seconds_since(t0);
  if (hooks.index_done) hooks.index_done(summary);
  if (summary.documents != summary.source_count)
    hooks.notify(name + ": exported " + std::to_string(summary.documents) +
                 " documents, _count said " + std::to_string(summary.source_count) +
                 " when the export began (the index changed meanwhile)");
  return ok_status();
}

// Whether every recorded chunk of a finished index is stored as recorded (size and SHA-256).
Result<bool> chunks_intact(blob::BlobStore& store, const IndexEntry& e, const Hooks& hooks) {
  for (const auto& c : e.chunks) {
    auto stored = store.read(c.file, static_cast<std::uint64_t>(c.bytes));
    if (stored.ok() && static_cast<long long>(stored->size()) == c.bytes &&
        util::sha256_hex(*stored) == c.sha256)
      continue;
    if (!stored.ok() && stored.error().code != ErrorCode::kNotFound &&
        stored.error().code != ErrorCode::kParse)
      return std::move(stored).error();
    hooks.notify(c.file + " is missing or differs from the checkpoint: " + e.name +
                 " is read again");
    return false;
  }
  return true;
}

}  // namespace

std::string utc_now_iso8601() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

long long chunk_bytes_for(int slices) {
  const long long fit = kSliceBudget / (2LL * std::max(1, slices)) - (8LL << 20);
  return std::clamp(fit, 4LL << 20, 32LL << 20) & ~((1LL << 20) - 1);
}

Status validate(const ExportOptions& o) {
  if (o.chunk_docs < 1 || o.chunk_docs > 10'000'000)
    return Error(ErrorCode::kInvalidArgument, "--chunk-docs must be between 1 and 10000000");
  if (o.chunk_bytes != 0 && (o.chunk_bytes < (64 << 10) || o.chunk_bytes > (128LL << 20)))
    return Error(ErrorCode::kInvalidArgument,
                 "--chunk-bytes must be between 64 KiB and 128 MiB (0: chosen by slices)",
                 "memory is about slices x 2 x chunk-bytes: keep it well under 256 MiB");
  if (o.page_size < 0 || o.page_size > 10000)
    return Error(ErrorCode::kInvalidArgument,
                 "--page-size must be between 1 and 10000 (0: chosen by document size)",
                 "the engines refuse pages above index.max_result_window (10000)");
  if (o.slices < 0 || o.slices > 64)
    return Error(ErrorCode::kInvalidArgument, "--slices must be between 1 and 64");
  return ok_status();
}

std::string quoted_patterns(const std::vector<std::string>& patterns) {
  return "'" + util::join(patterns, ",") + "'";
}

Result<std::string> first_entry(blob::BlobStore& store) {
  auto l = store.list("");
  if (!l.ok()) {
    if (l.error().code == ErrorCode::kNotFound) return std::string();
    return std::move(l).error();
  }
  if (!l->blobs.empty()) return l->blobs.front().name;
  if (!l->children.empty()) return l->children.front() + "/";
  return std::string();
}

Result<ExportResult> run_export(const ClientFactory& clients, blob::BlobStore& store,
                                const ExportOptions& o, const Hooks& hooks_in) {
  ESSNAP_TRY_STATUS(validate(o));
  const Hooks hooks = synchronized(hooks_in);
  const auto run_start = std::chrono::steady_clock::now();
  ESSNAP_TRY(std::unique_ptr<cluster::Client> main, clients());
  ESSNAP_TRY(cluster::ClusterInfo info, main->info());
  // Checked before anything is written (a point in time the engine lacks is refused here).
  ESSNAP_TRY(const cluster::ReadStrategy strategy, choose_strategy(o.strategy, info));

  Checkpoint cp{store, {}, {}, {}};
  ExportResult result;
  ESSNAP_TRY(bool has_manifest, store.exists(kManifestFile));
  if (o.resume == Resume::kYes) {
    if (has_manifest) {
      ESSNAP_TRY(std::string text, store.read(kManifestFile, kMaxStateBytes));
      ESSNAP_TRY(result.manifest, parse_manifest(text, store.describe() + "/" + kManifestFile,
                                                 ManifestKind::kManifest));
      result.already_complete = true;
      return result;
    }
    auto text = store.read(kExportStateFile, kMaxStateBytes);
    if (!text.ok()) {
      Error e = std::move(text).error();
      if (e.code == ErrorCode::kNotFound)
        e = Error(ErrorCode::kNotFound,
                  "nothing to resume: " + store.describe() + " holds no " + kExportStateFile,
                  "run the export without --resume");
      return e;
    }
    ESSNAP_TRY(cp.m, parse_manifest(*text, store.describe() + "/" + kExportStateFile,
                                    ManifestKind::kState));
    if (cp.m.source_engine != cluster::to_string(info.distribution) ||
        cp.m.source_version != info.version.text)
      return Error(ErrorCode::kConflict,
                   "the interrupted export read " + cp.m.source_engine + " " + cp.m.source_version +
                       ", --url is " + cluster::to_string(info.distribution) + " " +
                       info.version.text,
                   "resume against the cluster the export began on");
    if (!cp.m.patterns.empty() && cp.m.patterns != o.patterns)
      return Error(ErrorCode::kConflict,
                   "the interrupted export in " + store.describe() + " read --indices " +
                       quoted_patterns(cp.m.patterns) + ", not " + quoted_patterns(o.patterns),
                   "resume with the --indices it began with, or export to another place");
    if (o.execution == Execution::kDryRun) {
      result.dry_run = true;
      for (const auto& e : cp.m.indices) result.indices.push_back({.index = e.name});
      return result;
    }
    hooks.notify("resuming the export in " + store.describe() +
                 " (compression, chunk limits and slices as it began)");
  } else {
    ESSNAP_TRY(bool has_state, store.exists(kExportStateFile));
    if (o.overwrite == Overwrite::kNo) {
      if (has_manifest || has_state)
        return Error(ErrorCode::kConflict,
                     store.describe() + " already holds an export" +
                         (has_manifest ? "" : " (an interrupted one)"),
                     has_manifest ? "choose an empty destination, or pass --overwrite to "
                                    "replace it"
                                  : "pass --resume to finish it, choose an empty destination, "
                                    "or pass --overwrite to start it again");
      ESSNAP_TRY(const std::string first, first_entry(store));
      if (!first.empty())
        return Error(ErrorCode::kConflict,
                     store.describe() + " is not empty (it holds " + first +
                         "); an export writes only into an empty destination",
                     "choose an empty destination, or pass --overwrite to write over the files "
                     "an export names");
    } else {
      // The old export's manifest and checkpoint go first: nothing may describe the files
      // while they are being replaced.
      ESSNAP_TRY_STATUS(store.remove({kManifestFile, kExportStateFile}));
    }
    ESSNAP_TRY(std::vector<cluster::ResolvedIndex> indices,
               cluster::resolve_open_indices(*main, o.patterns));
    if (indices.empty())
      return Error(ErrorCode::kConflict, "--indices matches no open index",
                   "list the indices with 'essnap request GET /_cat/indices?v'");
    cp.m.tool = o.tool;
    cp.m.patterns = o.patterns;
    cp.m.created = utc_now_iso8601();
    cp.m.source_engine = cluster::to_string(info.distribution);
    cp.m.source_version = info.version.text;
    cp.m.compression = o.compression;
    cp.m.chunk_docs = o.chunk_docs;
    // A data stream's name selects its backing indices; each is exported as an index and marked
    // with its stream, which the import recreates and loads.
    ESSNAP_TRY(const auto backing, cluster::data_streams_by_backing_index(*main, info, o.patterns));
    for (const auto& r : indices) {
      IndexEntry e;
      e.name = r.name;
      if (auto b = backing.find(r.name); b != backing.end()) {
        e.data_stream = b->second.name;
        e.timestamp_field = b->second.timestamp_field;
      }
      // A search_after read is one stream (slicing needs a scroll or a point in time).
      e.slices = o.strategy == cluster::ReadStrategy::kSearchAfter
                     ? 1
                     : choose_slices(o.slices, r.primaries);
      e.slices_done.assign(static_cast<std::size_t>(e.slices), false);
      cp.m.indices.push_back(std::move(e));
    }
    int most_slices = 1;
    for (const auto& e : cp.m.indices) most_slices = std::max(most_slices, e.slices);
    cp.m.chunk_bytes = o.chunk_bytes > 0 ? o.chunk_bytes : chunk_bytes_for(most_slices);
    if (o.execution == Execution::kDryRun) {
      result.dry_run = true;
      for (const auto& e : cp.m.indices) result.indices.push_back({.index = e.name});
      return result;
    }
    std::lock_guard<std::mutex> lock(cp.mu);
    ESSNAP_TRY_STATUS(cp.save_locked());
  }

  long long bytes_written = 0;
  std::vector<IndexSummary> summaries;
  Hooks collecting = hooks;
  collecting.index_done = [&](const IndexSummary& s) {
    summaries.push_back(s);
    if (hooks.index_done) hooks.index_done(s);
  };
  for (std::size_t i = 0; i < cp.m.indices.size(); ++i) {
    const IndexEntry& e = cp.m.indices[i];
    const bool done =
        std::all_of(e.slices_done.begin(), e.slices_done.end(), [](bool b) { return b; });
    if (done && !e.metadata_sha256.empty()) {
      ESSNAP_TRY(const bool intact, chunks_intact(store, e, hooks));
      if (intact) continue;
    }
    ESSNAP_TRY_STATUS(
        export_index(clients, *main, strategy, cp, i, o, collecting, bytes_written, run_start));
  }
  for (auto& e : cp.m.indices) {
    std::sort(e.chunks.begin(), e.chunks.end(), [](const ChunkEntry& a, const ChunkEntry& b) {
      return std::tie(a.slice, a.seq) < std::tie(b.slice, b.seq);
    });
    e.documents = 0;
    for (const auto& c : e.chunks) e.documents += c.documents;
  }
  ESSNAP_TRY_STATUS(store.put(kManifestFile, to_json(cp.m, ManifestKind::kManifest).dump(1)));
  result.manifest = cp.m;
  result.indices = std::move(summaries);
  return result;
}

}  // namespace essnap::transfer
