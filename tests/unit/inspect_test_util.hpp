// Helpers for the inspect unit tests: a real repository from tests/data/inspect/ (written by the
// stack's engines, see make_fixtures.sh) loaded into a MemoryStore that the test then damages.
#pragma once

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

// A ChecksumBlobStoreFormat blob holding `doc` as plain JSON (uncompressed; the format allows
// JSON content): Lucene header (magic, codec, version 1), content, footer with its CRC-32.
inline std::string frame_json(const std::string& codec, const nlohmann::json& doc) {
  auto be32 = [](std::string& out, std::uint32_t v) {
    for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  std::string out;
  be32(out, 0x3FD76C17);
  out.push_back(static_cast<char>(codec.size()));
  out += codec;
  be32(out, 1);
  out += doc.dump();
  be32(out, 0xC02893E8);
  be32(out, 0);
  const std::uint32_t crc = crc32({reinterpret_cast<const std::uint8_t*>(out.data()), out.size()});
  be32(out, 0);
  be32(out, crc);
  return out;
}

}  // namespace essnap::format::testing
