// One interface over every place essnap reads or writes blobs: a snapshot repository (an S3 bucket
// prefix, a local directory), an export's files, memory in tests. Paths are relative to the
// store's root, '/'-separated, and checked (no "", ".", ".." segments: names read from a
// repository are untrusted). Each implementation is written once (local_store, memory_store,
// s3_store) and held to one contract by tests/support/blob_store_suite.hpp.
//
// Reads: list one directory, walk a prefix, a bounded whole read (metadata), a streamed read and a
// ranged streamed read that resume inside the store after a dropped connection or a 5xx — the
// consumer never retries. Writes: atomic put (bytes or a stream; multipart above a threshold on
// S3), a conditional put that fails with kConflict when the name exists, batched delete and a
// copy between two names (server-side where the backend can). Thread-safe: many workers call one
// store at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "essnap/util/result.hpp"

namespace essnap::blob {

struct BlobInfo {
  std::string name;  // name inside the listed directory (list) or path from the root (walk)
  std::uint64_t size = 0;
};

struct Listing {
  std::vector<BlobInfo> blobs;        // sorted by name
  std::vector<std::string> children;  // child directory names, sorted
};

using ChunkSink = std::function<Status(std::string_view chunk)>;
using BlobVisitor = std::function<Status(const BlobInfo& blob)>;
// Writes a blob's bytes, in order, into the sink it is given (put_stream).
using ChunkProducer = std::function<Status(const ChunkSink& sink)>;

// What a store can do beyond the contract every store keeps.
enum class Capability {
  kConditionalPut,  // put_if_absent is atomic (S3 If-None-Match: *, O_EXCL / link locally)
  kServerSideCopy,  // copy() moves no bytes through essnap
};

// What every write of a store carries (S3 only: open_blob_store refuses a non-empty one for a
// directory with kInvalidArgument, as check_write_options does for a store that cannot keep it).
// Applied by the S3 store to put, put_stream (CreateMultipartUpload), put_if_absent, copy and
// copy_from.
struct WriteOptions {
  std::string storage_class;     // "" = the bucket's default; e.g. STANDARD_IA, GLACIER_IR
  std::string object_lock_mode;  // "" none, "GOVERNANCE" or "COMPLIANCE"
  int object_lock_days = 0;      // retain-until = now + days, computed per write
  bool empty() const {
    return storage_class.empty() && object_lock_mode.empty() && object_lock_days == 0;
  }
  bool locks() const { return !object_lock_mode.empty(); }
};

// kInvalidArgument unless `w` is usable: the storage class one a repository can live in
// (s3::check_repository_storage_class: not GLACIER / DEEP_ARCHIVE), the mode GOVERNANCE or
// COMPLIANCE (exactly, upper case) with days in 1..36500, days only with a mode. `where` names the
// store for the message; `s3` false (a directory, memory) refuses any non-empty `w`.
Status check_write_options(const WriteOptions& w, bool s3, std::string_view where);

class BlobStore {
 public:
  using WriteOptions = blob::WriteOptions;
  using TimePoint = std::chrono::system_clock::time_point;
  virtual ~BlobStore() = default;

  // --- reads ---------------------------------------------------------------------------------
  // The immediate blobs and child directories of `dir` ("" = the root). A directory that does
  // not exist lists empty (S3 has no directories).
  virtual Result<Listing> list(std::string_view dir) = 0;
  // Every blob under `dir`, recursively, path from the root, in no promised order.
  virtual Status walk(std::string_view dir, const BlobVisitor& visit) = 0;
  // The whole blob; kNotFound when absent; kParse when larger than max_bytes (never read past).
  virtual Result<std::string> read(std::string_view path, std::uint64_t max_bytes);
  // The blob's bytes in order to `sink`; kNotFound when absent. A sink error stops the stream.
  virtual Status stream(std::string_view path, const ChunkSink& sink) = 0;
  // Bytes [offset, offset + length) of the blob, in order, to `sink`, so one large blob can be
  // read by several workers at once. A blob shorter than the range gives what it has.
  virtual Status stream_range(std::string_view path, std::uint64_t offset, std::uint64_t length,
                              const ChunkSink& sink) = 0;
  // The blob's size; nullopt when absent.
  virtual Result<std::optional<std::uint64_t>> size(std::string_view path) = 0;
  // Whether the blob exists (size() said so).
  Result<bool> exists(std::string_view path);
  // Until when `path` is locked against deletion (S3 Object Lock retention or legal hold);
  // nullopt = not locked: no lock, a retention already past, no such blob, or a store without
  // locks (this default). A legal hold on -> time_point::max().
  virtual Result<std::optional<TimePoint>> locked_until(std::string_view path);

