// One interface over the places a snapshot repository lives (an S3 bucket prefix, a local
// directory, memory in tests), with exactly what reading a repository needs: list one directory
// (blobs with sizes, child directories; paginated underneath), walk everything under a prefix,
// read a small blob whole (bounded: metadata only), stream a blob in chunks (data blobs are never
// held whole), and a blob's size. Paths are relative to the repository root, '/'-separated.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "essnap/util/result.hpp"

namespace essnap::repo {

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

class BlobContainer {
 public:
  virtual ~BlobContainer() = default;

  // The immediate blobs and child directories of `dir` ("" = the root). A directory that does
  // not exist lists empty (S3 has no directories).
  virtual Result<Listing> list(std::string_view dir) = 0;
  // Every blob under `dir`, recursively, path from the repository root, in no promised order.
  virtual Status walk(std::string_view dir, const BlobVisitor& visit) = 0;
  // The whole blob; kNotFound when absent; kParse when larger than max_bytes (never read past).
  // By default, stream() gathered up to the bound; a container with the bytes at hand overrides.
  virtual Result<std::string> read(std::string_view path, std::uint64_t max_bytes);
  // The blob's bytes in order to `sink`; kNotFound when absent. A sink error stops the stream.
  virtual Status stream(std::string_view path, const ChunkSink& sink) = 0;
  // Bytes [offset, offset + length) of the blob, in order, to `sink` (a ranged GET on S3), so
  // one large blob can be read by several workers at once. kNotFound when absent.
  virtual Status stream_range(std::string_view path, std::uint64_t offset, std::uint64_t length,
                              const ChunkSink& sink) = 0;
  // The blob's size; nullopt when absent.
  virtual Result<std::optional<std::uint64_t>> size(std::string_view path) = 0;
  // "s3://bucket/prefix" or the directory: for messages.
  virtual std::string describe() const = 0;
};

// "a" + "b" -> "a/b"; "" + "b" -> "b".
std::string join_path(std::string_view dir, std::string_view name);

// kInvalidArgument unless `path` is relative and free of "", "." and ".." segments: a path built
// from a repository's own (untrusted) names must stay inside the repository.
Status check_relative_path(std::string_view path);

// A ChunkSink that also counts bytes into *total.
ChunkSink counting_sink(ChunkSink inner, std::uint64_t* total);

}  // namespace essnap::repo
