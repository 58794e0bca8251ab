#include "essnap/inspect/show.hpp"

#include <algorithm>
#include <ctime>
#include <map>
#include <mutex>

#include "essnap/inspect/scan.hpp"
#include "essnap/inspect/walker.hpp"
#include "essnap/util/work_pool.hpp"

namespace essnap::inspect {
namespace {

SnapshotSummary summarize(const Repository& repo, const format::RepoSnapshot& s,
                          const Result<format::SnapshotInfo>& info) {
  SnapshotSummary out;
  out.name = s.name;
  out.uuid = s.uuid;
  out.state = s.state ? to_string(*s.state) : "";
  out.version = s.version;
  out.start_time_millis = s.start_time_millis;
  out.end_time_millis = s.end_time_millis;
  for (const auto* i : repo.indices_of(s)) out.indices.push_back(i->name);
  if (!info.ok()) {
    out.problem = info.error().message;
    return out;
  }
  const format::SnapshotInfo& si = *info;
  if (!si.state.empty()) out.state = si.state;
  if (out.version.empty() && si.version_id)
    out.version = format::version_id_to_string(*si.version_id);
  if (si.start_time > 0) out.start_time_millis = si.start_time;
  if (si.end_time > 0) out.end_time_millis = si.end_time;
  if (!si.indices.empty()) out.indices = si.indices;
  out.data_streams = si.data_streams;
  out.total_shards = si.total_shards;
  out.successful_shards = si.successful_shards;
  out.failed_shards = static_cast<std::int64_t>(si.failures.size());
  out.include_global_state = si.include_global_state;
  out.shallow = si.remote_store_index_shallow_copy;
  std::sort(out.indices.begin(), out.indices.end());
  return out;
}

}  // namespace

std::string iso8601_millis(std::int64_t millis) {
  const std::time_t secs = static_cast<std::time_t>(millis / 1000);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(((millis % 1000) + 1000) % 1000));
  return buf;
}

Result<SnapshotList> list_snapshots(blob::BlobStore& container, int concurrency) {
  ESSNAP_TRY(auto repo, Repository::open(container));
  SnapshotList out;
  out.generation = repo->generation();
  out.notes = repo->notes();
  const auto& snaps = repo->data().snapshots;
  out.snapshots.resize(snaps.size());
  ESSNAP_TRY_STATUS(util::run_pool(snaps.size(), concurrency, [&](std::size_t i) -> Status {
    auto info = repo->snapshot_info(snaps[i]);
    if (!info.ok() && !is_damage(info.error())) return std::move(info).error();
    out.snapshots[i] = summarize(*repo, snaps[i], info);
    return ok_status();
  }));
  return out;
}

Result<SnapshotDetail> show_snapshot(blob::BlobStore& container, const std::string& name,
                                     int concurrency) {
  ESSNAP_TRY(auto repo, Repository::open(container));
  ESSNAP_TRY(auto selection, repo->select({name}));
  SnapshotDetail out;
  out.notes = repo->notes();
  out.summary = summarize(*repo, *selection[0], repo->snapshot_info(*selection[0]));
  std::mutex mu;
  std::map<std::string, IndexDetail> indices;
  std::map<std::string, std::string> dir_problems;
  ScanHooks hooks;
  hooks.damage = [&](std::string path, std::string what, std::vector<std::string>,
                     std::vector<std::string>) {
    std::lock_guard<std::mutex> l(mu);
    out.notes.push_back("damaged: " + what);
    dir_problems[path.substr(0, path.rfind('/'))] = what;
  };
  hooks.note = [&](const std::string& n) {
    std::lock_guard<std::mutex> l(mu);
    out.notes.push_back(n);
  };
  auto visit = [&](ShardScan& sc) -> Status {
    std::lock_guard<std::mutex> l(mu);
    IndexDetail& idx = indices[sc.index->name];
    idx.name = sc.index->name;
    idx.id = sc.index->id;
    for (const auto& e : sc.entries) {
      ShardDetail d;
      d.shard = sc.shard;
      d.path = sc.dir;
      if (e.shallow) {
        d.files = static_cast<std::uint64_t>(std::max<std::int64_t>(0, e.shallow->number_of_files));
        d.bytes = static_cast<std::uint64_t>(std::max<std::int64_t>(0, e.shallow->total_size));
        d.problem = "shallow copy: data in the remote store " + e.shallow->remote_store_repository;
      } else if (!e.files) {
        d.failed_shard = e.expected_missing;
        d.problem = e.expected_missing ? "failed shard (the snapshot lists it as failed)"
                                       : (dir_problems.count(sc.dir) ? dir_problems[sc.dir]
                                                                     : "shard snapshot unreadable");
      } else {
        for (const auto& f : e.files->files) {
          ++d.files;
          d.bytes += f.length;
        }
        d.incremental_files =
            static_cast<std::uint64_t>(std::max<std::int64_t>(0, e.files->number_of_files));
        d.incremental_bytes =
            static_cast<std::uint64_t>(std::max<std::int64_t>(0, e.files->total_size));
      }
      idx.files += d.files;
      idx.bytes += d.bytes;
      idx.incremental_files += d.incremental_files;
      idx.incremental_bytes += d.incremental_bytes;
      idx.shards.push_back(std::move(d));
    }
    return ok_status();
  };
  ESSNAP_TRY(auto scanned, scan(*repo, selection, concurrency, hooks, visit));
  (void)scanned;
  for (auto& [n, idx] : indices) {
    std::sort(idx.shards.begin(), idx.shards.end(),
              [](const ShardDetail& a, const ShardDetail& b) { return a.shard < b.shard; });
    out.files += idx.files;
    out.bytes += idx.bytes;
    out.incremental_files += idx.incremental_files;
    out.incremental_bytes += idx.incremental_bytes;
    out.indices.push_back(std::move(idx));
  }
  return out;
}

}  // namespace essnap::inspect
