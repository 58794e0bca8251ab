// An in-memory repository for tests: blobs by path, with the same semantics as the others
// (directories implied by paths, chunked streaming in small pieces to exercise the callers).
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "essnap/repo/blob_container.hpp"

namespace essnap::repo {

class MemoryContainer final : public BlobContainer {
 public:
  explicit MemoryContainer(std::size_t chunk = 7) : chunk_(chunk) {}

  void put(const std::string& path, std::string bytes);
  void remove(const std::string& path);
  bool contains(const std::string& path) const;
  std::string get(const std::string& path) const;  // "" when absent
  std::size_t blob_count() const;

  Result<Listing> list(std::string_view dir) override;
  Status walk(std::string_view dir, const BlobVisitor& visit) override;
  Result<std::string> read(std::string_view path, std::uint64_t max_bytes) override;
  Status stream(std::string_view path, const ChunkSink& sink) override;
  Status stream_range(std::string_view path, std::uint64_t offset, std::uint64_t length,
                      const ChunkSink& sink) override;
  Result<std::optional<std::uint64_t>> size(std::string_view path) override;
  std::string describe() const override { return "memory:"; }

 private:
  std::size_t chunk_;
  mutable std::mutex mu_;
  std::map<std::string, std::string> blobs_;
};

}  // namespace essnap::repo
