// A BlobStore that forwards every call to another and records the ranged reads it is asked for
// (path, offset, length): tests of how often a reader goes back to the repository.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "essnap/blob/blob_store.hpp"

namespace essnap::test {

class CountingStore final : public blob::BlobStore {
 public:
  struct RangeRead {
    std::string path;
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
  };

  explicit CountingStore(blob::BlobStore& inner) : inner_(inner) {}

  std::vector<RangeRead> range_reads() const {
    std::lock_guard<std::mutex> lock(mu_);
    return reads_;
  }

  Result<blob::Listing> list(std::string_view dir) override { return inner_.list(dir); }
  Status walk(std::string_view dir, const blob::BlobVisitor& visit) override {
    return inner_.walk(dir, visit);
  }
  Result<std::string> read(std::string_view path, std::uint64_t max_bytes) override {
    return inner_.read(path, max_bytes);
  }
  Status stream(std::string_view path, const blob::ChunkSink& sink) override {
    return inner_.stream(path, sink);
  }
  Status stream_range(std::string_view path, std::uint64_t offset, std::uint64_t length,
                      const blob::ChunkSink& sink) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      reads_.push_back({std::string(path), offset, length});
    }
    return inner_.stream_range(path, offset, length, sink);
  }
  Result<std::optional<std::uint64_t>> size(std::string_view path) override {
    return inner_.size(path);
  }
  Result<std::optional<TimePoint>> locked_until(std::string_view path) override {
    return inner_.locked_until(path);
  }
  Status put(std::string_view path, std::string_view bytes) override {
    return inner_.put(path, bytes);
  }
  Status put_stream(std::string_view path, const blob::ChunkProducer& produce) override {
    return inner_.put_stream(path, produce);
  }
  Status put_if_absent(std::string_view path, std::string_view bytes) override {
    return inner_.put_if_absent(path, bytes);
  }
  Status remove(const std::vector<std::string>& paths) override { return inner_.remove(paths); }
  Status copy(std::string_view from, std::string_view to) override { return inner_.copy(from, to); }
  bool supports(blob::Capability c) const override { return inner_.supports(c); }
  std::string describe() const override { return inner_.describe(); }
  std::string root_in_container() const override { return inner_.root_in_container(); }

 private:
  blob::BlobStore& inner_;
  mutable std::mutex mu_;
  std::vector<RangeRead> reads_;
};

// How many of `reads` fetch bytes of `path` that an earlier read of it already fetched, counting
// only bytes before `below` (a file's head: its codec header and the entries that follow).
inline int reads_of_fetched_bytes(const std::vector<CountingStore::RangeRead>& reads,
                                  const std::string& path, std::uint64_t below) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> seen;
  int again = 0;
  for (const auto& r : reads) {
    if (r.path != path || r.offset >= below) continue;
    const std::uint64_t end = std::min(r.offset + r.length, below);
    for (const auto& [a, b] : seen)
      if (r.offset < b && a < end) {
        ++again;
        break;
      }
    seen.emplace_back(r.offset, end);
  }
  return again;
}

}  // namespace essnap::test
