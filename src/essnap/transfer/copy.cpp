#include "essnap/transfer/copy.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "essnap/cluster/names.hpp"
#include "essnap/cluster/search.hpp"
#include "essnap/transfer/reader.hpp"
#include "essnap/transfer/translate.hpp"
#include "essnap/util/crypto.hpp"
#include "essnap/util/durations.hpp"

namespace essnap::transfer {
namespace {

struct Item {
  int slice = 0;
  int seq = 0;
  long long documents = 0;
  std::string ndjson;
  std::string sha;  // of the lines, for the state file
};

// A bounded queue: producers wait while it is full, so memory stays at capacity chunks.
class Queue {
 public:
  explicit Queue(std::size_t capacity) : capacity_(capacity) {}
  bool push(Item item, const std::atomic<bool>& stop) {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [&] { return items_.size() < capacity_ || stop.load() || closed_; });
    if (stop.load() || closed_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }
  // false once closed and drained, or when stopped.
  bool pop(Item& out, const std::atomic<bool>& stop) {
    std::unique_lock<std::mutex> lock(mu_);
    not_empty_.wait(lock, [&] { return !items_.empty() || closed_ || stop.load(); });
    if (stop.load() || items_.empty()) return false;
    out = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return true;
  }
  void close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }
  void wake() {
    std::lock_guard<std::mutex> lock(mu_);
    not_empty_.notify_all();
    not_full_.notify_all();
  }

 private:
  std::size_t capacity_;
  std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  std::deque<Item> items_;
  bool closed_ = false;
};

// "slice/seq/documents/SHA-256 of the chunk's lines": what a resumed copy compares the same
// chunk of its new read with.
std::string done_name(int slice, int seq, long long docs, const std::string& lines_sha) {
  return std::to_string(slice) + "/" + std::to_string(seq) + "/" + std::to_string(docs) + "/" +
         lines_sha;
}

// The loaded prefix of each slice from the done names: per slice, the digest of each chunk of
// it, in order ("" for a name written before digests were recorded: it never matches).
std::vector<std::vector<std::string>> prefixes(const std::vector<std::string>& done, int slices) {
  std::vector<std::map<int, std::string>> by(static_cast<std::size_t>(slices));
  for (const auto& d : done) {
    int s = 0, q = 0;
    long long n = 0;
    char sha[65] = {0};
    const int got = std::sscanf(d.c_str(), "%d/%d/%lld/%64[0-9a-f]", &s, &q, &n, sha);
    if (got >= 3 && s >= 0 && s < slices && q >= 0 && n > 0)
      by[static_cast<std::size_t>(s)][q] = got == 4 ? sha : "";
  }
  std::vector<std::vector<std::string>> out(static_cast<std::size_t>(slices));
  for (std::size_t s = 0; s < by.size(); ++s)
    for (const auto& [q, sha] : by[s]) {
      if (q != static_cast<int>(out[s].size())) break;
      out[s].push_back(sha);
    }
  return out;
}

constexpr const char* kChanged = "the source index changed since the interrupted copy";

}  // namespace

