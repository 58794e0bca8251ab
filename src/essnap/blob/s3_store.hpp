// A store under an S3 bucket prefix, on s3::Client: ListObjectsV2 (paginated, delimiter '/' for
// one directory, none for walks), GetObject streamed with ranged resumes (read_resuming),
// PutObject or a multipart upload above the threshold, If-None-Match: * for put_if_absent,
// DeleteObjects by 1000, CopyObject (UploadPartCopy above 5 GiB). Each concurrent caller checks
// out its own client and transport stack from one pool (a transport stack is not shared by
// threads).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "essnap/blob/blob_store.hpp"
#include "essnap/http/transport.hpp"
#include "essnap/s3/client.hpp"

namespace essnap::blob {

struct S3StoreOptions {
  std::string bucket;
  std::string prefix;  // leading and trailing '/' are dropped
  s3::ClientOptions client;
  // Makes the transport stack of one pooled client; default http::make_transport({}).
  std::function<std::unique_ptr<http::Transport>()> transports;
  std::uint64_t multipart_threshold = 16u << 20;  // objects above this go up in parts
  std::uint64_t part_size = 8u << 20;
  std::uint64_t copy_part_size = 512u << 20;  // UploadPartCopy parts, above 5 GiB
  int page_size = 1000;                       // keys per ListObjectsV2 page (tests: small)
  // Whether the server honours If-None-Match: * on PUT (AWS S3 since 2024-08, SeaweedFS, MinIO
  // do). When false, put_if_absent checks then puts, and supports() says so.
  bool conditional_put = true;
};

class S3Store final : public BlobStore {
 public:
  explicit S3Store(S3StoreOptions options);

  Result<Listing> list(std::string_view dir) override;
  Status walk(std::string_view dir, const BlobVisitor& visit) override;
  Status stream(std::string_view path, const ChunkSink& sink) override;
  Status stream_range(std::string_view path, std::uint64_t offset, std::uint64_t length,
                      const ChunkSink& sink) override;
  Result<std::optional<std::uint64_t>> size(std::string_view path) override;
  Status put(std::string_view path, std::string_view bytes) override;
  Status put_stream(std::string_view path, const ChunkProducer& produce) override;
  Status put_if_absent(std::string_view path, std::string_view bytes) override;
  Status remove(const std::vector<std::string>& paths) override;
  Status copy(std::string_view from, std::string_view to) override;
  bool supports(Capability c) const override;
  std::string describe() const override;

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
  // One PutObject (If-None-Match: * when asked).
  Status put_object(std::string_view path, std::string_view bytes, bool if_none_match);
  Status read_attempt(std::string_view path, std::uint64_t offset, std::uint64_t length,
                      const ChunkSink& sink);

  S3StoreOptions o_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Slot>> pool_;
};

}  // namespace essnap::blob
