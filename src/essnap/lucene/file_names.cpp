#include "essnap/lucene/file_names.hpp"

#include <algorithm>

namespace essnap::lucene {

std::string LuceneVersion::str() const {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(bugfix);
}

std::string to_base36(std::int64_t n) {
  if (n == 0) return "0";
  const bool neg = n < 0;
  // work on the magnitude as unsigned so INT64_MIN does not overflow
  std::uint64_t u = neg ? 0 - static_cast<std::uint64_t>(n) : static_cast<std::uint64_t>(n);
  std::string s;
  while (u) {
    const int d = static_cast<int>(u % 36);
    s.push_back(static_cast<char>(d < 10 ? '0' + d : 'a' + d - 10));
    u /= 36;
  }
  if (neg) s.push_back('-');
  std::reverse(s.begin(), s.end());
  return s;
}

std::optional<std::int64_t> from_base36(std::string_view s) {
  if (s.empty() || s.size() > 13) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'z') {
      d = c - 'a' + 10;
    } else {
      return std::nullopt;
    }
    if (v > (static_cast<std::uint64_t>(INT64_MAX) - static_cast<std::uint64_t>(d)) / 36)
      return std::nullopt;
    v = v * 36 + static_cast<std::uint64_t>(d);
  }
  return static_cast<std::int64_t>(v);
}

std::string segment_file_name(std::string_view segment, std::string_view suffix,
                              std::string_view ext) {
  std::string s(segment);
  if (!suffix.empty()) {
    s += '_';
    s += suffix;
  }
  if (!ext.empty()) {
    s += '.';
    s += ext;
  }
  return s;
}

std::optional<std::string> file_name_from_generation(std::string_view base, std::string_view ext,
                                                     std::int64_t gen) {
  if (gen == -1) return std::nullopt;
  if (gen == 0) return segment_file_name(base, "", ext);
  return std::string(base) + "_" + to_base36(gen) + (ext.empty() ? "" : "." + std::string(ext));
}

std::optional<std::int64_t> segments_generation(std::string_view name) {
  if (name == "segments") return 0;
  constexpr std::string_view kPrefix = "segments_";
  if (name.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  return from_base36(name.substr(kPrefix.size()));
}

std::string segment_name_of(std::string_view name) {
  if (name.empty() || name[0] != '_') return {};
  const auto end = name.find_first_of("_.", 1);
  return std::string(name.substr(0, end));
}

std::string id_hex(const SegmentId& id) {
  static const char* kHex = "0123456789abcdef";
  std::string s;
  for (std::uint8_t b : id) {
    s.push_back(kHex[b >> 4]);
    s.push_back(kHex[b & 15]);
  }
  return s;
}

}  // namespace essnap::lucene
