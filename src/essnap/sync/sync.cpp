#include "essnap/sync/sync.hpp"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <map>
#include <mutex>
#include <random>
#include <set>

#include "essnap/aws/timestamp.hpp"
#include "essnap/blob/local_store.hpp"
#include "essnap/blob/open.hpp"
#include "essnap/blob/repository_view.hpp"
#include "essnap/blob/s3_store.hpp"
#include "essnap/format/framing.hpp"
#include "essnap/format/root_index.hpp"
#include "essnap/format/shard_paths.hpp"
#include "essnap/format/shard_snapshot.hpp"
#include "essnap/inspect/verify.hpp"
#include "essnap/inspect/walker.hpp"
#include "essnap/util/glob.hpp"
#include "essnap/util/rate_limiter.hpp"
#include "essnap/util/work_pool.hpp"

namespace essnap::sync {
namespace {

using format::RepoIndex;
using format::RepositoryData;
using format::RepoSnapshot;
using Clock = std::chrono::system_clock;

constexpr int kMaxRestarts = 3;
constexpr std::uint64_t kMaxShardIndexBlob = std::uint64_t{256} << 20;

std::span<const std::uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

void crash_if(const SyncOptions& o, CrashPoint at) {
  if (o.crash_at == at) std::raise(SIGKILL);
}

// A shard-level index-<gen> blob as read: its bytes (for a verbatim copy), how it was
// compressed, and what it says.
struct ShardIndexBlob {
  std::string name;  // "index-<gen>"
  std::string bytes;
  format::Compression compression = format::Compression::kDeflate;
  format::ShardSnapshots parsed;
};

Result<ShardIndexBlob> read_shard_index(blob::BlobStore& store, const std::string& dir,
                                        const std::string& name) {
  const std::string path = dir + "/" + name;
  ShardIndexBlob out;
  out.name = name;
  auto bytes = store.read(path, kMaxShardIndexBlob);
  if (!bytes.ok())
    return Error(std::move(bytes).error()).with_context(store.describe() + "/" + path);
  out.bytes = std::move(*bytes);
  ESSNAP_TRY(auto info,
             format::check_framed_blob(bytes_of(out.bytes), format::kCodecShardSnapshots));
  out.compression = info.compression;
  auto parsed = format::read_shard_snapshots(bytes_of(out.bytes));  // in the blob's order
  if (!parsed.ok()) return Error(std::move(parsed).error()).with_context(path);
  out.parsed = std::move(*parsed);
  return out;
}

std::set<std::string> entry_names(const format::ShardSnapshots& s) {
  std::set<std::string> out;
  for (const auto& e : s.snapshots) out.insert(e.snapshot);
  return out;
}

// One blob to put into DST: copied from SRC's `path` to DST's `to` (the same path when empty;
// another only for a HASHED_PREFIX shard folder, which sits under each side's base path).
struct BlobCopy {
  std::string path;
  std::uint64_t size = 0;  // 0 when not known (metadata: small)
  std::string to;
  const std::string& dst() const { return to.empty() ? path : to; }
};

// What one changed shard needs, found by reading both shard indices and DST's shard folder.
struct ShardResult {
  std::string index_name;
  std::int64_t shard = 0;
  std::string dir;                      // SRC's shard folder (DST's when SRC lacks the index)
  std::string dst_dir;                  // DST's
  format::ShardGen gen;                 // for the new root
  std::optional<std::string> verbatim;  // SRC's index-<gen> copied as it is
  std::optional<std::pair<std::string, std::vector<std::uint8_t>>> written;  // name, bytes
  std::vector<BlobCopy> data;                                                // parts to copy
  std::vector<BlobCopy> metadata;  // shard snap-<uuid>.dat to copy
  std::uint64_t reused = 0;
  std::vector<std::string> deletes;  // after the root: superseded and no longer referenced
  // Blob paths only removed snapshots referenced, with the snapshot names (for Object Lock).
  std::map<std::string, std::set<std::string>> removed_only;
};

struct Plan {
  SyncPlan summary;
  RepositoryData root;
  std::vector<ShardResult> shards;
  std::vector<BlobCopy> metadata;  // index metadata, shard paths, root snap/meta
  std::vector<std::pair<std::string, std::string>> written;  // DST's own shard paths blobs
  std::vector<std::string> deletes;
  std::map<std::string, std::set<std::string>> removed_only;
  std::vector<std::string> added_names;
};

class Planner {
 public:
  // `dst_store`: DST as the sync writes it (a RepositoryView reaching DST's HASHED_PREFIX
  // folders under `dst_base`, the base path DST's engine will have: an S3 DST's prefix, none for
  // a directory).
  Planner(inspect::Repository& src, inspect::Repository* dst, blob::RepositoryView& dst_store,
          std::string dst_base, const SyncOptions& o)
      : src_(src), dst_(dst), dst_store_(dst_store), dst_base_(std::move(dst_base)), o_(o) {}

