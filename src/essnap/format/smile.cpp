// SMILE decoder: a recursive descent over the token grammar in smile.hpp. Every read is
// bounds-checked through Reader; no length from the input is trusted before it is compared with
// the bytes that are left.
#include "essnap/format/smile.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "essnap/util/utf8.hpp"

namespace essnap::format {
namespace {

template <class Json>
class Decoder {
 public:
  Decoder(std::span<const std::uint8_t> b, const SmileLimits& l)
      : b_(b), limits_(l), budget_(l.max_output_bytes) {}

  Result<Json> run() {
    if (b_.size() < 4 || !is_smile(b_)) return fail("not a SMILE document (no ':)\\n' header)");
    const std::uint8_t flags = b_[3];
    if ((flags >> 4) != 0)
      return fail("unsupported SMILE version " + std::to_string(flags >> 4), 3);
    shared_names_ = (flags & 0x01) != 0;
    shared_values_ = (flags & 0x02) != 0;
    raw_binary_ = (flags & 0x04) != 0;
    pos_ = 4;
    if (pos_ >= b_.size()) return fail("SMILE document has no value");
    Json out;
    if (!value(out, 0)) return std::move(err_);
    while (pos_ < b_.size() && b_[pos_] == 0xFF) ++pos_;
    if (pos_ != b_.size()) return fail("trailing bytes after the SMILE document");
    return out;
  }

 private:
  std::span<const std::uint8_t> b_;
  SmileLimits limits_;
  std::size_t budget_;
  std::size_t pos_ = 0;
  bool shared_names_ = false, shared_values_ = false, raw_binary_ = false;
  std::vector<std::string> names_, values_;
  Error err_;

  Error fail(const std::string& what, std::size_t at = SIZE_MAX) {
    if (at == SIZE_MAX) at = pos_;
    return Error(ErrorCode::kParse, "SMILE: " + what + " at byte " + std::to_string(at));
  }
  bool bad(const std::string& what, std::size_t at = SIZE_MAX) {
    err_ = fail(what, at);
    return false;
  }
  bool need(std::size_t n, const char* what) {
    if (b_.size() - pos_ < n) return bad(std::string("truncated ") + what);
    return true;
  }

  static void add_shared(std::vector<std::string>& table, const std::string& s) {
    if (table.size() >= kSmileSharedTableSize) table.clear();
    table.push_back(s);
  }

  // Unsigned vint: 7-bit groups, last byte has bit 7 set and 6 data bits.
  bool vint(std::uint64_t& out, std::size_t max_bytes, const char* what) {
    out = 0;
    const std::size_t start = pos_;
    for (std::size_t i = 0; i < max_bytes; ++i) {
      if (pos_ >= b_.size()) return bad(std::string("truncated ") + what, start);
      const std::uint8_t c = b_[pos_++];
      if (c & 0x80) {
        out = (out << 6) | (c & 0x3F);
        return true;
      }
      out = (out << 7) | c;
    }
    return bad(std::string(what) + " longer than " + std::to_string(max_bytes) + " bytes", start);
  }
  static std::int64_t zigzag(std::uint64_t v) {
    return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
  }

  // Well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF): Jackson refuses
  // the rest, and a json string must be valid UTF-8 to be serialised.
  static bool valid_utf8(std::string_view s, std::size_t& bad_at) {
    for (std::size_t i = 0; i < s.size();) {
      const std::size_t len = util::utf8_sequence_length(s, i, &bad_at);
      if (len == 0) return false;
      i += len;
    }
    return true;
  }
  bool check_utf8(const std::string& s, std::size_t start, const char* what) {
    std::size_t at = 0;
    if (!valid_utf8(s, at)) return bad(std::string("invalid UTF-8 in ") + what, start + at);
    return true;
  }

  bool utf8(std::size_t len, std::string& out, const char* what) {
    if (!need(len, what)) return false;
    const std::size_t start = pos_;
    out.assign(reinterpret_cast<const char*>(b_.data() + pos_), len);
    pos_ += len;
    return check_utf8(out, start, what);
  }
  bool ascii(std::size_t len, std::string& out, const char* what) {
    const std::size_t start = pos_;
    if (!need(len, what)) return false;
    out.assign(reinterpret_cast<const char*>(b_.data() + pos_), len);
    pos_ += len;
    for (char c : out)
      if (static_cast<unsigned char>(c) >= 0x80)
        return bad(std::string("non-ASCII byte in ") + what, start);
    return true;
  }
  // Bytes up to the 0xFC end marker (not included; the marker is consumed).
  bool until_end_marker(std::string& out, const char* what) {
    const std::size_t start = pos_;
    const auto p =
        std::find(b_.begin() + static_cast<std::ptrdiff_t>(pos_), b_.end(), std::uint8_t{0xFC});
    if (p == b_.end()) return bad(std::string("unterminated ") + what, start);
    const std::size_t end = static_cast<std::size_t>(p - b_.begin());
    out.assign(reinterpret_cast<const char*>(b_.data() + pos_), end - pos_);
    pos_ = end + 1;
    return check_utf8(out, start, what);
  }

