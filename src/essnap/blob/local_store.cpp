#include "essnap/blob/local_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <system_error>

namespace essnap::blob {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kChunk = 1 << 20;

Error io_error(const std::string& what, const std::string& path, int err) {
  if (err == ENOENT || err == ENOTDIR)
    return make_error(ErrorCode::kNotFound, what + " " + path + ": no such file");
  return make_error(ErrorCode::kIo, what + " " + path + ": " + std::strerror(err),
                    "check the path and its permissions");
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// A name for a temporary file unique in this process and across processes.
std::string temp_name(const std::string& target) {
  static std::atomic<unsigned long> counter{0};
  return target + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

Status write_all(int fd, std::string_view bytes, const std::string& path) {
  std::size_t off = 0;
  while (off < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("writing", path, errno);
    }
    off += static_cast<std::size_t>(n);
  }
  return ok_status();
}

}  // namespace

LocalStore::LocalStore(std::string root) : root_(std::move(root)) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
}

std::string LocalStore::root_in_container() const {
  std::error_code ec;
  std::string abs = fs::absolute(root_, ec).lexically_normal().string();
  if (ec) abs = root_;
  while (!abs.empty() && abs.back() == '/') abs.pop_back();
  while (!abs.empty() && abs.front() == '/') abs.erase(0, 1);
  return abs;
}

Result<std::unique_ptr<BlobStore>> LocalStore::open_in_container(std::string_view path) const {
  ESSNAP_TRY_STATUS(check_relative_path(path));
  return std::unique_ptr<BlobStore>(std::make_unique<LocalStore>("/" + std::string(path)));
}

Result<std::string> LocalStore::full(std::string_view path) const {
  ESSNAP_TRY_STATUS(check_relative_path(path));
  return path.empty() ? root_ : root_ + "/" + std::string(path);
}

namespace {

std::optional<std::string> real_path(const std::string& p) {
  char* r = ::realpath(p.c_str(), nullptr);
  if (!r) return std::nullopt;
  std::string out(r);
  std::free(r);
  return out;
}

bool under(const std::string& path, const std::string& root) {
  return path == root || (path.size() > root.size() && path.compare(0, root.size(), root) == 0 &&
                          (root == "/" || path[root.size()] == '/'));
}

}  // namespace

// The one symlink rule, for files and directories alike: a link is followed only when where it
// leads stays inside the store's root; anything else is refused as if it were not there.
Status LocalStore::inside_root(const std::string& p) const {
  const auto root = real_path(root_);
  if (!root) return ok_status();  // no root yet: nothing under it can lead anywhere
  const auto real = real_path(p);
  if (!real) return ok_status();  // absent (or a dangling link): the caller's open says so
  if (under(*real, *root)) return ok_status();
  return make_error(
      ErrorCode::kNotFound,
      p + " is (or lies under) a symbolic link leading outside " + root_ + "; refused",
      "a repository's blobs live under its root: replace the link by the file");
}

Result<std::string> LocalStore::checked(std::string_view path) const {
  ESSNAP_TRY(std::string p, full(path));
  ESSNAP_TRY_STATUS(inside_root(p));
  return p;
}

Result<Listing> LocalStore::list(std::string_view dir) {
  auto checked_dir = checked(dir);
  if (!checked_dir.ok()) {
    if (checked_dir.error().code == ErrorCode::kNotFound) return Listing{};
    return std::move(checked_dir).error();
  }
  const std::string p = *checked_dir;
  Listing out;
  std::error_code ec;
  fs::directory_iterator it(p, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory || ec == std::errc::not_a_directory) return out;
    return io_error("listing", p, ec.value());
  }
  for (const auto& e : it) {
    std::error_code sec;
    auto st = e.symlink_status(sec);
    if (sec) return io_error("listing", e.path().string(), sec.value());
    if (fs::is_symlink(st)) {
      // Followed only inside the root (inside_root); a dangling or escaping link is not listed.
      if (!inside_root(e.path().string()).ok()) continue;
      st = e.status(sec);
      if (sec) continue;
    }
    std::string name = e.path().filename().string();
    if (fs::is_directory(st)) {
      out.children.push_back(std::move(name));
    } else if (fs::is_regular_file(st)) {
      auto sz = e.file_size(sec);
      if (sec) return io_error("listing", e.path().string(), sec.value());
      out.blobs.push_back({std::move(name), sz});
    }
  }
  std::sort(out.blobs.begin(), out.blobs.end(),
            [](const BlobInfo& a, const BlobInfo& b) { return a.name < b.name; });
  std::sort(out.children.begin(), out.children.end());
  return out;
}

Status LocalStore::walk(std::string_view dir, const BlobVisitor& visit) {
  ESSNAP_TRY(Listing l, list(dir));
  for (const auto& b : l.blobs) ESSNAP_TRY_STATUS(visit({join_path(dir, b.name), b.size}));
  for (const auto& c : l.children) ESSNAP_TRY_STATUS(walk(join_path(dir, c), visit));
  return ok_status();
}

Status LocalStore::stream(std::string_view path, const ChunkSink& sink) {
  return stream_range(path, 0, UINT64_MAX, sink);
}