Result<ImportResult> run_copy(const ClientFactory& sources, const ClientFactory& targets,
                              const CopyOptions& o, const Hooks& hooks_in) {
  const Hooks hooks = synchronized(hooks_in);
  const auto run_start = std::chrono::steady_clock::now();
  ESSNAP_TRY(std::unique_ptr<cluster::Client> src, sources());
  ESSNAP_TRY(std::unique_ptr<cluster::Client> dst, targets());
  ESSNAP_TRY(cluster::ClusterInfo src_info, src->info());
  ESSNAP_TRY(cluster::ClusterInfo dst_info, dst->info());
  ESSNAP_TRY(const cluster::ReadStrategy strategy, choose_strategy(o.strategy, src_info));
  ESSNAP_TRY(std::vector<cluster::ResolvedIndex> indices,
             cluster::resolve_open_indices(*src, o.patterns));
  if (indices.empty())
    return Error(ErrorCode::kConflict, "--indices matches no open index of the source",
                 "list the indices with 'essnap request GET /_cat/indices?v'");

  // A backing index goes into its data stream on the target (renamed like an index), created
  // from the definition of the stream's newest backing index.
  ESSNAP_TRY(const auto stream_of,
             cluster::data_streams_by_backing_index(*src, src_info, o.patterns));
  auto stream_for = [&](const std::string& index) -> const cluster::DataStream* {
    auto s = stream_of.find(index);
    return s == stream_of.end() ? nullptr : &s->second;
  };
  auto target_of = [&](const std::string& index) {
    const cluster::DataStream* ds = stream_for(index);
    return target_name(ds ? ds->name : index, o.rename);
  };
  std::map<std::string, std::string> newest_backing;  // data stream -> backing index
  for (const auto& r : indices)
    if (const cluster::DataStream* ds = stream_for(r.name)) newest_backing[ds->name] = r.name;

  ImportState state;
  state.source = src->base_url();
  std::set<std::string> made_before;
  if (o.resume == Resume::kYes) {
    ESSNAP_TRY(state, load_import_state(o.state_path));
    // Only a target that is still the index the interrupted run created counts as its own.
    ESSNAP_TRY(made_before, verified_targets_made(*dst, state));
    for (auto& [name, i] : state.indices)
      if (!made_before.count(i.target)) i.created = false;
  }
  std::map<std::string, std::string> targets_seen;  // target -> its data stream ("" for an index)
  std::vector<std::string> conflicts;
  for (const auto& r : indices) {
    const std::string target = target_of(r.name);
    ESSNAP_TRY_STATUS(cluster::names::validate_index_name(target, "the target index name"));
    const cluster::DataStream* ds = stream_for(r.name);
    if (auto [at, fresh] = targets_seen.emplace(target, ds ? ds->name : "");
        !fresh && (!ds || at->second != ds->name))
      return Error(ErrorCode::kInvalidArgument, "two indices would be copied into " + target);
    auto& st = state.indices[r.name];
    if (!st.target.empty() && st.target != target)
      return Error(ErrorCode::kConflict,
                   "the interrupted copy loaded " + r.name + " into " + st.target);
    st.target = target;
    if (st.slices == 0)
      st.slices = o.strategy == cluster::ReadStrategy::kSearchAfter
                      ? 1
                      : choose_slices(o.slices, r.primaries);
    ESSNAP_TRY(bool exists, cluster::index_exists(*dst, target));
    const bool created = made_before.count(target) > 0;
    if (exists && o.existing == Existing::kRefuse && !created &&
        std::find(conflicts.begin(), conflicts.end(), target) == conflicts.end())
      conflicts.push_back(target);
  }
  if (!conflicts.empty()) {
    std::string list;
    for (const auto& c : conflicts) list += (list.empty() ? "" : ", ") + c;
    return Error(ErrorCode::kConflict, "the target already has " + list + "; nothing was copied",
                 "pass --append to load into the existing index, or --rename-suffix / --rename");
  }
  // A second write index for an alias is refused now, before anything is created.
  std::vector<PlannedAliases> planned;
  for (const auto& r : indices) {
    const std::string& target = state.indices[r.name].target;
    if (stream_for(r.name) || !keeps_aliases(r.name, target, o.aliases)) continue;
    ESSNAP_TRY(bool exists, cluster::index_exists(*dst, target));
    if (exists) continue;
    ESSNAP_TRY(cluster::IndexMetadata meta, cluster::get_index_metadata(*src, r.name));
    if (meta.aliases.is_object() && !meta.aliases.empty())
      planned.push_back({target, meta.aliases});
  }
  ESSNAP_TRY_STATUS(refuse_write_alias_clashes(*dst, planned, "copy", "_copy"));
  if (o.execution == Execution::kDryRun) {
    ImportResult plan;
    plan.dry_run = true;
    for (const auto& r : indices)
      plan.indices.push_back({.index = r.name, .target = state.indices[r.name].target});
    return plan;
  }
  ESSNAP_TRY_STATUS(save_import_state(o.state_path, state));

  ErrorsFile errors(o.errors_path);
  Loader loader(o.loader, errors, hooks);
  ImportResult result;
  std::mutex mu;

  for (const auto& r : indices) {
    // At most two reads of an index: when the new read of a resumed copy differs from the chunks
    // it loaded before, the target it created is emptied (deleted, created again) and loaded from
    // this read alone.
    for (int attempt = 0;; ++attempt) {
      auto& st = state.indices[r.name];
      const std::string target = st.target;
      const auto t0 = std::chrono::steady_clock::now();
      IndexSummary summary;
      summary.index = r.name;
      summary.target = target;
      ESSNAP_TRY(summary.source_count, cluster::count_documents(*src, r.name));
      ESSNAP_TRY(const int page_size, choose_page_size(*src, r.name, o.page_size));
      ESSNAP_TRY(bool exists, cluster::index_exists(*dst, target));
      const cluster::DataStream* ds = stream_for(r.name);
      if (!exists) {
        const std::string def_of = ds ? newest_backing[ds->name] : r.name;
        ESSNAP_TRY(cluster::IndexMetadata meta, cluster::get_index_metadata(*src, def_of));
        nlohmann::json def{{"settings", export_settings(meta.settings)},
                           {"mappings", meta.mappings},
                           {"aliases", meta.aliases}};
        if (!ds && !keeps_aliases(r.name, target, o.aliases)) drop_aliases(def, summary.changes);
        if (ds) {
          ESSNAP_TRY_STATUS(create_target_data_stream(*dst, target, def, ds->timestamp_field,
                                                      engine_version(src_info),
                                                      engine_version(dst_info), summary.changes));
        } else {
          ESSNAP_TRY_STATUS(create_target_index(*dst, target, def, engine_version(src_info),
                                                engine_version(dst_info), summary.changes));
        }
        st.created = true;
        if (auto uuid = cluster::index_uuid(*dst, target); uuid.ok())
          record_target_uuid(state, target, *uuid);
        ESSNAP_TRY_STATUS(save_import_state(o.state_path, state));
        for (const auto& c : summary.changes) hooks.notify(target + ": " + c);
      }

      // Each slice is read from its start: the chunks loaded before are compared with the same
      // chunks of this read and not loaded again; the rest is loaded.
      const std::vector<std::vector<std::string>> pre = prefixes(st.done, st.slices);
      std::atomic<bool> changed{false};
      long long docs_done = 0;
      for (const auto& d : st.done) {
        int s = 0, q = 0;
        long long n = 0;
        if (std::sscanf(d.c_str(), "%d/%d/%lld", &s, &q, &n) == 3 && s >= 0 && s < st.slices &&
            q < static_cast<int>(pre[static_cast<std::size_t>(s)].size()))
          docs_done += n;
      }
      std::string pit;
      if (strategy == cluster::ReadStrategy::kPointInTime) {
        ESSNAP_TRY(pit, cluster::open_pit(*src, {r.name, o.keep_alive}));
      }
      Queue queue(static_cast<std::size_t>(std::max(2, o.concurrency * 2)));
      std::atomic<bool> stop{false};
      std::optional<Error> first_error;
      auto fail = [&](Error e) {
        std::lock_guard<std::mutex> lock(mu);
        if (!changed && (!first_error || first_error->code == ErrorCode::kInterrupted))
          first_error = std::move(e);
        stop = true;
        queue.wake();
      };
      std::vector<std::thread> readers, loaders;
      std::atomic<int> readers_left{st.slices};
      for (int s = 0; s < st.slices; ++s) {
        SliceJob job;
        job.index = r.name;
        job.slice = s;
        job.slices = st.slices;
        job.strategy = strategy;
        job.pit_id = pit;
        job.chunk_docs = o.chunk_docs;
        job.chunk_bytes = o.chunk_bytes;
        job.page_size = page_size;
        job.keep_alive = o.keep_alive;
        readers.emplace_back([&, job] {
          auto client = sources();
          if (!client.ok())
            fail(std::move(client).error());
          else {
            const std::vector<std::string>& loaded = pre[static_cast<std::size_t>(job.slice)];
            std::size_t verified = 0;
            const ChunkHandler on_chunk = [&](int seq, std::string& ndjson,
                                              long long docs) -> Status {
              std::string sha = util::sha256_hex(ndjson);
              if (static_cast<std::size_t>(seq) < loaded.size()) {
                if (loaded[static_cast<std::size_t>(seq)] != sha) {
                  changed = true;
                  return Error(ErrorCode::kConflict, kChanged);
                }
                ++verified;
                return ok_status();
              }
              if (!queue.push(Item{job.slice, seq, docs, std::move(ndjson), std::move(sha)}, stop))
                return Error(ErrorCode::kInterrupted, "stopped");
              ndjson = std::string();
              return ok_status();
            };
            auto s = read_slice(**client, job, on_chunk, hooks, stop);
            if (s.ok() && verified < loaded.size()) {  // fewer documents now than were loaded
              changed = true;
              s = Error(ErrorCode::kConflict, kChanged);
            }
            if (!s.ok()) fail(std::move(s).error());
          }
          if (--readers_left == 0) queue.close();
        });
      }
      for (int w = 0; w < std::clamp(o.concurrency, 1, 32); ++w) {
        loaders.emplace_back([&] {
          auto client = targets();
          if (!client.ok()) return fail(std::move(client).error());
          Item item;
          while (queue.pop(item, stop)) {
            const std::string name = done_name(item.slice, item.seq, item.documents, item.sha);
            auto loaded = loader.load(**client, r.name, target,
                                      r.name + " slice " + std::to_string(item.slice) + " chunk " +
                                          std::to_string(item.seq),
                                      item.ndjson, -1, ds ? BulkOp::kCreate : BulkOp::kIndex,
                                      made_before.count(target) > 0);
            if (!loaded.ok()) return fail(std::move(loaded).error());
            std::lock_guard<std::mutex> lock(mu);
            st.done.push_back(name);
            st.loaded += loaded->loaded;
            st.rejected += loaded->rejected;
            docs_done += item.documents;
            if (auto s = save_import_state(o.state_path, state); !s.ok()) {
              first_error = std::move(s).error();
              stop = true;
              queue.wake();
              return;
            }
            if (hooks.progress)
              hooks.chunk({"copy", r.name,
                           std::to_string(item.slice) + "/" + std::to_string(item.seq),
                           item.documents, docs_done, summary.source_count, 0,
                           util::seconds_since(run_start)});
          }
        });
      }
      for (auto& t : readers) t.join();
      for (auto& t : loaders) t.join();
      if (!pit.empty()) (void)cluster::close_pit(*src, pit);
      if (changed) {
        if (attempt > 0)
          return Error(ErrorCode::kInternal, r.name + ": a read with nothing loaded differed");
        // Only a plain index this copy created (its uuid checked) may be emptied.
        if (ds || !made_before.count(target))
          return Error(ErrorCode::kConflict,
                       kChanged + (": " + r.name) + " was written to since; what " + target +
                           " holds and the rest of a new read would not be one copy; nothing more "
                           "was loaded",
                       "delete " + target +
                           " and copy again without --resume (essnap request DELETE /" + target +
                           ")");
        hooks.notify(r.name + ": " + kChanged + "; " + target +
                     " (created by it) is created again and loaded from a new read");
        ESSNAP_TRY_STATUS(dst->json("DELETE", cluster::names::path({target})));
        st.done.clear();
        st.loaded = 0;
        st.rejected = 0;
        st.created = false;
        st.target_uuid.clear();
        ESSNAP_TRY_STATUS(save_import_state(o.state_path, state));
        made_before.erase(target);
        continue;
      }
      if (first_error) return *first_error;

      ESSNAP_TRY(summary.target_count, count_target(*dst, target));
      summary.documents = st.loaded;
      summary.rejected = st.rejected;
      summary.seconds = util::seconds_since(t0);
      if (hooks.index_done) hooks.index_done(summary);
      result.indices.push_back(summary);
      break;
    }
  }

  std::vector<std::string> problems = reconcile_counts(result.indices, o.existing, o.errors_path);
  if (!problems.empty()) {
    std::string msg;
    for (const auto& p : problems) msg += (msg.empty() ? "" : "; ") + p;
    result.problem = Error(ErrorCode::kIncomplete, "the copy is incomplete: " + msg,
                           incomplete_hint(result.indices, o.errors_path));
  }
  return result;
}

}  // namespace essnap::transfer
