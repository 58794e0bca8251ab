#include "essnap/blob/s3_store.hpp"

#include <algorithm>
#include <random>
#include <thread>

#include "essnap/http/factory.hpp"

namespace essnap::blob {
namespace {

constexpr std::uint64_t kMaxCopyObject = 5ull << 30;  // CopyObject's limit: 5 GiB

// The object's media type by its name: what it is to anyone browsing the bucket, and a
// compressed chunk labelled as such is not compressed again by servers that try.
std::string content_type_for(std::string_view name) {
  if (name.ends_with(".zst")) return "application/zstd";
  if (name.ends_with(".gz")) return "application/gzip";
  if (name.ends_with(".ndjson")) return "application/x-ndjson";
  if (name.ends_with(".json")) return "application/json";
  return "application/octet-stream";
}

// An attempt that ended without the server's verdict on it: whether it was applied is unknown.
bool settles_by_looking(const Error& e) {
  if (e.code == ErrorCode::kNetwork || e.code == ErrorCode::kTimeout) return true;
  if (e.code != ErrorCode::kRemote || !e.remote) return false;
  const int s = e.remote->http_status;
  return s == 429 || s == 500 || s == 502 || s == 503 || s == 504;
}

bool range_not_satisfiable(const Error& e) {
  return e.remote && e.remote->http_status == 416;
}

}  // namespace

class S3Store::Lease {
 public:
  explicit Lease(S3Store& s) : s_(s), slot_(s.checkout()) {}
  ~Lease() { s_.checkin(std::move(slot_)); }
  s3::Client& client() { return *slot_->client; }

 private:
  S3Store& s_;
  std::unique_ptr<Slot> slot_;
};

S3Store::S3Store(S3StoreOptions options) : o_(std::move(options)) {
  while (!o_.prefix.empty() && o_.prefix.back() == '/') o_.prefix.pop_back();
  while (!o_.prefix.empty() && o_.prefix.front() == '/') o_.prefix.erase(0, 1);
  if (!o_.transports) o_.transports = [] { return http::make_transport(http::TransportOptions{}); };
  o_.part_size = std::max<std::uint64_t>(o_.part_size, 5u << 20);  // S3's minimum part
}

std::unique_ptr<S3Store::Slot> S3Store::checkout() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!pool_.empty()) {
      auto s = std::move(pool_.back());
      pool_.pop_back();
      return s;
    }
  }
  auto s = std::make_unique<Slot>();
  s->transport = o_.transports();
  s->client = std::make_unique<s3::Client>(*s->transport, o_.client);
  return s;
}

void S3Store::checkin(std::unique_ptr<Slot> slot) {
  std::lock_guard<std::mutex> l(mu_);
  pool_.push_back(std::move(slot));
}

std::string S3Store::key(std::string_view path) const {
  return join_path(o_.prefix, path);
}

std::string S3Store::describe() const {
  return "s3://" + o_.bucket + (o_.prefix.empty() ? "" : "/" + o_.prefix);
}

bool S3Store::supports(Capability c) const {
  switch (c) {
    case Capability::kConditionalPut:
      return o_.conditional_put;
    case Capability::kServerSideCopy:
      return true;
  }
  return false;
}

Error S3Store::name_error(Error e, std::string_view path) const {
  const bool no_bucket = e.remote && e.remote->error_type == "NoSuchBucket";
  if (e.code == ErrorCode::kNotFound && !no_bucket)
    e.message = "reading " + std::string(path) + ": no such blob in " + describe();
  return e;
}

