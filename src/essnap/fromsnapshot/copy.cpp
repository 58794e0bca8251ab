#include "essnap/fromsnapshot/copy.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "essnap/cluster/names.hpp"
#include "essnap/cluster/search.hpp"
#include "essnap/fromsnapshot/source.hpp"
#include "essnap/util/crypto.hpp"
#include "essnap/util/durations.hpp"

namespace essnap::fromsnapshot {
namespace {

std::string done_chunk(int shard, int seq, long long docs, const std::string& sha) {
  return std::to_string(shard) + "/" + std::to_string(seq) + "/" + std::to_string(docs) + "/" + sha;
}

// Per shard: the loaded chunks without a gap from seq 0, and their documents.
struct Loaded {
  int chunks = 0;
  long long documents = 0;
};
std::vector<Loaded> loaded_prefixes(const std::vector<std::string>& done, int shards) {
  std::vector<std::map<int, long long>> by(static_cast<std::size_t>(shards));
  for (const auto& d : done) {
    int s = 0, q = 0;
    long long n = 0;
    if (std::sscanf(d.c_str(), "%d/%d/%lld", &s, &q, &n) == 3 && s >= 0 && s < shards && q >= 0 &&
        n > 0)
      by[static_cast<std::size_t>(s)][q] = n;
  }
  std::vector<Loaded> out(static_cast<std::size_t>(shards));
  for (std::size_t s = 0; s < by.size(); ++s)
    for (const auto& [q, n] : by[s]) {
      if (q != out[s].chunks) break;
      ++out[s].chunks;
      out[s].documents += n;
    }
  return out;
}

}  // namespace

Result<transfer::ImportResult> run_copy(inspect::Repository& repo,
                                        const transfer::ClientFactory& targets,
                                        const CopyOptions& o, const transfer::Hooks& hooks_in) {
  const transfer::Hooks hooks = transfer::synchronized(hooks_in);
  const auto run_start = std::chrono::steady_clock::now();
  ESSNAP_TRY(Selection sel, select(repo, o.snapshot, o.patterns));
  ESSNAP_TRY(std::unique_ptr<cluster::Client> dst, targets());
  ESSNAP_TRY(cluster::ClusterInfo dst_info, dst->info());
  ESSNAP_TRY(const transfer::EngineVersion src_engine,
             transfer::engine_version(sel.engine.engine, sel.engine.version));
  const transfer::EngineVersion dst_engine = transfer::engine_version(dst_info);

  transfer::ImportState state;
  state.source = o.source;
  std::set<std::string> made_before;
  if (o.resume == transfer::Resume::kYes) {
    ESSNAP_TRY(state, transfer::load_import_state(o.state_path));
    if (state.source != o.source)
      return Error(ErrorCode::kConflict,
                   "the interrupted copy in " + o.state_path + " read " + state.source,
                   "resume with the snapshot it began with");
    ESSNAP_TRY(made_before, transfer::verified_targets_made(*dst, state));
    for (auto& [name, i] : state.indices)
      if (!made_before.count(i.target)) i.created = false;
  }
  std::set<std::string> targets_seen;
  std::vector<std::string> conflicts;
  std::vector<transfer::PlannedAliases> planned;
  for (const auto& d : sel.indices) {
    if (!d.data_stream.empty())
      return Error(ErrorCode::kConflict,
                   d.name + " is a backing index of data stream " + d.data_stream +
                       ", which copy --from-snapshot does not make",
                   "export it with 'essnap export --from-snapshot REPO SNAPSHOT -i " +
                       d.data_stream +
                       " --to DIR', then 'essnap import --from DIR' makes the "
                       "stream");
    const std::string target = transfer::target_name(d.name, o.rename);
    ESSNAP_TRY_STATUS(cluster::names::validate_index_name(target, "the target index name"));
    if (!targets_seen.insert(target).second)
      return Error(ErrorCode::kInvalidArgument, "two indices would be copied into " + target);
    auto& st = state.indices[d.name];
    if (!st.target.empty() && st.target != target)
      return Error(ErrorCode::kConflict,
                   "the interrupted copy loaded " + d.name + " into " + st.target);
    st.target = target;
    st.slices = d.shards;
    ESSNAP_TRY(bool exists, cluster::index_exists(*dst, target));
    if (exists && o.existing == transfer::Existing::kRefuse && !made_before.count(target))
      conflicts.push_back(target);
    if (!exists && transfer::keeps_aliases(d.name, target, o.aliases) && !d.aliases.empty())
      planned.push_back({target, d.aliases});
  }
  if (!conflicts.empty()) {
    std::string list;
    for (const auto& c : conflicts) list += (list.empty() ? "" : ", ") + c;
    return Error(ErrorCode::kConflict, "the target already has " + list + "; nothing was copied",
                 "pass --append to load into the existing index, or --rename-suffix / --rename");
  }
  ESSNAP_TRY_STATUS(transfer::refuse_write_alias_clashes(*dst, planned, "copy", "_copy"));
  if (o.execution == transfer::Execution::kDryRun) {
    transfer::ImportResult plan;
    plan.dry_run = true;
    for (const auto& d : sel.indices) {
      transfer::IndexSummary i;
      i.index = d.name;
      i.target = state.indices[d.name].target;
      plan.indices.push_back(i);
    }
    return plan;
  }
  // Every shard is opened and checked before anything is created.
  ESSNAP_TRY(CheckedShards checked, CheckedShards::open(repo, sel, sel.units));
  ESSNAP_TRY_STATUS(transfer::save_import_state(o.state_path, state));

  transfer::ErrorsFile errors(o.errors_path);
  transfer::Loader loader(o.loader, errors, hooks);
  transfer::ImportResult result;
  std::mutex mu;
  for (const auto& d : sel.indices) {
    auto& st = state.indices[d.name];
    const std::string target = st.target;
    const auto t0 = std::chrono::steady_clock::now();
    transfer::IndexSummary summary;
    summary.index = d.name;
    summary.target = target;
    summary.source_count = checked.documents(d.name);
    ESSNAP_TRY(bool exists, cluster::index_exists(*dst, target));
    if (!exists) {
      nlohmann::json def = d.index_json();
      if (!transfer::keeps_aliases(d.name, target, o.aliases))
        transfer::drop_aliases(def, summary.changes);
      ESSNAP_TRY_STATUS(transfer::create_target_index(*dst, target, def, src_engine, dst_engine,
                                                      summary.changes));
      st.created = true;
      if (auto uuid = cluster::index_uuid(*dst, target); uuid.ok())
        transfer::record_target_uuid(state, target, *uuid);
      ESSNAP_TRY_STATUS(transfer::save_import_state(o.state_path, state));
      for (const auto& c : summary.changes) hooks.notify(target + ": " + c);
    }
    const std::vector<Loaded> pre = loaded_prefixes(st.done, d.shards);
    long long docs_done = 0;
    for (const auto& p : pre) docs_done += p.documents;

    std::atomic<bool> stop{false};
    std::optional<Error> first_error;
    std::atomic<int> next{0};
    auto interrupted = [&] { return stop.load() || (hooks.interrupted && hooks.interrupted()); };
    std::vector<std::thread> workers;
    for (int w = 0; w < std::clamp(o.concurrency, 1, std::max(1, d.shards)); ++w)
      workers.emplace_back([&] {
        auto fail = [&](Error e) {
          std::lock_guard<std::mutex> lock(mu);
          if (!first_error || first_error->code == ErrorCode::kInterrupted)
            first_error = std::move(e);
          stop = true;
        };
        auto client = targets();
        if (!client.ok()) return fail(std::move(client).error());
        for (int k = next++; k < d.shards && !stop; k = next++) {
          const ShardUnit u{d.name, k};
          auto shard = checked.take(repo, sel, u);
          if (!shard.ok()) return fail(std::move(shard).error());
          ChunkCut cut;
          cut.chunk_docs = o.chunk_docs;
          cut.chunk_bytes = o.chunk_bytes;
          cut.skip = pre[static_cast<std::size_t>(k)].documents;
          cut.first_seq = pre[static_cast<std::size_t>(k)].chunks;
          Status s = read_chunks(
              *shard, u, cut,
              [&](int seq, std::string& ndjson, long long docs) -> Status {
                const std::string sha = util::sha256_hex(ndjson);
                ESSNAP_TRY(
                    transfer::LoadOutcome out,
                    loader.load(
                        **client, d.name, target,
                        d.name + " shard " + std::to_string(k) + " chunk " + std::to_string(seq),
                        ndjson, docs, transfer::BulkOp::kIndex, made_before.count(target) > 0));
                std::lock_guard<std::mutex> lock(mu);
                st.done.push_back(done_chunk(k, seq, docs, sha));
                st.loaded += out.loaded;
                st.rejected += out.rejected;
                docs_done += docs;
                ESSNAP_TRY_STATUS(transfer::save_import_state(o.state_path, state));
                if (hooks.progress)
                  hooks.chunk({"copy", d.name, std::to_string(k) + "/" + std::to_string(seq), docs,
                               docs_done, summary.source_count, 0, util::seconds_since(run_start)});
                return ok_status();
              },
              interrupted);
          if (!s.ok()) return fail(std::move(s).error());
        }
      });
    for (auto& t : workers) t.join();
    if (first_error) return *first_error;
    ESSNAP_TRY(summary.target_count, transfer::count_target(*dst, target));
    summary.documents = st.loaded;
    summary.rejected = st.rejected;
    summary.seconds = util::seconds_since(t0);
    if (hooks.index_done) hooks.index_done(summary);
    result.indices.push_back(summary);
  }
  std::vector<std::string> problems =
      transfer::reconcile_counts(result.indices, o.existing, o.errors_path);
  if (!problems.empty()) {
    std::string msg;
    for (const auto& p : problems) msg += (msg.empty() ? "" : "; ") + p;
    result.problem = Error(ErrorCode::kIncomplete, "the copy is incomplete: " + msg,
                           transfer::incomplete_hint(result.indices, o.errors_path));
  }
  return result;
}

}  // namespace essnap::fromsnapshot