  // Which snapshots DST will hold: its own plus SRC's selected, minus retention's removals.
  Status choose(std::set<std::string>& final_uuids, std::vector<const RepoSnapshot*>& add,
                std::vector<std::string>& removed, SyncPlan& summary) {
    const RepositoryData& S = src_.data();
    const RepositoryData* D = dst_ ? &dst_->data() : nullptr;
    for (const auto& s : S.snapshots) {
      bool picked = o_.snapshots.empty();
      for (const auto& g : o_.snapshots) picked = picked || util::glob_match(g, s.name);
      if (!picked) continue;
      if (s.state && *s.state == format::RepoSnapshotState::kInProgress) {
        summary.skipped.push_back(s.name + ": in progress");
        continue;
      }
      if (D) {
        if (const RepoSnapshot* d = D->snapshot_by_name(s.name)) {
          if (d->uuid != s.uuid)
            return make_error(ErrorCode::kConflict,
                              "DST " + dst_->container().describe() + " holds a snapshot named " +
                                  s.name + " with uuid " + d->uuid + ", SRC's has uuid " + s.uuid +
                                  ": they are different snapshots; nothing was written",
                              "sync into another (empty) location, or leave it out with "
                              "--snapshots");
          continue;  // already there
        }
        if (const RepoSnapshot* d = D->snapshot_by_uuid(s.uuid); d && d->name != s.name)
          return make_error(ErrorCode::kConflict, "DST holds snapshot uuid " + s.uuid + " as " +
                                                      d->name + ", SRC as " + s.name +
                                                      "; nothing was written");
      }
      // OpenSearch's shallow copies keep their data in the remote store, not the repository.
      ESSNAP_TRY(auto info, src_.snapshot_info(s));
      if (info.remote_store_index_shallow_copy) {
        summary.skipped.push_back(s.name +
                                  ": a shallow copy (its data lives in OpenSearch's remote store, "
                                  "not in the repository)");
        continue;
      }
      add.push_back(&s);
    }
    // Index ids must agree: one name, one id in a repository.
    if (D) {
      for (const RepoSnapshot* s : add)
        for (const RepoIndex* i : src_.indices_of(*s))
          if (const RepoIndex* d = D->index_by_name(i->name); d && d->id != i->id)
            return make_error(ErrorCode::kConflict,
                              "index " + i->name + " has id " + i->id + " in SRC but " + d->id +
                                  " in DST (it was deleted and created again in SRC while DST "
                                  "still holds the old one's snapshots); nothing was written",
                              "leave snapshot " + s->name +
                                  " out with --snapshots, or let DST's "
                                  "retention remove the old ones first");
    }
    if (D)
      for (const auto& s : D->snapshots) final_uuids.insert(s.uuid);
    for (const RepoSnapshot* s : add) final_uuids.insert(s->uuid);
    if (o_.retention) {
      std::vector<retention::Candidate> cands;
      for (const auto& uuid : final_uuids) {
        const RepoSnapshot* s = D ? D->snapshot_by_uuid(uuid) : nullptr;
        inspect::Repository* from = dst_;
        if (!s) s = S.snapshot_by_uuid(uuid), from = &src_;
        retention::Candidate c;
        c.name = s->name;
        std::optional<std::int64_t> start = s->start_time_millis;
        if (!start) {  // before 7.14 the root has no times: the snapshot's own blob has
          ESSNAP_TRY(auto info, from->snapshot_info(*s));
          start = info.start_time;
        }
        c.time = Clock::time_point(std::chrono::milliseconds(start.value_or(0)));
        c.state = cluster::make_snapshot_state(!s->state ? cluster::SnapshotStateKind::kSuccess
                                               : *s->state == format::RepoSnapshotState::kSuccess
                                                   ? cluster::SnapshotStateKind::kSuccess
                                               : *s->state == format::RepoSnapshotState::kPartial
                                                   ? cluster::SnapshotStateKind::kPartial
                                               : *s->state == format::RepoSnapshotState::kFailed
                                                   ? cluster::SnapshotStateKind::kFailed
                                                   : cluster::SnapshotStateKind::kUnknown);
        cands.push_back(std::move(c));
      }
      ESSNAP_TRY(auto decisions,
                 retention::apply_policy(cands, *o_.retention, o_.now ? o_.now() : Clock::now()));
      for (const auto& d : decisions)
        if (d.action == retention::Action::kRemove) removed.push_back(d.snapshot.name);
    }
    return ok_status();
  }

