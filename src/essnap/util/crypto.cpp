#include "essnap/util/crypto.hpp"

// OpenSSL's low-level SHA-256 (deprecated in 3.0, still shipped) runs the same assembly as EVP
// but without the provider machinery: the first EVP fetch builds OpenSSL's name maps, about 3
// million instructions, a seventh of a whole `essnap request` process. HMAC (RFC 2104) is a few
// lines over it.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <cstring>

namespace essnap::util {
namespace {

constexpr std::size_t kBlock = 64;  // SHA-256 block size
constexpr char kHex[] = "0123456789abcdef";

SHA256_CTX* ctx_of(void* p) {
  return static_cast<SHA256_CTX*>(p);
}

void update(SHA256_CTX& ctx, const void* data, std::size_t size) {
  SHA256_Update(&ctx, data, size);
}

Sha256Digest finish(SHA256_CTX& ctx) {
  Sha256Digest out{};
  SHA256_Final(out.data(), &ctx);
  return out;
}

// The key block of RFC 2104: keys longer than a block are hashed first, shorter ones zero-padded.
void key_block(std::string_view key, unsigned char (&block)[kBlock]) {
  std::memset(block, 0, kBlock);
  if (key.size() > kBlock) {
    const Sha256Digest d = sha256(key);
    std::memcpy(block, d.data(), d.size());
  } else {
    std::memcpy(block, key.data(), key.size());
  }
}

// inner/outer = SHA-256 states that have absorbed key ^ ipad / key ^ opad.
void absorb_pads(std::string_view key, SHA256_CTX& inner, SHA256_CTX& outer) {
  unsigned char block[kBlock];
  unsigned char pad[kBlock];
  key_block(key, block);
  SHA256_Init(&inner);
  for (std::size_t i = 0; i < kBlock; ++i) pad[i] = block[i] ^ 0x36;
  update(inner, pad, kBlock);
  SHA256_Init(&outer);
  for (std::size_t i = 0; i < kBlock; ++i) pad[i] = block[i] ^ 0x5c;
  update(outer, pad, kBlock);
  OPENSSL_cleanse(block, sizeof block);
  OPENSSL_cleanse(pad, sizeof pad);
}

Sha256Digest mac_with(SHA256_CTX inner, SHA256_CTX outer, std::string_view data) {
  update(inner, data.data(), data.size());
  const Sha256Digest inner_digest = finish(inner);
  update(outer, inner_digest.data(), inner_digest.size());
  Sha256Digest out = finish(outer);
  OPENSSL_cleanse(&inner, sizeof inner);
  OPENSSL_cleanse(&outer, sizeof outer);
  return out;
}

}  // namespace

Sha256Digest sha256(std::string_view data) {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  update(ctx, data.data(), data.size());
  return finish(ctx);
}

std::string sha256_hex(std::string_view data) {
  return hex_encode(sha256(data));
}

Sha256::Sha256() : ctx_(new SHA256_CTX) {
  SHA256_Init(ctx_of(ctx_));
}

Sha256::~Sha256() {
  delete ctx_of(ctx_);
}

void Sha256::update(std::string_view data) {
  SHA256_Update(ctx_of(ctx_), data.data(), data.size());
}

Sha256Digest Sha256::finish() {
  return util::finish(*ctx_of(ctx_));
}

Sha256Digest hmac_sha256(std::string_view key, std::string_view data) {
  SHA256_CTX inner;
  SHA256_CTX outer;
  absorb_pads(key, inner, outer);
  return mac_with(inner, outer, data);
}

HmacSha256Key::HmacSha256Key(std::string_view key)
    : inner_(new SHA256_CTX), outer_(new SHA256_CTX) {
  absorb_pads(key, *ctx_of(inner_), *ctx_of(outer_));
}

HmacSha256Key::~HmacSha256Key() {
  // The states are derived from the key: wipe them.
  OPENSSL_cleanse(inner_, sizeof(SHA256_CTX));
  OPENSSL_cleanse(outer_, sizeof(SHA256_CTX));
  delete ctx_of(inner_);
  delete ctx_of(outer_);
}

Sha256Digest HmacSha256Key::mac(std::string_view data) const {
  return mac_with(*ctx_of(inner_), *ctx_of(outer_), data);
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