  // 7-bit "safe" binary: raw length n, then n*8/7 rounded up bytes of 7 data bits each; full
  // 7-byte groups take 8 bytes; a tail of r bytes takes r+1, its last byte right-aligned.
  bool seven_bit(std::uint64_t raw_len, std::vector<std::uint8_t>& out, const char* what) {
    const std::uint64_t full = raw_len / 7, tail = raw_len % 7;
    const std::uint64_t enc = full * 8 + (tail ? tail + 1 : 0);
    if (raw_len > b_.size() || enc > b_.size() - pos_) return bad(std::string("truncated ") + what);
    out.clear();
    out.reserve(raw_len);
    for (std::uint64_t g = 0; g < full; ++g) {
      std::uint64_t acc = 0;
      for (int i = 0; i < 8; ++i) acc = (acc << 7) | (b_[pos_++] & 0x7F);
      for (int i = 6; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(acc >> (8 * i)));
    }
    if (tail) {
      std::uint64_t acc = 0;
      for (std::uint64_t i = 0; i < tail; ++i) acc = (acc << 7) | (b_[pos_++] & 0x7F);
      acc = (acc << tail) | (b_[pos_++] & ((1u << tail) - 1));
      for (std::uint64_t i = tail; i-- > 0;)
        out.push_back(static_cast<std::uint8_t>(acc >> (8 * i)));
    }
    return true;
  }

  // Two's complement big-endian bytes to a decimal string.
  static std::string big_to_decimal(std::vector<std::uint8_t> mag) {
    if (mag.empty()) return "0";
    const bool neg = (mag[0] & 0x80) != 0;
    if (neg) {  // negate: invert and add one
      for (auto& x : mag) x = static_cast<std::uint8_t>(~x);
      for (std::size_t i = mag.size(); i-- > 0;)
        if (++mag[i] != 0) break;
    }
    std::string digits;
    std::size_t first = 0;
    while (first < mag.size() && mag[first] == 0) ++first;
    while (first < mag.size()) {
      unsigned rem = 0;
      for (std::size_t i = first; i < mag.size(); ++i) {
        const unsigned cur = (rem << 8) | mag[i];
        mag[i] = static_cast<std::uint8_t>(cur / 10);
        rem = cur % 10;
      }
      digits.push_back(static_cast<char>('0' + rem));
      while (first < mag.size() && mag[first] == 0) ++first;
    }
    if (digits.empty()) digits = "0";
    if (neg) digits.push_back('-');
    std::reverse(digits.begin(), digits.end());
    return digits;
  }

  bool big_integer(std::string& out) {
    std::uint64_t len = 0;
    if (!vint(len, 10, "BigInteger length")) return false;
    std::vector<std::uint8_t> mag;
    if (!seven_bit(len, mag, "BigInteger")) return false;
    out = big_to_decimal(std::move(mag));
    return true;
  }

  bool key(std::string& out) {
    const std::size_t at = pos_;
    const std::uint8_t c = b_[pos_++];
    if (c == 0x20) {
      out.clear();
      return true;
    }
    if (c >= 0x30 && c <= 0x33) {
      if (!need(1, "long shared name reference")) return false;
      const std::size_t idx = (static_cast<std::size_t>(c & 0x03) << 8) | b_[pos_++];
      if (!shared_names_ || idx >= names_.size())
        return bad("shared name reference " + std::to_string(idx) + " to an unknown name", at);
      out = names_[idx];
      return true;
    }
    if (c == 0x34) {
      if (!until_end_marker(out, "long name")) return false;
      if (shared_names_) add_shared(names_, out);
      return true;
    }
    if (c >= 0x40 && c <= 0x7F) {
      const std::size_t idx = c & 0x3F;
      if (!shared_names_ || idx >= names_.size())
        return bad("shared name reference " + std::to_string(idx) + " to an unknown name", at);
      out = names_[idx];
      return true;
    }
    if (c >= 0x80 && c <= 0xBF) {
      if (!ascii((c & 0x3F) + 1u, out, "ASCII name")) return false;
      if (shared_names_) add_shared(names_, out);
      return true;
    }
    if (c >= 0xC0 && c <= 0xF7) {
      if (!utf8((c & 0x3F) + 2u, out, "Unicode name")) return false;
      if (shared_names_) add_shared(names_, out);
      return true;
    }
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", c);
    return bad(std::string("invalid key token ") + hex, at);
  }