  // The whole plan for a final set of snapshot uuids.
  Result<Plan> plan(const std::set<std::string>& final_uuids,
                    const std::vector<const RepoSnapshot*>& add) {
    const RepositoryData& S = src_.data();
    const RepositoryData* D = dst_ ? &dst_->data() : nullptr;
    Plan p;
    p.summary.src_generation = src_.generation();
    if (dst_) p.summary.dst_generation = dst_->generation();
    p.summary.new_generation = dst_ ? dst_->generation() + 1 : 0;
    std::set<std::string> added_uuids;
    for (const RepoSnapshot* s : add)
      if (final_uuids.count(s->uuid)) added_uuids.insert(s->uuid), p.added_names.push_back(s->name);

    // The new root: SRC's (its fields, format and extras) with DST's snapshot list.
    RepositoryData& N = p.root;
    N = S;
    N.snapshots.clear();
    N.indices.clear();
    N.index_metadata_identifiers.clear();
    if (D) {
      for (const auto& s : D->snapshots)
        if (final_uuids.count(s.uuid))
          N.snapshots.push_back(s), p.summary.kept.push_back(s.name);
        else
          p.summary.remove.push_back(s.name);
    }
    for (const RepoSnapshot* s : add)
      if (added_uuids.count(s->uuid)) N.snapshots.push_back(*s), p.summary.add.push_back(s->name);
    N.uuid = D && D->uuid ? D->uuid : (S.uuid ? std::optional(random_base64_uuid()) : std::nullopt);
    if (D && !S.cluster_id && D->cluster_id) N.cluster_id = D->cluster_id;
    std::set<std::string> identifiers;
    for (const auto& s : N.snapshots)
      for (const auto& [id, ident] : s.index_metadata_lookup) identifiers.insert(ident);
    for (const auto& ident : identifiers) {
      auto it = S.index_metadata_identifiers.find(ident);
      if (it != S.index_metadata_identifiers.end()) {
        N.index_metadata_identifiers[ident] = it->second;
      } else if (D) {
        auto dt = D->index_metadata_identifiers.find(ident);
        if (dt != D->index_metadata_identifiers.end())
          N.index_metadata_identifiers[ident] = dt->second;
      }
    }

    // Indices in DST's order, then SRC's new ones.
    std::vector<std::string> names;
    std::set<std::string> seen;
    if (D)
      for (const auto& i : D->indices)
        if (seen.insert(i.name).second) names.push_back(i.name);
    for (const auto& i : S.indices)
      if (seen.insert(i.name).second) names.push_back(i.name);

    struct Todo {
      std::string name;
      std::int64_t shard;
    };
    std::vector<Todo> todo;
    std::map<std::string, RepoIndex> next;  // by name
    for (const auto& name : names) {
      const RepoIndex* di = D ? D->index_by_name(name) : nullptr;
      const RepoIndex* si = S.index_by_name(name);
      RepoIndex entry = di ? *di : *si;
      entry.snapshots.clear();
      for (const auto& s : N.snapshots) {
        const bool in_d = di && std::count(di->snapshots.begin(), di->snapshots.end(), s.uuid);
        const bool in_s = si && !in_d && added_uuids.count(s.uuid) &&
                          std::count(si->snapshots.begin(), si->snapshots.end(), s.uuid);
        if (in_d || in_s) entry.snapshots.push_back(s.uuid);
      }
      if (entry.snapshots.empty()) {
        if (di) ESSNAP_TRY_STATUS(drop_index(*di, p));
        continue;
      }
      if (di && std::set(entry.snapshots.begin(), entry.snapshots.end()) ==
                    std::set(di->snapshots.begin(), di->snapshots.end())) {
        ++p.summary.indices_unchanged;  // nothing to read or write: DST's entry as it is
        next[name] = std::move(entry);
        continue;
      }
      ++p.summary.indices_changed;
      ESSNAP_TRY(std::int64_t shards, shard_count(di, si, N));
      if (si && (!di || si->has_shard_generations)) {
        entry.has_shard_generations = si->has_shard_generations;
        entry.shard_path_type = si->shard_path_type;
      }
      entry.shard_generations.assign(entry.has_shard_generations ? shards : 0, format::ShardGen{});
      for (std::int64_t k = 0; k < shards; ++k) todo.push_back({name, k});
      next[name] = std::move(entry);
      // Index metadata of the added snapshots, and OpenSearch's shard paths blob.
      if (si) {
        for (const auto& s : N.snapshots) {
          if (!added_uuids.count(s.uuid)) continue;
          if (!std::count(si->snapshots.begin(), si->snapshots.end(), s.uuid)) continue;
          ESSNAP_TRY(std::string path, src_.index_metadata_path(s, *si));
          if (!dst_has_metadata(s, *si)) p.metadata.push_back({path, 0, ""});
        }
        if (!di && si->shard_path_type && *si->shard_path_type != 0)
          ESSNAP_TRY_STATUS(add_shard_paths_blob(*si, p));
      }
    }
    // Root-level blobs of the added snapshots.
    for (const auto& s : N.snapshots) {
      if (!added_uuids.count(s.uuid)) continue;
      p.metadata.push_back({inspect::Repository::global_metadata_path(s), 0, ""});
      p.metadata.push_back({inspect::Repository::snapshot_info_path(s), 0, ""});
    }
    // Root-level blobs of removed snapshots, and index metadata nothing references any more.
    if (D) {
      for (const auto& s : D->snapshots) {
        if (final_uuids.count(s.uuid)) continue;
        for (auto path : {inspect::Repository::snapshot_info_path(s),
                          inspect::Repository::global_metadata_path(s)}) {
          p.deletes.push_back(path);
          p.removed_only[path].insert(s.name);
        }
        for (const RepoIndex* i : dst_->indices_of(s)) {
          auto path = dst_->index_metadata_path(s, *i);
          if (!path.ok()) continue;
          bool still = false;
          for (const auto& k : N.snapshots)
            if (auto ip = next.find(i->name);
                ip != next.end() &&
                std::count(ip->second.snapshots.begin(), ip->second.snapshots.end(), k.uuid)) {
              auto kp = D->snapshot_by_uuid(k.uuid) ? dst_->index_metadata_path(k, *i)
                                                    : src_.index_metadata_path(k, *i);
              if (kp.ok() && *kp == *path) still = true;
            }
          if (!still) {
            p.deletes.push_back(*path);
            p.removed_only[*path].insert(s.name);
          }
        }
      }
    }

    // Changed shards, read in parallel.
    p.shards.resize(todo.size());
    std::set<std::string> removed_names(p.summary.remove.begin(), p.summary.remove.end());
    ESSNAP_TRY_STATUS(util::run_pool(
        todo.size(), o_.concurrency,
        [&](std::size_t i) -> Status {
          const RepoIndex& entry = next.at(todo[i].name);
          ESSNAP_TRY(p.shards[i], analyse_shard(entry, todo[i].shard, N, added_uuids));
          return ok_status();
        },
        o_.interrupted));
    for (auto& r : p.shards) {
      RepoIndex& entry = next.at(r.index_name);
      if (entry.has_shard_generations)
        entry.shard_generations[static_cast<std::size_t>(r.shard)] = r.gen;
      p.summary.blobs_to_copy += r.data.size();
      for (const auto& c : r.data) p.summary.bytes_to_copy += c.size;
      p.summary.blobs_reused += r.reused;
      p.summary.metadata_blobs += r.metadata.size() + (r.verbatim || r.written ? 1 : 0);
      for (auto& [path, who] : r.removed_only) p.removed_only[path].insert(who.begin(), who.end());
    }
    p.summary.shards_changed = p.shards.size();
    p.summary.metadata_blobs +=
        p.metadata.size() + p.written.size() + 2;  // + root and index.latest
    for (const auto& name : names)
      if (auto it = next.find(name); it != next.end()) N.indices.push_back(std::move(it->second));
    return p;
  }

 private:
  Result<std::int64_t> shard_count(const RepoIndex* di, const RepoIndex* si,
                                   const RepositoryData& N) {
    if (si && si->has_shard_generations) return std::int64_t(si->shard_generations.size());
    if (di && di->has_shard_generations) return std::int64_t(di->shard_generations.size());
    // Before 7.6: the index metadata of one of its snapshots says.
    const RepoIndex* any = si ? si : di;
    inspect::Repository& repo = si ? src_ : *dst_;
    for (const auto& s : N.snapshots)
      if (std::count(any->snapshots.begin(), any->snapshots.end(), s.uuid)) {
        ESSNAP_TRY(auto meta, repo.index_metadata(s, *any));
        return meta.number_of_shards;
      }
    return make_error(ErrorCode::kParse, "index " + any->name +
                                             " has no snapshot to read its "
                                             "shard count from");
  }

  // DST's root already references this index metadata blob (7.9+: blobs are shared by
  // identifier; before, each snapshot has its own).
  bool dst_has_metadata(const RepoSnapshot& s, const RepoIndex& si) {
    if (!dst_) return false;
    const RepositoryData& D = dst_->data();
    auto lookup = s.index_metadata_lookup.find(si.id);
    if (lookup == s.index_metadata_lookup.end()) return false;
    return D.index_metadata_identifiers.count(lookup->second) && D.index_by_id(si.id);
  }

