#include "essnap/blob/blob_store.hpp"

#include <random>
#include <thread>

#include "essnap/http/factory.hpp"
#include "essnap/s3/client.hpp"

namespace essnap::blob {

std::string join_path(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  if (name.empty()) return std::string(dir);
  std::string out(dir);
  if (out.back() != '/') out += '/';
  out += name;
  return out;
}

Status check_relative_path(std::string_view path) {
  if (path.empty()) return ok_status();
  if (path.front() == '/')
    return make_error(ErrorCode::kInvalidArgument,
                      "blob path '" + std::string(path) + "' is absolute");
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(start, end - start);
    if (seg.empty() || seg == "." || seg == "..")
      return make_error(ErrorCode::kInvalidArgument,
                        "blob path '" + std::string(path) + "' has an empty, '.' or '..' segment");
    if (seg.find('\0') != std::string_view::npos)
      return make_error(ErrorCode::kInvalidArgument, "blob path has a NUL byte");
    start = end + 1;
  }
  return ok_status();
}

Result<std::string> BlobStore::read(std::string_view path, std::uint64_t max_bytes) {
  std::string out;
  Status s = stream(path, [&](std::string_view chunk) -> Status {
    if (out.size() + chunk.size() > max_bytes)
      return make_error(ErrorCode::kParse, "blob " + std::string(path) + " in " + describe() +
                                               " is larger than " + std::to_string(max_bytes) +
                                               " bytes");
    out.append(chunk);
    return ok_status();
  });
  if (!s.ok()) return std::move(s).error();
  return out;
}

Status check_write_options(const WriteOptions& w, bool s3, std::string_view where) {
  if (w.empty()) return ok_status();
  if (!s3)
    return make_error(
        ErrorCode::kInvalidArgument,
        "a storage class and Object Lock retention apply to S3 only, not to " + std::string(where),
        "give s3://BUCKET/PREFIX, or leave out the storage class and Object Lock "
        "options");
  if (!w.storage_class.empty())
    ESSNAP_TRY_STATUS(s3::check_repository_storage_class(w.storage_class));
  if (w.object_lock_mode.empty() && w.object_lock_days != 0)
    return make_error(ErrorCode::kInvalidArgument,
                      "Object Lock days without a mode (GOVERNANCE or COMPLIANCE)");
  if (!w.object_lock_mode.empty()) {
    if (w.object_lock_mode != "GOVERNANCE" && w.object_lock_mode != "COMPLIANCE")
      return make_error(ErrorCode::kInvalidArgument,
                        "unknown Object Lock mode '" + w.object_lock_mode.substr(0, 40) + "'",
                        "the mode is GOVERNANCE or COMPLIANCE");
    if (w.object_lock_days < 1 || w.object_lock_days > 36500)
      return make_error(ErrorCode::kInvalidArgument,
                        "Object Lock retention must be 1 to 36500 days, not " +
                            std::to_string(w.object_lock_days));
  }
  return ok_status();
}

Result<std::optional<BlobStore::TimePoint>> BlobStore::locked_until(std::string_view path) {
  ESSNAP_TRY_STATUS(check_relative_path(path));
  return std::optional<TimePoint>{};
}

Status BlobStore::copy_from(BlobStore& source, std::string_view from, std::string_view to,
                            std::uint64_t size) {
  (void)size;
  (void)to;
  return make_error(ErrorCode::kInternal, describe() + " cannot copy server-side from " +
                                              source.describe() + " (" + std::string(from) +
                                              "): not supported; stream the blob");
}

Result<std::unique_ptr<BlobStore>> BlobStore::open_in_container(std::string_view path) const {
  return make_error(ErrorCode::kInvalidArgument, describe() + " cannot open " + std::string(path) +
                                                     ": the store has no namespace around it");
}

Result<bool> BlobStore::exists(std::string_view path) {
  ESSNAP_TRY(auto have, size(path));
  return have.has_value();
}

ChunkSink counting_sink(ChunkSink inner, std::uint64_t* total) {
  return [inner = std::move(inner), total](std::string_view chunk) -> Status {
    *total += chunk.size();
    return inner ? inner(chunk) : ok_status();
  };
}

namespace {

bool transient(const Error& e) {
  if (http::classify_error(e) == http::Retryable::kYes) return true;
  const int status = e.remote ? e.remote->http_status : 0;
  return status == 429 || (status >= 500 && status <= 599);
}

}  // namespace

Status read_resuming(const RangeAttempt& attempt, std::uint64_t offset, std::uint64_t length,
                     const ChunkSink& sink, int max_resumes) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  std::uint64_t got = 0;
  Status sink_error = ok_status();
  bool sink_failed = false;
  for (int resumes = 0;; ++resumes) {
    const std::uint64_t at = offset + got;
    const std::uint64_t left = length == UINT64_MAX ? UINT64_MAX : length - got;
    std::uint64_t fresh = 0;
    Status s = attempt(at, left, [&](std::string_view chunk) -> Status {
      fresh += chunk.size();
      got += chunk.size();
      Status r = sink(chunk);
      if (!r.ok()) {
        sink_failed = true;
        sink_error = r;
      }
      return r;
    });
    if (s.ok()) return s;
    // The consumer's own refusal ends the read as it is.
    if (sink_failed) return sink_error;
    if (length != UINT64_MAX && got >= length) return ok_status();
    if (fresh == 0 || !transient(s.error()) || resumes >= max_resumes) return s;
    const http::RetryPolicy policy;
    std::this_thread::sleep_for(http::backoff_delay(
        policy, resumes + 1, std::uniform_real_distribution<double>(0.0, 1.0)(rng)));
  }
}

}  // namespace essnap::blob
