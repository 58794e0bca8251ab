// The pure parts of `essnap export --from-snapshot`: an index's definition from its snapshot
// metadata, the refusal of an index whose documents the snapshot does not hold whole, the
// (index, shard) units and the share of them a process takes (--shards i/N), and the share
// states in the target store with the manifest merged from them.
//
//   units   = every (index, shard) of the selected indices, sorted by index name then shard
//   share i/N takes the units at positions p with p % N == i
//   state   = export-state.json (no --shards) or export-state-<i>-of-<N>.json: the export's
//             checkpoint document (transfer/manifest.hpp, ManifestKind::kState) plus
//             "from_snapshot": {"snapshot": S, "snapshot_uuid": U, "share": i, "shares": N,
//                               "done": bool}
//   manifest = the N states merged once every one is done (chunks of all, chunk_bytes the
//              largest, created the earliest), written with put_if_absent by the last share.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "essnap/format/index_metadata.hpp"
#include "essnap/transfer/manifest.hpp"
#include "essnap/util/result.hpp"

namespace essnap::fromsnapshot {

// --shards i/N
struct Share {
  int index = 0;
  int count = 1;
};

// "i/N" with 0 <= i < N <= 10000; kInvalidArgument naming --shards otherwise.
Result<Share> parse_share(std::string_view text);

// "export-state.json" without --shards, "export-state-<i>-of-<N>.json" with it.
std::string state_file(const std::optional<Share>& share);

struct ShardUnit {
  std::string index;
  int shard = 0;
  bool operator==(const ShardUnit&) const = default;
};

// Every shard of the indices (name, number_of_shards), sorted by name then shard.
std::vector<ShardUnit> all_units(std::vector<std::pair<std::string, int>> indices);
// The units share `s` takes: positions p with p % s.count == s.index.
std::vector<ShardUnit> share_units(const std::vector<ShardUnit>& all, const Share& s);

// An index as the export writes it (index.json) with what the refusal needs.
struct IndexDefinition {
  std::string name;
  std::string uuid;
  int shards = 0;
  nlohmann::json settings;  // flat, every setting of the snapshot (refusal, created version)
  nlohmann::json mappings;  // {"properties": ...}: the type name ("_doc", a 6.x type) unwrapped
  nlohmann::json aliases;   // {"alias": {...}}
  // A backing index of a data stream the snapshot holds: its stream and timestamp field.
  std::string data_stream;
  std::string timestamp_field;
  // {"settings": export settings (no creation-only ones), "mappings", "aliases"}
  nlohmann::json index_json() const;
};

// From the decoded index-metadata blob ({"<name>": {"settings", "mappings", "aliases", ...}});
// kParse naming `what` when it is not one.
Result<IndexDefinition> definition_from_metadata(const nlohmann::json& doc, std::string_view what);

// kConflict naming the index and why when its documents' `_source` is not in the snapshot
// whole: `_source.enabled: false`; synthetic source (mapping `_source.mode: synthetic`,
// `index.mapping.source.mode: synthetic`, or `index.mode` logsdb / time_series without
// `index.mapping.source.mode: stored`); Elasticsearch `index.mapping.exclude_source_vectors`
// (true, or unset on an index created by 9.2+, whose default it is) with a dense_vector,
// sparse_vector or rank_vectors field; OpenSearch k-NN derived source
// (`index.knn.derived_source.enabled` true, or unset on a k-NN index created by 3.0+) with a
// knn_vector field.
Status check_source_stored(const IndexDefinition& def);

// One share's checkpoint (see the top).
struct ShareState {
  transfer::Manifest manifest;  // ManifestKind::kState
  std::string snapshot;
  std::string snapshot_uuid;
  int share = 0;
  int shares = 1;
  bool done = false;
};

std::string state_text(const ShareState& s);
// kParse naming `what` for anything malformed.
Result<ShareState> parse_state(std::string_view text, std::string_view what);

// The manifest of the whole export from every share's state (shares 0..N-1, each done):
// kConflict when they disagree on the snapshot, the source, compression, chunk_docs, the
// indices or their slices, or a share is missing or not done.
Result<transfer::Manifest> merge_states(const std::vector<ShareState>& states);

// The data streams of a snapshot's global metadata ({"meta-data": {"data_stream": {"data_stream":
// {NAME: {"timestamp_field": {"name": F}, "indices": [{"index_name": I}, ...]}}}}}), as backing
// index -> (stream, timestamp field), for the streams in `streams` (the snapshot's own list);
// a stream the metadata does not describe is matched by its backing indices' names,
// ".ds-<stream>-...", with the timestamp field "@timestamp".
std::map<std::string, std::pair<std::string, std::string>> backing_indices(
    const nlohmann::json& global_metadata, const std::vector<std::string>& streams,
    const std::vector<std::string>& index_names);

// The engine and version the manifest records for a snapshot: the snapshot's version id
// (OpenSearch ids carry bit 27), its "X.Y.Z" when it names a release, else the major of an
// Elasticsearch 8.9+ IndexVersion id (the index's created version names the same major).
struct SourceEngine {
  std::string engine;   // "elasticsearch" | "opensearch"
  std::string version;  // "8.19.7", "9.0.0"
};
SourceEngine source_engine(std::optional<std::int64_t> snapshot_version_id,
                           std::string_view snapshot_version_text);

}  // namespace essnap::fromsnapshot
