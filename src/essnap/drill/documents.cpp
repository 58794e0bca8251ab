#include "essnap/drill/documents.hpp"

#include "essnap/snapshot/documents_metadata.hpp"

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

Result<std::optional<std::string>> RecordedCounts::document_source(const std::string&,
                                                                   const std::string&) {
  return Error(ErrorCode::kInternal, "recorded counts hold no documents");
}

std::unique_ptr<SnapshotDocuments> snapshot_documents(const cluster::SnapshotInfo& snapshot) {
  return std::make_unique<RecordedCounts>(snapshot);
}

}  // namespace essnap::drill
