#include "essnap/inspect/orphans.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

#include "essnap/format/shallow_snapshot.hpp"
#include "essnap/format/shard_paths.hpp"
#include "essnap/inspect/scan.hpp"
#include "essnap/inspect/walker.hpp"

namespace essnap::inspect {
namespace {

bool starts_with(const std::string& s, std::string_view p) {
  return s.rfind(p, 0) == 0;
}

// "snap-<uuid>.dat" / "meta-<uuid>.dat" -> uuid; "" otherwise.
std::string root_uuid(const std::string& name) {
  if ((starts_with(name, "snap-") || starts_with(name, "meta-")) && name.size() > 9 &&
      name.compare(name.size() - 4, 4, ".dat") == 0)
    return name.substr(5, name.size() - 9);
  return "";
}

// The shard folders outside the repository's prefix (HASHED_PREFIX with a base path) that the
// paths blob of an index no snapshot uses names: the root walk never sees them, so they are
// found here. A blob that does not read or parse is a note, not an error.
template <class Add>
Status dead_outside_folders(Repository& repo, const std::string& path, Add& add,
                            std::vector<std::string>& notes) {
  auto bytes = repo.container().read(path, 16 << 20);
  if (!bytes.ok()) {
    if (!is_damage(bytes.error())) return std::move(bytes).error();
    notes.push_back(path + ": " + bytes.error().message);
    return ok_status();
  }
  auto p = format::parse_shard_paths(
      {reinterpret_cast<const std::uint8_t*>(bytes->data()), bytes->size()});
  if (!p.ok()) {
    notes.push_back(path + ": " + p.error().message);
    return ok_status();
  }
  for (std::size_t i = 0; i < p->paths.size(); ++i) {
    const auto k = static_cast<std::int64_t>(i);
    auto folder = format::parse_shard_folder(
        p->paths[i], static_cast<format::ShardPathType>(p->shard_path_type),
        static_cast<format::PathHashAlgorithm>(p->hash_algorithm), p->index_id, k);
    if (!folder.ok()) {
      notes.push_back(path + ": " + folder.error().message);
      return ok_status();
    }
    auto place =
        format::place_shard_folder(*folder, p->index_id, k, repo.container().root_in_container());
    if (!place.ok()) {
      notes.push_back(path + ": " + place.error().message);
      return ok_status();
    }
    if (!place->outside) continue;  // inside: the root walk finds it
    if (auto st = repo.container().reach(place->container, folder->base_path); !st.ok()) {
      notes.push_back(path + ": " + st.error().message);
      return ok_status();
    }
    ESSNAP_TRY_STATUS(repo.container().walk(place->path, [&](const blob::BlobInfo& b) {
      add(b.name, b.size, false, "shard folder (outside the prefix) of an index no snapshot uses");
      return ok_status();
    }));
  }
  return ok_status();
}

}  // namespace

Result<OrphansReport> find_orphans(blob::BlobStore& container, const OrphansOptions& o) {
  const auto started = std::chrono::steady_clock::now();
  ESSNAP_TRY(auto repo, Repository::open(container));
  OrphansReport report;
  report.generation = repo->generation();
  report.notes = repo->notes();
  ESSNAP_TRY(auto selection, repo->select({}));
  std::mutex mu;
  auto add = [&](std::string path, std::uint64_t bytes, bool cleanup, std::string why) {
    std::lock_guard<std::mutex> l(mu);
    report.orphans.push_back({std::move(path), bytes, cleanup, std::move(why)});
  };

  // Root blobs.
  std::set<std::string> live_uuids;
  for (const auto* s : selection) live_uuids.insert(s->uuid);
  for (const auto& b : repo->root_listing().blobs) {
    if (auto g = format::root_generation_from_name(b.name)) {
      if (*g < repo->generation())
        add(b.name, b.size, true, "stale root index-N (older generation)");
      continue;
    }
    if (b.name == "index.latest" || b.name == "incompatible-snapshots") continue;
    const std::string uuid = root_uuid(b.name);
    if (!uuid.empty()) {
      if (!live_uuids.count(uuid)) add(b.name, b.size, true, "snapshot not in the root index-N");
      continue;
    }
    add(b.name, b.size, false, "unknown root blob");
  }

  // Shards: what the live snapshots reference, from the scan's listings.
  std::set<std::string> visited_dirs;
  std::set<std::string> live_ids;
  for (const auto& i : repo->data().indices) live_ids.insert(i.id);
  ScanHooks hooks;
  hooks.progress = shard_progress(o.progress, "orphans " + container.describe(), "", started);
  hooks.interrupted = o.interrupted;
  hooks.note = [&](const std::string& n) {
    std::lock_guard<std::mutex> l(mu);
    report.notes.push_back(n);
  };
  std::set<std::string> damaged_dirs;
  hooks.damage = [&](std::string path, std::string what, std::vector<std::string>,
                     std::vector<std::string>) {
    std::lock_guard<std::mutex> l(mu);
    report.notes.push_back("damaged: " + what);
    damaged_dirs.insert(path.substr(0, path.rfind('/')));
  };
  auto visit = [&](ShardScan& sc) -> Status {
    std::set<std::string> used;
    bool judged = true;
    for (const auto& e : sc.entries) {
      if (e.shallow) {
        used.insert(std::string(format::kShallowSnapshotPrefix) + e.snapshot->snapshot->uuid +
                    ".dat");
        continue;
      }
      if (!e.files) {
        if (!e.expected_missing) judged = false;
        continue;
      }
      used.insert("snap-" + e.snapshot->snapshot->uuid + ".dat");
      for (const auto& f : e.files->files) {
        if (f.is_virtual()) continue;
        const std::uint64_t parts = f.number_of_parts();
        if (parts <= sc.listing.blobs.size()) {
          for (std::uint64_t p = 0; p < parts; ++p) used.insert(f.part_name(p));
          continue;
        }
        // A record claiming more parts than the directory holds blobs (a hostile length):
        // the listed ones it names are used, the rest are never enumerated.
        const std::string prefix = f.name + ".part";
        for (const auto& b : sc.listing.blobs) {
          if (b.name == f.name) used.insert(b.name);
          if (b.name.rfind(prefix, 0) != 0) continue;
          const std::string digits = b.name.substr(prefix.size());
          if (!digits.empty() && digits.size() < 19 &&
              digits.find_first_not_of("0123456789") == std::string::npos &&
              std::stoull(digits) < parts)
            used.insert(b.name);
        }
      }
    }
    if (sc.index_blob) used.insert(*sc.index_blob);
    {
      std::lock_guard<std::mutex> l(mu);
      visited_dirs.insert(sc.dir);
      if (!judged || damaged_dirs.count(sc.dir)) {
        report.not_judged.push_back(sc.dir);
        return ok_status();
      }
    }
    for (const auto& b : sc.listing.blobs)
      if (!used.count(b.name)) {
        std::string why = starts_with(b.name, "index-") ? "stale shard generation"
                          : starts_with(b.name, "snap-")
                              ? "shard snapshot of a snapshot not in the root"
                              : "data blob no live snapshot references";
        add(sc.dir + "/" + b.name, b.size, false, std::move(why));
      }
    return ok_status();
  };
  ESSNAP_TRY(auto scanned, scan(*repo, selection, o.concurrency, hooks, visit));

  // Everything else: indices/<id>/ of dead ids (cleanup removes them whole), unreferenced
  // index metadata and shard directories beyond the live shard counts, other root directories.
  for (const auto& child : repo->root_listing().children) {
    if (child == "indices") {
      ESSNAP_TRY(blob::Listing ids, container.list("indices"));
      for (const auto& id : ids.children) {
        const std::string dir = "indices/" + id;
        if (!live_ids.count(id)) {
          ESSNAP_TRY_STATUS(container.walk(dir, [&](const blob::BlobInfo& b) {
            add(b.name, b.size, true, "index folder no snapshot uses");
            return ok_status();
          }));
          continue;
        }
        ESSNAP_TRY(blob::Listing l, container.list(dir));
        for (const auto& b : l.blobs)
          if (!scanned.index_metadata_paths.count(dir + "/" + b.name))
            add(dir + "/" + b.name, b.size, false, "index metadata no live snapshot uses");
        for (const auto& shard : l.children) {
          const std::string sd = dir + "/" + shard;
          if (visited_dirs.count(sd)) continue;
          ESSNAP_TRY_STATUS(container.walk(sd, [&](const blob::BlobInfo& b) {
            add(b.name, b.size, false, "shard directory no live snapshot uses");
            return ok_status();
          }));
        }
      }
      for (const auto& b : ids.blobs) add("indices/" + b.name, b.size, false, "unknown blob");
      continue;
    }
    if (child == "snapshot_shard_paths") {
      ESSNAP_TRY(blob::Listing l, container.list(child));
      for (const auto& b : l.blobs) {
        const std::string id = b.name.rfind("snapshot_path_", 0) == 0
                                   ? b.name.substr(14, b.name.find('.', 14) - 14)
                                   : "";
        if (live_ids.count(id)) continue;
        add(child + "/" + b.name, b.size, false, "shard paths of an index no snapshot uses");
        ESSNAP_TRY_STATUS(dead_outside_folders(*repo, child + "/" + b.name, add, report.notes));
      }
      continue;
    }
    // Hashed shard paths live under other root directories: what the scan visited is judged.
    ESSNAP_TRY_STATUS(container.walk(child, [&](const blob::BlobInfo& b) {
      const std::string dir = b.name.substr(0, b.name.rfind('/'));
      if (visited_dirs.count(dir)) return ok_status();
      add(b.name, b.size, false, "outside every live snapshot's shards");
      return ok_status();
    }));
  }
  std::sort(report.orphans.begin(), report.orphans.end(),
            [](const Orphan& a, const Orphan& b) { return a.path < b.path; });
  for (const auto& x : report.orphans) {
    report.bytes += x.bytes;
    if (x.removed_by_cleanup) {
      ++report.cleanup_blobs;
      report.cleanup_bytes += x.bytes;
    }
  }
  std::sort(report.not_judged.begin(), report.not_judged.end());
  return report;
}

}  // namespace essnap::inspect
