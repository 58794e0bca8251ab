#include "essnap/drill/documents.hpp"

#include <algorithm>

#include "essnap/cluster/repository.hpp"
#include "essnap/inspect/docs.hpp"
#include "essnap/lucene/documents.hpp"
#include "essnap/snapshot/documents_metadata.hpp"
#include "essnap/util/strings.hpp"

namespace essnap::drill {

RecordedCounts::RecordedCounts(const cluster::SnapshotInfo& snapshot)
    : counts_(snapshot::recorded_document_counts(snapshot.metadata)) {}

std::string RecordedCounts::count_source() const {
  return "recorded by essnap when the snapshot was taken";
}

Result<std::optional<std::int64_t>> RecordedCounts::live_documents(const std::string& index) {
  auto it = counts_.find(index);
  if (it == counts_.end()) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(it->second);
}

Result<std::map<std::string, std::string>> RecordedCounts::document_sources(
    const std::string&, const std::set<std::string>&) {
  return Error(ErrorCode::kInternal, "recorded counts hold no documents");
}

SegmentDocuments::SegmentDocuments(std::unique_ptr<blob::BlobStore> store,
                                   std::unique_ptr<inspect::Repository> repository,
                                   std::string snapshot)
    : store_(std::move(store)),
      repository_(std::move(repository)),
      snapshot_(std::move(snapshot)) {}

std::string SegmentDocuments::count_source() const {
  return "read from the snapshot's segments";
}

Result<std::optional<SegmentDocuments::IndexShards>> SegmentDocuments::find(
    const std::string& index) {
  if (!snap_) {
    ESSNAP_TRY(auto selected, repository_->select({snapshot_}));
    snap_ = selected.front();
  }
  for (const format::RepoIndex* i : repository_->indices_of(*snap_)) {
    if (i->name != index) continue;
    ESSNAP_TRY(format::IndexMetadataInfo meta, repository_->index_metadata(*snap_, *i));
    return std::optional<IndexShards>(IndexShards{i, meta.number_of_shards});
  }
  return std::optional<IndexShards>();
}

Result<std::optional<std::int64_t>> SegmentDocuments::live_documents(const std::string& index) {
  ESSNAP_TRY(auto found, find(index));
  if (!found) return std::optional<std::int64_t>();
  std::int64_t total = 0;
  for (std::int64_t shard = 0; shard < found->shards; ++shard) {
    ESSNAP_TRY(std::string dir, repository_->shard_dir(*found->index, shard));
    ESSNAP_TRY(format::ShardSnapshot ss, repository_->shard_snapshot(dir, *snap_));
    auto opened = lucene::open_shard(repository_->container(), dir, ss);
    if (!opened.ok())
      return std::move(opened).error().with_context("index " + index + " shard " +
                                                    std::to_string(shard));
    total += static_cast<std::int64_t>(opened->live_document_count());
  }
  return std::optional<std::int64_t>(total);
}

Result<std::map<std::string, std::string>> SegmentDocuments::document_sources(
    const std::string& index, const std::set<std::string>& ids) {
  std::map<std::string, std::string> out;
  ESSNAP_TRY(auto found, find(index));
  if (!found || ids.empty()) return out;
  const Error kAllFound(ErrorCode::kInternal, "every sampled document found");
  for (std::int64_t shard = 0; shard < found->shards && out.size() < ids.size(); ++shard) {
    ESSNAP_TRY(std::string dir, repository_->shard_dir(*found->index, shard));
    ESSNAP_TRY(format::ShardSnapshot ss, repository_->shard_snapshot(dir, *snap_));
    const std::string where = "index " + index + " shard " + std::to_string(shard);
    auto opened = lucene::open_shard(repository_->container(), dir, ss);
    if (!opened.ok()) return std::move(opened).error().with_context(where);
    Status st =
        lucene::visit_shard_documents(*opened, [&](const lucene::EsDocument& doc) -> Status {
          if (!ids.count(doc.id)) return Ok{};
          ESSNAP_TRY(std::string source, inspect::stored_source_json(doc));
          out[doc.id] = std::move(source);
          return out.size() == ids.size() ? Status(kAllFound) : Status(Ok{});
        });
    if (!st.ok() && out.size() < ids.size()) {
      Error e = st.error();
      return std::move(e).with_context(where);
    }
  }
  return out;
}

Result<std::unique_ptr<blob::BlobStore>> open_repository_store(
    cluster::Client& c, const std::string& repository,
    const std::vector<std::pair<std::string, std::string>>& location_map,
    const blob::OpenOptions& options) {
  ESSNAP_TRY(auto repos, cluster::get_repositories(c, repository));
  if (repos.empty())
    return Error(ErrorCode::kNotFound, "repository " + repository + " is not registered");
  ESSNAP_TRY(std::string where, cluster::repository_location(repos.front()));
  where = cluster::map_location(where, location_map);
  auto store = blob::open_blob_store(where, blob::Access::kRead, options);
  if (!store.ok()) return std::move(store).error().with_context(where);
  return store;
}

std::unique_ptr<SnapshotDocuments> snapshot_documents(
    const cluster::SnapshotInfo& snapshot, Result<std::unique_ptr<blob::BlobStore>> store,
    std::string* why_recorded) {
  auto recorded = [&](const Error& e) -> std::unique_ptr<SnapshotDocuments> {
    if (why_recorded)
      *why_recorded = "the snapshot's segments are not read (" + e.message +
                      "): counts come from essnap's records, documents are not sampled";
    return std::make_unique<RecordedCounts>(snapshot);
  };
  if (!store.ok()) return recorded(store.error());
  auto repository = inspect::Repository::open(**store);
  if (!repository.ok()) return recorded(repository.error());
  if (auto selected = (*repository)->select({snapshot.name}); !selected.ok())
    return recorded(selected.error());
  return std::make_unique<SegmentDocuments>(std::move(*store), std::move(*repository),
                                            snapshot.name);
}

}  // namespace essnap::drill
