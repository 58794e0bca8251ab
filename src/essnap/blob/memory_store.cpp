#include "essnap/blob/memory_store.hpp"

namespace essnap::blob {

void MemoryStore::set(const std::string& path, std::string bytes) {
  std::lock_guard<std::mutex> l(state_->mu);
  state_->blobs[key(path)] = std::move(bytes);
}

void MemoryStore::erase(const std::string& path) {
  std::lock_guard<std::mutex> l(state_->mu);
  state_->blobs.erase(key(path));
}

bool MemoryStore::contains(const std::string& path) const {
  std::lock_guard<std::mutex> l(state_->mu);
  return state_->blobs.count(key(path)) != 0;
}

std::string MemoryStore::get(const std::string& path) const {
  std::lock_guard<std::mutex> l(state_->mu);
  auto it = state_->blobs.find(key(path));
  return it == state_->blobs.end() ? std::string() : it->second;
}

std::size_t MemoryStore::blob_count() const {
  std::lock_guard<std::mutex> l(state_->mu);
  if (prefix_.empty()) return state_->blobs.size();
  const std::string p = prefix_ + "/";
  std::size_t n = 0;
  for (auto it = state_->blobs.lower_bound(p);
       it != state_->blobs.end() && it->first.compare(0, p.size(), p) == 0; ++it)
    ++n;
  return n;
}

void MemoryStore::drop_reads_after(std::uint64_t after_bytes, int times) {
  std::lock_guard<std::mutex> l(state_->mu);
  state_->drop_after = after_bytes;
  state_->drops_left = times;
}

Result<std::unique_ptr<BlobStore>> MemoryStore::open_in_container(std::string_view path) const {
  ESSNAP_TRY_STATUS(check_relative_path(path));
  auto out = std::make_unique<MemoryStore>(chunk_);
  out->state_ = state_;
  out->prefix_ = std::string(path);
  return std::unique_ptr<BlobStore>(std::move(out));
}

Result<Listing> MemoryStore::list(std::string_view dir) {
  ESSNAP_TRY_STATUS(check_relative_path(dir));
  const std::string full = key(dir);
  std::string prefix = full.empty() ? "" : full + "/";
  Listing out;
  std::lock_guard<std::mutex> l(state_->mu);
  for (auto it = state_->blobs.lower_bound(prefix); it != state_->blobs.end(); ++it) {
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
  const std::string full = key(dir);
  std::string prefix = full.empty() ? "" : full + "/";
  const std::size_t strip = prefix_.empty() ? 0 : prefix_.size() + 1;
  std::vector<BlobInfo> found;
  {
    std::lock_guard<std::mutex> l(state_->mu);
    for (auto it = state_->blobs.lower_bound(prefix); it != state_->blobs.end(); ++it) {
      if (it->first.compare(0, prefix.size(), prefix) != 0) break;
      found.push_back({it->first.substr(strip), it->second.size()});
    }
  }
  for (const auto& b : found) ESSNAP_TRY_STATUS(visit(b));
  return ok_status();
}

Result<std::string> MemoryStore::read(std::string_view path, std::uint64_t max_bytes) {
  ESSNAP_TRY_STATUS(check_relative_path(path));
  std::lock_guard<std::mutex> l(state_->mu);
  auto it = state_->blobs.find(key(path));
  if (it == state_->blobs.end())
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
    std::lock_guard<std::mutex> l(state_->mu);
    auto it = state_->blobs.find(key(path));
    if (it == state_->blobs.end())
      return make_error(ErrorCode::kNotFound, "reading " + path + ": no such blob");
    if (offset < it->second.size()) part = it->second.substr(offset, length);
    if (state_->drops_left > 0) {
      --state_->drops_left;
      fail_at = state_->drop_after;
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
  std::lock_guard<std::mutex> l(state_->mu);
  auto it = state_->blobs.find(key(path));
  if (it == state_->blobs.end()) return std::optional<std::uint64_t>{};
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
  std::lock_guard<std::mutex> l(state_->mu);
  if (!state_->blobs.emplace(key(path), std::string(bytes)).second)
    return make_error(ErrorCode::kConflict, "memory:" + std::string(path) + " already exists");
  return ok_status();
}

Status MemoryStore::remove(const std::vector<std::string>& paths) {
  for (const auto& p : paths) ESSNAP_TRY_STATUS(check_relative_path(p));
  std::lock_guard<std::mutex> l(state_->mu);
  for (const auto& p : paths) state_->blobs.erase(key(p));
  return ok_status();
}

Status MemoryStore::copy(std::string_view from, std::string_view to) {
  ESSNAP_TRY_STATUS(check_relative_path(from));
  ESSNAP_TRY_STATUS(check_relative_path(to));
  std::lock_guard<std::mutex> l(state_->mu);
  auto it = state_->blobs.find(key(from));
  if (it == state_->blobs.end())
    return make_error(ErrorCode::kNotFound, "copying " + std::string(from) + ": no such blob");
  state_->blobs[key(to)] = it->second;
  return ok_status();
}

}  // namespace essnap::blob
