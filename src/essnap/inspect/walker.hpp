// The repository walker: a snapshot repository read through a blob::BlobStore, without a cluster.
// The current generation is the highest numeric root index-N in the listing, cross-checked with
// index.latest; that root index-N is the truth (shard-level blobs may still name snapshots it
// dropped). From it: snapshots (root snap-<uuid>.dat), index metadata (blob ids through
// index_metadata_lookup / index_metadata_identifiers, else the snapshot uuid), shard directories
// (indices/<id>/<shard>, or OpenSearch >= 2.17 hashed paths read from snapshot_shard_paths/ —
// with HASHED_PREFIX and a base path outside the repository's prefix, reached through the
// repository's blob::RepositoryView, which container() is),
// shard generations (UUIDs from 7.6; numeric or absent before: the shard's highest index-<n>),
// shard snapshots. Loads are lazy and thread-safe; nothing is cached but the root.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "essnap/blob/blob_store.hpp"
#include "essnap/blob/repository_view.hpp"
#include "essnap/format/index_metadata.hpp"
#include "essnap/format/root_index.hpp"
#include "essnap/format/shard_paths.hpp"
#include "essnap/format/shard_snapshot.hpp"
#include "essnap/format/snapshot_info.hpp"

namespace essnap::inspect {

// Metadata blobs are kilobytes to megabytes; anything past this is refused, not read.
inline constexpr std::uint64_t kMaxMetadataBlob = std::uint64_t{64} << 20;
// Memory for decoding framed blobs, shared by every worker of one Repository: decompressed
// content plus the decoded tree, whatever the bytes claim. A blob first gets room in proportion
// to its size (kDecodeRoomPerByte per stored byte, at least kDecodeRoomMin); one that needs more
// is decoded again alone with the whole budget (half for content, half for the tree).
inline constexpr std::size_t kDecodeBudget = std::size_t{256} << 20;
inline constexpr std::size_t kDecodeRoomPerByte = 64;
inline constexpr std::size_t kDecodeRoomMin = std::size_t{1} << 20;

// A blob's problem: a missing blob is kNotFound, a damaged one kParse (the message says what).
// Anything else (network, permissions) means the repository could not be read.
inline bool is_damage(const Error& e) {
  return e.code == ErrorCode::kNotFound || e.code == ErrorCode::kParse;
}

class Repository {
 public:
  // Lists the root, picks the generation and parses that root index-N. kNotFound when the
  // location holds no index-N (not a repository, or an empty one); a root index-N that does
  // not parse is kParse naming it.
  static Result<std::unique_ptr<Repository>> open(blob::BlobStore& container);

  // The repository's store as a view that also reaches its shard folders outside its prefix
  // (HASHED_PREFIX with a base path), once shard_dir() has read snapshot_shard_paths/: every
  // path this class hands out (shard_dir) is read through it.
  blob::RepositoryView& container() { return container_; }
  std::uint64_t generation() const { return generation_; }
  std::optional<std::uint64_t> index_latest() const { return index_latest_; }
  const format::RepositoryData& data() const { return data_; }
  const blob::Listing& root_listing() const { return root_; }
  // index.latest disagreeing with the listing, and the like: said, not fatal.
  const std::vector<std::string>& notes() const { return notes_; }
  // Damage seen while picking the generation (path, what): a root index-<digits> past the
  // engines' range, an index.latest that does not parse or names a generation past the listing.
  const std::vector<std::pair<std::string, std::string>>& root_problems() const {
    return root_problems_;
  }
  std::string root_index_path() const { return "index-" + std::to_string(generation_); }

  // Snapshots by name in the root order; kNotFound naming the missing one.
  Result<std::vector<const format::RepoSnapshot*>> select(
      const std::vector<std::string>& names) const;
  // The indices a snapshot holds (the root's index entries naming its uuid).
  std::vector<const format::RepoIndex*> indices_of(const format::RepoSnapshot& s) const;

  static std::string snapshot_info_path(const format::RepoSnapshot& s) {
    return "snap-" + s.uuid + ".dat";
  }
  static std::string global_metadata_path(const format::RepoSnapshot& s) {
    return "meta-" + s.uuid + ".dat";
  }
  Result<std::string> index_metadata_path(const format::RepoSnapshot& s,
                                          const format::RepoIndex& index) const;
  // The shard's directory: "indices/<id>/<shard>", or from snapshot_shard_paths/ (checked by
  // format::parse_shard_folder and place_shard_folder): "<hash>/indices/<id>/<shard>" inside
  // the repository, or "<hash>/<base>/indices/<id>/<shard>" outside it (container() reaches it).
  // A damaged or foreign paths blob is kParse for its index only.
  Result<std::string> shard_dir(const format::RepoIndex& index, std::int64_t shard);

  Result<format::SnapshotInfo> snapshot_info(const format::RepoSnapshot& s);
  Result<format::IndexMetadataInfo> index_metadata(const format::RepoSnapshot& s,
                                                   const format::RepoIndex& index);
  Result<format::ShardSnapshot> shard_snapshot(const std::string& dir,
                                               const format::RepoSnapshot& s);
  // The name of the shard's current index-<gen> blob: from shard_generations, else (before 7.6,
  // or a numeric generation) the highest numeric index-<n> in `listing`. nullopt: none ("_new"
  // or a pre-7.6 shard without one).
  std::optional<std::string> shard_index_blob(const format::RepoIndex& index, std::int64_t shard,
                                              const blob::Listing& listing) const;
  Result<format::ShardSnapshots> shard_snapshots(const std::string& dir, const std::string& blob);

  // Reads a framed metadata blob whole (bounded) and decodes it; kNotFound / kParse name `path`.
  Result<nlohmann::json> read_framed(const std::string& path, std::string_view codec);

 private:
  explicit Repository(blob::BlobStore& c) : container_(c) {}
  Status load_shard_paths();

  blob::RepositoryView container_;
  std::uint64_t generation_ = 0;
  std::optional<std::uint64_t> index_latest_;
  format::RepositoryData data_;
  blob::Listing root_;
  std::vector<std::string> notes_;
  std::vector<std::pair<std::string, std::string>> root_problems_;

  // kDecodeBudget, taken and given back by read_framed.
  std::size_t acquire_decode(std::size_t n);
  void release_decode(std::size_t n);
  std::mutex decode_mu_;
  std::condition_variable decode_cv_;
  std::size_t decode_free_ = kDecodeBudget;

  std::mutex mu_;
  bool shard_paths_loaded_ = false;
  std::map<std::string, std::vector<std::string>> shard_paths_;  // index id -> dir per shard
  std::map<std::string, Error> shard_path_errors_;               // index id -> its blob's damage
};

}  // namespace essnap::inspect