  // SRC's paths blob under its name, its paths as DST's engine has them: each folder's hash
  // as SRC's names it, DST's base path (the engine finds shard folders by computing them, and
  // essnap by reading this blob: it must name DST's, never SRC's).
  Status add_shard_paths_blob(const RepoIndex& si, Plan& p) {
    ESSNAP_TRY(auto l, src_.container().list(format::kShardPathsFolder));
    for (const auto& b : l.blobs) {
      auto n = format::parse_shard_paths_name(b.name);
      if (!n || n->index_id != si.id) continue;
      const std::string path = std::string(format::kShardPathsFolder) + "/" + b.name;
      ESSNAP_TRY(auto bytes, src_.container().read(path, 16 << 20));
      auto parsed = format::parse_shard_paths(
          {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()});
      if (!parsed.ok()) return Error(std::move(parsed).error()).with_context("SRC " + path);
      for (std::size_t k = 0; k < parsed->paths.size(); ++k) {
        auto f = format::parse_shard_folder(
            parsed->paths[k], static_cast<format::ShardPathType>(parsed->shard_path_type),
            static_cast<format::PathHashAlgorithm>(parsed->hash_algorithm), parsed->index_id,
            std::int64_t(k));
        if (!f.ok()) return Error(std::move(f).error()).with_context("SRC " + path);
        // SRC's folders carry a base path (an S3 repository's): DST's carry DST's; SRC's have
        // none (an fs location, or a bucket's root): neither have DST's.
        parsed->paths[k] =
            format::shard_folder(f->type, f->hash, f->base_path.empty() ? "" : dst_base_,
                                 parsed->index_id, std::int64_t(k));
      }
      p.written.push_back({path, format::write_shard_paths(*parsed)});
    }
    return ok_status();
  }

  // DST's folder of shard `k` of SRC's index `si`: the same hash, DST's base path.
  Result<std::string> dst_shard_dir(const RepoIndex& si, std::int64_t k,
                                    const std::string& src_dir) {
    if (!si.shard_path_type || *si.shard_path_type == 0) return src_dir;
    const auto type = static_cast<format::ShardPathType>(*si.shard_path_type);
    format::ShardFolder f;
    f.type = type;
    f.hash = src_dir.substr(0, src_dir.find('/'));
    // Inside SRC (no base path in its folders): inside DST. Beside SRC's prefix: beside DST's.
    if (type == format::ShardPathType::kHashedInfix || !src_.container().outside(src_dir))
      return src_dir;  // "<hash>/indices/..."
    f.base_path = dst_base_;
    const std::string root = dst_store_.root_in_container();
    ESSNAP_TRY(auto place, format::place_shard_folder(f, si.id, k, root));
    if (place.outside) ESSNAP_TRY_STATUS(dst_store_.reach(place.container, f.base_path));
    return place.path;
  }

  // An index DST held whose every snapshot goes: all of its blobs, after the root.
  Status drop_index(const RepoIndex& di, Plan& p) {
    std::set<std::string> who;
    for (const auto& s : dst_->data().snapshots)
      if (std::count(di.snapshots.begin(), di.snapshots.end(), s.uuid)) who.insert(s.name);
    std::set<std::string> dirs{"indices/" + di.id};
    if (di.shard_path_type && *di.shard_path_type != 0)
      for (std::size_t k = 0; k < di.shard_generations.size(); ++k)
        if (auto d = dst_->shard_dir(di, std::int64_t(k)); d.ok()) dirs.insert(*d);
    for (const auto& dir : dirs)
      ESSNAP_TRY_STATUS(dst_->container().walk(dir, [&](const blob::BlobInfo& b) {
        p.deletes.push_back(b.name);
        p.removed_only[b.name] = who;
        return ok_status();
      }));
    return ok_status();
  }

