// The one place a user's "where" becomes a store: "s3://bucket/prefix" an S3 store (credentials
// resolved now, so a missing key fails before any work), anything else a local directory.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "essnap/aws/credentials.hpp"
#include "essnap/blob/blob_store.hpp"
#include "essnap/http/factory.hpp"
#include "essnap/s3/settings.hpp"

namespace essnap::blob {

// kRead: the place must exist (a directory that is not there is kNotFound). kWrite: it is
// created by the first put.
enum class Access { kRead, kWrite };

struct OpenOptions {
  s3::S3Settings s3;                   // region, profile, endpoint, addressing
  aws::CredentialOptions credentials;  // how s3:// finds its credentials
  http::TransportOptions transport;    // timeouts, TLS, -v tracing of each pooled client
  std::uint64_t multipart_threshold = 16u << 20;
  std::uint64_t part_size = 8u << 20;
  std::uint64_t copy_part_size = 512u << 20;  // S3: server-side copies above this are multipart
  // Storage class and Object Lock retention of every object the store writes. S3 only: a
  // directory with a non-empty one is refused (kInvalidArgument), as is an unusable one
  // (check_write_options: GLACIER, DEEP_ARCHIVE, an unknown mode, days out of range).
  WriteOptions write;
  // S3: Content-MD5 on every PutObject / UploadPart (a bucket with a default retention needs it).
  bool content_md5 = false;
  // S3: remove() deletes every version of a key (S3StoreOptions::delete_versions).
  bool delete_versions = false;
};

bool is_s3_uri(std::string_view where);

Result<std::unique_ptr<BlobStore>> open_blob_store(std::string_view where, Access access,
                                                   const OpenOptions& options);

}  // namespace essnap::blob
