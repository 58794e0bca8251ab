#include "essnap/http/payload.hpp"

#include <openssl/evp.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

namespace essnap::http {

Result<std::string> payload_sha256_hex(const Body& body) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
    return Error(ErrorCode::kInternal, "SHA-256 unavailable");
  if (body.file_path.empty()) {
    EVP_DigestUpdate(ctx.get(), body.data.data(), body.data.size());
  } else {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(body.file_path.c_str(), "rb"),
                                                      std::fclose);
    if (!f) {
      const int e = errno;
      return Error(e == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                   "cannot read request body file '" + body.file_path + "': " + std::strerror(e));
    }
    std::vector<unsigned char> buf(1 << 16);
    std::size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), f.get())) > 0)
      EVP_DigestUpdate(ctx.get(), buf.data(), n);
    if (std::ferror(f.get()))
      return Error(ErrorCode::kIo, "reading request body file '" + body.file_path + "' failed");
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), md, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    hex += kHex[md[i] >> 4];
    hex += kHex[md[i] & 0xf];
  }
  return hex;
}

}  // namespace essnap::http
