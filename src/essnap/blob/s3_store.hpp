// A store under an S3 bucket prefix, on s3::Client: ListObjectsV2 (paginated, delimiter '/' for
// one directory, none for walks), GetObject streamed with ranged resumes (read_resuming),
// PutObject or a multipart upload above the threshold, If-None-Match: * for put_if_absent,
// DeleteObjects by 1000, CopyObject (UploadPartCopy above copy_part_size), within the bucket or
// from another S3 store on the same endpoint (copy_from). Every write carries the store's
// WriteOptions: x-amz-storage-class and Object Lock retention (retain-until = now + days, per
// write), with Content-MD5 on PutObject and UploadPart as S3 demands. Each concurrent caller checks
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
  // Server-side copies of blobs above this size are multipart (UploadPartCopy parts of this
  // size); up to it one CopyObject. Kept within [5 MiB, 5 GiB] (S3's part and CopyObject limits).
  std::uint64_t copy_part_size = 512u << 20;
  int page_size = 1000;  // keys per ListObjectsV2 page (tests: small)
  // Whether the server honours If-None-Match: * on PUT (AWS S3 since 2024-08, SeaweedFS, MinIO
  // do). When false, put_if_absent checks then puts, and supports() says so.
  bool conditional_put = true;
  // Storage class and Object Lock retention of every object this store writes (put, put_stream,
  // put_if_absent, copy, copy_from). Checked (check_write_options) by the first write, which
  // fails with kInvalidArgument when it is unusable; open_blob_store checks it before.
  WriteOptions write;
  // Content-MD5 on every PutObject and UploadPart, not only when write.locks(): AWS demands it
  // too in a bucket with a default Object Lock retention (ObjectLockConfiguration::default_mode).
  bool content_md5 = false;
  // remove() deletes every version of each key (ListObjectVersions, then DeleteObjects with
  // VersionId) instead of one plain delete. In a versioned bucket — every Object Lock bucket — a
  // plain delete only adds a delete marker and succeeds even on a locked object, whose bytes stay
  // (and are billed) for ever; deleting the versions frees them, and a locked version refuses
  // (AccessDenied), which remove() reports naming the key. On whenever write.locks().
  bool delete_versions = false;
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
  // HeadObject: the retention's date while it is ahead (of the client's clock), max() under a
  // legal hold, nullopt otherwise or when there is no such object. AWS sends the lock headers
  // only to a caller allowed s3:GetObjectRetention and s3:GetObjectLegalHold; without them a
  // locked object reads as unlocked here (a remove() by version is still refused, and reported).
  Result<std::optional<TimePoint>> locked_until(std::string_view path) override;
  // Another S3Store on the same endpoint (scheme, host and port; the same AWS partition when
  // both use AWS's own endpoints). Credentials may still refuse (copy_from: kRemote, 403).
  bool can_copy_from(const BlobStore& source) const override;
  // CopyObject from the source store's bucket and prefix, UploadPartCopy above copy_part_size,
  // signed with this store's credentials, carrying this store's WriteOptions. kInvalidArgument
  // when !can_copy_from(source); an AccessDenied stays kRemote with remote->http_status 403.
  Status copy_from(BlobStore& source, std::string_view from, std::string_view to,
                   std::uint64_t size) override;
  // The bucket's Object Lock configuration (GetObjectLockConfiguration; enabled = false when it
  // has none): whether lock options can be kept at all, and whether a default retention makes
  // Content-MD5 necessary on every write (S3StoreOptions::content_md5).
  Result<s3::ObjectLockConfiguration> object_lock_configuration();
  const S3StoreOptions& options() const { return o_; }
  bool supports(Capability c) const override;
  std::string describe() const override;
  std::string root_in_container() const override { return o_.prefix; }
  // The same bucket, client settings and write options, another prefix (its own client pool).
  Result<std::unique_ptr<BlobStore>> open_in_container(std::string_view path) const override;

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
  // The storage class and retention of a write starting now (retain-until from the clock).
  s3::ObjectWriteSettings write_settings() const;
  bool send_md5() const { return o_.content_md5 || o_.write.locks(); }
  TimePoint now() const;
  // CopyObject or UploadPartCopy of source_bucket/source_key (`size` bytes) to `to` here.
  Status server_copy(const std::string& source_bucket, const std::string& source_key,
                     std::string_view to, std::uint64_t size);
  // remove() of every version of `keys` (full keys, at most 1000).
  Status remove_versions(s3::Client& client, const std::vector<std::string>& keys);
  Status read_attempt(std::string_view path, std::uint64_t offset, std::uint64_t length,
                      const ChunkSink& sink);

  S3StoreOptions o_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Slot>> pool_;
};

}  // namespace essnap::blob