  bool object(Json& out, std::size_t depth) {
    out = Json::object();
    for (;;) {
      if (pos_ >= b_.size()) return bad("unterminated object");
      if (b_[pos_] == 0xFB) {
        ++pos_;
        return true;
      }
      std::string k;
      const std::size_t key_at = pos_;
      if (!key(k)) return false;
      if (!charge(k.size(), key_at)) return false;
      if (pos_ >= b_.size()) return bad("object key without a value");
      Json v;
      if (!value(v, depth + 1)) return false;
      out[k] = std::move(v);  // a repeated key keeps the last value, as Jackson's tree does
    }
  }

  bool array(Json& out, std::size_t depth) {
    out = Json::array();
    for (;;) {
      if (pos_ >= b_.size()) return bad("unterminated array");
      if (b_[pos_] == 0xF9) {
        ++pos_;
        return true;
      }
      Json v;
      if (!value(v, depth + 1)) return false;
      out.push_back(std::move(v));
    }
  }

  // Charges the decoded tree's estimated size; false once the budget is spent.
  bool charge(std::size_t bytes, std::size_t at) {
    const std::size_t cost = 64 + bytes;
    if (cost > budget_)
      return bad("decoded document larger than " + std::to_string(limits_.max_output_bytes) +
                     " bytes; refused",
                 at);
    budget_ -= cost;
    return true;
  }

  bool value(Json& out, std::size_t depth) {
    const std::size_t at0 = pos_;
    if (!value_inner(out, depth)) return false;
    std::size_t size = 0;
    if (out.is_string())
      size = out.template get_ref<const std::string&>().size();
    else if (out.is_binary())
      size = out.get_binary().size();
    return charge(size, at0);
  }

  bool value_inner(Json& out, std::size_t depth) {
    if (depth >= limits_.max_depth)
      return bad("nesting deeper than " + std::to_string(limits_.max_depth));
    if (pos_ >= b_.size()) return bad("truncated value");
    const std::size_t at = pos_;
    const std::uint8_t c = b_[pos_++];
    switch (c >> 5) {
      case 0: {  // short shared value reference
        if (c == 0) return bad("invalid token 0x00", at);
        const std::size_t idx = c - 1u;
        if (!shared_values_ || idx >= values_.size())
          return bad("shared string reference " + std::to_string(idx) + " to an unknown string",
                     at);
        out = values_[idx];
        return true;
      }
      case 1:
        return literal_or_number(c, out, at);
      case 2:
      case 3: {  // tiny / short ASCII, 1..64
        std::string s;
        if (!ascii((c & 0x3F) + 1u, s, "ASCII string")) return false;
        if (shared_values_) add_shared(values_, s);
        out = std::move(s);
        return true;
      }
      case 4:
      case 5: {  // tiny / short Unicode, 2..65
        std::string s;
        if (!utf8((c & 0x3F) + 2u, s, "Unicode string")) return false;
        if (shared_values_) add_shared(values_, s);
        out = std::move(s);
        return true;
      }
      case 6: {  // small int, zigzag in 5 bits
        const std::uint8_t z = c & 0x1F;
        out = static_cast<std::int64_t>((z >> 1) ^ -(z & 1));
        return true;
      }
      default:
        return misc(c, out, depth, at);
    }
  }

