// SMILE encoder: the token choices of Jackson's SmileGenerator (see smile.hpp), so that what the
// engines wrote re-encodes byte for byte and what we write is what they would have written.
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "essnap/format/smile.hpp"

namespace essnap::format {
namespace {

constexpr std::size_t kMaxShortNameAscii = 64;
constexpr std::size_t kMaxShortNameUnicode = 56;
constexpr std::size_t kMaxShortValueBytes = 64;
constexpr std::size_t kMaxSharedStringUnits = 65;  // UTF-16 units (Java String.length())

// Java's String.length() of a UTF-8 string: one unit per code point, two past U+FFFF (the lead
// byte 0xF0-0xF7 of a 4-byte sequence); continuation bytes count nothing.
std::size_t utf16_units(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) == 0x80) continue;
    n += (c >= 0xF0) ? 2 : 1;
  }
  return n;
}

bool is_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

class Encoder {
 public:
  explicit Encoder(const SmileWriteOptions& o) : o_(o) {}

  template <class Json>
  std::vector<std::uint8_t> run(const Json& doc) {
    out_ = {':', ')', '\n'};
    out_.push_back(static_cast<std::uint8_t>(
        (o_.raw_binary ? 0x04 : 0) | (o_.shared_values ? 0x02 : 0) | (o_.shared_names ? 0x01 : 0)));
    value(doc);
    return std::move(out_);
  }

 private:
  // A table of seen strings, as SmileGenerator keeps it: an index for every addition, restarting
  // at 0 when 1024 are full; indices whose low byte is 0xFE/0xFF are never referenced.
  struct Shared {
    std::unordered_map<std::string, std::size_t> index;
    std::size_t count = 0;
    std::optional<std::size_t> find(const std::string& s) const {
      auto it = index.find(s);
      if (it == index.end()) return std::nullopt;
      return it->second;
    }
    void add(const std::string& s) {
      if (count == kSmileSharedTableSize) {
        index.clear();
        count = 0;
      }
      if ((count & 0xFF) < 0xFE) index[s] = count;
      ++count;
    }
  };

  SmileWriteOptions o_;
  std::vector<std::uint8_t> out_;
  Shared names_, values_;

  void put(std::uint8_t b) { out_.push_back(b); }
  void put(std::string_view s) { out_.insert(out_.end(), s.begin(), s.end()); }

  // Unsigned vint, high groups first; the last byte has bit 7 set and carries 6 bits.
  void vint(std::uint64_t v) {
    std::uint8_t groups[11];
    int n = 0;
    groups[n++] = static_cast<std::uint8_t>(0x80 | (v & 0x3F));
    v >>= 6;
    while (v) {
      groups[n++] = static_cast<std::uint8_t>(v & 0x7F);
      v >>= 7;
    }
    while (n) put(groups[--n]);
  }
  static std::uint64_t zigzag(std::int64_t v) {
    return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
  }

  // 7 raw bytes -> 8 bytes of 7 bits; a tail of r bytes -> r bytes of 7 bits + the last r bits.
  void seven_bit(const std::uint8_t* data, std::size_t len) {
    vint(len);
    std::size_t i = 0;
    for (; i + 7 <= len; i += 7) {
      std::uint64_t acc = 0;
      for (int k = 0; k < 7; ++k) acc = (acc << 8) | data[i + k];
      for (int k = 7; k >= 0; --k) put(static_cast<std::uint8_t>((acc >> (7 * k)) & 0x7F));
    }
    const std::size_t r = len - i;
    if (r) {
      std::uint64_t acc = 0;
      for (std::size_t k = 0; k < r; ++k) acc = (acc << 8) | data[i + k];
      const std::size_t bits = r * 8;
      for (std::size_t k = 0; k < r; ++k)
        put(static_cast<std::uint8_t>((acc >> (bits - 7 * (k + 1))) & 0x7F));
      put(static_cast<std::uint8_t>(acc & ((1u << r) - 1)));
    }
  }

