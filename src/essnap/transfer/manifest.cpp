#include "essnap/transfer/manifest.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>

#include "essnap/cluster/names.hpp"

namespace essnap::transfer {
namespace {

constexpr long long kMaxCount = 1LL << 50;
constexpr int kMaxSlices = 1024;
constexpr std::size_t kMaxChunks = 10'000'000;

Error bad(std::string_view what, const std::string& detail) {
  return Error(ErrorCode::kParse, std::string(what) + ": " + detail,
               "the file is damaged or was not written by essnap export");
}

bool is_hex64(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

Result<std::string> get_string(const nlohmann::json& o, const char* key, std::string_view what) {
  if (!o.is_object() || !o.contains(key) || !o[key].is_string())
    return bad(what, std::string("'") + key + "' is missing or not a string");
  return o[key].get<std::string>();
}

Result<long long> get_count(const nlohmann::json& o, const char* key, std::string_view what,
                            long long max = kMaxCount) {
  if (!o.is_object() || !o.contains(key) || !o[key].is_number_integer())
    return bad(what, std::string("'") + key + "' is missing or not an integer");
  // number_integer covers unsigned too: compare without overflowing.
  if (o[key].is_number_unsigned()
          ? o[key].get<unsigned long long>() > static_cast<unsigned long long>(max)
          : (o[key].get<long long>() < 0 || o[key].get<long long>() > max))
    return bad(what, std::string("'") + key + "' is out of range");
  return o[key].get<long long>();
}

}  // namespace

const IndexEntry* Manifest::find(std::string_view index) const {
  for (const auto& i : indices)
    if (i.name == index) return &i;
  return nullptr;
}
IndexEntry* Manifest::find(std::string_view index) {
  for (auto& i : indices)
    if (i.name == index) return &i;
  return nullptr;
}

std::string chunk_file(std::string_view index, int slice, int seq, Compression c) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%03d-%06d", slice, seq);
  return std::string(index) + "/" + buf + ".ndjson" + file_extension(c);
}

std::string metadata_file(std::string_view index) {
  return std::string(index) + "/index.json";
}

nlohmann::json to_json(const Manifest& m, ManifestKind kind) {
  nlohmann::json indices = nlohmann::json::array();
  for (const auto& i : m.indices) {
    nlohmann::json chunks = nlohmann::json::array();
    for (const auto& c : i.chunks) {
      nlohmann::json cj{{"file", chunk_file(i.name, c.slice, c.seq, m.compression)},
                        {"slice", c.slice},
                        {"seq", c.seq},
                        {"documents", c.documents},
                        {"bytes", c.bytes},
                        {"sha256", c.sha256}};
      if (!c.ndjson_sha256.empty()) cj["ndjson_sha256"] = c.ndjson_sha256;
      chunks.push_back(std::move(cj));
    }
    nlohmann::json ij{
        {"name", i.name},
        {"documents", i.documents},
        {"source_count", i.source_count},
        {"slices", i.slices},
        {"metadata", {{"file", metadata_file(i.name)}, {"sha256", i.metadata_sha256}}},
        {"chunks", chunks}};
    if (kind == ManifestKind::kState) ij["slices_done"] = i.slices_done;
    if (!i.uuid.empty()) ij["uuid"] = i.uuid;
    if (!i.data_stream.empty())
      ij["data_stream"] = {{"name", i.data_stream}, {"timestamp_field", i.timestamp_field}};
    indices.push_back(std::move(ij));
  }
  nlohmann::json out{{"format", "essnap-export"},
                     {"format_version", m.format_version},
                     {"tool", m.tool},
                     {"created", m.created},
                     {"source", {{"engine", m.source_engine}, {"version", m.source_version}}},
                     {"compression", to_string(m.compression)},
                     {"chunk_docs", m.chunk_docs},
                     {"chunk_bytes", m.chunk_bytes},
                     {"indices", indices}};
  if (kind == ManifestKind::kState && !m.patterns.empty()) out["patterns"] = m.patterns;
  return out;
}

Result<Manifest> parse_manifest(std::string_view text, std::string_view what, ManifestKind kind) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad(what, "not a JSON object");
  Manifest m;
  ESSNAP_TRY(std::string format, get_string(j, "format", what));
  if (format != "essnap-export")
    return bad(what, "not an essnap export ('format' is not essnap-export)");
  ESSNAP_TRY(long long version, get_count(j, "format_version", what, 1000));
  if (version != kFormatVersion)
    return Error(
        ErrorCode::kInvalidArgument,
        std::string(what) + ": format_version " + std::to_string(version) + " is not supported",
        "this essnap reads format_version " + std::to_string(kFormatVersion) +
            "; use a newer essnap");
  m.format_version = static_cast<int>(version);
  if (j.contains("tool") && j["tool"].is_string()) m.tool = j["tool"].get<std::string>();
  if (j.contains("created") && j["created"].is_string())
    m.created = j["created"].get<std::string>();
  if (!j.contains("source") || !j["source"].is_object()) return bad(what, "'source' is missing");
  ESSNAP_TRY(m.source_engine, get_string(j["source"], "engine", what));
  if (m.source_engine != "elasticsearch" && m.source_engine != "opensearch")
    return bad(what, "source.engine is neither elasticsearch nor opensearch");
  ESSNAP_TRY(m.source_version, get_string(j["source"], "version", what));
  ESSNAP_TRY(std::string comp, get_string(j, "compression", what));
  auto c = parse_compression(comp);
  if (!c.ok()) return bad(what, "unknown compression");
  m.compression = *c;
  ESSNAP_TRY(m.chunk_docs, get_count(j, "chunk_docs", what));
  ESSNAP_TRY(m.chunk_bytes, get_count(j, "chunk_bytes", what));
  if (!j.contains("indices") || !j["indices"].is_array()) return bad(what, "'indices' is missing");
  std::size_t total_chunks = 0;
  for (const auto& ij : j["indices"]) {
    IndexEntry e;
    ESSNAP_TRY(e.name, get_string(ij, "name", what));
    if (auto s = cluster::names::validate_index_name(e.name, "an index name in the manifest");
        !s.ok())
      return bad(what, s.error().message);
    if (m.find(e.name)) return bad(what, "index " + e.name + " is listed twice");
    ESSNAP_TRY(e.documents, get_count(ij, "documents", what));
    ESSNAP_TRY(e.source_count, get_count(ij, "source_count", what));
    ESSNAP_TRY(long long slices, get_count(ij, "slices", what, kMaxSlices));
    if (slices < 1) return bad(what, "index " + e.name + ": 'slices' must be at least 1");
    e.slices = static_cast<int>(slices);
    if (!ij.contains("metadata") || !ij["metadata"].is_object())
      return bad(what, "index " + e.name + ": 'metadata' is missing");
    ESSNAP_TRY(std::string mfile, get_string(ij["metadata"], "file", what));
    if (mfile != metadata_file(e.name))
      return bad(what, "index " + e.name + ": unexpected metadata file name");
    ESSNAP_TRY(e.metadata_sha256, get_string(ij["metadata"], "sha256", what));
    if (!is_hex64(e.metadata_sha256))
      return bad(what, "index " + e.name + ": metadata sha256 is not 64 hex digits");
    if (ij.contains("data_stream")) {
      if (!ij["data_stream"].is_object())
        return bad(what, "index " + e.name + ": 'data_stream' is not an object");
      ESSNAP_TRY(e.data_stream, get_string(ij["data_stream"], "name", what));
      if (auto s = cluster::names::validate_index_name(e.data_stream,
                                                       "a data stream name in the manifest");
          !s.ok())
        return bad(what, s.error().message);
      ESSNAP_TRY(e.timestamp_field, get_string(ij["data_stream"], "timestamp_field", what));
      if (e.timestamp_field.empty() || e.timestamp_field.size() > 255)
        return bad(what, "index " + e.name +
                             ": the data stream's timestamp_field must be 1 to 255 characters");
    }
    if (ij.contains("uuid")) {
      ESSNAP_TRY(e.uuid, get_string(ij, "uuid", what));
      if (e.uuid.size() > 64 || !std::all_of(e.uuid.begin(), e.uuid.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
          }))
        return bad(what, "index " + e.name + ": 'uuid' is not an index uuid");
    }
    if (kind == ManifestKind::kState) {
      if (!ij.contains("slices_done") || !ij["slices_done"].is_array() ||
          ij["slices_done"].size() != static_cast<std::size_t>(e.slices))
        return bad(what, "index " + e.name + ": 'slices_done' must list every slice");
      for (const auto& b : ij["slices_done"]) {
        if (!b.is_boolean())
          return bad(what, "index " + e.name + ": 'slices_done' holds a non-boolean");
        e.slices_done.push_back(b.get<bool>());
      }
    }
    if (!ij.contains("chunks") || !ij["chunks"].is_array())
      return bad(what, "index " + e.name + ": 'chunks' is missing");
    total_chunks += ij["chunks"].size();
    if (total_chunks > kMaxChunks) return bad(what, "too many chunks");
    long long sum = 0;
    std::map<std::pair<int, int>, bool> seen;
    for (const auto& cj : ij["chunks"]) {
      ChunkEntry ce;
      ESSNAP_TRY(long long slice, get_count(cj, "slice", what, e.slices - 1));
      ESSNAP_TRY(long long seq, get_count(cj, "seq", what, static_cast<long long>(kMaxChunks)));
      ce.slice = static_cast<int>(slice);
      ce.seq = static_cast<int>(seq);
      ESSNAP_TRY(ce.documents, get_count(cj, "documents", what));
      ESSNAP_TRY(ce.bytes, get_count(cj, "bytes", what));
      ESSNAP_TRY(ce.sha256, get_string(cj, "sha256", what));
      ESSNAP_TRY(ce.file, get_string(cj, "file", what));
      if (ce.file != chunk_file(e.name, ce.slice, ce.seq, m.compression))
        return bad(what, "index " + e.name + ": unexpected chunk file name '" +
                             ce.file.substr(0, 80) + "'");
      if (!is_hex64(ce.sha256))
        return bad(what, "chunk " + ce.file + ": sha256 is not 64 hex digits");
      if (cj.contains("ndjson_sha256")) {
        ESSNAP_TRY(ce.ndjson_sha256, get_string(cj, "ndjson_sha256", what));
        if (!is_hex64(ce.ndjson_sha256))
          return bad(what, "chunk " + ce.file + ": ndjson_sha256 is not 64 hex digits");
      }
      if (ce.documents < 1 || (m.chunk_docs > 0 && ce.documents > m.chunk_docs))
        return bad(what, "chunk " + ce.file + ": its document count is out of range");
      if (!seen.emplace(std::make_pair(ce.slice, ce.seq), true).second)
        return bad(what, "chunk " + ce.file + " is listed twice");
      sum += ce.documents;
      e.chunks.push_back(std::move(ce));
    }
    // Each slice numbered 0..n-1: a gap in a manifest means a lost chunk.
    if (kind == ManifestKind::kManifest) {
      std::vector<int> next(e.slices, 0);
      for (const auto& [key, unused] : seen) {
        (void)unused;
        if (key.second != next[key.first])
          return bad(what, "index " + e.name + ": slice " + std::to_string(key.first) +
                               " misses chunk " + std::to_string(next[key.first]));
        ++next[key.first];
      }
      if (sum != e.documents)
        return bad(what, "index " + e.name + ": the chunks hold " + std::to_string(sum) +
                             " documents, the index entry says " + std::to_string(e.documents));
    }
    m.indices.push_back(std::move(e));
  }
  if (kind == ManifestKind::kState && j.contains("patterns")) {
    if (!j["patterns"].is_array() || j["patterns"].size() > 10000)
      return bad(what, "'patterns' is not a list of index patterns");
    for (const auto& p : j["patterns"]) {
      if (!p.is_string()) return bad(what, "'patterns' holds a non-string");
      m.patterns.push_back(p.get<std::string>());
    }
  }
  return m;
}

SlicePrefix completed_prefix(const IndexEntry& index, int slice) {
  std::map<int, long long> by_seq;
  for (const auto& c : index.chunks)
    if (c.slice == slice) by_seq[c.seq] = c.documents;
  SlicePrefix p;
  for (const auto& [seq, docs] : by_seq) {
    if (seq != p.chunks) break;
    ++p.chunks;
    p.documents += docs;
  }
  return p;
}

}  // namespace essnap::transfer