  // --- writes --------------------------------------------------------------------------------
  // Written whole or not at all: a reader sees the old blob or the new one, never a part.
  virtual Status put(std::string_view path, std::string_view bytes) = 0;
  // As put, the bytes coming from `produce` (never held whole: multipart on S3 above the
  // threshold, a temporary file renamed into place locally).
  virtual Status put_stream(std::string_view path, const ChunkProducer& produce) = 0;
  // As put, but kConflict (and nothing written) when `path` already exists. Atomic only where
  // supports(kConditionalPut); elsewhere a check then a put (say so to the user).
  virtual Status put_if_absent(std::string_view path, std::string_view bytes) = 0;
  // Removes each path; an absent one is not an error. Batched where the backend can.
  virtual Status remove(const std::vector<std::string>& paths) = 0;
  // `to` becomes a copy of `from` (kNotFound when `from` is absent); atomic as put.
  virtual Status copy(std::string_view from, std::string_view to) = 0;
  // Whether copy_from(source, ...) can copy server-side from `source` into this store (S3 -> S3
  // on the same endpoint). Credentials may still refuse: copy_from then fails with kRemote and
  // Error::remote->http_status 403, and the caller streams the blob instead.
  virtual bool can_copy_from(const BlobStore& source) const {
    (void)source;
    return false;
  }
  // Server-side copy of `from` in `source` to `to` here, when can_copy_from(source): S3
  // CopyObject, UploadPartCopy above the store's copy part size; `size` is the source blob's
  // size (the caller knows it; it picks the method and the parts). Atomic as put; kNotFound
  // when `from` is absent. This default: kInternal "not supported".
  virtual Status copy_from(BlobStore& source, std::string_view from, std::string_view to,
                           std::uint64_t size);

  virtual bool supports(Capability c) const = 0;
  // "s3://bucket/prefix", the directory, or "memory:": for messages.
  virtual std::string describe() const = 0;

  // --- the namespace the store lives in -------------------------------------------------------
  // Where the root sits in its backend's namespace: an S3 store's key prefix in its bucket, a
  // directory's absolute path (without the leading '/'), a memory store's prefix. OpenSearch
  // names hashed shard folders relative to the engine's blob-store root there (the bucket), not
  // to the repository (RepositoryView).
  virtual std::string root_in_container() const { return ""; }
  // A store of the same backend, bucket, credentials and options rooted at `path` in that
  // namespace (checked as check_relative_path; "" = the bucket itself). kInvalidArgument where
  // the store has none (this default).
  virtual Result<std::unique_ptr<BlobStore>> open_in_container(std::string_view path) const;
};

// "a" + "b" -> "a/b"; "" + "b" -> "b".
std::string join_path(std::string_view dir, std::string_view name);

// kInvalidArgument unless `path` is relative and free of "", "." and ".." segments: a path built
// from a repository's own (untrusted) names must stay inside the store.
Status check_relative_path(std::string_view path);

// A ChunkSink that also counts bytes into *total.
ChunkSink counting_sink(ChunkSink inner, std::uint64_t* total);

// The one resume loop of ranged reads (S3, and the memory store's injected faults): `attempt`
// streams bytes [offset, offset + length) (length UINT64_MAX: to the end) and may fail part-way.
// A failure after at least one new byte arrived that is transient (a dropped connection, a
// timeout, a 5xx) is resumed at the first byte not yet received, after the shared backoff, up
// to `max_resumes` times; a failure with no progress is returned (the transport's own retry
// loop has already spent its budget on it). The sink sees every byte exactly once, in order.
using RangeAttempt =
    std::function<Status(std::uint64_t offset, std::uint64_t length, const ChunkSink& sink)>;
Status read_resuming(const RangeAttempt& attempt, std::uint64_t offset, std::uint64_t length,
                     const ChunkSink& sink, int max_resumes = 5);

}  // namespace essnap::blob
