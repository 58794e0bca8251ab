#include "essnap/blob/open.hpp"

#include <filesystem>

#include "essnap/blob/local_store.hpp"
#include "essnap/blob/s3_store.hpp"

namespace essnap::blob {

bool is_s3_uri(std::string_view where) {
  return where.substr(0, 5) == "s3://";
}

Result<std::unique_ptr<BlobStore>> open_blob_store(std::string_view where, Access access,
                                                   const OpenOptions& options) {
  if (where.empty())
    return make_error(ErrorCode::kInvalidArgument, "no place given",
                      "give s3://BUCKET/PREFIX or a directory");
  if (is_s3_uri(where)) {
    ESSNAP_TRY(s3::BucketUri uri, s3::parse_bucket_uri(where));
    ESSNAP_TRY_STATUS(check_write_options(options.write, true, where));
    std::shared_ptr<aws::CredentialsProvider> provider =
        aws::make_default_chain(options.credentials);
    if (auto c = provider->credentials(); !c.ok()) return std::move(c).error();
    ESSNAP_TRY(s3::ClientOptions client, s3::resolve_client_options(options.s3, provider));
    S3StoreOptions so;
    so.bucket = uri.bucket;
    so.prefix = uri.prefix;
    so.client = std::move(client);
    so.multipart_threshold = options.multipart_threshold;
    so.part_size = options.part_size;
    so.copy_part_size = options.copy_part_size;
    so.write = options.write;
    so.content_md5 = options.content_md5;
    so.delete_versions = options.delete_versions;
    const http::TransportOptions topts = options.transport;
    so.transports = [topts] { return http::make_transport(topts); };
    return std::unique_ptr<BlobStore>(std::make_unique<S3Store>(std::move(so)));
  }
  std::string dir(where);
  ESSNAP_TRY_STATUS(check_write_options(options.write, false, dir));
  if (access == Access::kRead) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
      return make_error(ErrorCode::kNotFound, dir + " is not a directory",
                        "give s3://BUCKET/PREFIX for S3, or an existing directory");
  }
  return std::unique_ptr<BlobStore>(std::make_unique<LocalStore>(std::move(dir)));
}

}  // namespace essnap::blob
