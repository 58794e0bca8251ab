// Helpers for the inspect unit tests: a real repository from tests/data/inspect/ (written by the
// stack's engines, see make_fixtures.sh) loaded into a MemoryStore that the test then damages.
#pragma once

#include <climits>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "essnap/blob/memory_store.hpp"
#include "essnap/format/crc32.hpp"

namespace essnap::format::testing {
using blob::BlobInfo;
using blob::MemoryStore;

inline std::string inspect_data(const std::string& rel) {
  return std::string(ESSNAP_TEST_DATA_DIR) + "/inspect/" + rel;
}

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// `name` under tests/data/inspect/, or a path from tests/data/ ("repo/es6": wt-repo's fixtures).
inline std::unique_ptr<MemoryStore> load_fixture(const std::string& name, std::size_t chunk = 333) {
  namespace fs = std::filesystem;
  auto c = std::make_unique<MemoryStore>(chunk);
  const fs::path root = name.find('/') != std::string::npos
                            ? fs::path(std::string(ESSNAP_TEST_DATA_DIR) + "/" + name)
                            : fs::path(inspect_data(name));
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file())
      c->set(fs::relative(e.path(), root).generic_string(), slurp(e.path().string()));
  return c;
}

// Blob paths (from the root) matching a predicate, sorted.
template <typename Pred>
std::vector<std::string> blobs_where(MemoryStore& c, Pred pred) {
  std::vector<std::string> out;
  (void)c.walk("", [&](const BlobInfo& b) {
    if (pred(b)) out.push_back(b.name);
    return ok_status();
  });
  std::sort(out.begin(), out.end());
  return out;
}

inline bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
inline bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// A minimal SMILE writer (no shared names or values, raw binary enabled): what the engines
// write, as far as the tests need it — objects, arrays, strings, integers, doubles, booleans,
// null and binary.
inline void smile_vint(std::string& out, std::uint64_t v) {
  std::string groups;
  groups.push_back(static_cast<char>(0x80 | (v & 0x3F)));
  v >>= 6;
  while (v) {
    groups.push_back(static_cast<char>(v & 0x7F));
    v >>= 7;
  }
  out.append(groups.rbegin(), groups.rend());
}

inline void smile_value(std::string& out, const nlohmann::json& j) {
  auto zigzag = [](std::int64_t v) {
    return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
  };
  auto ascii = [](const std::string& s) {
    for (unsigned char c : s)
      if (c >= 0x80) return false;
    return true;
  };
  switch (j.type()) {
    case nlohmann::json::value_t::null:
      out.push_back(0x21);
      break;
    case nlohmann::json::value_t::boolean:
      out.push_back(j.get<bool>() ? 0x23 : 0x22);
      break;
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned: {
      const std::int64_t v = j.get<std::int64_t>();
      if (v >= -16 && v <= 15) {
        out.push_back(static_cast<char>(0xC0 + zigzag(v)));
      } else if (v >= INT32_MIN && v <= INT32_MAX) {
        out.push_back(0x24);
        smile_vint(out, zigzag(v));
      } else {
        out.push_back(0x25);
        smile_vint(out, zigzag(v));
      }
      break;
    }
    case nlohmann::json::value_t::number_float: {
      const double d = j.get<double>();
      std::uint64_t bits;
      std::memcpy(&bits, &d, sizeof bits);
      out.push_back(0x29);
      for (int i = 9; i >= 0; --i) out.push_back(static_cast<char>((bits >> (7 * i)) & 0x7F));
      break;
    }
    case nlohmann::json::value_t::string: {
      const auto& s = j.get_ref<const std::string&>();
      if (s.empty()) {
        out.push_back(0x20);
      } else {
        out.push_back(static_cast<char>(ascii(s) ? 0xE0 : 0xE4));
        out += s;
        out.push_back(static_cast<char>(0xFC));
      }
      break;
    }
    case nlohmann::json::value_t::binary: {
      const auto& b = j.get_binary();
      out.push_back(static_cast<char>(0xFD));
      smile_vint(out, b.size());
      out.append(b.begin(), b.end());
      break;
    }
    case nlohmann::json::value_t::array:
      out.push_back(static_cast<char>(0xF8));
      for (const auto& v : j) smile_value(out, v);
      out.push_back(static_cast<char>(0xF9));
      break;
    case nlohmann::json::value_t::object:
      out.push_back(static_cast<char>(0xFA));
      for (const auto& [k, v] : j.items()) {
        if (k.empty()) {
          out.push_back(0x20);
        } else if (ascii(k) && k.size() <= 64) {
          out.push_back(static_cast<char>(0x80 + k.size() - 1));
          out += k;
        } else {
          out.push_back(0x34);
          out += k;
          out.push_back(static_cast<char>(0xFC));
        }
        smile_value(out, v);
      }
      out.push_back(static_cast<char>(0xFB));
      break;
    default:
      break;
  }
}

inline std::string to_smile(const nlohmann::json& doc) {
  std::string out = ":)\n";
  out.push_back(0x04);  // version 0, raw binary allowed, no shared names or values
  smile_value(out, doc);
  return out;
}

// A ChecksumBlobStoreFormat blob with `content` as its body (uncompressed): Lucene header (magic,
// codec, version 1), content, footer with its CRC-32.
inline std::string frame_content(const std::string& codec, const std::string& content) {
  auto be32 = [](std::string& out, std::uint32_t v) {
    for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  std::string out;
  be32(out, 0x3FD76C17);
  out.push_back(static_cast<char>(codec.size()));
  out += codec;
  be32(out, 1);
  out += content;
  be32(out, 0xC02893E8);
  be32(out, 0);
  const std::uint32_t crc = crc32({reinterpret_cast<const std::uint8_t*>(out.data()), out.size()});
  be32(out, 0);
  be32(out, crc);
  return out;
}

// `doc` framed as the engines write it (SMILE, uncompressed).
inline std::string frame_smile(const std::string& codec, const nlohmann::json& doc) {
  return frame_content(codec, to_smile(doc));
}

// `doc` framed with a JSON body: a valid frame whose content the engines refuse.
inline std::string frame_json(const std::string& codec, const nlohmann::json& doc) {
  return frame_content(codec, doc.dump());
}

}  // namespace essnap::format::testing