  Result<ShardResult> analyse_shard(const RepoIndex& entry, std::int64_t k, const RepositoryData& N,
                                    const std::set<std::string>& added_uuids) {
    const RepositoryData& S = src_.data();
    const RepositoryData* D = dst_ ? &dst_->data() : nullptr;
    const RepoIndex* si = S.index_by_name(entry.name);
    const RepoIndex* di = D ? D->index_by_name(entry.name) : nullptr;
    ShardResult r;
    r.index_name = entry.name;
    r.shard = k;
    ESSNAP_TRY(r.dir, si ? src_.shard_dir(*si, k) : dst_->shard_dir(*di, k));
    if (di) {
      ESSNAP_TRY(r.dst_dir, dst_->shard_dir(*di, k));
    } else {
      ESSNAP_TRY(r.dst_dir, dst_shard_dir(*si, k, r.dir));
    }
    blob::BlobStore& src = src_.container();
    blob::BlobStore* dst = &dst_store_;

    // DST's shard folder as it is: what an interrupted sync left, the legacy generations.
    std::map<std::string, std::uint64_t> present;
    {
      ESSNAP_TRY(auto l, dst->list(r.dst_dir));
      for (const auto& b : l.blobs) present[b.name] = b.size;
    }
    // The snapshots that need SRC's shard index: added ones holding this index.
    bool need_src = false;
    for (const auto& uuid : entry.snapshots) need_src = need_src || added_uuids.count(uuid);
    std::optional<ShardIndexBlob> sx, dx;
    blob::Listing src_listing;
    if (need_src && si) {
      if (!si->has_shard_generations) {
        ESSNAP_TRY(src_listing, src.list(r.dir));
      }
      if (auto name = src_.shard_index_blob(*si, k, src_listing)) {
        ESSNAP_TRY(sx, read_shard_index(src, r.dir, *name));
      }
    }
    if (di) {
      blob::Listing dl;
      for (const auto& [n, size] : present) dl.blobs.push_back({n, size});
      if (auto name = dst_->shard_index_blob(*di, k, dl)) {
        ESSNAP_TRY(dx, read_shard_index(*dst, r.dst_dir, *name));
      }
    }

    // The entries DST's new shard index lists, in the new root's snapshot order.
    std::set<std::string> keep_names;
    for (const auto& s : N.snapshots)
      if (std::count(entry.snapshots.begin(), entry.snapshots.end(), s.uuid))
        keep_names.insert(s.name);
    format::ShardSnapshots want;
    std::map<std::string, const format::FileInfo*> files;  // blob name -> info
    // DST's shard index files by blob name (one lookup each, not a scan: a shard has thousands).
    std::map<std::string, const format::FileInfo*> dst_files;
    if (dx)
      for (const auto& f : dx->parsed.files) dst_files.emplace(f.name, &f);
    std::set<std::string> added_here;
    for (const auto& s : N.snapshots) {
      if (!keep_names.count(s.name)) continue;
      const bool from_src = added_uuids.count(s.uuid) > 0;
      const ShardIndexBlob* from = from_src ? (sx ? &*sx : nullptr) : (dx ? &*dx : nullptr);
      if (!from) continue;
      auto e = std::find_if(from->parsed.snapshots.begin(), from->parsed.snapshots.end(),
                            [&](const auto& x) { return x.snapshot == s.name; });
      if (e == from->parsed.snapshots.end()) continue;  // not in this snapshot (PARTIAL)
      want.snapshots.push_back(*e);
      if (from_src) added_here.insert(s.uuid);
      const std::set<std::string> named(e->files.begin(), e->files.end());
      for (const auto& f : from->parsed.files)
        if (named.count(f.name) && !files.count(f.name)) {
          files[f.name] = &f;
          want.files.push_back(f);
        }
    }
    // Data parts the added snapshots need that DST lacks.
    for (const auto& [name, f] : files) {
      if (f->is_virtual()) continue;
      if (auto d = dst_files.find(name); d != dst_files.end() && d->second->length == f->length)
        continue;  // DST's root references it: trusted
      for (std::uint64_t i = 0; i < f->number_of_parts(); ++i) {
        const std::string part = f->part_name(i);
        auto it = present.find(part);
        if (it != present.end() && it->second == f->part_length(i)) {
          ++r.reused;  // left by an interrupted sync, and whole (puts are atomic)
          continue;
        }
        r.data.push_back({r.dir + "/" + part, f->part_length(i), r.dst_dir + "/" + part});
      }
    }
    for (const auto& s : N.snapshots)
      if (added_here.count(s.uuid) && !present.count("snap-" + s.uuid + ".dat"))
        r.metadata.push_back(
            {r.dir + "/snap-" + s.uuid + ".dat", 0, r.dst_dir + "/snap-" + s.uuid + ".dat"});

    // The shard index: SRC's as it is, DST's as it is, or a new one.
    const std::set<std::string> want_names = entry_names(want);
    const bool legacy = !entry.has_shard_generations;
    std::uint64_t dst_max_numeric = 0;
    bool has_numeric = false;
    for (const auto& [n, size] : present)
      if (auto g = format::shard_generation_from_name(n))
        dst_max_numeric = std::max(dst_max_numeric, *g), has_numeric = true;
    auto numeric_ok = [&](const std::string& name) {
      auto g = format::shard_generation_from_name(name);
      return !legacy || !has_numeric || (g && *g >= dst_max_numeric);
    };
    if (dx && entry_names(dx->parsed) == want_names && numeric_ok(dx->name)) {
      r.gen = format::ShardGen{format::ShardGen::Kind::kValue, dx->name.substr(6)};
    } else if (sx && entry_names(sx->parsed) == want_names &&
               (!legacy || !has_numeric ||
                format::shard_generation_from_name(sx->name).value_or(0) > dst_max_numeric)) {
      r.verbatim = sx->name;
      r.gen = format::ShardGen{format::ShardGen::Kind::kValue, sx->name.substr(6)};
      if (present.count(sx->name)) r.verbatim.reset();  // already copied by an earlier run
    } else {
      const auto compression = sx   ? sx->compression
                               : dx ? dx->compression
                                    : format::Compression::kDeflate;
      std::string gen =
          legacy ? std::to_string(has_numeric ? dst_max_numeric + 1 : 0) : random_base64_uuid();
      r.written = {"index-" + gen, format::write_shard_snapshots(want, compression)};
      r.gen = format::ShardGen{format::ShardGen::Kind::kValue, gen};
    }
    if (format::shard_generation_from_name("index-" + r.gen.value))
      r.gen.kind = format::ShardGen::Kind::kNumeric;
    // After the root: DST's superseded shard index, and what only removed snapshots held.
    if (dx && dx->name != "index-" + r.gen.value) r.deletes.push_back(r.dst_dir + "/" + dx->name);
    if (dx) {
      std::set<std::string> still;
      for (const auto& e : want.snapshots) still.insert(e.files.begin(), e.files.end());
      for (const auto& e : dx->parsed.snapshots) {
        if (want_names.count(e.snapshot)) continue;
        const RepoSnapshot* gone = D->snapshot_by_name(e.snapshot);
        if (gone) {
          const std::string snap = r.dst_dir + "/snap-" + gone->uuid + ".dat";
          r.deletes.push_back(snap);
          r.removed_only[snap].insert(e.snapshot);
        }
        for (const auto& name : e.files) {
          if (still.count(name)) continue;
          auto found = dst_files.find(name);
          if (found == dst_files.end() || found->second->is_virtual()) continue;
          const format::FileInfo* f = found->second;
          for (std::uint64_t i = 0; i < f->number_of_parts(); ++i) {
            const std::string path = r.dst_dir + "/" + f->part_name(i);
            r.deletes.push_back(path);
            r.removed_only[path].insert(e.snapshot);
          }
        }
      }
    }
    std::sort(r.deletes.begin(), r.deletes.end());
    r.deletes.erase(std::unique(r.deletes.begin(), r.deletes.end()), r.deletes.end());
    return r;
  }

  inspect::Repository& src_;
  inspect::Repository* dst_;
  blob::RepositoryView& dst_store_;
  std::string dst_base_;
  const SyncOptions& o_;
};

// Copies one blob SRC -> DST under the same path: server-side where DST can, else streamed
// through (bounded memory: the store's part buffer), within --limit-upload.
class Copier {
 public:
  Copier(blob::BlobStore& src, blob::BlobStore& dst, const SyncOptions& o)
      : src_(src), dst_(dst), o_(o), limiter_(o.limit_upload_bytes_per_second) {
    server_side_ = o.server_side_copy && dst.can_copy_from(src);
  }

