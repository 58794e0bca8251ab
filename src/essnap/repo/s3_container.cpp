#include "essnap/repo/s3_container.hpp"

#include <algorithm>

namespace essnap::repo {

class S3Container::Lease {
 public:
  explicit Lease(S3Container& c) : c_(c), slot_(c.checkout()) {}
  ~Lease() { c_.checkin(std::move(slot_)); }
  s3::Client& client() { return *slot_->client; }

 private:
  S3Container& c_;
  std::unique_ptr<Slot> slot_;
};

S3Container::S3Container(std::string bucket, std::string prefix, s3::ClientOptions client_options,
                         TransportFactory transports)
    : bucket_(std::move(bucket)),
      prefix_(std::move(prefix)),
      options_(std::move(client_options)),
      transports_(std::move(transports)) {
  while (!prefix_.empty() && prefix_.back() == '/') prefix_.pop_back();
  while (!prefix_.empty() && prefix_.front() == '/') prefix_.erase(0, 1);
  if (!transports_) transports_ = [] { return http::make_transport(http::TransportOptions{}); };
}

std::unique_ptr<S3Container::Slot> S3Container::checkout() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!pool_.empty()) {
      auto s = std::move(pool_.back());
      pool_.pop_back();
      return s;
    }
  }
  auto s = std::make_unique<Slot>();
  s->transport = transports_();
  s->client = std::make_unique<s3::Client>(*s->transport, options_);
  return s;
}

void S3Container::checkin(std::unique_ptr<Slot> slot) {
  std::lock_guard<std::mutex> l(mu_);
  pool_.push_back(std::move(slot));
}

std::string S3Container::key(std::string_view path) const {
  return join_path(prefix_, path);
}

std::string S3Container::describe() const {
  return "s3://" + bucket_ + (prefix_.empty() ? "" : "/" + prefix_);
}

Error S3Container::name_error(Error e, std::string_view path) const {
  const bool no_bucket = e.remote && e.remote->error_type == "NoSuchBucket";
  if (e.code == ErrorCode::kNotFound && !no_bucket)
    e.message = "reading " + std::string(path) + ": no such blob in " + describe();
  return e;
}

Result<Listing> S3Container::list(std::string_view dir) {
  ESSNAP_TRY_STATUS(check_relative_path(dir));
  std::string p = key(dir);
  if (!p.empty()) p += '/';
  Listing out;
  Lease lease(*this);
  s3::ListObjectsV2Request r;
  r.bucket = bucket_;
  r.prefix = p;
  r.delimiter = "/";
  r.max_keys = page_size_;
  for (;;) {
    ESSNAP_TRY(auto page, lease.client().list_objects_v2(r));
    for (auto& o : page.objects)
      if (o.key.size() > p.size()) out.blobs.push_back({o.key.substr(p.size()), o.size});
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

Status S3Container::walk(std::string_view dir, const BlobVisitor& visit) {
  ESSNAP_TRY_STATUS(check_relative_path(dir));
  std::string p = key(dir);
  if (!p.empty()) p += '/';
  const std::size_t strip = prefix_.empty() ? 0 : prefix_.size() + 1;
  Lease lease(*this);
  s3::ListObjectsV2Request r;
  r.bucket = bucket_;
  r.prefix = p;
  r.max_keys = page_size_;
  for (;;) {
    ESSNAP_TRY(auto page, lease.client().list_objects_v2(r));
    for (auto& o : page.objects)
      if (o.key.size() > strip && o.key.back() != '/')
        ESSNAP_TRY_STATUS(visit({o.key.substr(strip), o.size}));
    if (page.next_continuation_token.empty()) break;
    if (page.next_continuation_token == r.continuation_token)
      return make_error(ErrorCode::kParse, "S3 ListObjectsV2 repeated its continuation token");
    r.continuation_token = page.next_continuation_token;
  }
  return ok_status();
}

Status S3Container::stream(std::string_view path, const ChunkSink& sink) {
  ESSNAP_TRY_STATUS(check_relative_path(path));
  Lease lease(*this);
  s3::GetObjectRequest r;
  r.bucket = bucket_;
  r.key = key(path);
  r.sink = [&](std::string_view chunk) { return sink(chunk); };
  auto resp = lease.client().get_object(r);
  if (!resp.ok()) return name_error(std::move(resp).error(), path);
  return ok_status();
}

Status S3Container::stream_range(std::string_view path, std::uint64_t offset, std::uint64_t length,
                                 const ChunkSink& sink) {
  ESSNAP_TRY_STATUS(check_relative_path(path));
  if (length == 0) return ok_status();
  Lease lease(*this);
  s3::GetObjectRequest r;
  r.bucket = bucket_;
  r.key = key(path);
  r.range = "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1);
  r.sink = [&](std::string_view chunk) { return sink(chunk); };
  auto resp = lease.client().get_object(r);
  if (!resp.ok()) return name_error(std::move(resp).error(), path);
  return ok_status();
}

Result<std::optional<std::uint64_t>> S3Container::size(std::string_view path) {
  ESSNAP_TRY_STATUS(check_relative_path(path));
  Lease lease(*this);
  s3::ListObjectsV2Request r;
  r.bucket = bucket_;
  r.prefix = key(path);
  r.max_keys = 1;
  ESSNAP_TRY(auto page, lease.client().list_objects_v2(r));
  for (const auto& o : page.objects)
    if (o.key == r.prefix) return std::optional<std::uint64_t>(o.size);
  return std::optional<std::uint64_t>{};
}

}  // namespace essnap::repo
