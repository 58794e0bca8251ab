// Can indices from a snapshot be restored into this cluster? The engines' index compatibility
// rules, decided before anything is sent, as measured on every engine major the stack runs
// (tests/integration/restore_matrix_test.cpp; the table is in docs/COMPATIBILITY.md):
//   - never into an older version than the one that wrote the snapshot;
//   - Elasticsearch N reads indices from N-1 (8 reads 7, 9 reads 8) and never OpenSearch's;
//   - OpenSearch 1.x reads Elasticsearch 6.x-7.10.2 and OpenSearch 1.x; 2.x reads Elasticsearch
//     7.0-7.10.2 and OpenSearch 1.x/2.x (minimum_index_compatibility_version 7.0.0); 3.x reads
//     OpenSearch 2.x/3.x only (minimum_index_compatibility_version 2.0.0); no OpenSearch reads
//     Elasticsearch after 7.10.2, the version it forked from — it cannot even parse the
//     repository that Elasticsearch 7.12 and later write (unknown field [uuid]); nor can
//     Elasticsearch 7.10.
// The snapshot's version (the oldest node that wrote it) stands in for its indices' versions;
// an index created one major earlier and carried forward by a restore is refused by the engine
// only (the created version is not in the snapshot listing), see docs/COMPATIBILITY.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "essnap/cluster/client.hpp"
#include "essnap/util/result.hpp"

namespace essnap::snapshot {

struct EngineVersion {
  cluster::Distribution distribution = cluster::Distribution::kElasticsearch;
  cluster::Version version;
  bool minor_known = true;  // false: only the major is known (printed "8.x")
};

// A snapshot's writer from the listing's version_id (the version text depends on the engine
// reading the repository: Elasticsearch 8 shows an OpenSearch 2.19.6 snapshot as
// "8.19.8-[136408427]", Elasticsearch 7 as "36.40.84-beta2"). OpenSearch marks its ids with bit
// 27 (Version.MASK); Elasticsearch ids below 8,500,000 are major*1000000 + minor*10000 +
// patch*100 + build; from 8.11 they are index versions (8_5xx_x_xx, 9_0xx_x_xx) whose major is
// id/1000000 and whose release is read from the text ("8.19.0-8.19.7") when it agrees.
EngineVersion snapshot_engine(const std::string& version, std::int64_t version_id);

// "Elasticsearch 8.19.7", "OpenSearch 2.19.6", "Elasticsearch 8.x".
std::string engine_name(const EngineVersion& e);

// nullopt when the restore can work; otherwise why it cannot and the way that works.
std::optional<std::string> restore_incompatibility(const EngineVersion& snapshot,
                                                   const EngineVersion& target);

// When reading the snapshot failed because the target cannot parse the repository (a
// repository written by a newer engine), the refusal to report instead (kConflict, exit 8);
// nullopt for any other error.
std::optional<Error> unreadable_repository(const Error& e, const std::string& repository,
                                           const EngineVersion& target);

// For a restore the engine itself refused on a version rule ("cannot be upgraded", "below the
// current versions minimum index compatibility version", "higher than the version of this
// node"): what to do instead; "" when the reason is not a version rule. Covers the case the
// dry run cannot see: an index carried forward by a restore keeps the version that created it.
std::string version_refusal_hint(const std::string& engine_reason);

}  // namespace essnap::snapshot
