// The document counts essnap records in the metadata of a snapshot it creates, so that a drill
// (drill/) can compare each restored index with what its source held when the snapshot began:
//
//   metadata := { ..., "essnap": { ..., "documents": { INDEX: COUNT, ... } } }
//   COUNT    := the index's _count (top-level documents, nested ones not counted) after a _refresh,
//               taken just before the snapshot request
//
// The engines refuse snapshot metadata over 1024 bytes of JSON (CreateSnapshotRequest.validate,
// MAXIMUM_METADATA_BYTES, Elasticsearch and OpenSearch alike): indices are recorded in name order
// while the whole metadata stays within kMetadataBudget; the rest are left out, and a drill says
// their count is not checked. Writes between the count and the snapshot's own start make the two
// differ: the count is of the index as it was just before.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "essnap/cluster/client.hpp"
#include "essnap/util/result.hpp"

namespace essnap::snapshot {

// Below the engines' 1024 bytes, with room for their serialisation's differences in escaping.
inline constexpr std::size_t kMetadataBudget = 960;

// `metadata` (an object, or null) with essnap.documents holding as many of `counts` (by name) as
// fit the budget; unchanged when metadata.essnap exists and is not an object, or nothing fits.
nlohmann::json with_document_counts(nlohmann::json metadata,
                                    const std::map<std::string, std::int64_t>& counts);

// essnap.documents of a snapshot's metadata: INDEX -> COUNT (entries that are not a whole number
// >= 0 are ignored); empty when there is none.
std::map<std::string, std::int64_t> recorded_document_counts(const nlohmann::json& metadata);

// The counts to record for a snapshot of `patterns` (comma-separated request form split; empty:
// every index): the open indices they select, system and dot-indices left out, counted after a
// refresh, in name order, stopping once no more would fit next to `metadata`. An index that
// cannot be counted is left out. Errors only when the indices cannot be listed.
Result<std::map<std::string, std::int64_t>> count_for_metadata(
    cluster::Client& client, const std::vector<std::string>& patterns,
    const nlohmann::json& metadata);

}  // namespace essnap::snapshot