Result<Listing> S3Store::list(std::string_view dir) {
  ESSNAP_TRY_STATUS(check_relative_path(dir));
  std::string p = key(dir);
  if (!p.empty()) p += '/';
  Listing out;
  Lease lease(*this);
  s3::ListObjectsV2Request r;
  r.bucket = o_.bucket;
  r.prefix = p;
  r.delimiter = "/";
  r.max_keys = o_.page_size;
  for (;;) {
    ESSNAP_TRY(auto page, lease.client().list_objects_v2(r));
    for (auto& obj : page.objects)
      if (obj.key.size() > p.size()) out.blobs.push_back({obj.key.substr(p.size()), obj.size});
    for (auto& c : page.common_prefixes) {
      std::string name = c.substr(std::min(p.size(), c.size()));
      while (!name.empty() && name.back() == '/') name.pop_back();
      if (!name.empty()) out.children.push_back(std::move(name));
    }
    if (page.next_continuation_token.empty()) break;
    if (page.next_continuation_token == r.continuation_token)
      return make_error(ErrorCode::kParse, "S3 ListObjectsV2 repeated its continuation token");
    r.continuation_token = page.next_continuation_token;
  }
  std::sort(out.blobs.begin(), out.blobs.end(),
            [](const BlobInfo& a, const BlobInfo& b) { return a.name < b.name; });
  std::sort(out.children.begin(), out.children.end());
  return out;
}

Status S3Store::walk(std::string_view dir, const BlobVisitor& visit) {
  ESSNAP_TRY_STATUS(check_relative_path(dir));
  std::string p = key(dir);
  if (!p.empty()) p += '/';
  const std::size_t strip = o_.prefix.empty() ? 0 : o_.prefix.size() + 1;
  Lease lease(*this);
  s3::ListObjectsV2Request r;
  r.bucket = o_.bucket;
  r.prefix = p;
  r.max_keys = o_.page_size;
  for (;;) {
    ESSNAP_TRY(auto page, lease.client().list_objects_v2(r));
    for (auto& obj : page.objects)
      if (obj.key.size() > strip && obj.key.back() != '/')
        ESSNAP_TRY_STATUS(visit({obj.key.substr(strip), obj.size}));
    if (page.next_continuation_token.empty()) break;
    if (page.next_continuation_token == r.continuation_token)
      return make_error(ErrorCode::kParse, "S3 ListObjectsV2 repeated its continuation token");
    r.continuation_token = page.next_continuation_token;
  }
  return ok_status();
}

Status S3Store::read_attempt(std::string_view path, std::uint64_t offset, std::uint64_t length,
                             const ChunkSink& sink) {
  if (length == 0) return ok_status();
  Lease lease(*this);
  s3::GetObjectRequest r;
  r.bucket = o_.bucket;
  r.key = key(path);
  if (offset > 0 || length != UINT64_MAX)
    r.range = "bytes=" + std::to_string(offset) + "-" +
              (length == UINT64_MAX ? std::string() : std::to_string(offset + length - 1));
  r.sink = [&](std::string_view chunk) { return sink(chunk); };
  auto resp = lease.client().get_object(r);
  if (resp.ok()) return ok_status();
  Error e = std::move(resp).error();
  if (range_not_satisfiable(e)) return ok_status();  // the blob ends before the range begins
  return name_error(std::move(e), path);
}

Status S3Store::stream(std::string_view path, const ChunkSink& sink) {
  return stream_range(path, 0, UINT64_MAX, sink);
}

Status S3Store::stream_range(std::string_view path, std::uint64_t offset, std::uint64_t length,
                             const ChunkSink& sink) {
  ESSNAP_TRY_STATUS(check_relative_path(path));
  return read_resuming([&](std::uint64_t at, std::uint64_t left,
                           const ChunkSink& s) { return read_attempt(path, at, left, s); },
                       offset, length, sink);
}

Result<std::optional<std::uint64_t>> S3Store::size(std::string_view path) {
  ESSNAP_TRY_STATUS(check_relative_path(path));
  Lease lease(*this);
  s3::ListObjectsV2Request r;
  r.bucket = o_.bucket;
  r.prefix = key(path);
  r.max_keys = 1;
  ESSNAP_TRY(auto page, lease.client().list_objects_v2(r));
  for (const auto& obj : page.objects)
    if (obj.key == r.prefix) return std::optional<std::uint64_t>(obj.size);
  return std::optional<std::uint64_t>{};
}

Status S3Store::put_object(std::string_view path, std::string_view bytes, bool if_none_match) {
  Lease lease(*this);
  s3::PutObjectRequest r;
  r.bucket = o_.bucket;
  r.key = key(path);
  r.body = http::Body::from_string(std::string(bytes));
  r.content_type = content_type_for(path);
  r.if_none_match = if_none_match;
  ESSNAP_TRY(auto resp, lease.client().put_object(r));
  (void)resp;
  return ok_status();
}

