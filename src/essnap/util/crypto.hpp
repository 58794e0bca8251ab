// SHA-256, HMAC-SHA256 and hex encoding on OpenSSL's low-level SHA-256, tuned for the signer's
// hot path and for start-up: no provider fetch, HMAC keys with their pads pre-absorbed.
//
// These functions cannot fail, so they return values, not Result<T>.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace essnap::util {

using Sha256Digest = std::array<std::uint8_t, 32>;

Sha256Digest sha256(std::string_view data);
std::string sha256_hex(std::string_view data);

// Incremental SHA-256 for bodies that arrive in pieces (streamed uploads).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view data);
  Sha256Digest finish();  // the object may not be updated afterwards

 private:
  void* ctx_;  // SHA256_CTX*, kept opaque so callers need no OpenSSL headers
};

Sha256Digest hmac_sha256(std::string_view key, std::string_view data);
inline Sha256Digest hmac_sha256(const Sha256Digest& key, std::string_view data) {
  return hmac_sha256(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()), data);
}

// An HMAC-SHA256 key with its padded key blocks already absorbed, so each MAC costs two
// SHA-256 blocks less than hmac_sha256(). For keys used many times: the SigV4 signing key lives
// a day. Not copyable; wipes its key material when destroyed.
class HmacSha256Key {
 public:
  explicit HmacSha256Key(std::string_view key);
  explicit HmacSha256Key(const Sha256Digest& key)
      : HmacSha256Key(std::string_view(reinterpret_cast<const char*>(key.data()), key.size())) {}
  ~HmacSha256Key();
  HmacSha256Key(const HmacSha256Key&) = delete;
  HmacSha256Key& operator=(const HmacSha256Key&) = delete;

  Sha256Digest mac(std::string_view data) const;

 private:
  void* inner_;  // SHA256_CTX* that has absorbed key ^ ipad
  void* outer_;  // SHA256_CTX* that has absorbed key ^ opad
};

// Lower-case hex.
std::string hex_encode(std::string_view bytes);
void hex_encode_append(std::string& out, std::string_view bytes);
inline std::string hex_encode(const Sha256Digest& digest) {
  return hex_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}
inline void hex_encode_append(std::string& out, const Sha256Digest& digest) {
  hex_encode_append(out,
                    std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

// Overwrite memory that held a secret (not elided by the optimiser).
void secure_wipe(void* data, std::size_t size);

}  // namespace essnap::util
