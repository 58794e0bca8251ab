// Test-only helpers of the stored-fields suites: the engine fixtures of tests/data/lucene/stored
// (made by make_stored_fixtures.py) loaded into StoredFieldsSegment, and a small writer of the
// Lucene90 stored-fields layout (.fdt/.fdm/.fdx, per Lucene90CompressingStoredFieldsWriter) for
// the codecs no engine of the stack writes (OpenSearch zstd / zstd_no_dict, Elasticsearch zstd
// BEST_SPEED) and for shapes small fixtures do not reach (chunks of 128+ documents, slices).
#pragma once

#include <zlib.h>
#include <zstd.h>

#include <array>
#include <bit>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "essnap/format/crc32.hpp"
#include "essnap/format/lucene_footer.hpp"
#include "essnap/lucene/stored_fields.hpp"

namespace essnap::lucene::test {

inline std::string stored_data_dir() {
  return std::string(ESSNAP_SOURCE_DIR) + "/tests/data/lucene/stored";
}

inline std::vector<std::uint8_t> slurp(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(f), {});
}

struct Fixture {
  std::string dir;
  nlohmann::json expected;
  std::map<std::string, std::vector<std::uint8_t>> files;  // by extension: "fdt", "fdx", ...
  std::map<std::int32_t, std::string> names;               // field number -> name
};

inline Fixture load_fixture(const std::string& dir) {
  Fixture fx;
  fx.dir = dir;
  std::ifstream in(dir + "/expected.json");
  fx.expected = nlohmann::json::parse(in);
  for (const auto& f : fx.expected["files"]) {
    const std::string name = f.get<std::string>();
    fx.files[name.substr(name.rfind('.') + 1)] = slurp(dir + "/" + name);
  }
  for (const auto& [name, number] : fx.expected["fields"].items())
    fx.names[number.get<std::int32_t>()] = name;
  return fx;
}

// The segment, with files possibly replaced (damage tests).
inline StoredFieldsSegment segment_of(const Fixture& fx,
                                      std::map<std::string, std::vector<std::uint8_t>> files = {}) {
  for (const auto& [ext, bytes] : fx.files)
    if (!files.count(ext)) files[ext] = bytes;
  StoredFieldsSegment seg;
  seg.name = fx.expected["segment"]["name"].get<std::string>();
  seg.max_doc = fx.expected["segment"]["max_doc"].get<std::int32_t>();
  for (const auto& [k, v] : fx.expected["segment"]["attributes"].items())
    seg.attributes[k] = v.get<std::string>();
  // The segment's id and suffix as the .si has them: from the undamaged .fdt.
  const auto& fdt = fx.files.at("fdt");
  auto h = format::parse_index_header(std::span<const std::uint8_t>(fdt));
  if (h && h->object_id) {
    seg.id = *h->object_id;
    seg.suffix = h->suffix;
  }
  auto mk = [&](const std::string& ext) -> std::shared_ptr<const FileSource> {
    auto it = files.find(ext);
    if (it == files.end() || it->second.empty()) return nullptr;
    return memory_file(seg.name + "." + ext, it->second);
  };
  seg.fdt = mk("fdt");
  seg.fdx = mk("fdx");
  seg.fdm = mk("fdm");
  return seg;
}

inline std::vector<std::string> fixture_dirs() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(stored_data_dir()))
    if (e.is_directory() && std::filesystem::exists(e.path() / "expected.json"))
      out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

// ---- a writer of the Lucene90 layout ----

