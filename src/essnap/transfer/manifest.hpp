// manifest.json: what an export holds, and the checkpoint file an interrupted export resumes
// from (export-state.json, the same document with each slice's progress). Specified in
// docs/EXPORT_FORMAT.md; the grammar in short:
//
//   {"format": "essnap-export", "format_version": 1, "tool": "essnap 0.1.0",
//    "created": "2026-12-01T10:00:00Z", "source": {"engine": "elasticsearch", "version": "8.19.7"},
//    "compression": "zstd", "chunk_docs": N, "chunk_bytes": N,
//    "indices": [{"name": I, "documents": N, "source_count": N, "slices": S,
//                 "metadata": {"file": "I/index.json", "sha256": HEX},
//                 "data_stream": {"name": D, "timestamp_field": F}    (a backing index only)
//                 "slices_done": [bool...]                         (export-state.json only)
//                 "uuid": U                                        (the source index's uuid)
//                 "chunks": [{"file": "I/000-000000.ndjson.zst", "slice": s, "seq": q,
//                             "documents": N, "bytes": N, "sha256": HEX,
//                             "ndjson_sha256": HEX}...]}],           (of the uncompressed lines)
//    "patterns": [P...]}                                              (export-state.json only)
//
// Every name in it is checked, never trusted: index names against the engines' rules, each file
// name must be exactly the one essnap derives from (index, slice, seq, compression) — a reader
// never opens a path it read — digests are 64 lower-case hex digits, counts are bounded, and a
// slice's chunks are numbered 0, 1, 2, ... without a gap.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "essnap/transfer/codec.hpp"
#include "essnap/util/result.hpp"

namespace essnap::transfer {

inline constexpr int kFormatVersion = 1;
inline constexpr const char* kManifestFile = "manifest.json";
inline constexpr const char* kExportStateFile = "export-state.json";

struct ChunkEntry {
  int slice = 0;
  int seq = 0;
  long long documents = 0;
  long long bytes = 0;  // as stored (compressed)
  std::string sha256;   // of the stored bytes
  // Of the uncompressed NDJSON lines: what a resumed export compares the same chunk of its new
  // read with ("" in files written before it was recorded: such a chunk cannot be verified).
  std::string ndjson_sha256;
  std::string file;  // derived: chunk_file(index, slice, seq, compression)
};

struct IndexEntry {
  std::string name;
  long long documents = 0;     // exported (sum of the chunks)
  long long source_count = 0;  // what _count said when the export began
  int slices = 1;
  std::string metadata_sha256;  // of I/index.json
  // A backing index of a data stream: the stream's name and timestamp field ("" otherwise).
  std::string data_stream;
  std::string timestamp_field;
  std::vector<bool> slices_done;  // state file only
  std::string uuid;               // the source index's index.uuid when it was read ("": unknown)
  std::vector<ChunkEntry> chunks;
};

struct Manifest {
  int format_version = kFormatVersion;
  std::string tool;
  std::string created;
  std::string source_engine;   // "elasticsearch" | "opensearch"
  std::string source_version;  // "8.19.7"
  Compression compression = Compression::kZstd;
  long long chunk_docs = 0;
  long long chunk_bytes = 0;
  std::vector<IndexEntry> indices;
  std::vector<std::string> patterns;  // state file only: the --indices the export began with

  const IndexEntry* find(std::string_view index) const;
  IndexEntry* find(std::string_view index);
};

enum class ManifestKind { kManifest, kState };

// "I/000-000000.ndjson.zst" and "I/index.json".
std::string chunk_file(std::string_view index, int slice, int seq, Compression c);
std::string metadata_file(std::string_view index);

nlohmann::json to_json(const Manifest& m, ManifestKind kind);
// kParse naming the member for anything malformed; `what` names the file in messages.
Result<Manifest> parse_manifest(std::string_view text, std::string_view what, ManifestKind kind);

// The number of chunks and documents of slice `s` of an index that are complete: the chunks
// 0..k-1 present without a gap (a resumed export re-reads the slice past exactly those).
struct SlicePrefix {
  int chunks = 0;
  long long documents = 0;
};
SlicePrefix completed_prefix(const IndexEntry& index, int slice);

}  // namespace essnap::transfer