  bool literal_or_number(std::uint8_t c, Json& out, std::size_t at) {
    switch (c) {
      case 0x20:
        out = "";
        return true;
      case 0x21:
        out = nullptr;
        return true;
      case 0x22:
        out = false;
        return true;
      case 0x23:
        out = true;
        return true;
      case 0x24: {
        std::uint64_t v = 0;
        if (!vint(v, 5, "int32")) return false;
        if (v > 0xFFFFFFFFull) return bad("int32 out of range", at);
        out = zigzag(v);
        return true;
      }
      case 0x25: {
        std::uint64_t v = 0;
        if (!vint(v, 10, "int64")) return false;
        out = zigzag(v);
        return true;
      }
      case 0x26: {
        std::string s;
        if (!big_integer(s)) return false;
        out = std::move(s);
        return true;
      }
      case 0x28: {
        if (!need(5, "float32")) return false;
        std::uint32_t bits = 0;
        for (int i = 0; i < 5; ++i) bits = (bits << 7) | (b_[pos_++] & 0x7F);
        out = static_cast<double>(std::bit_cast<float>(bits));
        return true;
      }
      case 0x29: {
        if (!need(10, "float64")) return false;
        std::uint64_t bits = 0;
        for (int i = 0; i < 10; ++i) bits = (bits << 7) | (b_[pos_++] & 0x7F);
        const double d = std::bit_cast<double>(bits);
        if (d != d || d - d != 0)
          out = nullptr;  // NaN / infinity have no JSON form
        else
          out = d;
        return true;
      }
      case 0x2A: {
        std::uint64_t zs = 0;
        if (!vint(zs, 5, "BigDecimal scale")) return false;
        const std::int64_t scale = zigzag(zs);
        std::string unscaled;
        if (!big_integer(unscaled)) return false;
        out = unscaled + (scale == 0 ? "" : "E" + std::to_string(-scale));
        return true;
      }
      default: {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02X", c);
        return bad(std::string("invalid value token ") + hex, at);
      }
    }
  }

  bool misc(std::uint8_t c, Json& out, std::size_t depth, std::size_t at) {
    if (c >= 0xE0 && c <= 0xE3) {
      std::string s;
      if (!until_end_marker(s, "long ASCII string")) return false;
      out = std::move(s);
      return true;
    }
    if (c >= 0xE4 && c <= 0xE7) {
      std::string s;
      if (!until_end_marker(s, "long Unicode string")) return false;
      out = std::move(s);
      return true;
    }
    if (c >= 0xE8 && c <= 0xEB) {
      std::uint64_t len = 0;
      if (!vint(len, 10, "binary length")) return false;
      std::vector<std::uint8_t> bytes;
      if (!seven_bit(len, bytes, "7-bit binary")) return false;
      out = Json::binary(std::move(bytes));
      return true;
    }
    if (c >= 0xEC && c <= 0xEF) {
      if (!need(1, "long shared string reference")) return false;
      const std::size_t idx = (static_cast<std::size_t>(c & 0x03) << 8) | b_[pos_++];
      if (!shared_values_ || idx >= values_.size())
        return bad("shared string reference " + std::to_string(idx) + " to an unknown string", at);
      out = values_[idx];
      return true;
    }
    if (c == 0xF8) return array(out, depth);
    if (c == 0xFA) return object(out, depth);
    if (c == 0xFD) {
      if (!raw_binary_) return bad("raw binary in a document whose header does not allow it", at);
      std::uint64_t len = 0;
      if (!vint(len, 10, "raw binary length")) return false;
      if (len > b_.size() - pos_)
        return bad("raw binary of " + std::to_string(len) + " bytes past the end", at);
      out = Json::binary(
          std::vector<std::uint8_t>(b_.begin() + static_cast<std::ptrdiff_t>(pos_),
                                    b_.begin() + static_cast<std::ptrdiff_t>(pos_ + len)));
      pos_ += len;
      return true;
    }
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", c);
    return bad(std::string("invalid value token ") + hex, at);
  }
};

}  // namespace

bool is_smile(std::span<const std::uint8_t> bytes) {
  return bytes.size() >= 3 && bytes[0] == ':' && bytes[1] == ')' && bytes[2] == '\n';
}

Result<nlohmann::json> decode_smile(std::span<const std::uint8_t> bytes) {
  return decode_smile(bytes, SmileLimits{});
}

Result<nlohmann::json> decode_smile(std::span<const std::uint8_t> bytes,
                                    const SmileLimits& limits) {
  try {
    return Decoder<nlohmann::json>(bytes, limits).run();
  } catch (const std::exception& e) {  // allocation failure or a json library error: still a value
    return Error(ErrorCode::kParse, std::string("SMILE: ") + e.what());
  }
}

Result<nlohmann::ordered_json> decode_smile_ordered(std::span<const std::uint8_t> bytes,
                                                    const SmileLimits& limits) {
  try {
    return Decoder<nlohmann::ordered_json>(bytes, limits).run();
  } catch (const std::exception& e) {
    return Error(ErrorCode::kParse, std::string("SMILE: ") + e.what());
  }
}

}  // namespace essnap::format
