// Can indices from a snapshot be restored into this cluster? The engines' published index
// compatibility rules, decided before anything is sent:
//   - never into an older version than the one that wrote the snapshot;
//   - Elasticsearch N reads indices from N-1 (8 reads 7, 9 reads 8) and never OpenSearch's;
//   - OpenSearch 1.x reads Elasticsearch 6.x-7.10.2 and OpenSearch 1.x; 2.x reads Elasticsearch
//     7.0-7.10.2 and OpenSearch 1.x/2.x (minimum_index_compatibility_version 7.0.0); 3.x reads
//     OpenSearch 2.x/3.x only (minimum_index_compatibility_version 2.0.0); no OpenSearch reads
//     Elasticsearch after 7.10.2, the version it forked from.
// The snapshot's version (the oldest node that wrote it) stands in for its indices' versions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "essnap/cluster/client.hpp"

namespace essnap::snapshot {

struct EngineVersion {
  cluster::Distribution distribution = cluster::Distribution::kElasticsearch;
  cluster::Version version;
};

// OpenSearch marks its version ids with bit 27 (Version.MASK) so they never equal Elasticsearch's.
EngineVersion snapshot_engine(const std::string& version, std::int64_t version_id);

// nullopt when the restore can work; otherwise why it cannot.
std::optional<std::string> restore_incompatibility(const EngineVersion& snapshot,
                                                   const EngineVersion& target);

}  // namespace essnap::snapshot