  Status copy(const BlobCopy& c) {
    if (limiter_.enabled() && c.size > 0 && !limiter_.acquire(c.size, o_.interrupted))
      return make_error(ErrorCode::kInterrupted, "interrupted");
    if (server_side_.load()) {
      Status st = dst_.copy_from(src_, c.path, c.dst(), c.size);
      if (st.ok()) {
        ++server_side_copies;
        return st;
      }
      const Error& e = st.error();
      if (!(e.code == ErrorCode::kRemote && e.remote &&
            (e.remote->http_status == 403 || e.remote->http_status == 501)))
        return st;
      server_side_ = false;  // DST's credentials cannot read SRC: stream the rest
    }
    Status st = dst_.put_stream(c.dst(), [&](const blob::ChunkSink& sink) -> Status {
      return src_.stream(c.path, [&](std::string_view chunk) -> Status {
        if (limiter_.enabled() && c.size == 0 && !limiter_.acquire(chunk.size(), o_.interrupted))
          return make_error(ErrorCode::kInterrupted, "interrupted");
        return sink(chunk);
      });
    });
    if (st.ok()) ++streamed_copies;
    return st;
  }

  std::atomic<std::uint64_t> server_side_copies{0};
  std::atomic<std::uint64_t> streamed_copies{0};

 private:
  blob::BlobStore& src_;
  blob::BlobStore& dst_;
  const SyncOptions& o_;
  util::RateLimiter limiter_;
  std::atomic<bool> server_side_{false};
};

// SRC's root generation now (the listing's highest index-N).
Result<std::optional<std::uint64_t>> root_generation(blob::BlobStore& store) {
  ESSNAP_TRY(auto l, store.list(""));
  std::optional<std::uint64_t> best;
  for (const auto& b : l.blobs)
    if (auto g = format::root_generation_from_name(b.name); g && (!best || *g > *best)) best = g;
  return best;
}

// The base path DST's hashed folders get when SRC's carry one (SRC is an S3 repository with a
// base_path): an S3 DST's prefix (as `essnap setup` and `repo register --base-path` register
// it), none for a directory (its own fs location). SRC folders without a base path (an fs
// location, a bucket's root) stay without one in DST: the same layout relative to DST's root.
std::string natural_base_path(const blob::BlobStore& dst) {
  if (dynamic_cast<const blob::LocalStore*>(&dst)) return "";
  return dst.root_in_container();
}

class Syncer {
 public:
  // DST is written through a RepositoryView: HASHED_PREFIX shard folders go beside its prefix.
  Syncer(blob::BlobStore& src, blob::BlobStore& dst, const SyncOptions& o)
      : src_(src), dst_view_(dst), dst_(dst_view_), dst_base_(natural_base_path(dst)), o_(o) {}

  // One attempt from SRC's current root; nullopt when SRC changed under it and a snapshot it
  // copies went: the caller starts again.
  Result<std::optional<SyncReport>> once(SyncReport& report) {
    auto sr = inspect::Repository::open(src_);
    if (!sr.ok()) return Error(std::move(sr).error()).with_context("SRC");
    std::unique_ptr<inspect::Repository> dr;
    if (auto d = inspect::Repository::open(dst_); d.ok()) {
      dr = std::move(*d);
    } else if (d.error().code == ErrorCode::kNotFound) {
      // Empty, or what a first sync killed before its root left (snap-/meta- blobs, folders).
      ESSNAP_TRY(auto l, dst_.list(""));
      bool foreign = false;
      for (const auto& b : l.blobs)
        foreign = foreign || !((b.name.rfind("snap-", 0) == 0 || b.name.rfind("meta-", 0) == 0) &&
                               b.name.ends_with(".dat"));
      if (foreign)
        return make_error(ErrorCode::kInvalidArgument,
                          "DST " + dst_.describe() +
                              " holds files but is not a snapshot repository (no root index-N); "
                              "nothing was written",
                          "give an empty location, or an earlier sync's DST");
    } else if (d.error().code == ErrorCode::kParse) {
      // A root essnap cannot read is not one it wrote: another writer's, or damage. Never
      // written over.
      Error e = std::move(d).error();
      return make_error(ErrorCode::kConflict,
                        "DST " + dst_.describe() + ": " + e.message +
                            "; it is not a root essnap wrote (another writer?), and nothing was "
                            "written",
                        "check DST with 'essnap inspect verify " + dst_.describe() +
                            "'; only essnap may write to a sync's DST");
    } else {
      return Error(std::move(d).error()).with_context("DST");
    }
    Planner planner(**sr, dr.get(), dst_view_, dst_base_, o_);
    std::set<std::string> final_uuids;
    std::vector<const RepoSnapshot*> add;
    std::vector<std::string> removed;
    SyncPlan chosen;
    ESSNAP_TRY_STATUS(planner.choose(final_uuids, add, removed, chosen));
    auto uuid_of = [&](const std::string& name) -> std::string {
      if (dr)
        if (auto s = dr->data().snapshot_by_name(name)) return s->uuid;
      auto s = (*sr)->data().snapshot_by_name(name);
      return s ? s->uuid : std::string();
    };
    for (const auto& n : removed) final_uuids.erase(uuid_of(n));
    ESSNAP_TRY(Plan plan, planner.plan(final_uuids, add));
    // Object Lock: a snapshot whose blobs are still locked stays in DST until they are not.
    if (o_.check_locks && !plan.removed_only.empty()) {
      std::map<std::string, Clock::time_point> hold;
      for (const auto& [path, who] : plan.removed_only) {
        ESSNAP_TRY(auto until, dst_.locked_until(path));
        if (!until || *until <= Clock::now()) continue;
        for (const auto& n : who) hold[n] = std::max(hold[n], *until);
      }
      if (!hold.empty()) {
        for (const auto& [n, until] : hold) final_uuids.insert(uuid_of(n));
        ESSNAP_TRY(plan, planner.plan(final_uuids, add));
        for (const auto& [n, until] : hold)
          plan.summary.held.push_back(
              {n, until == Clock::time_point::max() ? "legal hold" : aws::format_iso8601(until)});
      }
    }
    plan.summary.skipped.insert(plan.summary.skipped.end(), chosen.skipped.begin(),
                                chosen.skipped.end());
    report.plan = plan.summary;
    if (o_.dry_run) return std::optional<SyncReport>(report);
    if (plan.summary.up_to_date()) {
      // A sync killed between its root and index.latest: the root is there, index.latest is not.
      if (dr && dr->index_latest() != dr->generation()) {
        ESSNAP_TRY_STATUS(dst_.put("index.latest", format::write_index_latest(dr->generation())));
        report.notes.push_back(
            "index.latest named generation " +
            (dr->index_latest() ? std::to_string(*dr->index_latest()) : std::string("none")) +
            "; set to " + std::to_string(dr->generation()));
      }
      return std::optional<SyncReport>(report);
    }
    Copier copier((*sr)->container(), dst_, o_);
    auto went = execute(plan, **sr, copier, report);
    report.server_side_copies += copier.server_side_copies.load();
    report.streamed_copies += copier.streamed_copies.load();
    if (!went.ok()) return std::move(went).error();
    const bool went_on = *went;
    if (!went_on) return std::optional<SyncReport>();
    return std::optional<SyncReport>(report);
  }

