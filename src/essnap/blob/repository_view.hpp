// A repository's store plus the one place outside it OpenSearch writes: with shard_path_type
// HASHED_PREFIX and a base_path, the engine puts each shard folder at
// <hash>/<base_path>/indices/<id>/<shard>/ from its blob-store root (the S3 bucket, an fs
// location) — beside base_path, not under it (docs/REPOSITORY_FORMAT.md §7). Every reader and
// writer of a repository (inspect, repo sync) goes through this one view: it addresses such a
// folder by that path, "<segment>/<base>/indices/..." (a first segment other than "indices",
// then exactly the base path's segments, then "indices"), and sends it to the same path in a
// store opened at the engine's root (BlobStore::open_in_container); every other path goes to the
// repository's own store. Nothing else outside the repository is reachable — the reach is the
// engine's own writing area, the keys `essnap setup` grants (`*/<base>/indices/*`) — and it is
// closed until reach() opens it (what the repository's snapshot_shard_paths/ name, checked by
// format::place_shard_folder, or a DST a sync writes in that layout).
#pragma once

#include <memory>
#include <shared_mutex>
#include <string>
#include <utility>

#include "essnap/blob/blob_store.hpp"

namespace essnap::blob {

class RepositoryView final : public BlobStore {
 public:
  explicit RepositoryView(BlobStore& base) : base_(base) {}

  // Opens the reach: paths "<segment>/<base_path>/indices/..." go to the store rooted at
  // `container` in the base's namespace (root_in_container()'s terms; "" = the bucket). The same
  // pair again is a no-op; another pair is kConflict (one repository has one base path); an
  // empty base path opens nothing (the engine then writes inside the repository).
  Status reach(std::string_view container, std::string_view base_path);
  // The base path reached ("" while closed).
  std::string reached_base_path() const;
  // Whether `path` goes outside the repository's store.
  bool outside(std::string_view path) const;
  BlobStore& base() { return base_; }

  Result<Listing> list(std::string_view dir) override;
  Status walk(std::string_view dir, const BlobVisitor& visit) override;
  Result<std::string> read(std::string_view path, std::uint64_t max_bytes) override;
  Status stream(std::string_view path, const ChunkSink& sink) override;
  Status stream_range(std::string_view path, std::uint64_t offset, std::uint64_t length,
                      const ChunkSink& sink) override;
  Result<std::optional<std::uint64_t>> size(std::string_view path) override;
  Result<std::optional<TimePoint>> locked_until(std::string_view path) override;
  Status put(std::string_view path, std::string_view bytes) override;
  Status put_stream(std::string_view path, const ChunkProducer& produce) override;
  Status put_if_absent(std::string_view path, std::string_view bytes) override;
  Status remove(const std::vector<std::string>& paths) override;
  Status copy(std::string_view from, std::string_view to) override;
  bool can_copy_from(const BlobStore& source) const override;
  Status copy_from(BlobStore& source, std::string_view from, std::string_view to,
                   std::uint64_t size) override;
  bool supports(Capability c) const override { return base_.supports(c); }
  std::string describe() const override { return base_.describe(); }
  std::string root_in_container() const override { return base_.root_in_container(); }
  Result<std::unique_ptr<BlobStore>> open_in_container(std::string_view path) const override {
    return base_.open_in_container(path);
  }

  // The store and path `path` goes to (this view's or, for a view `source`, that one's).
  std::pair<BlobStore*, std::string_view> route(std::string_view path) const;
  static std::pair<BlobStore*, std::string_view> route_in(BlobStore& store, std::string_view path);

 private:
  bool outside_locked(std::string_view path) const;

  BlobStore& base_;
  mutable std::shared_mutex mu_;
  std::string container_, base_path_;
  std::unique_ptr<BlobStore> outside_;  // set once by reach(), never replaced
};

}  // namespace essnap::blob
