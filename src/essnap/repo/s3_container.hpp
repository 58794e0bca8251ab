// A repository under an S3 bucket prefix, on s3::Client: ListObjectsV2 (paginated, delimiter '/'
// for one directory, none for walks), GetObject streamed. Each concurrent caller checks out its
// own client and transport stack from a small pool (a transport stack is not shared by threads).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "essnap/http/factory.hpp"
#include "essnap/repo/blob_container.hpp"
#include "essnap/s3/client.hpp"

namespace essnap::repo {

class S3Container final : public BlobContainer {
 public:
  // Makes one transport for a pooled client; the default builds http::make_transport(options).
  using TransportFactory = std::function<std::unique_ptr<http::Transport>()>;

  S3Container(std::string bucket, std::string prefix, s3::ClientOptions client_options,
              TransportFactory transports);

  Result<Listing> list(std::string_view dir) override;
  Status walk(std::string_view dir, const BlobVisitor& visit) override;
  Status stream(std::string_view path, const ChunkSink& sink) override;
  Status stream_range(std::string_view path, std::uint64_t offset, std::uint64_t length,
                      const ChunkSink& sink) override;
  Result<std::optional<std::uint64_t>> size(std::string_view path) override;
  std::string describe() const override;
  // Keys per ListObjectsV2 page (S3's maximum, 1000, by default; tests make it small).
  void set_page_size(int keys) { page_size_ = keys; }

 private:
  struct Slot {
    std::unique_ptr<http::Transport> transport;
    std::unique_ptr<s3::Client> client;
  };
  class Lease;
  std::unique_ptr<Slot> checkout();
  void checkin(std::unique_ptr<Slot> slot);
  std::string key(std::string_view path) const;
  Error name_error(Error e, std::string_view path) const;

  std::string bucket_;
  std::string prefix_;  // "" or "some/prefix" (no slashes at either end)
  s3::ClientOptions options_;
  TransportFactory transports_;
  int page_size_ = 1000;
  std::mutex mu_;
  std::vector<std::unique_ptr<Slot>> pool_;
};

}  // namespace essnap::repo