  void key(const std::string& k) {
    if (k.empty()) return put(0x20);
    if (o_.shared_names) {
      if (auto ix = names_.find(k)) {
        if (*ix < 64) return put(static_cast<std::uint8_t>(0x40 + *ix));
        put(static_cast<std::uint8_t>(0x30 + (*ix >> 8)));
        return put(static_cast<std::uint8_t>(*ix & 0xFF));
      }
    }
    const bool ascii = is_ascii(k);
    if (utf16_units(k) > kMaxShortNameAscii ||
        (ascii ? k.size() > kMaxShortNameAscii : k.size() > kMaxShortNameUnicode)) {
      put(0x34);
      put(k);
      put(0xFC);
    } else if (ascii) {
      put(static_cast<std::uint8_t>(0x80 + k.size() - 1));
      put(k);
    } else {
      put(static_cast<std::uint8_t>(0xC0 + k.size() - 2));
      put(k);
    }
    if (o_.shared_names) names_.add(k);
  }

  void string(const std::string& s) {
    if (s.empty()) return put(0x20);
    const bool ascii = is_ascii(s);
    if (utf16_units(s) <= kMaxSharedStringUnits) {
      if (o_.shared_values) {
        if (auto ix = values_.find(s)) {
          if (*ix < 31) return put(static_cast<std::uint8_t>(0x01 + *ix));
          put(static_cast<std::uint8_t>(0xEC + (*ix >> 8)));
          return put(static_cast<std::uint8_t>(*ix & 0xFF));
        }
      }
      if (s.size() <= kMaxShortValueBytes) {
        if (o_.shared_values) values_.add(s);
        put(static_cast<std::uint8_t>(ascii ? 0x40 + s.size() - 1 : 0x80 + s.size() - 2));
        return put(s);
      }
    }
    put(ascii ? 0xE0 : 0xE4);
    put(s);
    put(0xFC);
  }

  void integer(std::int64_t v) {
    const std::uint64_t z = zigzag(v);
    if (z <= 0x1F) return put(static_cast<std::uint8_t>(0xC0 + z));
    put(v >= INT32_MIN && v <= INT32_MAX ? 0x24 : 0x25);
    vint(z);
  }

  void big_unsigned(std::uint64_t v) {  // BigInteger.toByteArray(): a sign byte, then 8 bytes
    std::uint8_t bytes[9] = {0};
    for (int i = 0; i < 8; ++i) bytes[8 - i] = static_cast<std::uint8_t>(v >> (8 * i));
    put(0x26);
    seven_bit(bytes, 9);
  }

  void float64(double d) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, &d, sizeof bits);
    put(0x29);
    for (int i = 9; i >= 0; --i) put(static_cast<std::uint8_t>((bits >> (7 * i)) & 0x7F));
  }

  template <class Json>
  void value(const Json& v) {
    switch (v.type()) {
      case nlohmann::json::value_t::null:
      case nlohmann::json::value_t::discarded:
        return put(0x21);
      case nlohmann::json::value_t::boolean:
        return put(v.template get<bool>() ? 0x23 : 0x22);
      case nlohmann::json::value_t::number_integer:
        return integer(v.template get<std::int64_t>());
      case nlohmann::json::value_t::number_unsigned: {
        const auto u = v.template get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(INT64_MAX)) return big_unsigned(u);
        return integer(static_cast<std::int64_t>(u));
      }
      case nlohmann::json::value_t::number_float:
        return float64(v.template get<double>());
      case nlohmann::json::value_t::string:
        return string(v.template get_ref<const std::string&>());
      case nlohmann::json::value_t::binary: {
        const auto& b = v.get_binary();
        if (o_.raw_binary) {
          put(0xFD);
          vint(b.size());
          out_.insert(out_.end(), b.begin(), b.end());
        } else {
          put(0xE8);
          seven_bit(b.data(), b.size());
        }
        return;
      }
      case nlohmann::json::value_t::array:
        put(0xF8);
        for (const auto& e : v) value(e);
        return put(0xF9);
      case nlohmann::json::value_t::object:
        put(0xFA);
        for (auto it = v.begin(); it != v.end(); ++it) {
          key(it.key());
          value(it.value());
        }
        return put(0xFB);
    }
  }
};

}  // namespace

std::vector<std::uint8_t> encode_smile(const nlohmann::json& doc, const SmileWriteOptions& o) {
  return Encoder(o).run(doc);
}

std::vector<std::uint8_t> encode_smile(const nlohmann::ordered_json& doc,
                                       const SmileWriteOptions& o) {
  return Encoder(o).run(doc);
}

}  // namespace essnap::format