Status LocalStore::stream_range(std::string_view path, std::uint64_t offset, std::uint64_t length,
                                const ChunkSink& sink) {
  ESSNAP_TRY(std::string p, checked(path));
  Fd f;
  f.fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (f.fd < 0) return io_error("reading", p, errno);
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return io_error("reading", p, errno);
  if (!S_ISREG(st.st_mode))
    return make_error(ErrorCode::kNotFound, "reading " + p + ": not a regular file");
#ifdef POSIX_FADV_SEQUENTIAL
  ::posix_fadvise(f.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  thread_local std::vector<char> buf(kChunk);
  std::uint64_t at = offset, left = length;
  while (left > 0) {
    ssize_t n = ::pread(f.fd, buf.data(), std::min<std::uint64_t>(buf.size(), left),
                        static_cast<off_t>(at));
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("reading", p, errno);
    }
    if (n == 0) break;  // shorter than asked: the caller counts what it got
    ESSNAP_TRY_STATUS(sink(std::string_view(buf.data(), static_cast<std::size_t>(n))));
    at += static_cast<std::uint64_t>(n);
    left -= static_cast<std::uint64_t>(n);
  }
  return ok_status();
}

Result<std::optional<std::uint64_t>> LocalStore::size(std::string_view path) {
  ESSNAP_TRY(std::string p, full(path));
  if (!inside_root(p).ok()) return std::optional<std::uint64_t>{};
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::optional<std::uint64_t>{};
    return io_error("reading", p, errno);
  }
  if (!S_ISREG(st.st_mode)) return std::optional<std::uint64_t>{};
  return std::optional<std::uint64_t>(static_cast<std::uint64_t>(st.st_size));
}

Status LocalStore::write_file(std::string_view path, const ChunkProducer& produce,
                              Replace replace) {
  ESSNAP_TRY(std::string p, full(path));
  if (path.empty()) return make_error(ErrorCode::kInvalidArgument, "a blob needs a name");
  std::error_code ec;
  fs::create_directories(fs::path(p).parent_path(), ec);
  if (ec)
    return make_error(ErrorCode::kIo, "cannot create the directory of " + p + ": " + ec.message(),
                      "check the path and its permissions");
  ESSNAP_TRY_STATUS(inside_root(fs::path(p).parent_path().string()));
  const std::string tmp = temp_name(p);
  Fd f;
  f.fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (f.fd < 0) return io_error("creating", tmp, errno);
  Status s = produce([&](std::string_view chunk) { return write_all(f.fd, chunk, tmp); });
  if (s.ok() && ::fsync(f.fd) != 0) s = io_error("writing", tmp, errno);
  const int fd = f.fd;
  f.fd = -1;
  if (::close(fd) != 0 && s.ok()) s = io_error("writing", tmp, errno);
  if (s.ok()) {
    if (replace == Replace::kYes) {
      if (::rename(tmp.c_str(), p.c_str()) != 0) s = io_error("renaming into", p, errno);
    } else if (::link(tmp.c_str(), p.c_str()) != 0) {
      s = errno == EEXIST ? Status(make_error(ErrorCode::kConflict, p + " already exists"))
                          : Status(io_error("linking into", p, errno));
    }
  }
  if (!s.ok() || replace == Replace::kNo) ::unlink(tmp.c_str());
  // The new name is durable only once its directory is: a caller that records the blob after
  // put() returns (an export's checkpoint) must not find it gone after a crash.
  if (s.ok()) {
    const std::string dir = fs::path(p).parent_path().string();
    const int d = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d < 0) return io_error("opening", dir, errno);
    if (::fsync(d) != 0 && errno != EINVAL) s = io_error("syncing", dir, errno);
    ::close(d);
  }
  return s;
}

Status LocalStore::put(std::string_view path, std::string_view bytes) {
  return write_file(
      path, [&](const ChunkSink& sink) { return sink(bytes); }, Replace::kYes);
}

Status LocalStore::put_stream(std::string_view path, const ChunkProducer& produce) {
  return write_file(path, produce, Replace::kYes);
}

Status LocalStore::put_if_absent(std::string_view path, std::string_view bytes) {
  return write_file(
      path, [&](const ChunkSink& sink) { return sink(bytes); }, Replace::kNo);
}

Status LocalStore::remove(const std::vector<std::string>& paths) {
  for (const auto& path : paths) {
    ESSNAP_TRY(std::string p, full(path));
    ESSNAP_TRY_STATUS(inside_root(fs::path(p).parent_path().string()));
    if (::unlink(p.c_str()) != 0 && errno != ENOENT) return io_error("removing", p, errno);
  }
  return ok_status();
}

Status LocalStore::copy(std::string_view from, std::string_view to) {
  ESSNAP_TRY(auto have, size(from));
  if (!have)
    return make_error(ErrorCode::kNotFound,
                      "copying " + root_ + "/" + std::string(from) + ": no such file");
  return put_stream(to, [&](const ChunkSink& sink) { return stream(from, sink); });
}

}  // namespace essnap::blob
