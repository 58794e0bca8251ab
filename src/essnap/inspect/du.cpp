#include "essnap/inspect/du.hpp"

#include <map>
#include <mutex>

#include "essnap/inspect/scan.hpp"
#include "essnap/inspect/walker.hpp"

namespace essnap::inspect {

Result<DuReport> disk_usage(blob::BlobStore& container, const DuOptions& o) {
  const auto started = std::chrono::steady_clock::now();
  ESSNAP_TRY(auto repo, Repository::open(container));
  DuReport report;
  report.generation = repo->generation();
  report.notes = repo->notes();
  ESSNAP_TRY(auto selection, repo->select({}));
  std::map<std::string, std::size_t> slot;  // snapshot uuid -> index in report.snapshots
  for (const auto* s : selection) {
    slot[s->uuid] = report.snapshots.size();
    SnapshotUsage u;
    u.name = s->name;
    u.uuid = s->uuid;
    u.state = s->state ? to_string(*s->state) : "";
    report.snapshots.push_back(std::move(u));
  }
  std::map<std::string, IndexUsage> indices;
  for (const auto& i : repo->data().indices) {
    IndexUsage u;
    u.name = i.name;
    u.id = i.id;
    u.snapshots = i.snapshots.size();
    indices[i.name] = u;
  }

  std::mutex mu;
  ScanHooks hooks;
  hooks.damage = [&](std::string path, std::string what, std::vector<std::string>,
                     std::vector<std::string>) {
    std::lock_guard<std::mutex> l(mu);
    report.damaged.push_back(what.find(path) == std::string::npos ? path + ": " + what : what);
  };
  hooks.note = [&](const std::string& n) {
    std::lock_guard<std::mutex> l(mu);
    report.notes.push_back(n);
  };
  hooks.progress = shard_progress(o.progress, "du " + container.describe(), "", started);
  hooks.interrupted = o.interrupted;
  auto visit = [&](ShardScan& sc) -> Status {
    struct Blob {
      std::uint64_t length = 0;
      std::vector<std::size_t> holders;
    };
    std::map<std::string, Blob> blobs;
    std::lock_guard<std::mutex> l(mu);
    for (const auto& e : sc.entries) {
      if (!e.files) continue;
      const std::size_t k = slot.at(e.snapshot->snapshot->uuid);
      SnapshotUsage& u = report.snapshots[k];
      u.incremental_bytes +=
          static_cast<std::uint64_t>(std::max<std::int64_t>(0, e.files->total_size));
      for (const auto& f : e.files->files) {
        u.total_bytes += f.length;
        ++u.files;
        if (f.is_virtual()) continue;
        Blob& b = blobs[f.name];
        b.length = f.length;
        if (b.holders.empty() || b.holders.back() != k) b.holders.push_back(k);
      }
    }
    IndexUsage& iu = indices[sc.index->name];
    ++iu.shards;
    for (const auto& [name, b] : blobs) {
      iu.data_bytes += b.length;
      ++iu.data_files;
      report.data_bytes += b.length;
      ++report.data_files;
      for (std::size_t k : b.holders) {
        if (b.holders.size() == 1)
          report.snapshots[k].unique_bytes += b.length;
        else
          report.snapshots[k].shared_bytes += b.length;
      }
    }
    return ok_status();
  };
  ESSNAP_TRY(auto scanned, scan(*repo, selection, o.concurrency, hooks, visit));
  (void)scanned;
  for (auto& [n, u] : indices) report.indices.push_back(std::move(u));
  std::sort(report.damaged.begin(), report.damaged.end());
  return report;
}

}  // namespace essnap::inspect