 private:
  void progress(const std::string& state, std::uint64_t done, std::uint64_t total,
                std::uint64_t bytes_done, std::uint64_t bytes_total) {
    if (!o_.progress) return;
    util::ProgressEvent e;
    e.operation = "sync";
    e.subject = dst_.describe();
    e.state = state;
    e.done = done;
    e.total = total;
    e.unit = "blobs";
    e.bytes_done = bytes_done;
    e.bytes_total = bytes_total;
    e.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started_);
    util::set_byte_rate(e);
    util::report(o_.progress, e);
  }

  Status copy_all(Copier& copier, const std::vector<BlobCopy>& blobs, const std::string& state,
                  SyncReport& report, bool data) {
    std::atomic<std::uint64_t> done{0}, bytes{0};
    std::uint64_t total_bytes = 0;
    for (const auto& b : blobs) total_bytes += b.size;
    std::mutex mu;
    Status st = util::run_pool(
        blobs.size(), o_.concurrency,
        [&](std::size_t i) -> Status {
          ESSNAP_TRY_STATUS(copier.copy(blobs[i]));
          const auto n = ++done;
          bytes += blobs[i].size;
          if (data && o_.crash_at == CrashPoint::kAfterBlobs && n >= o_.crash_after_blobs)
            std::raise(SIGKILL);
          std::lock_guard<std::mutex> l(mu);
          progress(state, n, blobs.size(), bytes.load(), total_bytes);
          return ok_status();
        },
        o_.interrupted);
    if (data) report.blobs_copied += done.load(), report.bytes_copied += bytes.load();
    return st;
  }

  // false: SRC changed and a snapshot being copied went (start again).
  Result<bool> execute(Plan& plan, inspect::Repository& src_repo, Copier& copier,
                       SyncReport& report) {
    auto gone_from_src = [&](const Error& e) -> Result<bool> {
      if (e.code != ErrorCode::kNotFound) return false;
      ESSNAP_TRY(auto g, root_generation(src_));
      return !g || *g != src_repo.generation();
    };
    auto step = [&](Status st) -> Result<bool> {  // true: go on
      if (st.ok()) return true;
      ESSNAP_TRY(bool changed, gone_from_src(st.error()));
      if (changed) return false;
      return st.error();
    };
    // 1. data
    std::vector<BlobCopy> data;
    for (const auto& s : plan.shards) data.insert(data.end(), s.data.begin(), s.data.end());
    ESSNAP_TRY(bool ok1, step(copy_all(copier, data, "data", report, true)));
    if (!ok1) return false;
    // 2. shard-level metadata, then each shard's index
    std::vector<BlobCopy> shard_meta, shard_index;
    for (const auto& s : plan.shards) {
      shard_meta.insert(shard_meta.end(), s.metadata.begin(), s.metadata.end());
      if (s.verbatim)
        shard_index.push_back({s.dir + "/" + *s.verbatim, 0, s.dst_dir + "/" + *s.verbatim});
    }
    ESSNAP_TRY(bool ok2, step(copy_all(copier, shard_meta, "shard metadata", report, false)));
    if (!ok2) return false;
    ESSNAP_TRY(bool ok3, step(copy_all(copier, shard_index, "shard indices", report, false)));
    if (!ok3) return false;
    std::vector<const ShardResult*> writes;
    for (const auto& s : plan.shards)
      if (s.written) writes.push_back(&s);
    ESSNAP_TRY_STATUS(util::run_pool(
        writes.size(), o_.concurrency,
        [&](std::size_t i) -> Status {
          const auto& [name, bytes] = *writes[i]->written;
          return dst_.put(
              writes[i]->dst_dir + "/" + name,
              std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
        },
        o_.interrupted));
    // 3. index metadata, shard paths, root snap/meta
    ESSNAP_TRY(bool ok4, step(copy_all(copier, plan.metadata, "metadata", report, false)));
    if (!ok4) return false;
    for (const auto& [path, bytes] : plan.written) ESSNAP_TRY_STATUS(dst_.put(path, bytes));
    // SRC still holds every snapshot copied? (one deleted meanwhile may have lost blobs we
    // were about to read; what arrived is whole, but the snapshot is not copied half)
    ESSNAP_TRY(auto now_gen, root_generation(src_));
    if (!now_gen || *now_gen != src_repo.generation()) {
      auto again = inspect::Repository::open(src_);
      if (!again.ok()) return false;
      for (const auto& name : plan.added_names)
        if (!(*again)->data().snapshot_by_name(name)) {
          report.notes.push_back("snapshot " + name +
                                 " was deleted from SRC during the sync: not copied");
          return false;
        }
    }
    // 4. the root, conditionally, then index.latest
    crash_if(o_, CrashPoint::kBeforeRoot);
    ESSNAP_TRY(auto dst_gen, root_generation(dst_));
    const std::uint64_t expected = plan.summary.dst_generation ? *plan.summary.dst_generation : 0;
    if ((plan.summary.dst_generation && (!dst_gen || *dst_gen != expected)) ||
        (!plan.summary.dst_generation && dst_gen))
      return make_error(
          ErrorCode::kConflict,
          "DST " + dst_.describe() + " changed during the sync: its newest root is " +
              (dst_gen ? "index-" + std::to_string(*dst_gen) : "gone") + ", expected " +
              (plan.summary.dst_generation ? "index-" + std::to_string(expected) : "none") +
              " (another writer?); the new root was not written, nothing "
              "was overwritten",
          "make sure only essnap writes to DST (register it read-only in clusters)");
    const std::string root_name = "index-" + std::to_string(plan.summary.new_generation);
    Status put = dst_.put_if_absent(root_name, format::write_repository_data(plan.root));
    if (!put.ok()) {
      Error e = std::move(put).error();
      if (e.code == ErrorCode::kConflict)
        e.message = "DST " + dst_.describe() + "/" + root_name +
                    " already exists (written by another writer during the sync); nothing was "
                    "overwritten";
      return e;
    }
    crash_if(o_, CrashPoint::kBeforeLatest);
    ESSNAP_TRY_STATUS(
        dst_.put("index.latest", format::write_index_latest(plan.summary.new_generation)));
    // 5. after the root: what nothing references any more
    std::vector<std::string> deletes = plan.deletes;
    for (const auto& s : plan.shards)
      deletes.insert(deletes.end(), s.deletes.begin(), s.deletes.end());
    ESSNAP_TRY(auto root_listing, dst_.list(""));
    for (const auto& b : root_listing.blobs)
      if (auto g = format::root_generation_from_name(b.name);
          g && plan.summary.dst_generation && *g < *plan.summary.dst_generation)
        deletes.push_back(b.name);
    std::sort(deletes.begin(), deletes.end());
    deletes.erase(std::unique(deletes.begin(), deletes.end()), deletes.end());
    if (o_.check_locks) {
      std::vector<std::string> unlocked;
      for (const auto& d : deletes) {
        auto until = dst_.locked_until(d);
        if (until.ok() && (!*until || **until <= Clock::now())) unlocked.push_back(d);
      }
      deletes.swap(unlocked);
    }
    if (!deletes.empty()) {
      Status rm = dst_.remove(deletes);
      if (!rm.ok())
        report.notes.push_back("cleaning up after the new root: " + rm.error().message +
                               " (harmless: the next sync tries again)");
      else
        report.blobs_deleted += deletes.size();
    }
    return true;
  }

  blob::BlobStore& src_;
  blob::RepositoryView dst_view_;
  blob::BlobStore& dst_;  // dst_view_
  std::string dst_base_;
  const SyncOptions& o_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace

std::string random_base64_uuid() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  std::uint8_t b[16];
  for (int i = 0; i < 16; i += 8) {
    const std::uint64_t v = rng();
    for (int j = 0; j < 8; ++j) b[i + j] = static_cast<std::uint8_t>(v >> (8 * j));
  }
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::uint8_t c : b) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 0x3f]);
  return out;
}

