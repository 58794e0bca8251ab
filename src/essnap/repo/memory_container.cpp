#include "essnap/repo/memory_container.hpp"

namespace essnap::repo {

void MemoryContainer::put(const std::string& path, std::string bytes) {
  std::lock_guard<std::mutex> l(mu_);
  blobs_[path] = std::move(bytes);
}

void MemoryContainer::remove(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  blobs_.erase(path);
}

bool MemoryContainer::contains(const std::string& path) const {
  std::lock_guard<std::mutex> l(mu_);
  return blobs_.count(path) != 0;
}

std::string MemoryContainer::get(const std::string& path) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = blobs_.find(path);
  return it == blobs_.end() ? std::string() : it->second;
}

std::size_t MemoryContainer::blob_count() const {
  std::lock_guard<std::mutex> l(mu_);
  return blobs_.size();
}

Result<Listing> MemoryContainer::list(std::string_view dir) {
  ESSNAP_TRY_STATUS(check_relative_path(dir));
  std::string prefix = dir.empty() ? "" : std::string(dir) + "/";
  Listing out;
  std::lock_guard<std::mutex> l(mu_);
  for (auto it = blobs_.lower_bound(prefix); it != blobs_.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    std::string rest = it->first.substr(prefix.size());
    auto slash = rest.find('/');
    if (slash == std::string::npos) {
      out.blobs.push_back({rest, it->second.size()});
    } else {
      std::string child = rest.substr(0, slash);
      if (out.children.empty() || out.children.back() != child) out.children.push_back(child);
    }
  }
  return out;
}

Status MemoryContainer::walk(std::string_view dir, const BlobVisitor& visit) {
  ESSNAP_TRY_STATUS(check_relative_path(dir));
  std::string prefix = dir.empty() ? "" : std::string(dir) + "/";
  std::vector<BlobInfo> found;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (auto it = blobs_.lower_bound(prefix); it != blobs_.end(); ++it) {
      if (it->first.compare(0, prefix.size(), prefix) != 0) break;
      found.push_back({it->first, it->second.size()});
    }
  }
  for (const auto& b : found) ESSNAP_TRY_STATUS(visit(b));
  return ok_status();
}

Result<std::string> MemoryContainer::read(std::string_view path, std::uint64_t max_bytes) {
  ESSNAP_TRY_STATUS(check_relative_path(path));
  std::lock_guard<std::mutex> l(mu_);
  auto it = blobs_.find(std::string(path));
  if (it == blobs_.end())
    return make_error(ErrorCode::kNotFound, "reading " + std::string(path) + ": no such blob");
  if (it->second.size() > max_bytes)
    return make_error(ErrorCode::kParse, "blob " + std::string(path) + " is larger than " +
                                             std::to_string(max_bytes) + " bytes");
  return it->second;
}

Status MemoryContainer::stream(std::string_view path, const ChunkSink& sink) {
  ESSNAP_TRY(std::string bytes, read(path, UINT64_MAX));
  for (std::size_t i = 0; i < bytes.size(); i += chunk_)
    ESSNAP_TRY_STATUS(sink(std::string_view(bytes).substr(i, chunk_)));
  return ok_status();
}

Status MemoryContainer::stream_range(std::string_view path, std::uint64_t offset,
                                     std::uint64_t length, const ChunkSink& sink) {
  ESSNAP_TRY(std::string bytes, read(path, UINT64_MAX));
  if (offset >= bytes.size()) return ok_status();
  const std::string part = bytes.substr(offset, length);
  for (std::size_t i = 0; i < part.size(); i += chunk_)
    ESSNAP_TRY_STATUS(sink(std::string_view(part).substr(i, chunk_)));
  return ok_status();
}

Result<std::optional<std::uint64_t>> MemoryContainer::size(std::string_view path) {
  ESSNAP_TRY_STATUS(check_relative_path(path));
  std::lock_guard<std::mutex> l(mu_);
  auto it = blobs_.find(std::string(path));
  if (it == blobs_.end()) return std::optional<std::uint64_t>{};
  return std::optional<std::uint64_t>(it->second.size());
}

}  // namespace essnap::repo
