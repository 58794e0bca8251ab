#include "essnap/transfer/store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <vector>

namespace essnap::transfer {
namespace {

namespace fs = std::filesystem;

// The object's media type by its name: what it is to anyone browsing the bucket, and a
// compressed chunk labelled as such is not compressed again by servers that try.
std::string content_type_for(std::string_view name) {
  if (name.ends_with(".zst")) return "application/zstd";
  if (name.ends_with(".gz")) return "application/gzip";
  if (name.ends_with(".ndjson")) return "application/x-ndjson";
  if (name.ends_with(".json")) return "application/json";
  return "application/octet-stream";
}

Error io_error(const std::string& what, const std::string& path) {
  return Error(ErrorCode::kIo, what + " " + path + ": " + std::strerror(errno),
               "check the path and its permissions");
}

class LocalStore final : public Store {
 public:
  explicit LocalStore(std::string dir) : dir_(std::move(dir)) {
    while (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
  }
  std::string describe() const override { return dir_; }

  Status put(const std::string& name, std::string_view bytes) override {
    const std::string path = dir_ + "/" + name;
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    if (ec)
      return Error(ErrorCode::kIo, "cannot create the directory of " + path + ": " + ec.message(),
                   "check the path and its permissions");
    const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return io_error("cannot create", tmp);
    std::size_t off = 0;
    while (off < bytes.size()) {
      const ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        Error e = io_error("cannot write", tmp);
        ::close(fd);
        ::unlink(tmp.c_str());
        return e;
      }
      off += static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0) return io_error("cannot write", tmp);
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      Error e = io_error("cannot rename into", path);
      ::unlink(tmp.c_str());
      return e;
    }
    return ok_status();
  }

  Result<std::string> get(const std::string& name, std::size_t max_bytes) override {
    const std::string path = dir_ + "/" + name;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT)
        return Error(ErrorCode::kNotFound, "no file " + path, "check --from: it should be an essnap export");
      return io_error("cannot open", path);
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      return Error(ErrorCode::kIo, path + " is not a regular file");
    }
    if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
      ::close(fd);
      return Error(ErrorCode::kParse, path + " is larger than the " + std::to_string(max_bytes) +
                                          " bytes it may hold", "the export is damaged");
    }
    std::string out(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t off = 0;
    while (off < out.size()) {
      const ssize_t n = ::read(fd, out.data() + off, out.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ::close(fd);
        return io_error("cannot read", path);
      }
      off += static_cast<std::size_t>(n);
    }
    ::close(fd);
    return out;
  }

  Result<bool> exists(const std::string& name) override {
    struct stat st {};
    return ::stat((dir_ + "/" + name).c_str(), &st) == 0;
  }

 private:
  std::string dir_;
};

class S3Store final : public Store {
 public:
  S3Store(S3StoreOptions o, S3HandleFactory f) : o_(std::move(o)), factory_(std::move(f)) {}

  std::string describe() const override {
    return "s3://" + o_.bucket + (o_.prefix.empty() ? "" : "/" + o_.prefix);
  }

  Status put(const std::string& name, std::string_view bytes) override {
    Lease l(*this);
    const std::string key = key_for(name);
    if (bytes.size() <= o_.multipart_threshold) {
      s3::PutObjectRequest r;
      r.bucket = o_.bucket;
      r.key = key;
      r.body = http::Body::from_string(std::string(bytes));
      r.content_type = content_type_for(name);
      ESSNAP_TRY(auto resp, l.h.client->put_object(r));
      (void)resp;
      return ok_status();
    }
    ESSNAP_TRY(auto created, l.h.client->create_multipart_upload({o_.bucket, key, content_type_for(name)}));
    s3::CompleteMultipartUploadRequest done{o_.bucket, key, created.upload_id, {}};
    int part = 1;
    for (std::size_t off = 0; off < bytes.size(); off += o_.part_size, ++part) {
      s3::UploadPartRequest up;
      up.bucket = o_.bucket;
      up.key = key;
      up.upload_id = created.upload_id;
      up.part_number = part;
      up.body = http::Body::from_string(std::string(bytes.substr(off, o_.part_size)));
      auto r = l.h.client->upload_part(up);
      if (!r.ok()) {
        (void)l.h.client->abort_multipart_upload({o_.bucket, key, created.upload_id});
        return std::move(r).error();
      }
      done.parts.push_back({part, r->etag});
    }
    auto c = l.h.client->complete_multipart_upload(done);
    if (!c.ok()) {
      (void)l.h.client->abort_multipart_upload({o_.bucket, key, created.upload_id});
      return std::move(c).error();
    }
    return ok_status();
  }

  Result<std::string> get(const std::string& name, std::size_t max_bytes) override {
    Lease l(*this);
    std::string out;
    s3::GetObjectRequest r;
    r.bucket = o_.bucket;
    r.key = key_for(name);
    r.sink = [&](std::string_view piece) -> Status {
      if (out.size() + piece.size() > max_bytes)
        return Error(ErrorCode::kParse, describe() + "/" + name + " is larger than the " +
                                            std::to_string(max_bytes) + " bytes it may hold",
                     "the export is damaged");
      out.append(piece);
      return ok_status();
    };
    auto resp = l.h.client->get_object(r);
    if (!resp.ok()) {
      Error e = std::move(resp).error();
      if (e.code == ErrorCode::kNotFound) e.message = "no object " + describe() + "/" + name;
      return e;
    }
    return out;
  }

  Result<bool> exists(const std::string& name) override {
    Lease l(*this);
    s3::ListObjectsV2Request r;
    r.bucket = o_.bucket;
    r.prefix = key_for(name);
    r.max_keys = 1;
    ESSNAP_TRY(auto resp, l.h.client->list_objects_v2(r));
    for (const auto& obj : resp.objects)
      if (obj.key == r.prefix) return true;
    return false;
  }

 private:
  std::string key_for(const std::string& name) const {
    return o_.prefix.empty() ? name : o_.prefix + "/" + name;
  }

  // A handle from the pool for the duration of one call.
  struct Lease {
    explicit Lease(S3Store& s) : store(s) {
      std::lock_guard<std::mutex> lock(s.mu_);
      if (!s.pool_.empty()) {
        h = std::move(s.pool_.back());
        s.pool_.pop_back();
      }
      if (!h.client) h = s.factory_();
    }
    ~Lease() {
      std::lock_guard<std::mutex> lock(store.mu_);
      store.pool_.push_back(std::move(h));
    }
    S3Store& store;
    S3Handle h;
  };

  S3StoreOptions o_;
  S3HandleFactory factory_;
  std::mutex mu_;
  std::vector<S3Handle> pool_;
};

}  // namespace

std::unique_ptr<Store> make_local_store(std::string directory) {
  return std::make_unique<LocalStore>(std::move(directory));
}

std::unique_ptr<Store> make_s3_store(S3StoreOptions options, S3HandleFactory factory) {
  return std::make_unique<S3Store>(std::move(options), std::move(factory));
}

bool is_s3_uri(std::string_view where) { return where.substr(0, 5) == "s3://"; }

}  // namespace essnap::transfer