Status S3Store::put(std::string_view path, std::string_view bytes) {
  if (bytes.size() > o_.multipart_threshold)
    return put_stream(path, [&](const ChunkSink& sink) { return sink(bytes); });
  ESSNAP_TRY_STATUS(check_relative_path(path));
  if (path.empty()) return make_error(ErrorCode::kInvalidArgument, "a blob needs a name");
  return put_object(path, bytes, false);
}

Status S3Store::put_stream(std::string_view path, const ChunkProducer& produce) {
  ESSNAP_TRY_STATUS(check_relative_path(path));
  if (path.empty()) return make_error(ErrorCode::kInvalidArgument, "a blob needs a name");
  Lease lease(*this);
  s3::Client& client = lease.client();
  const std::string k = key(path);
  std::string buffer;
  std::string upload_id;
  s3::CompleteMultipartUploadRequest done{o_.bucket, k, {}, {}};
  auto abort = [&] {
    if (!upload_id.empty()) (void)client.abort_multipart_upload({o_.bucket, k, upload_id});
  };
  auto send_part = [&](std::string body) -> Status {
    if (upload_id.empty()) {
      ESSNAP_TRY(auto created,
                 client.create_multipart_upload({o_.bucket, k, content_type_for(path)}));
      upload_id = created.upload_id;
      done.upload_id = upload_id;
    }
    s3::UploadPartRequest up;
    up.bucket = o_.bucket;
    up.key = k;
    up.upload_id = upload_id;
    up.part_number = static_cast<int>(done.parts.size()) + 1;
    up.body = http::Body::from_string(std::move(body));
    ESSNAP_TRY(auto r, client.upload_part(up));
    done.parts.push_back({up.part_number, r.etag});
    return ok_status();
  };
  // Parts go up as soon as the threshold is passed; the last part may be small.
  Status s = produce([&](std::string_view chunk) -> Status {
    buffer.append(chunk);
    // Every part but the last must be part_size (S3 refuses parts under 5 MiB); the upload
    // begins once the blob is known to pass the threshold.
    while (buffer.size() >= o_.part_size &&
           (!upload_id.empty() || buffer.size() > o_.multipart_threshold)) {
      const std::size_t n =
          static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), o_.part_size));
      ESSNAP_TRY_STATUS(send_part(buffer.substr(0, n)));
      buffer.erase(0, n);
    }
    return ok_status();
  });
  if (!s.ok()) {
    abort();
    return s;
  }
  if (upload_id.empty()) {
    s3::PutObjectRequest r;
    r.bucket = o_.bucket;
    r.key = k;
    r.body = http::Body::from_string(std::move(buffer));
    r.content_type = content_type_for(path);
    ESSNAP_TRY(auto resp, client.put_object(r));
    (void)resp;
    return ok_status();
  }
  if (!buffer.empty()) {
    if (Status p = send_part(std::move(buffer)); !p.ok()) {
      abort();
      return p;
    }
  }
  auto c = client.complete_multipart_upload(done);
  if (!c.ok()) {
    abort();
    return std::move(c).error();
  }
  return ok_status();
}

