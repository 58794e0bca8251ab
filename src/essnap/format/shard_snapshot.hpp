// Shard-level blobs under indices/<index id>/<shard>/ (framed):
//   snap-<uuid>.dat (codec "snapshot"): BlobStoreIndexShardSnapshot
//     { "name", "index_version", "start_time", "time", "number_of_files", "total_size",
//       "files": [ file-info ] }          number_of_files / total_size are incremental
//   index-<gen> (codec "snapshots"): BlobStoreIndexShardSnapshots
//     { "files": [ file-info ], "snapshots": { <snapshot name>: { "files": [ <blob name> ],
//                                                                 "shard_state_id"? } } }
//   file-info := { "name": "__<id>" | "v__<id>", "physical_name", "length", "checksum": base36,
//                  "part_size"?: bytes, "written_by"?: lucene version, "meta_hash"?: bytes }
//
// A data blob "__<id>" longer than part_size is stored as "__<id>.part0" .. ".partN-1" with
// N = 1 + (length - 1) / part_size (N = 1 for length 0); "v__<id>" files have no blob: meta_hash
// holds their whole content (binary in SMILE, base64 in JSON).
// Follows Elasticsearch server/.../index/snapshots/blobstore/BlobStoreIndexShardSnapshot.java
// (FileInfo.toXContent/fromXContent, numberOfParts, partName) and
// BlobStoreIndexShardSnapshots.java.
//
// Writers: to_json follows FileInfo.toXContent (name, physical_name, length, checksum, part_size?,
// written_by?, meta_hash? as binary) and BlobStoreIndexShardSnapshots.toXContent ("files" first,
// then "snapshots" in list order, each { "files", "shard_state_id"? }); fields the parser does not
// model are kept in `extra` and written after the known ones. write_shard_snapshots frames it as
// ChecksumBlobStoreFormat does (codec "snapshots", framing.hpp).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "essnap/format/framing.hpp"
#include "essnap/util/result.hpp"

namespace essnap::format {

struct FileInfo {
  std::string name;           // blob name: "__<id>" or "v__<id>"
  std::string physical_name;  // the Lucene file name
  std::uint64_t length = 0;
  std::string checksum;                    // base-36 CRC-32 of the Lucene footer
  std::optional<std::uint64_t> part_size;  // absent = unsplit
  std::string written_by;                  // Lucene version
  std::vector<std::uint8_t> meta_hash;
  bool has_meta_hash = false;
  bool part_size_is_max = false;  // written as Long.MAX_VALUE (Elasticsearch 6: "not split")
  nlohmann::ordered_json extra = nlohmann::ordered_json::object();  // fields not modelled

  bool is_virtual() const { return name.rfind("v__", 0) == 0; }
  std::uint64_t number_of_parts() const;
  // Blob name of part i: the name itself when there is one part, else name + ".part" + i.
  std::string part_name(std::uint64_t i) const;
  // Length of part i (the last part holds the rest).
  std::uint64_t part_length(std::uint64_t i) const;

  bool operator==(const FileInfo&) const = default;
};

std::uint64_t number_of_parts(std::uint64_t length, std::optional<std::uint64_t> part_size);
std::string part_name(std::string_view blob_name, std::uint64_t part, std::uint64_t parts);

struct ShardSnapshot {
  std::string name;  // snapshot name
  std::int64_t index_version = 0;
  std::int64_t start_time = 0;
  std::int64_t time = 0;             // duration, millis
  std::int64_t number_of_files = 0;  // incremental
  std::int64_t total_size = 0;       // incremental
  std::vector<FileInfo> files;
};

struct ShardSnapshotsEntry {
  std::string snapshot;            // name
  std::vector<std::string> files;  // blob names
  std::optional<std::string> shard_state_id;
  nlohmann::ordered_json extra = nlohmann::ordered_json::object();  // fields not modelled

  bool operator==(const ShardSnapshotsEntry&) const = default;
};

struct ShardSnapshots {
  std::vector<FileInfo> files;
  std::vector<ShardSnapshotsEntry> snapshots;
  nlohmann::ordered_json extra = nlohmann::ordered_json::object();  // fields not modelled

  bool operator==(const ShardSnapshots&) const = default;
};

Result<FileInfo> parse_file_info(const nlohmann::json& doc);
Result<ShardSnapshot> parse_shard_snapshot(const nlohmann::json& doc);
Result<ShardSnapshots> parse_shard_snapshots(const nlohmann::json& doc);
// From a tree decoded in key order (decode_smile_ordered): `snapshots` keeps the blob's order
// (the engines' list order, oldest first), which a nlohmann::json tree sorts by name.
Result<ShardSnapshots> parse_shard_snapshots(const nlohmann::ordered_json& doc);
// A framed shard index-<gen> blob (codec "snapshots") read in key order: unframe_blob +
// decode_smile_ordered + parse_shard_snapshots. The reader to use before write_shard_snapshots.
Result<ShardSnapshots> read_shard_snapshots(std::span<const std::uint8_t> blob,
                                            std::size_t max_bytes = kMaxDecompressedBytes);

// FileInfo.toXContent / BlobStoreIndexShardSnapshots.toXContent. nlohmann::json sorts keys; the
// ordered variants keep the engines' order (what write_shard_snapshots encodes).
nlohmann::json to_json(const FileInfo& f);
nlohmann::json to_json(const ShardSnapshots& s);
nlohmann::ordered_json to_ordered_json(const FileInfo& f);
nlohmann::ordered_json to_ordered_json(const ShardSnapshots& s);
// The framed shard index-<gen> blob (codec "snapshots"), SMILE as the engines write it.
std::vector<std::uint8_t> write_shard_snapshots(const ShardSnapshots& s, Compression compression);

// "index-<n>" shard generation blob name to n (pre-7.6 numeric shard generations); nullopt else.
std::optional<std::uint64_t> shard_generation_from_name(std::string_view name);

}  // namespace essnap::format
