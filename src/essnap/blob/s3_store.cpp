#include "essnap/blob/s3_store.hpp"

#include <algorithm>
#include <random>
#include <thread>

#include "essnap/aws/partition.hpp"
#include "essnap/http/factory.hpp"
#include "essnap/util/url.hpp"

namespace essnap::blob {
namespace {

constexpr std::uint64_t kMaxCopyObject = 5ull << 30;  // CopyObject's limit: 5 GiB
constexpr std::uint64_t kMinPart = 5u << 20;          // S3's smallest part but the last

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
  o_.part_size = std::max<std::uint64_t>(o_.part_size, kMinPart);
  o_.copy_part_size = std::clamp<std::uint64_t>(o_.copy_part_size, kMinPart, kMaxCopyObject);
}

BlobStore::TimePoint S3Store::now() const {
  return o_.client.clock ? o_.client.clock() : std::chrono::system_clock::now();
}

s3::ObjectWriteSettings S3Store::write_settings() const {
  s3::ObjectWriteSettings w;
  w.storage_class = o_.write.storage_class;
  if (o_.write.locks()) {
    w.object_lock_mode = o_.write.object_lock_mode;
    w.object_lock_retain_until = now() + std::chrono::hours(24) * o_.write.object_lock_days;
  }
  return w;
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

Result<std::unique_ptr<BlobStore>> S3Store::open_in_container(std::string_view path) const {
  ESSNAP_TRY_STATUS(check_relative_path(path));
  S3StoreOptions o = o_;
  o.prefix = std::string(path);
  return std::unique_ptr<BlobStore>(std::make_unique<S3Store>(std::move(o)));
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
  r.write = write_settings();
  r.content_md5 = send_md5();
  ESSNAP_TRY(auto resp, lease.client().put_object(r));
  (void)resp;
  return ok_status();
}

Status S3Store::put(std::string_view path, std::string_view bytes) {
  ESSNAP_TRY_STATUS(check_write_options(o_.write, true, describe()));
  if (bytes.size() > o_.multipart_threshold)
    return put_stream(path, [&](const ChunkSink& sink) { return sink(bytes); });
  ESSNAP_TRY_STATUS(check_relative_path(path));
  if (path.empty()) return make_error(ErrorCode::kInvalidArgument, "a blob needs a name");
  return put_object(path, bytes, false);
}

Status S3Store::put_stream(std::string_view path, const ChunkProducer& produce) {
  ESSNAP_TRY_STATUS(check_write_options(o_.write, true, describe()));
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
      ESSNAP_TRY(auto created, client.create_multipart_upload(
                                   {o_.bucket, k, content_type_for(path), write_settings()}));
      upload_id = created.upload_id;
      done.upload_id = upload_id;
    }
    s3::UploadPartRequest up;
    up.bucket = o_.bucket;
    up.key = k;
    up.upload_id = upload_id;
    up.part_number = static_cast<int>(done.parts.size()) + 1;
    up.body = http::Body::from_string(std::move(body));
    up.content_md5 = send_md5();
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
    r.write = write_settings();
    r.content_md5 = send_md5();
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
  ESSNAP_TRY_STATUS(check_write_options(o_.write, true, describe()));
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

namespace {
Error delete_failures(const s3::DeleteObjectsResponse& resp, std::size_t asked,
                      const std::string& where) {
  const auto& f = resp.failures.front();
  std::string hint;
  if (f.code == "AccessDenied")
    hint = f.message.find("lock") != std::string::npos || !f.version_id.empty()
               ? "the object is under S3 Object Lock retention or a legal hold (or the caller "
                 "lacks s3:DeleteObjectVersion); it can be deleted once the retention ends"
               : "the caller needs s3:DeleteObject on the prefix";
  return make_error(ErrorCode::kRemote,
                    "S3 DeleteObjects could not delete " + std::to_string(resp.failures.size()) +
                        " of " + std::to_string(asked) + " objects in " + where + ", the first " +
                        f.key + (f.version_id.empty() ? "" : " (version " + f.version_id + ")") +
                        ": " + f.code + " " + f.message,
                    hint);
}
}  // namespace

Status S3Store::remove(const std::vector<std::string>& paths) {
  for (const auto& p : paths) ESSNAP_TRY_STATUS(check_relative_path(p));
  Lease lease(*this);
  const bool versions = o_.delete_versions || o_.write.locks();
  for (std::size_t i = 0; i < paths.size(); i += 1000) {
    s3::DeleteObjectsRequest r;
    r.bucket = o_.bucket;
    for (std::size_t j = i; j < std::min(paths.size(), i + 1000); ++j)
      r.keys.push_back(key(paths[j]));
    if (versions) {
      ESSNAP_TRY_STATUS(remove_versions(lease.client(), r.keys));
      continue;
    }
    ESSNAP_TRY(auto resp, lease.client().delete_objects(r));
    if (!resp.failures.empty()) return delete_failures(resp, r.keys.size(), describe());
  }
  return ok_status();
}

Status S3Store::remove_versions(s3::Client& client, const std::vector<std::string>& keys) {
  s3::DeleteObjectsRequest batch;
  batch.bucket = o_.bucket;
  auto flush = [&]() -> Status {
    if (batch.keys.empty()) return ok_status();
    ESSNAP_TRY(auto resp, client.delete_objects(batch));
    if (!resp.failures.empty()) return delete_failures(resp, batch.keys.size(), describe());
    batch.keys.clear();
    batch.version_ids.clear();
    return ok_status();
  };
  for (const auto& k : keys) {
    s3::ListObjectVersionsRequest lr;
    lr.bucket = o_.bucket;
    lr.prefix = k;
    lr.max_keys = o_.page_size;
    for (;;) {
      ESSNAP_TRY(auto page, client.list_object_versions(lr));
      for (const auto& v : page.versions) {
        if (v.key != k) continue;  // the prefix also finds "k2", "k/..."
        batch.keys.push_back(v.key);
        batch.version_ids.push_back(v.version_id);
        if (batch.keys.size() == 1000) ESSNAP_TRY_STATUS(flush());
      }
      if (!page.truncated) break;
      if (page.next_key_marker == lr.key_marker &&
          page.next_version_id_marker == lr.version_id_marker)
        return make_error(ErrorCode::kParse, "S3 ListObjectVersions repeated its markers");
      // Past this key: the rest of the listing is other keys under the same prefix.
      if (page.next_key_marker > k) break;
      lr.key_marker = page.next_key_marker;
      lr.version_id_marker = page.next_version_id_marker;
    }
  }
  return flush();
}

Status S3Store::copy(std::string_view from, std::string_view to) {
  ESSNAP_TRY_STATUS(check_relative_path(from));
  ESSNAP_TRY_STATUS(check_relative_path(to));
  ESSNAP_TRY(auto have, size(from));
  if (!have)
    return make_error(ErrorCode::kNotFound,
                      "copying " + std::string(from) + ": no such blob in " + describe());
  return server_copy(o_.bucket, key(from), to, *have);
}

Status S3Store::server_copy(const std::string& source_bucket, const std::string& source_key,
                            std::string_view to, std::uint64_t size) {
  ESSNAP_TRY_STATUS(check_write_options(o_.write, true, describe()));
  ESSNAP_TRY_STATUS(check_relative_path(to));
  if (to.empty()) return make_error(ErrorCode::kInvalidArgument, "a blob needs a name");
  Lease lease(*this);
  s3::Client& client = lease.client();
  const std::string dst = key(to);
  if (size <= o_.copy_part_size) {
    s3::CopyObjectRequest r{source_bucket, source_key, o_.bucket, dst, write_settings()};
    ESSNAP_TRY(auto done, client.copy_object(r));
    (void)done;
    return ok_status();
  }
  ESSNAP_TRY(auto created, client.create_multipart_upload(
                               {o_.bucket, dst, content_type_for(to), write_settings()}));
  s3::CompleteMultipartUploadRequest done{o_.bucket, dst, created.upload_id, {}};
  int part = 1;
  for (std::uint64_t at = 0; at < size; at += o_.copy_part_size, ++part) {
    s3::UploadPartCopyRequest up;
    up.bucket = o_.bucket;
    up.key = dst;
    up.upload_id = created.upload_id;
    up.part_number = part;
    up.source_bucket = source_bucket;
    up.source_key = source_key;
    up.first = at;
    up.last = std::min(size, at + o_.copy_part_size) - 1;
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

namespace {
// "" (AWS's own endpoints) or scheme, host and effective port of an endpoint URL.
std::string endpoint_origin(const std::string& url) {
  if (url.empty()) return {};
  auto u = util::parse_url(url, util::UrlChars::kRaw);
  if (!u.ok()) return url;
  const bool https = u->scheme == util::Scheme::kHttps;
  const int port = u->port ? u->port : (https ? 443 : 80);
  return std::string(https ? "https" : "http") + "://" + u->host + ":" + std::to_string(port);
}
}  // namespace

bool S3Store::can_copy_from(const BlobStore& source) const {
  const auto* other = dynamic_cast<const S3Store*>(&source);
  if (!other) return false;
  const std::string mine = endpoint_origin(o_.client.endpoint.url);
  if (mine != endpoint_origin(other->o_.client.endpoint.url)) return false;
  // AWS copies across regions, not across partitions (aws, aws-cn, aws-us-gov, ...).
  if (mine.empty())
    return aws::partition_for_region(o_.client.region).id ==
           aws::partition_for_region(other->o_.client.region).id;
  return true;
}

Status S3Store::copy_from(BlobStore& source, std::string_view from, std::string_view to,
                          std::uint64_t size) {
  if (!can_copy_from(source))
    return make_error(ErrorCode::kInvalidArgument, describe() + " cannot copy server-side from " +
                                                       source.describe() +
                                                       " (another kind of store or endpoint)");
  ESSNAP_TRY_STATUS(check_relative_path(from));
  if (from.empty()) return make_error(ErrorCode::kInvalidArgument, "a blob needs a name");
  const auto& src = static_cast<const S3Store&>(source);
  Status s = server_copy(src.o_.bucket, src.key(from), to, size);
  if (!s.ok() && s.error().code == ErrorCode::kNotFound &&
      !(s.error().remote && s.error().remote->error_type == "NoSuchBucket")) {
    Error e = s.error();
    e.message = "copying " + std::string(from) + " from " + source.describe() + " to " +
                describe() + ": no such blob (" + e.message + ")";
    return e;
  }
  return s;
}

Result<s3::ObjectLockConfiguration> S3Store::object_lock_configuration() {
  Lease lease(*this);
  return lease.client().get_object_lock_configuration(o_.bucket);
}

Result<std::optional<BlobStore::TimePoint>> S3Store::locked_until(std::string_view path) {
  ESSNAP_TRY_STATUS(check_relative_path(path));
  if (path.empty()) return make_error(ErrorCode::kInvalidArgument, "a blob needs a name");
  Lease lease(*this);
  auto head = lease.client().head_object({o_.bucket, key(path)});
  if (!head.ok()) {
    if (head.error().code == ErrorCode::kNotFound) return std::optional<TimePoint>{};
    return std::move(head).error();
  }
  if (head->object_lock_legal_hold) return std::optional<TimePoint>(TimePoint::max());
  if (!head->object_lock_mode.empty() && head->object_lock_retain_until &&
      *head->object_lock_retain_until > now())
    return std::optional<TimePoint>(*head->object_lock_retain_until);
  return std::optional<TimePoint>{};
}

}  // namespace essnap::blob
