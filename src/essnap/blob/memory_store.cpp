#include "essnap/blob/memory_store.hpp"

namespace essnap::blob {

void MemoryStore::set(const std::string& path, std::string bytes) {
  std::lock_guard<std::mutex> l(mu_);
  blobs_[path] = std::move(bytes);
}

void MemoryStore::erase(const std::string& path) {
  std::lock_guard<std::mutex> l(mu_);
  blobs_.erase(path);
}

bool MemoryStore::contains(const std::string& path) const {
  std::lock_guard<std::mutex> l(mu_);
  return blobs_.count(path) != 0;
}

std::string MemoryStore::get(const std::string& path) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = blobs_.find(path);
  return it == blobs_.end() ? std::string() : it->second;
}

std::size_t MemoryStore::blob_count() const {
  std::lock_guard<std::mutex> l(mu_);
  return blobs_.size();
}

void MemoryStore::drop_reads_after(std::uint64_t after_bytes, int times) {
  std::lock_guard<std::mutex> l(mu_);
  drop_after_ = after_bytes;
  drops_left_ = times;
}

Result<Listing> MemoryStore::list(std::string_view dir) {
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

Status MemoryStore::walk(std::string_view dir, const BlobVisitor& visit) {
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

Result<std::string> MemoryStore::read(std::string_view path, std::uint64_t max_bytes) {
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

Status MemoryStore::attempt(const std::string& path, std::uint64_t offset, std::uint64_t length,
                            const ChunkSink& sink) {
  std::string part;
  std::uint64_t fail_at = UINT64_MAX;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = blobs_.find(path);
    if (it == blobs_.end())
      return make_error(ErrorCode::kNotFound, "reading " + path + ": no such blob");
    if (offset < it->second.size()) part = it->second.substr(offset, length);
    if (drops_left_ > 0) {
      --drops_left_;
      fail_at = drop_after_;
    }
  }
  for (std::size_t i = 0; i < part.size(); i += chunk_) {
    std::string_view piece = std::string_view(part).substr(i, chunk_);
    if (i + piece.size() > fail_at) {
      const std::size_t keep = fail_at > i ? static_cast<std::size_t>(fail_at - i) : 0;
      if (keep > 0) ESSNAP_TRY_STATUS(sink(piece.substr(0, keep)));
      return make_error(ErrorCode::kNetwork, "connection dropped (injected)");
    }
    ESSNAP_TRY_STATUS(sink(piece));
  }
  return ok_status();
}

Status MemoryStore::stream(std::string_view path, const ChunkSink& sink) {
  return stream_range(path, 0, UINT64_MAX, sink);
}

Status MemoryStore::stream_range(std::string_view path, std::uint64_t offset, std::uint64_t length,
                                 const ChunkSink& sink) {
  ESSNAP_TRY_STATUS(check_relative_path(path));
  const std::string p(path);
  return read_resuming([&](std::uint64_t at, std::uint64_t left,
                           const ChunkSink& s) { return attempt(p, at, left, s); },
                       offset, length, sink);
}

Result<std::optional<std::uint64_t>> MemoryStore::size(std::string_view path) {
  ESSNAP_TRY_STATUS(check_relative_path(path));
  std::lock_guard<std::mutex> l(mu_);
  auto it = blobs_.find(std::string(path));
  if (it == blobs_.end()) return std::optional<std::uint64_t>{};
  return std::optional<std::uint64_t>(it->second.size());
}

Status MemoryStore::put(std::string_view path, std::string_view bytes) {
  ESSNAP_TRY_STATUS(check_relative_path(path));
  set(std::string(path), std::string(bytes));
  return ok_status();
}

Status MemoryStore::put_stream(std::string_view path, const ChunkProducer& produce) {
  ESSNAP_TRY_STATUS(check_relative_path(path));
  std::string bytes;
  ESSNAP_TRY_STATUS(produce([&](std::string_view chunk) {
    bytes.append(chunk);
    return ok_status();
  }));
  set(std::string(path), std::move(bytes));
  return ok_status();
}

Status MemoryStore::put_if_absent(std::string_view path, std::string_view bytes) {
  ESSNAP_TRY_STATUS(check_relative_path(path));
  std::lock_guard<std::mutex> l(mu_);
  if (!blobs_.emplace(std::string(path), std::string(bytes)).second)
    return make_error(ErrorCode::kConflict, "memory:" + std::string(path) + " already exists");
  return ok_status();
}

Status MemoryStore::remove(const std::vector<std::string>& paths) {
  for (const auto& p : paths) ESSNAP_TRY_STATUS(check_relative_path(p));
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& p : paths) blobs_.erase(p);
  return ok_status();
}

Status MemoryStore::copy(std::string_view from, std::string_view to) {
  ESSNAP_TRY_STATUS(check_relative_path(from));
  ESSNAP_TRY_STATUS(check_relative_path(to));
  std::lock_guard<std::mutex> l(mu_);
  auto it = blobs_.find(std::string(from));
  if (it == blobs_.end())
    return make_error(ErrorCode::kNotFound, "copying " + std::string(from) + ": no such blob");
  blobs_[std::string(to)] = it->second;
  return ok_status();
}

}  // namespace essnap::blob
