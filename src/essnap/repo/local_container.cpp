#include "essnap/repo/local_container.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace essnap::repo {
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

}  // namespace

LocalContainer::LocalContainer(std::string root) : root_(std::move(root)) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
}

Result<std::string> LocalContainer::full(std::string_view path) const {
  ESSNAP_TRY_STATUS(check_relative_path(path));
  return path.empty() ? root_ : root_ + "/" + std::string(path);
}

Result<Listing> LocalContainer::list(std::string_view dir) {
  ESSNAP_TRY(std::string p, full(dir));
  Listing out;
  std::error_code ec;
  fs::directory_iterator it(p, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory || ec == std::errc::not_a_directory) return out;
    return io_error("listing", p, ec.value());
  }
  for (const auto& e : it) {
    std::error_code sec;
    const auto st = e.symlink_status(sec);
    if (sec) return io_error("listing", e.path().string(), sec.value());
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

Status LocalContainer::walk(std::string_view dir, const BlobVisitor& visit) {
  ESSNAP_TRY(Listing l, list(dir));
  for (const auto& b : l.blobs) ESSNAP_TRY_STATUS(visit({join_path(dir, b.name), b.size}));
  for (const auto& c : l.children) ESSNAP_TRY_STATUS(walk(join_path(dir, c), visit));
  return ok_status();
}

Status LocalContainer::stream(std::string_view path, const ChunkSink& sink) {
  ESSNAP_TRY(std::string p, full(path));
  Fd f;
  f.fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (f.fd < 0) return io_error("reading", std::string(path), errno);
#ifdef POSIX_FADV_SEQUENTIAL
  ::posix_fadvise(f.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  thread_local std::vector<char> buf(kChunk);
  for (;;) {
    ssize_t n = ::read(f.fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("reading", std::string(path), errno);
    }
    if (n == 0) break;
    ESSNAP_TRY_STATUS(sink(std::string_view(buf.data(), static_cast<std::size_t>(n))));
  }
  return ok_status();
}

Status LocalContainer::stream_range(std::string_view path, std::uint64_t offset,
                                    std::uint64_t length, const ChunkSink& sink) {
  ESSNAP_TRY(std::string p, full(path));
  Fd f;
  f.fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (f.fd < 0) return io_error("reading", std::string(path), errno);
  thread_local std::vector<char> buf(kChunk);
  std::uint64_t at = offset, left = length;
  while (left > 0) {
    ssize_t n = ::pread(f.fd, buf.data(), std::min<std::uint64_t>(buf.size(), left),
                        static_cast<off_t>(at));
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("reading", std::string(path), errno);
    }
    if (n == 0) break;  // shorter than asked: the caller counts what it got
    ESSNAP_TRY_STATUS(sink(std::string_view(buf.data(), static_cast<std::size_t>(n))));
    at += static_cast<std::uint64_t>(n);
    left -= static_cast<std::uint64_t>(n);
  }
  return ok_status();
}

Result<std::optional<std::uint64_t>> LocalContainer::size(std::string_view path) {
  ESSNAP_TRY(std::string p, full(path));
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::optional<std::uint64_t>{};
    return io_error("reading", std::string(path), errno);
  }
  if (!S_ISREG(st.st_mode)) return std::optional<std::uint64_t>{};
  return std::optional<std::uint64_t>(static_cast<std::uint64_t>(st.st_size));
}

}  // namespace essnap::repo
