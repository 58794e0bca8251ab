// Where an export's files live: a local directory or an S3 prefix, behind one small interface so
// export, import and their tests are the same code whatever the place. Names are relative
// ("manifest.json", "logs/000-000000.ndjson.zst") and are always derived by essnap, never read.
// Thread-safe: the export's slices and the import's loaders call one store concurrently.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "essnap/http/transport.hpp"
#include "essnap/s3/client.hpp"
#include "essnap/util/result.hpp"

namespace essnap::transfer {

class Store {
 public:
  virtual ~Store() = default;
  virtual std::string describe() const = 0;  // "s3://bucket/prefix" or the directory
  // Written whole or not at all (a local file is renamed into place; an S3 object appears only
  // when its PUT or multipart upload completes).
  virtual Status put(const std::string& name, std::string_view bytes) = 0;
  // kNotFound when absent; kParse when larger than max_bytes (nothing past it is read).
  virtual Result<std::string> get(const std::string& name, std::size_t max_bytes) = 0;
  virtual Result<bool> exists(const std::string& name) = 0;
};

std::unique_ptr<Store> make_local_store(std::string directory);

// One S3 client with the transport it sends on; the store keeps a pool of them, one per
// concurrent caller (a transport's retry loop is not shared between threads).
struct S3Handle {
  std::unique_ptr<http::Transport> transport;
  std::unique_ptr<s3::Client> client;
};
using S3HandleFactory = std::function<S3Handle()>;

struct S3StoreOptions {
  std::string bucket;
  std::string prefix;                          // no leading or trailing '/'
  std::size_t multipart_threshold = 16u << 20;  // objects above this go up in parts
  std::size_t part_size = 8u << 20;
};
std::unique_ptr<Store> make_s3_store(S3StoreOptions options, S3HandleFactory factory);

// "s3://..." -> the S3 location; anything else is a local directory.
bool is_s3_uri(std::string_view where);

}  // namespace essnap::transfer