Status S3Store::put_if_absent(std::string_view path, std::string_view bytes) {
  ESSNAP_TRY_STATUS(check_relative_path(path));
  if (path.empty()) return make_error(ErrorCode::kInvalidArgument, "a blob needs a name");
  const auto taken = [&] {
    return make_error(ErrorCode::kConflict,
                      describe() + "/" + std::string(path) + " already exists");
  };
  if (!o_.conditional_put) {
    ESSNAP_TRY(auto have, size(path));
    if (have) return taken();
    return put(path, bytes);
  }
  // A conditional PUT is not repeated blindly (a repeat of one that had in fact landed would
  // answer 412). When an attempt ends without a verdict (a reset, a timeout, a 5xx), look: the
  // blob there with our bytes means it landed; other bytes mean another writer won; nothing
  // there means it did not land, and it is tried again.
  // What is at `path` now: nothing (nullopt), our bytes (true) or another writer's (false).
  auto look = [&]() -> Result<std::optional<bool>> {
    ESSNAP_TRY(auto have, size(path));
    if (!have) return std::optional<bool>();
    if (*have != bytes.size()) return std::optional<bool>(false);
    ESSNAP_TRY(auto there, read(path, bytes.size()));
    return std::optional<bool>(there == bytes);
  };
  http::RetryPolicy policy;
  std::minstd_rand jitter(std::random_device{}());
  for (int attempt = 1;; ++attempt) {
    Status st = put_object(path, bytes, true);
    if (st.ok()) return st;
    const Error& e = st.error();
    if (e.code == ErrorCode::kConflict) {
      if (attempt == 1) return st;
      auto there = look();  // an earlier attempt may have landed after we looked
      if (there.ok() && there->value_or(false)) return ok_status();
      return st;
    }
    if (!settles_by_looking(e) || attempt >= policy.max_attempts) return st;
    auto there = look();
    if (!there.ok()) return st;
    if (*there) return **there ? ok_status() : taken();
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::this_thread::sleep_for(http::backoff_delay(policy, attempt, u(jitter)));
  }
}

Status S3Store::remove(const std::vector<std::string>& paths) {
  for (const auto& p : paths) ESSNAP_TRY_STATUS(check_relative_path(p));
  Lease lease(*this);
  for (std::size_t i = 0; i < paths.size(); i += 1000) {
    s3::DeleteObjectsRequest r;
    r.bucket = o_.bucket;
    for (std::size_t j = i; j < std::min(paths.size(), i + 1000); ++j)
      r.keys.push_back(key(paths[j]));
    ESSNAP_TRY(auto resp, lease.client().delete_objects(r));
    if (!resp.failures.empty()) {
      const auto& f = resp.failures.front();
      return make_error(
          ErrorCode::kRemote,
          "S3 DeleteObjects could not delete " + std::to_string(resp.failures.size()) + " of " +
              std::to_string(r.keys.size()) + " objects in " + describe() + ", the first " + f.key +
              ": " + f.code + " " + f.message,
          f.code == "AccessDenied" ? "the caller needs s3:DeleteObject on the prefix" : "");
    }
  }
  return ok_status();
}

Status S3Store::copy(std::string_view from, std::string_view to) {
  ESSNAP_TRY_STATUS(check_relative_path(from));
  ESSNAP_TRY_STATUS(check_relative_path(to));
  ESSNAP_TRY(auto have, size(from));
  if (!have)
    return make_error(ErrorCode::kNotFound,
                      "copying " + std::string(from) + ": no such blob in " + describe());
  Lease lease(*this);
  s3::Client& client = lease.client();
  const std::string src = key(from), dst = key(to);
  if (*have <= kMaxCopyObject) {
    ESSNAP_TRY(auto r, client.copy_object({o_.bucket, src, o_.bucket, dst}));
    (void)r;
    return ok_status();
  }
  ESSNAP_TRY(auto created, client.create_multipart_upload({o_.bucket, dst, content_type_for(to)}));
  s3::CompleteMultipartUploadRequest done{o_.bucket, dst, created.upload_id, {}};
  int part = 1;
  for (std::uint64_t at = 0; at < *have; at += o_.copy_part_size, ++part) {
    s3::UploadPartCopyRequest up;
    up.bucket = o_.bucket;
    up.key = dst;
    up.upload_id = created.upload_id;
    up.part_number = part;
    up.source_bucket = o_.bucket;
    up.source_key = src;
    up.first = at;
    up.last = std::min(*have, at + o_.copy_part_size) - 1;
    auto r = client.upload_part_copy(up);
    if (!r.ok()) {
      (void)client.abort_multipart_upload({o_.bucket, dst, created.upload_id});
      return std::move(r).error();
    }
    done.parts.push_back({part, r->etag});
  }
  auto c = client.complete_multipart_upload(done);
  if (!c.ok()) {
    (void)client.abort_multipart_upload({o_.bucket, dst, created.upload_id});
    return std::move(c).error();
  }
  return ok_status();
}

}  // namespace essnap::blob
