#include "essnap/util/crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace essnap::util {
namespace {

[[noreturn]] void fatal(const char* what) {
  std::fprintf(stderr, "essnap: fatal: OpenSSL %s failed\n", what);
  std::abort();
}

// Implicit fetches (EVP_sha256() in EVP_DigestInit) cost a lock and a lookup on every call in
// OpenSSL 3; fetching once keeps signing cheap.
EVP_MD* sha256_md() {
  static EVP_MD* md = [] {
    EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (m == nullptr) fatal("EVP_MD_fetch(SHA256)");
    return m;
  }();
  return md;
}

EVP_MAC* hmac_mac() {
  static EVP_MAC* mac = [] {
    EVP_MAC* m = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (m == nullptr) fatal("EVP_MAC_fetch(HMAC)");
    return m;
  }();
  return mac;
}

// One digest and one MAC context per thread, reused across calls.
struct ThreadContexts {
  EVP_MD_CTX* md = nullptr;
  EVP_MAC_CTX* mac = nullptr;
  ~ThreadContexts() {
    EVP_MD_CTX_free(md);
    EVP_MAC_CTX_free(mac);
  }
};
thread_local ThreadContexts t_ctx;

EVP_MD_CTX* thread_md_ctx() {
  if (t_ctx.md == nullptr) {
    t_ctx.md = EVP_MD_CTX_new();
    if (t_ctx.md == nullptr) fatal("EVP_MD_CTX_new");
  }
  return t_ctx.md;
}

EVP_MAC_CTX* thread_mac_ctx() {
  if (t_ctx.mac == nullptr) {
    t_ctx.mac = EVP_MAC_CTX_new(hmac_mac());
    if (t_ctx.mac == nullptr) fatal("EVP_MAC_CTX_new");
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    if (EVP_MAC_CTX_set_params(t_ctx.mac, params) != 1) fatal("EVP_MAC_CTX_set_params");
  }
  return t_ctx.mac;
}

constexpr char kHex[] = "0123456789abcdef";

}  // namespace

Sha256Digest sha256(std::string_view data) {
  EVP_MD_CTX* ctx = thread_md_ctx();
  Sha256Digest out{};
  unsigned int len = 0;
  if (EVP_DigestInit_ex2(ctx, sha256_md(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, out.data(), &len) != 1 || len != out.size()) {
    fatal("SHA-256");
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  return hex_encode(sha256(data));
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr ||
      EVP_DigestInit_ex2(static_cast<EVP_MD_CTX*>(ctx_), sha256_md(), nullptr) != 1) {
    fatal("SHA-256 init");
  }
}

Sha256::~Sha256() {
  EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_));
}

void Sha256::update(std::string_view data) {
  if (EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size()) != 1) {
    fatal("SHA-256 update");
  }
}

Sha256Digest Sha256::finish() {
  Sha256Digest out{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), out.data(), &len) != 1 ||
      len != out.size()) {
    fatal("SHA-256 final");
  }
  return out;
}

Sha256Digest hmac_sha256(std::string_view key, std::string_view data) {
  EVP_MAC_CTX* ctx = thread_mac_ctx();
  Sha256Digest out{};
  std::size_t len = 0;
  if (EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(), nullptr) !=
          1 ||
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      EVP_MAC_final(ctx, out.data(), &len, out.size()) != 1 || len != out.size()) {
    fatal("HMAC-SHA256");
  }
  return out;
}

HmacSha256Key::HmacSha256Key(std::string_view key)
    : inner_(EVP_MD_CTX_new()), outer_(EVP_MD_CTX_new()) {
  // RFC 2104: keys longer than the block are hashed first, shorter ones zero-padded.
  constexpr std::size_t kBlock = 64;
  unsigned char block[kBlock] = {};
  if (key.size() > kBlock) {
    const Sha256Digest d = sha256(key);
    std::memcpy(block, d.data(), d.size());
  } else {
    std::memcpy(block, key.data(), key.size());
  }
  unsigned char pad[kBlock];
  auto* inner = static_cast<EVP_MD_CTX*>(inner_);
  auto* outer = static_cast<EVP_MD_CTX*>(outer_);
  if (inner == nullptr || outer == nullptr) fatal("EVP_MD_CTX_new");
  for (std::size_t i = 0; i < kBlock; ++i) pad[i] = block[i] ^ 0x36;
  if (EVP_DigestInit_ex2(inner, sha256_md(), nullptr) != 1 ||
      EVP_DigestUpdate(inner, pad, kBlock) != 1) {
    fatal("HMAC key setup");
  }
  for (std::size_t i = 0; i < kBlock; ++i) pad[i] = block[i] ^ 0x5c;
  if (EVP_DigestInit_ex2(outer, sha256_md(), nullptr) != 1 ||
      EVP_DigestUpdate(outer, pad, kBlock) != 1) {
    fatal("HMAC key setup");
  }
  OPENSSL_cleanse(block, sizeof block);
  OPENSSL_cleanse(pad, sizeof pad);
}

HmacSha256Key::~HmacSha256Key() {
  // EVP_MD_CTX_free cleanses the digest state, which is derived from the key.
  EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(inner_));
  EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(outer_));
}

Sha256Digest HmacSha256Key::mac(std::string_view data) const {
  EVP_MD_CTX* ctx = thread_md_ctx();
  Sha256Digest inner_digest{};
  Sha256Digest out{};
  unsigned int len = 0;
  if (EVP_MD_CTX_copy_ex(ctx, static_cast<const EVP_MD_CTX*>(inner_)) != 1 ||
      EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, inner_digest.data(), &len) != 1 ||
      EVP_MD_CTX_copy_ex(ctx, static_cast<const EVP_MD_CTX*>(outer_)) != 1 ||
      EVP_DigestUpdate(ctx, inner_digest.data(), inner_digest.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, out.data(), &len) != 1) {
    fatal("HMAC-SHA256");
  }
  return out;
}

void hex_encode_append(std::string& out, std::string_view bytes) {
  const std::size_t start = out.size();
  out.resize(start + 2 * bytes.size());
  char* p = out.data() + start;
  for (unsigned char c : bytes) {
    *p++ = kHex[c >> 4];
    *p++ = kHex[c & 0x0f];
  }
}

std::string hex_encode(std::string_view bytes) {
  std::string out;
  hex_encode_append(out, bytes);
  return out;
}

void secure_wipe(void* data, std::size_t size) {
  OPENSSL_cleanse(data, size);
}

}  // namespace essnap::util
