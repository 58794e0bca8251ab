// Read-only facts about live indices and a snapshot's indices that a restore checks before it
// changes anything: primary shard counts, aliases (and which index is an alias' write index).
// Each parser checks the shape it reads: a wrong-typed body is kParse, never a throw.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "essnap/cluster/client.hpp"
#include "essnap/util/result.hpp"

namespace essnap::cluster {

// GET /_cat/indices?h=index,pri: every live index (hidden and closed too) -> primary shards.
Result<std::map<std::string, int>> live_primary_shards(Client& c);

// GET /_alias: one row per (alias, index); is_write_index as the engine states it (absent: false).
struct AliasEntry {
  std::string alias;
  std::string index;
  bool is_write_index = false;
};
Result<std::vector<AliasEntry>> list_aliases(Client& c);

// GET /_snapshot/R/S/_status: each index in the snapshot -> its number of shards.
struct SnapshotShardsRequest {
  std::string repository;
  std::string snapshot;
};
Result<std::map<std::string, int>> snapshot_index_shards(Client& c, const SnapshotShardsRequest& r);

// POST /INDEX/_open (undoing a close when a restore is refused afterwards).
Result<Ok> open_index(Client& c, const std::string& index);

}  // namespace essnap::cluster
