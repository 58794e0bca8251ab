#include "essnap/inspect/walker.hpp"

#include <algorithm>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <nlohmann/json.hpp>

#include "essnap/format/framing.hpp"

namespace essnap::inspect {
namespace {

std::span<const std::uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

Error blob_error(Error e, const std::string& path) {
  if (e.code == ErrorCode::kNotFound) {
    e.message = "missing blob " + path;
  } else if (e.code == ErrorCode::kParse && e.message.find(path) == std::string::npos) {
    e.message = path + ": " + e.message;
  }
  return e;
}

}  // namespace

Result<std::unique_ptr<Repository>> Repository::open(blob::BlobStore& container) {
  std::unique_ptr<Repository> r(new Repository(container));
  ESSNAP_TRY(r->root_, container.list(""));
  std::optional<std::uint64_t> highest;
  bool has_latest = false;
  for (const auto& b : r->root_.blobs) {
    if (auto g = format::root_generation_from_name(b.name); g && (!highest || *g > *highest))
      highest = g;
    if (b.name == "index.latest") has_latest = true;
    if (format::is_out_of_range_generation(b.name))
      r->root_problems_.push_back(
          {b.name, "root blob " + b.name +
                       " names a generation past 9223372036854775807, which no engine can "
                       "load (they skip it and read an older root): the repository's newest "
                       "root is unusable"});
  }
  if (has_latest) {
    auto bytes = container.read("index.latest", 64);
    if (!bytes.ok()) {
      if (!is_damage(bytes.error())) return std::move(bytes).error();
      r->notes_.push_back("index.latest unreadable: " + bytes.error().message);
    } else if (auto g = format::parse_index_latest(bytes_of(*bytes)); !g.ok()) {
      r->root_problems_.push_back({"index.latest", "index.latest does not parse (" +
                                                       g.error().message +
                                                       "): readers that trust it cannot load "
                                                       "the repository"});
    } else {
      r->index_latest_ = *g;
    }
  }
  if (!highest) {
    std::string why = r->index_latest_
                          ? "index.latest names generation " + std::to_string(*r->index_latest_) +
                                " but no root index-N blob exists"
                          : "no root index-N blob";
    return make_error(ErrorCode::kNotFound,
                      container.describe() + " is not a snapshot repository: " + why,
                      "check the bucket and prefix (or the directory); a repository that never "
                      "held a snapshot has no index-N yet");
  }
  r->generation_ = *highest;
  if (r->index_latest_ && *r->index_latest_ != *highest)
    r->notes_.push_back("index.latest names generation " + std::to_string(*r->index_latest_) +
                        ", the listing's highest root index-N is " + std::to_string(*highest) +
                        "; index-" + std::to_string(*highest) + " is used");
  const std::string path = r->root_index_path();
  auto bytes = container.read(path, std::uint64_t{128} << 20);
  if (!bytes.ok()) return blob_error(std::move(bytes).error(), path);
  auto data = format::parse_repository_data(bytes_of(*bytes));
  if (!data.ok()) {
    Error e = std::move(data).error();
    e.code = ErrorCode::kParse;
    e.message = "root " + path + " (the current generation) is corrupt: " + e.message;
    return e;
  }
  r->data_ = std::move(data).value();
  return r;
}

Result<std::vector<const format::RepoSnapshot*>> Repository::select(
    const std::vector<std::string>& names) const {
  std::vector<const format::RepoSnapshot*> out;
  if (names.empty()) {
    for (const auto& s : data_.snapshots) out.push_back(&s);
    return out;
  }
  for (const auto& n : names) {
    const format::RepoSnapshot* s = data_.snapshot_by_name(n);
    if (!s)
      return make_error(
          ErrorCode::kNotFound,
          "snapshot " + n + " is not in " + container_.describe() + " (root " + root_index_path() +
              ")",
          "list the snapshots with 'essnap inspect snapshots " + container_.describe() + "'");
    out.push_back(s);
  }
  return out;
}

std::vector<const format::RepoIndex*> Repository::indices_of(const format::RepoSnapshot& s) const {
  std::vector<const format::RepoIndex*> out;
  for (const auto& i : data_.indices)
    for (const auto& u : i.snapshots)
      if (u == s.uuid) {
        out.push_back(&i);
        break;
      }
  return out;
}

Result<std::string> Repository::index_metadata_path(const format::RepoSnapshot& s,
                                                    const format::RepoIndex& index) const {
  auto id = data_.index_metadata_blob_id(s, index);
  if (!id)
    return make_error(ErrorCode::kParse,
                      "root " + root_index_path() + ": snapshot " + s.name + " names index " +
                          index.name +
                          "'s metadata by an identifier index_metadata_identifiers "
                          "lacks");
  return "indices/" + index.id + "/meta-" + *id + ".dat";
}

Result<std::string> Repository::shard_dir(const format::RepoIndex& index, std::int64_t shard) {
  if (index.shard_path_type && *index.shard_path_type != 0) {
    std::lock_guard<std::mutex> l(mu_);
    if (!shard_paths_loaded_) {
      ESSNAP_TRY_STATUS(load_shard_paths());
      shard_paths_loaded_ = true;
    }
    auto it = shard_paths_.find(index.id);
    if (it != shard_paths_.end() && shard >= 0 &&
        static_cast<std::size_t>(shard) < it->second.size())
      return it->second[static_cast<std::size_t>(shard)];
    // No good blob holds this shard: a damaged one of the index says why.
    if (auto e = shard_path_errors_.find(index.id); e != shard_path_errors_.end()) return e->second;
    return make_error(ErrorCode::kNotFound, "missing blob snapshot_shard_paths/snapshot_path_" +
                                                index.id + ".* (index " + index.name +
                                                " uses hashed shard paths, type " +
                                                std::to_string(*index.shard_path_type) + ")");
  }
  return "indices/" + index.id + "/" + std::to_string(shard);
}

Status Repository::load_shard_paths() {
  ESSNAP_TRY(blob::Listing l, container_.list(format::kShardPathsFolder));
  const std::string root = container_.root_in_container();
  for (const auto& b : l.blobs) {
    auto name = format::parse_shard_paths_name(b.name);
    if (!name) continue;
    const std::string path = std::string(format::kShardPathsFolder) + "/" + b.name;
    auto damaged = [&](Error e) {
      e.code = ErrorCode::kParse;
      if (e.message.find(path) == std::string::npos) e.message = path + ": " + e.message;
      shard_path_errors_.emplace(name->index_id, std::move(e));
    };
    auto bytes = container_.read(path, 16 << 20);
    if (!bytes.ok()) {
      if (!is_damage(bytes.error())) return blob_error(std::move(bytes).error(), path);
      damaged(blob_error(std::move(bytes).error(), path));
      continue;
    }
    auto p = format::parse_shard_paths(bytes_of(*bytes));
    if (!p.ok()) {
      damaged(std::move(p).error());
      continue;
    }
    // Two blobs of one index (a larger shard count written before the old one went): the
    // larger one holds every shard.
    if (auto have = shard_paths_.find(p->index_id);
        have != shard_paths_.end() && have->second.size() >= p->paths.size())
      continue;
    std::vector<std::string> dirs;
    std::optional<Error> bad;
    for (std::size_t i = 0; i < p->paths.size() && !bad; ++i) {
      const auto k = static_cast<std::int64_t>(i);
      auto folder = format::parse_shard_folder(
          p->paths[i], static_cast<format::ShardPathType>(p->shard_path_type),
          static_cast<format::PathHashAlgorithm>(p->hash_algorithm), p->index_id, k);
      if (!folder.ok()) {
        bad = std::move(folder).error();
        break;
      }
      auto place = format::place_shard_folder(*folder, p->index_id, k, root);
      if (!place.ok()) {
        bad = std::move(place).error();
        break;
      }
      if (place->outside)
        if (auto st = container_.reach(place->container, folder->base_path); !st.ok()) {
          bad = std::move(st).error();
          break;
        }
      dirs.push_back(std::move(place->path));
    }
    if (bad) {
      damaged(std::move(*bad));
      continue;
    }
    shard_paths_[p->index_id] = std::move(dirs);
  }
  return ok_status();
}

namespace {

// A large decode frees up to the whole budget in small blocks, which glibc keeps in the arena of
// the thread that freed them (fast bins are not returned on free): without a trim, each worker
// that ever met such a blob would hold a budget's worth of memory for the rest of the walk.
// malloc_trim consolidates and releases the free memory of every arena.
void give_back_freed_memory() {
#ifdef __GLIBC__
  ::malloc_trim(0);
#endif
}

}  // namespace

std::size_t Repository::acquire_decode(std::size_t n) {
  n = std::min(n, kDecodeBudget);
  std::unique_lock<std::mutex> l(decode_mu_);
  decode_cv_.wait(l, [&] { return decode_free_ >= n; });
  decode_free_ -= n;
  return n;
}

void Repository::release_decode(std::size_t n) {
  {
    std::lock_guard<std::mutex> l(decode_mu_);
    decode_free_ += n;
  }
  decode_cv_.notify_all();
}

Result<nlohmann::json> Repository::read_framed(const std::string& path, std::string_view codec) {
  auto bytes = container_.read(path, kMaxMetadataBlob);
  if (!bytes.ok()) return blob_error(std::move(bytes).error(), path);
  // Room in proportion to the stored size first; past it, alone with the whole budget.
  const std::size_t stored = bytes->size();
  const std::size_t room = std::min(
      kDecodeBudget / 2, std::max(kDecodeRoomMin, stored > kDecodeBudget / kDecodeRoomPerByte
                                                      ? kDecodeBudget
                                                      : stored * kDecodeRoomPerByte));
  auto decode = [&](std::size_t each) {
    const std::size_t held = acquire_decode(2 * each);
    const bool alone = held == kDecodeBudget;
    if (alone) give_back_freed_memory();  // what earlier large decodes left in any arena
    format::SmileLimits limits;
    limits.max_output_bytes = held / 2;
    auto r = format::read_framed_blob(bytes_of(*bytes), codec, held / 2, limits);
    if (alone && !r.ok()) give_back_freed_memory();
    release_decode(held);
    return r;
  };
  auto doc = decode(room);
  if (!doc.ok() && format::is_size_refusal(doc.error()) && room < kDecodeBudget / 2)
    doc = decode(kDecodeBudget / 2);
  if (!doc.ok()) {
    Error e = std::move(doc).error();
    e.code = ErrorCode::kParse;
    return blob_error(std::move(e), path);
  }
  return doc;
}

Result<format::SnapshotInfo> Repository::snapshot_info(const format::RepoSnapshot& s) {
  const std::string path = snapshot_info_path(s);
  ESSNAP_TRY(auto doc, read_framed(path, format::kCodecSnapshot));
  auto info = format::parse_snapshot_info(doc);
  if (!info.ok()) return blob_error(std::move(info).error(), path);
  return info;
}

Result<format::IndexMetadataInfo> Repository::index_metadata(const format::RepoSnapshot& s,
                                                             const format::RepoIndex& index) {
  ESSNAP_TRY(std::string path, index_metadata_path(s, index));
  ESSNAP_TRY(auto doc, read_framed(path, format::kCodecIndexMetadata));
  auto info = format::parse_index_metadata(doc);
  if (!info.ok()) return blob_error(std::move(info).error(), path);
  return info;
}

Result<format::ShardSnapshot> Repository::shard_snapshot(const std::string& dir,
                                                         const format::RepoSnapshot& s) {
  const std::string path = dir + "/snap-" + s.uuid + ".dat";
  ESSNAP_TRY(auto doc, read_framed(path, format::kCodecSnapshot));
  auto snap = format::parse_shard_snapshot(doc);
  if (!snap.ok()) return blob_error(std::move(snap).error(), path);
  return snap;
}

std::optional<std::string> Repository::shard_index_blob(const format::RepoIndex& index,
                                                        std::int64_t shard,
                                                        const blob::Listing& listing) const {
  if (index.has_shard_generations && shard >= 0 &&
      static_cast<std::size_t>(shard) < index.shard_generations.size()) {
    const format::ShardGen& g = index.shard_generations[static_cast<std::size_t>(shard)];
    if (g.kind == format::ShardGen::Kind::kValue) return "index-" + g.value;
    if (g.kind != format::ShardGen::Kind::kNumeric) return std::nullopt;
  }
  std::optional<std::uint64_t> best;
  for (const auto& b : listing.blobs)
    if (auto n = format::shard_generation_from_name(b.name); n && (!best || *n > *best)) best = n;
  if (!best) return std::nullopt;
  return "index-" + std::to_string(*best);
}

Result<format::ShardSnapshots> Repository::shard_snapshots(const std::string& dir,
                                                           const std::string& blob) {
  const std::string path = dir + "/" + blob;
  ESSNAP_TRY(auto doc, read_framed(path, format::kCodecShardSnapshots));
  auto snaps = format::parse_shard_snapshots(doc);
  if (!snaps.ok()) return blob_error(std::move(snaps).error(), path);
  return snaps;
}

}  // namespace essnap::inspect