Result<SyncReport> sync_repository(blob::BlobStore& src, blob::BlobStore& dst,
                                   const SyncOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  SyncReport report;
  report.dry_run = options.dry_run;
  Syncer syncer(src, dst, options);
  for (int attempt = 0;; ++attempt) {
    ESSNAP_TRY(auto done, syncer.once(report));
    if (done) break;
    if (attempt + 1 >= kMaxRestarts)
      return make_error(ErrorCode::kConflict,
                        "SRC " + src.describe() + " kept changing during the sync (" +
                            std::to_string(kMaxRestarts) +
                            " attempts); DST is unchanged at its previous generation",
                        "run it again when SRC is quieter (after the snapshot or delete)");
    ++report.restarts;
  }
  if (!options.dry_run && !report.plan.up_to_date()) {
    inspect::VerifyOptions v;
    v.snapshots = report.plan.add;
    v.read_data = options.verify_data ? inspect::ReadData::kYes : inspect::ReadData::kNo;
    v.concurrency = options.concurrency;
    v.interrupted = options.interrupted;
    if (!v.snapshots.empty()) {  // a sync that only removed references nothing new
      ESSNAP_TRY(auto checked, inspect::verify(dst, v));
      report.verified_snapshots = checked.snapshots.size();
      if (!checked.intact()) {
        const auto& p = checked.problems.front();
        return make_error(ErrorCode::kIncomplete,
                          "DST " + dst.describe() + " failed its check after the sync: " +
                              std::to_string(checked.problems.size()) + " problem(s), the first " +
                              p.path + ": " + p.problem,
                          "run 'essnap inspect verify " + dst.describe() + "' for all of them");
      }
      report.notes.insert(report.notes.end(), checked.notes.begin(), checked.notes.end());
    }
  }
  report.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  return report;
}

Result<Destination> open_destination(const std::string& where, blob::OpenOptions options,
                                     int lock_days, const std::string& lock_mode) {
  if (lock_days > 0) {
    options.write.object_lock_mode = lock_mode;
    options.write.object_lock_days = lock_days;
  }
  Destination d;
  ESSNAP_TRY(d.store, blob::open_blob_store(where, blob::Access::kWrite, options));
  if (!blob::is_s3_uri(where)) return d;
  auto* s3 = dynamic_cast<blob::S3Store*>(d.store.get());
  if (!s3) return Error(ErrorCode::kInternal, "an s3:// DST opened as another store");
  ESSNAP_TRY(auto lock, s3->object_lock_configuration());
  if (lock_days > 0 && !lock.enabled)
    return Error(ErrorCode::kInvalidArgument,
                 "Object Lock retention was asked for, but the DST bucket does not have Object "
                 "Lock enabled",
                 "Object Lock is chosen when a bucket is created (aws s3api create-bucket "
                 "--object-lock-enabled-for-bucket); sync into such a bucket, or ask for no "
                 "Object Lock retention");
  d.object_lock = lock.enabled;
  if (lock.enabled) {
    // A lock bucket is versioned: a plain delete only hides a blob (its bytes stay, billed), so
    // deletes remove every version; a default retention needs Content-MD5 on every write.
    options.delete_versions = true;
    options.content_md5 = !lock.default_mode.empty();
    ESSNAP_TRY(d.store, blob::open_blob_store(where, blob::Access::kWrite, options));
  }
  return d;
}

}  // namespace essnap::sync
