#include "essnap/inspect/scan.hpp"

#include <atomic>
#include <mutex>

#include "essnap/format/framing.hpp"
#include "essnap/format/shallow_snapshot.hpp"
#include "essnap/util/work_pool.hpp"

namespace essnap::inspect {
namespace {

std::vector<std::string> names_of(const std::vector<const format::RepoIndex*>& v) {
  std::vector<std::string> out;
  for (const auto* i : v) out.push_back(i->name);
  return out;
}

// A damage-or-fatal split: damage goes to the hook, anything else stops the scan.
Status report(const ScanHooks& h, const Error& e, const std::string& path,
              std::vector<std::string> snapshots, std::vector<std::string> indices) {
  if (!is_damage(e)) return e;
  if (h.damage) h.damage(path, e.message, std::move(snapshots), std::move(indices));
  return ok_status();
}

}  // namespace

Result<ScanResult> scan(Repository& repo, const std::vector<const format::RepoSnapshot*>& selection,
                        int concurrency, const ScanHooks& hooks,
                        const std::function<Status(ShardScan&)>& visit) {
  ScanResult out;
  out.snapshots.resize(selection.size());
  const auto mark = [&](const std::string& path) {
    if (hooks.metadata_read) hooks.metadata_read(path);
  };

  // (0) the root's own references: a snapshot's index_metadata_lookup naming an index id the
  // root does not list (RepositoryData cannot resolve it: the engines fail to load the root).
  for (const format::RepoSnapshot* s : selection)
    for (const auto& [id, ident] : s->index_metadata_lookup)
      if (!repo.data().index_by_id(id))
        ESSNAP_TRY_STATUS(
            report(hooks,
                   make_error(ErrorCode::kParse, "root " + repo.root_index_path() + ": snapshot " +
                                                     s->name + " names index id " + id +
                                                     " in index_metadata_lookup, which the root's "
                                                     "indices lack"),
                   repo.root_index_path(), {s->name}, {}));

  // (1) root snap-<uuid>.dat (and meta-<uuid>.dat) of each snapshot.
  ESSNAP_TRY_STATUS(util::run_pool(
      selection.size(), concurrency,
      [&](std::size_t i) -> Status {
        SnapshotScan& s = out.snapshots[i];
        s.snapshot = selection[i];
        const auto indices = names_of(repo.indices_of(*s.snapshot));
        const std::string path = Repository::snapshot_info_path(*s.snapshot);
        auto info = repo.snapshot_info(*s.snapshot);
        mark(path);
        if (!info.ok()) {
          ESSNAP_TRY_STATUS(report(hooks, info.error(), path, {s.snapshot->name}, indices));
        } else {
          s.info = std::move(info).value();
          for (const auto& f : s.info->failures) s.failed_shards.insert({f.index, f.shard_id});
          // The snapshot's own list of indices against the root's: an index the snapshot holds
          // that the root dropped cannot be restored, and the engines refuse such a root.
          std::set<std::string> in_root(indices.begin(), indices.end());
          for (const auto& name : s.info->indices)
            if (!in_root.count(name) && s.snapshot->state != format::RepoSnapshotState::kFailed)
              ESSNAP_TRY_STATUS(
                  report(hooks,
                         make_error(ErrorCode::kParse, "root " + repo.root_index_path() +
                                                           " does not list index " + name +
                                                           " for snapshot " + s.snapshot->name +
                                                           ", which holds it (" + path + ")"),
                         repo.root_index_path(), {s.snapshot->name}, {name}));
          if (s.shallow() && hooks.note)
            hooks.note("snapshot " + s.snapshot->name +
                       " is a shallow copy: its data is in a remote store, not checked here");
        }
        if (hooks.global_metadata == GlobalMetadata::kCheck) {
          const std::string meta = Repository::global_metadata_path(*s.snapshot);
          auto doc = repo.read_framed(meta, format::kCodecMetadata);
          mark(meta);
          if (!doc.ok())
            ESSNAP_TRY_STATUS(report(hooks, doc.error(), meta, {s.snapshot->name}, indices));
        }
        return ok_status();
      },
      hooks.interrupted));

  // (2) index metadata, once per blob: the shard count of each (snapshot, index).
  struct MetaGroup {
    const format::RepoIndex* index;
    std::vector<const SnapshotScan*> snapshots;
    std::int64_t shards = -1;
  };
  std::map<std::string, MetaGroup> groups;
  std::map<std::pair<const format::RepoIndex*, const SnapshotScan*>, std::string> meta_of;
  for (const auto& s : out.snapshots) {
    for (const format::RepoIndex* idx : repo.indices_of(*s.snapshot)) {
      auto path = repo.index_metadata_path(*s.snapshot, *idx);
      if (!path.ok()) {
        ESSNAP_TRY_STATUS(
            report(hooks, path.error(), repo.root_index_path(), {s.snapshot->name}, {idx->name}));
        continue;
      }
      auto& g = groups[*path];
      g.index = idx;
      g.snapshots.push_back(&s);
      meta_of[{idx, &s}] = *path;
    }
  }
  std::vector<std::pair<const std::string, MetaGroup>*> group_list;
  for (auto& g : groups) {
    group_list.push_back(&g);
    out.index_metadata_paths.insert(g.first);
  }
  ESSNAP_TRY_STATUS(util::run_pool(
      group_list.size(), concurrency,
      [&](std::size_t i) -> Status {
        auto& [path, g] = *group_list[i];
        auto meta = repo.index_metadata(*g.snapshots.front()->snapshot, *g.index);
        mark(path);
        if (meta.ok() && meta->number_of_shards > 0 && meta->number_of_shards <= kMaxShards) {
          g.shards = meta->number_of_shards;
          return ok_status();
        }
        std::vector<std::string> snaps;
        for (const auto* s : g.snapshots) snaps.push_back(s->snapshot->name);
        if (!meta.ok()) return report(hooks, meta.error(), path, snaps, {g.index->name});
        if (meta->number_of_shards > kMaxShards)
          return report(
              hooks,
              make_error(ErrorCode::kParse,
                         path + ": number_of_shards " + std::to_string(meta->number_of_shards) +
                             " is past the engines' limit of " + std::to_string(kMaxShards)),
              path, snaps, {g.index->name});
        return report(hooks, make_error(ErrorCode::kParse, path + ": number_of_shards is 0"), path,
                      snaps, {g.index->name});
      },
      hooks.interrupted));

  // Fallback shard count when the metadata is damaged: shard_generations, else the listing.
  std::map<const format::RepoIndex*, std::int64_t> fallback;
  auto fallback_shards = [&](const format::RepoIndex* idx) -> Result<std::int64_t> {
    if (auto it = fallback.find(idx); it != fallback.end()) return it->second;
    std::int64_t n = 0;
    if (idx->has_shard_generations) {
      n = static_cast<std::int64_t>(idx->shard_generations.size());
    } else {
      ESSNAP_TRY(blob::Listing l, repo.container().list("indices/" + idx->id));
      for (const auto& c : l.children)
        if (!c.empty() && c.find_first_not_of("0123456789") == std::string::npos && c.size() < 7)
          n = std::max<std::int64_t>(n, std::stoll(c) + 1);
    }
    n = std::min(n, kMaxShards);
    fallback[idx] = n;
    return n;
  };

  // (3) shard directories: per index, shards 0 .. max count over its snapshots. Tasks are
  // numbered, not listed: task i is shard i - first of the index whose range holds it, so memory
  // stays with the indices whatever shard counts the metadata claims.
  struct IndexShards {
    const format::RepoIndex* index;
    std::vector<std::pair<const SnapshotScan*, std::int64_t>> snapshots;  // with their counts
    std::uint64_t first = 0, count = 0;
  };
  std::map<const format::RepoIndex*, std::vector<std::pair<const SnapshotScan*, std::int64_t>>>
      by_index;
  for (const auto& [key, path] : meta_of) {
    std::int64_t n = groups[path].shards;
    if (n < 0) {
      ESSNAP_TRY(n, fallback_shards(key.first));
    }
    by_index[key.first].push_back({key.second, n});
  }
  std::vector<IndexShards> ranges;
  std::uint64_t total = 0;
  for (auto& [idx, snaps] : by_index) {
    std::int64_t max = 0;
    for (const auto& [s, n] : snaps) max = std::max(max, n);
    if (max <= 0) continue;
    ranges.push_back({idx, std::move(snaps), total, static_cast<std::uint64_t>(max)});
    total += static_cast<std::uint64_t>(max);
  }
  struct ShardTask {
    const format::RepoIndex* index;
    std::int64_t shard;
    std::vector<const SnapshotScan*> snapshots;
  };
  auto task_at = [&](std::size_t i) {
    auto it = std::upper_bound(ranges.begin(), ranges.end(), static_cast<std::uint64_t>(i),
                               [](std::uint64_t v, const IndexShards& r) { return v < r.first; });
    const IndexShards& r = *std::prev(it);
    ShardTask t{r.index, static_cast<std::int64_t>(i - r.first), {}};
    for (const auto& [s, n] : r.snapshots)
      if (t.shard < n) t.snapshots.push_back(s);
    return t;
  };
  out.shards = total;
  std::atomic<std::uint64_t> done{0};
  ESSNAP_TRY_STATUS(util::run_pool(
      total, concurrency,
      [&](std::size_t i) -> Status {
        const ShardTask t = task_at(i);
        ShardScan sc;
        sc.index = t.index;
        sc.shard = t.shard;
        std::vector<std::string> all;
        for (const auto* s : t.snapshots) all.push_back(s->snapshot->name);
        auto dir = repo.shard_dir(*t.index, t.shard);
        if (!dir.ok()) {
          ESSNAP_TRY_STATUS(
              report(hooks, dir.error(), "snapshot_shard_paths", all, {t.index->name}));
          return ok_status();
        }
        sc.dir = *dir;
        ESSNAP_TRY(sc.listing, repo.container().list(sc.dir));
        sc.index_blob = repo.shard_index_blob(*t.index, t.shard, sc.listing);
        for (const SnapshotScan* s : t.snapshots) {
          ShardScan::Entry e;
          e.snapshot = s;
          e.expected_missing = s->failed_shards.count({t.index->name, t.shard}) != 0;
          const bool shallow = s->shallow();
          const std::string name =
              (shallow ? std::string(format::kShallowSnapshotPrefix) : std::string("snap-")) +
              s->snapshot->uuid + ".dat";
          const bool listed = std::binary_search(
              sc.listing.blobs.begin(), sc.listing.blobs.end(), blob::BlobInfo{name, 0},
              [](const blob::BlobInfo& a, const blob::BlobInfo& b) { return a.name < b.name; });
          if (!listed) {
            if (!e.expected_missing && hooks.damage)
              hooks.damage(sc.dir + "/" + name, "missing blob " + sc.dir + "/" + name,
                           {s->snapshot->name}, {t.index->name});
          } else if (shallow) {
            // A shallow copy's shard blob names segment files in the remote store: its frame and
            // fields are checked, its data is not ours to read.
            const std::string path = sc.dir + "/" + name;
            auto doc = repo.read_framed(path, format::kCodecSnapshot);
            mark(path);
            Result<format::ShallowShardSnapshot> parsed =
                doc.ok() ? format::parse_shallow_shard_snapshot(*doc)
                         : Result<format::ShallowShardSnapshot>(doc.error());
            if (parsed.ok()) {
              e.shallow = std::move(parsed).value();
            } else if (!e.expected_missing) {
              Error err = std::move(parsed).error();
              if (err.code != ErrorCode::kNotFound) err.code = ErrorCode::kParse;
              if (err.message.find(path) == std::string::npos)
                err.message = path + ": " + err.message;
              ESSNAP_TRY_STATUS(report(hooks, err, path, {s->snapshot->name}, {t.index->name}));
            }
          } else {
            auto files = repo.shard_snapshot(sc.dir, *s->snapshot);
            mark(sc.dir + "/" + name);
            if (files.ok())
              e.files = std::move(files).value();
            else if (!e.expected_missing)
              ESSNAP_TRY_STATUS(report(hooks, files.error(), sc.dir + "/" + name,
                                       {s->snapshot->name}, {t.index->name}));
          }
          sc.entries.push_back(std::move(e));
        }
        ESSNAP_TRY_STATUS(visit(sc));
        const auto d = ++done;
        if (hooks.progress) hooks.progress(d, total);
        return ok_status();
      },
      hooks.interrupted));
  return out;
}

util::ProgressEvent inspect_progress(const std::string& subject, const std::string& state,
                                     std::uint64_t done, std::uint64_t total,
                                     const std::string& unit,
                                     std::chrono::steady_clock::time_point started) {
  util::ProgressEvent e;
  e.operation = "inspect";
  e.subject = subject;
  e.state = state;
  e.done = done;
  e.total = total;
  e.unit = unit;
  e.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  return e;
}

std::function<void(std::uint64_t done, std::uint64_t total)> shard_progress(
    util::ProgressSink sink, std::string subject, std::string state,
    std::chrono::steady_clock::time_point started) {
  if (!sink) return {};
  return [sink = std::move(sink), subject = std::move(subject), state = std::move(state), started](
             std::uint64_t done, std::uint64_t total) {
    sink(inspect_progress(subject, state, done, total, "shards", started));
  };
}

}  // namespace essnap::inspect
