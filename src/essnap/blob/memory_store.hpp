// A store in memory, for tests: blobs by path, with the same semantics as the others
// (directories implied by paths, streaming in small chunks to exercise the callers), and a fault
// to inject: the next reads drop "the connection" after some bytes, so the resume path runs.
// open_in_container gives another store over the same blobs rooted elsewhere (as a bucket's
// prefixes are), so tests can lay out a repository with a base path.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "essnap/blob/blob_store.hpp"

namespace essnap::blob {

class MemoryStore final : public BlobStore {
 public:
  explicit MemoryStore(std::size_t chunk = 7) : chunk_(chunk), state_(std::make_shared<State>()) {}

  // Test conveniences (no status to check), paths from this store's root.
  void set(const std::string& path, std::string bytes);
  void erase(const std::string& path);
  bool contains(const std::string& path) const;
  std::string get(const std::string& path) const;  // "" when absent
  std::size_t blob_count() const;
  // The next `times` read attempts fail with a network error after `after_bytes` bytes.
  void drop_reads_after(std::uint64_t after_bytes, int times);

  Result<Listing> list(std::string_view dir) override;
  Status walk(std::string_view dir, const BlobVisitor& visit) override;
  Result<std::string> read(std::string_view path, std::uint64_t max_bytes) override;
  Status stream(std::string_view path, const ChunkSink& sink) override;
  Status stream_range(std::string_view path, std::uint64_t offset, std::uint64_t length,
                      const ChunkSink& sink) override;
  Result<std::optional<std::uint64_t>> size(std::string_view path) override;
  Status put(std::string_view path, std::string_view bytes) override;
  Status put_stream(std::string_view path, const ChunkProducer& produce) override;
  Status put_if_absent(std::string_view path, std::string_view bytes) override;
  Status remove(const std::vector<std::string>& paths) override;
  Status copy(std::string_view from, std::string_view to) override;
  bool supports(Capability) const override { return true; }
  std::string describe() const override { return "memory:" + prefix_; }
  std::string root_in_container() const override { return prefix_; }
  Result<std::unique_ptr<BlobStore>> open_in_container(std::string_view path) const override;

 private:
  struct State {
    std::mutex mu;
    std::map<std::string, std::string> blobs;  // by full path
    std::uint64_t drop_after = 0;
    int drops_left = 0;
  };
  std::string key(std::string_view path) const { return join_path(prefix_, path); }

  // One read attempt of [offset, offset + length), in chunks, failing where a fault says.
  Status attempt(const std::string& path, std::uint64_t offset, std::uint64_t length,
                 const ChunkSink& sink);

  std::size_t chunk_;
  std::shared_ptr<State> state_;
  std::string prefix_;  // "" or "a/b"
};

}  // namespace essnap::blob
