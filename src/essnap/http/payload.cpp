#include "essnap/http/payload.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "essnap/util/crypto.hpp"

namespace essnap::http {

Result<std::string> payload_sha256_hex(const Body& body) {
  if (body.file_path.empty()) return util::sha256_hex(body.data());
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(body.file_path.c_str(), "rb"),
                                                    std::fclose);
  if (!f) {
    const int e = errno;
    return Error(e == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                 "cannot read request body file '" + body.file_path + "': " + std::strerror(e));
  }
  util::Sha256 hash;
  std::vector<char> buf(1 << 16);
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), f.get())) > 0)
    hash.update(std::string_view(buf.data(), n));
  if (std::ferror(f.get()))
    return Error(ErrorCode::kIo, "reading request body file '" + body.file_path + "' failed");
  return util::hex_encode(hash.finish());
}

}  // namespace essnap::http
