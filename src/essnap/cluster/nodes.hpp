// What a drill asks of the cluster's nodes and shards: the free disk of its data nodes (GET
// _nodes/stats/fs), why a primary shard is unassigned (POST _cluster/allocation/explain), which
// primaries are not active and when indices were created.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "essnap/cluster/client.hpp"
#include "essnap/util/result.hpp"

namespace essnap::cluster {

struct NodeDisk {
  std::string name;
  std::int64_t total_bytes = 0;
  std::int64_t available_bytes = 0;  // fs.total.available_in_bytes: what the node may still write
};
// The nodes that hold data (a role "data" or "data_*"; every node when the engine lists no
// roles), with their disks. kParse for an answer of another shape.
Result<std::vector<NodeDisk>> data_node_disks(Client& c);

// Why primary `shard` of `index` is unassigned, in the engine's words: the unassigned reason and
// its details (a failed restore names the file and the cause there), else the deciders'
// explanation. Empty when the engine says the shard is assigned.
Result<std::string> unassigned_primary_reason(Client& c, const std::string& index, int shard);

// Per index, the numbers of its primary shards that are not active (GET _cat/shards).
Result<std::vector<std::pair<std::string, int>>> inactive_primaries(
    Client& c, const std::vector<std::string>& indices);

// index.creation_date (ms) of each of `indices` that exists (GET <list>/_settings, missing names
// left out). A restored index keeps the creation date it had when it was snapshotted.
Result<std::map<std::string, std::int64_t>> index_creation_dates(
    Client& c, const std::vector<std::string>& indices);

}  // namespace essnap::cluster