struct Out {
  std::vector<std::uint8_t> b;
  void byte(std::uint8_t v) { b.push_back(v); }
  void bytes(std::span<const std::uint8_t> s) { b.insert(b.end(), s.begin(), s.end()); }
  void vlong(std::uint64_t v) {
    while (v >= 0x80) {
      b.push_back(static_cast<std::uint8_t>(v | 0x80));
      v >>= 7;
    }
    b.push_back(static_cast<std::uint8_t>(v));
  }
  void le(std::uint64_t v, int width) {
    for (int i = 0; i < width; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void be(std::uint64_t v, int width) {
    for (int i = width; i-- > 0;) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void index_header(const std::string& codec, std::uint32_t version,
                    const std::array<std::uint8_t, 16>& id) {
    be(0x3FD76C17, 4);
    byte(static_cast<std::uint8_t>(codec.size()));
    bytes(std::span(reinterpret_cast<const std::uint8_t*>(codec.data()), codec.size()));
    be(version, 4);
    bytes(id);
    byte(0);
  }
  void footer() {
    be(0xC02893E8, 4);
    be(0, 4);
    const std::uint32_t crc = format::crc32(b);
    be(crc, 8);
  }
};

// An LZ4 block of literals only (valid LZ4: the format does not require matches).
inline void lz4_literals(Out& o, std::span<const std::uint8_t> s) {
  const std::size_t n = s.size();
  o.byte(static_cast<std::uint8_t>(std::min<std::size_t>(n, 15) << 4));
  if (n >= 15) {
    std::size_t rest = n - 15;
    while (rest >= 255) {
      o.byte(255);
      rest -= 255;
    }
    o.byte(static_cast<std::uint8_t>(rest));
  }
  o.bytes(s);
}

inline std::vector<std::uint8_t> raw_deflate(std::span<const std::uint8_t> s,
                                             std::span<const std::uint8_t> dict) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
  if (!dict.empty()) deflateSetDictionary(&z, dict.data(), static_cast<uInt>(dict.size()));
  std::vector<std::uint8_t> out(deflateBound(&z, s.size()) + 16);
  z.next_in = const_cast<Bytef*>(s.data());
  z.avail_in = static_cast<uInt>(s.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  return out;
}

inline std::vector<std::uint8_t> zstd_frame(std::span<const std::uint8_t> s,
                                            std::span<const std::uint8_t> dict) {
  std::vector<std::uint8_t> out(ZSTD_compressBound(s.size()));
  ZSTD_CCtx* c = ZSTD_createCCtx();
  const std::size_t n = ZSTD_compress_usingDict(c, out.data(), out.size(), s.data(), s.size(),
                                                dict.data(), dict.size(), 3);
  ZSTD_freeCCtx(c);
  out.resize(n);
  return out;
}

// One compressed unit as each mode's Compressor writes it.
inline void compress_unit(Out& o, ChunkCompression c, std::span<const std::uint8_t> s) {
  const std::size_t n = s.size();
  switch (c) {
    case ChunkCompression::kLz4:
      lz4_literals(o, s);
      return;
    case ChunkCompression::kDeflate: {
      auto z = raw_deflate(s, {});
      o.vlong(z.size());
      o.bytes(z);
      return;
    }
    case ChunkCompression::kZstd: {
      if (n == 0) return;
      auto z = zstd_frame(s, {});
      o.vlong(z.size());
      o.bytes(z);
      return;
    }
    case ChunkCompression::kZstdNoDict: {
      const std::size_t block = (n + 9) / 10;
      o.vlong(block);
      for (std::size_t at = 0; at < n; at += block) {
        auto z = zstd_frame(s.subspan(at, std::min(block, n - at)), {});
        o.vlong(z.size());
        o.bytes(z);
      }
      return;
    }
    case ChunkCompression::kLz4Dict: {
      const std::size_t dict = std::min<std::size_t>(1 << 16, n / 20);
      const std::size_t block = (n - dict + 9) / 10;
      o.vlong(dict);
      o.vlong(block);
      std::vector<Out> units(1);
      lz4_literals(units[0], s.subspan(0, dict));
      for (std::size_t at = dict; at < n; at += block) {
        units.emplace_back();
        lz4_literals(units.back(), s.subspan(at, std::min(block, n - at)));
      }
      for (auto& u : units) o.vlong(u.b.size());
      for (auto& u : units) o.bytes(u.b);
      return;
    }
    case ChunkCompression::kDeflateDict:
    case ChunkCompression::kZstdDict: {
      const std::size_t dict = n / 60;
      const std::size_t block = (n - dict + 9) / 10;
      o.vlong(dict);
      o.vlong(block);
      auto unit = [&](std::span<const std::uint8_t> part, std::span<const std::uint8_t> d) {
        if (part.empty()) {
          o.vlong(0);
          return;
        }
        auto z = c == ChunkCompression::kZstdDict ? zstd_frame(part, d) : raw_deflate(part, d);
        o.vlong(z.size());
        o.bytes(z);
      };
      unit(s.subspan(0, dict), {});
      for (std::size_t at = dict; at < n; at += block)
        unit(s.subspan(at, std::min(block, n - at)), s.subspan(0, dict));
      return;
    }
  }
}

// StoredFieldsInts.writeInts.
inline void write_ints_90(Out& o, const std::vector<std::uint32_t>& v) {
  bool equal = true;
  std::uint32_t max = 0;
  for (auto x : v) {
    equal = equal && x == v[0];
    max |= x;
  }
  if (equal) {
    o.byte(0);
    o.vlong(v[0]);
    return;
  }
  const int bits = max <= 0xFF ? 8 : max <= 0xFFFF ? 16 : 32;
  o.byte(static_cast<std::uint8_t>(bits));
  const int lanes = 64 / bits, longs = 128 / lanes;
  std::size_t k = 0;
  for (; v.size() >= 128 && k <= v.size() - 128; k += 128)
    for (int i = 0; i < longs; ++i) {
      std::uint64_t l = 0;
      for (int j = 0; j < lanes; ++j)
        l |= std::uint64_t{v[k + static_cast<std::size_t>(i + j * longs)]} << (64 - bits * (j + 1));
      o.le(l, 8);
    }
  for (; k < v.size(); ++k) o.le(v[k], bits / 8);
}

struct SynthDoc {
  std::vector<std::pair<std::int32_t, std::string>> bytes;  // field number, value (type bytes)
  std::vector<std::pair<std::int32_t, std::string>> strings;
  std::vector<std::pair<std::int32_t, std::int32_t>> ints;
};

inline std::vector<std::uint8_t> serialize(const SynthDoc& d, std::uint32_t* count) {
  Out o;
  *count = 0;
  for (const auto& [f, s] : d.bytes) {
    o.vlong((std::uint64_t(f) << 3) | 1);
    o.vlong(s.size());
    o.bytes(std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
    ++*count;
  }
  for (const auto& [f, s] : d.strings) {
    o.vlong((std::uint64_t(f) << 3) | 0);
    o.vlong(s.size());
    o.bytes(std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
    ++*count;
  }
  for (const auto& [f, i] : d.ints) {
    o.vlong((std::uint64_t(f) << 3) | 2);
    o.vlong(static_cast<std::uint32_t>((i << 1) ^ (i >> 31)));
    ++*count;
  }
  return o.b;
}

// The chunks of a stored-fields data file, `per_chunk` documents each: the doc base, the count
// shifted left by `count_shift` with the sliced bit (2 in Lucene90, 1 before), the per-document
// field counts and lengths through `write_ints` (one pair inline for a single document), and the
// data compressed whole or, past 2 * chunk_size, in chunk_size slices. Returns the chunk count.
inline std::size_t write_chunks(Out& fdt, ChunkCompression c, const std::vector<SynthDoc>& docs,
                                std::size_t per_chunk, std::uint32_t chunk_size, int count_shift,
                                void (*write_ints)(Out&, const std::vector<std::uint32_t>&)) {
  std::size_t chunks = 0;
  for (std::size_t base = 0; base < docs.size(); base += per_chunk) {
    const std::size_t n = std::min(per_chunk, docs.size() - base);
    std::vector<std::uint32_t> counts(n), lengths(n);
    std::vector<std::uint8_t> data;
    for (std::size_t i = 0; i < n; ++i) {
      auto b = serialize(docs[base + i], &counts[i]);
      lengths[i] = static_cast<std::uint32_t>(b.size());
      data.insert(data.end(), b.begin(), b.end());
    }
    const bool sliced = data.size() >= 2 * std::size_t{chunk_size};
    fdt.vlong(base);
    fdt.vlong((n << count_shift) | (sliced ? 1 : 0));
    if (n == 1) {
      fdt.vlong(counts[0]);
      fdt.vlong(lengths[0]);
    } else {
      write_ints(fdt, counts);
      write_ints(fdt, lengths);
    }
    if (sliced) {
      for (std::size_t at = 0; at < data.size(); at += chunk_size)
        compress_unit(
            fdt, c,
            std::span(data).subspan(at, std::min<std::size_t>(chunk_size, data.size() - at)));
    } else {
      compress_unit(fdt, c, data);
    }
    ++chunks;
  }
  return chunks;
}

// A Lucene90-layout segment of `docs`, `per_chunk` documents a chunk (sliced when a chunk's
// bytes reach 2 * chunk_size, as the writer does).
inline StoredFieldsSegment synth_segment(const std::string& codec, ChunkCompression c,
                                         const std::vector<SynthDoc>& docs, std::size_t per_chunk,
                                         std::uint32_t chunk_size,
                                         std::map<std::string, std::string> attributes = {}) {
  std::array<std::uint8_t, 16> id{};
  for (int i = 0; i < 16; ++i)
    id[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(i * 7 + 1);
  Out fdt, fdm, fdx;
  fdt.index_header(codec, 1, id);
  const std::size_t chunks = write_chunks(fdt, c, docs, per_chunk, chunk_size, 2, write_ints_90);
  const std::uint64_t max_pointer = fdt.b.size();
  fdt.footer();
  fdx.index_header("Lucene90FieldsIndexIdx", 0, id);
  const std::uint64_t idx_at = fdx.b.size();
  fdx.footer();
  fdm.index_header("Lucene90FieldsIndexMeta", 1, id);
  fdm.vlong(chunk_size);
  fdm.le(docs.size(), 4);
  fdm.le(10, 4);
  fdm.le(chunks + 1, 4);
  const std::size_t blocks = (chunks + 1 + 1023) / 1024;
  fdm.le(idx_at, 8);
  for (std::size_t i = 0; i < blocks * 21; ++i) fdm.byte(0);
  fdm.le(idx_at, 8);
  for (std::size_t i = 0; i < blocks * 21; ++i) fdm.byte(0);
  fdm.le(idx_at, 8);
  fdm.le(max_pointer, 8);
  fdm.vlong(chunks);
  fdm.vlong(0);
  fdm.vlong(0);
  fdm.footer();
  StoredFieldsSegment seg;
  seg.name = "_0";
  seg.id = id;
  seg.max_doc = static_cast<std::int32_t>(docs.size());
  seg.attributes = std::move(attributes);
  seg.fdt = memory_file("_0.fdt", fdt.b);
  seg.fdx = memory_file("_0.fdx", fdx.b);
  seg.fdm = memory_file("_0.fdm", fdm.b);
  return seg;
}

// Lucene 8.5 / 8.6 (CompressingStoredFieldsWriter versions 2 and 3, big-endian, PackedInts chunk
// headers): what Elasticsearch 7.7-7.9 write, and no engine of the stack does.
inline void write_ints_legacy(Out& o, const std::vector<std::uint32_t>& v) {
  bool equal = true;
  std::uint32_t max = 0;
  for (auto x : v) {
    equal = equal && x == v[0];
    max |= x;
  }
  if (equal) {
    o.vlong(0);
    o.vlong(v[0]);
    return;
  }
  const int bits = 32 - std::countl_zero(max);
  o.vlong(static_cast<std::uint64_t>(bits));
  std::vector<std::uint8_t> packed((v.size() * static_cast<std::size_t>(bits) + 7) / 8);
  std::size_t bit = 0;
  for (auto x : v)
    for (int k = bits - 1; k >= 0; --k, ++bit)
      if ((x >> k) & 1u) packed[bit >> 3] |= static_cast<std::uint8_t>(0x80u >> (bit & 7));
  o.bytes(packed);
}

inline StoredFieldsSegment synth_segment_lucene8(int version, const std::string& codec,
                                                 ChunkCompression c,
                                                 const std::vector<SynthDoc>& docs,
                                                 std::size_t per_chunk, std::uint32_t chunk_size) {
  std::array<std::uint8_t, 16> id{};
  for (int i = 0; i < 16; ++i) id[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(90 - i);
  Out fdt, fdm, fdx;
  fdt.index_header(codec, static_cast<std::uint32_t>(version), id);
  if (version < 3) {
    fdt.vlong(chunk_size);
    fdt.vlong(2);
  }
  const std::size_t chunks =
      write_chunks(fdt, c, docs, per_chunk, chunk_size, 1, write_ints_legacy);
  const std::uint64_t max_pointer = fdt.b.size();
  if (version < 3) {
    fdt.vlong(chunks);
    fdt.vlong(0);
  }
  fdt.footer();
  fdx.index_header("Lucene85FieldsIndexIdx", 0, id);
  const std::uint64_t idx_at = fdx.b.size();
  fdx.footer();
  fdm.index_header("Lucene85FieldsIndexMeta", static_cast<std::uint32_t>(version), id);
  if (version >= 3) {
    fdm.vlong(chunk_size);
    fdm.vlong(2);
  }
  fdm.be(docs.size(), 4);
  fdm.be(10, 4);
  fdm.be(chunks + 1, 4);
  const std::size_t blocks = (chunks + 1 + 1023) / 1024;
  fdm.be(idx_at, 8);
  for (std::size_t i = 0; i < blocks * 21; ++i) fdm.byte(0);
  fdm.be(idx_at, 8);
  for (std::size_t i = 0; i < blocks * 21; ++i) fdm.byte(0);
  fdm.be(idx_at, 8);
  fdm.be(max_pointer, 8);
  if (version >= 3) {
    fdm.vlong(0);
    fdm.vlong(0);
  }
  fdm.footer();
  StoredFieldsSegment seg;
  seg.name = "_1";
  seg.id = id;
  seg.max_doc = static_cast<std::int32_t>(docs.size());
  seg.fdt = memory_file("_1.fdt", fdt.b);
  seg.fdx = memory_file("_1.fdx", fdx.b);
  seg.fdm = memory_file("_1.fdm", fdm.b);
  return seg;
}

}  // namespace essnap::lucene::test
