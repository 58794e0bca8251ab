#include "essnap/doctor/write_paths.hpp"

namespace essnap::doctor {

std::vector<WriteKey> engine_write_keys(const std::string& prefix, format::ShardPathType layout) {
  const std::string p = prefix.empty() ? "" : prefix + "/";
  // Made-up but well-formed names: an index UUID, a snapshot UUID, shard 0.
  const std::string index_id = "Kq3lXb2dQ1u8vYzW4nRt0A";
  const std::string index = "indices/" + index_id + "/";
  // The engine hashes snapshot shard folders with FNV_1A_COMPOSITE_1 (format/shard_paths.hpp).
  const std::string shard = format::engine_shard_folder(
      layout, format::PathHashAlgorithm::kFnv1aComposite1, prefix, index_id, 0);
  std::vector<WriteKey> keys{
      {p + "index-0", "root index-N"},
      {p + "index.latest", "index.latest"},
      {p + "snap-Hx7pQ2sLT0mZ9wKc1bVd3g.dat", "snapshot info"},
      {p + "meta-Hx7pQ2sLT0mZ9wKc1bVd3g.dat", "global metadata"},
      {p + "tests-Zp4kW8yR2eN6mQ0sT1uV3x/master.dat", "repository verification"},
      {p + index + "meta-Jd8sK2lP4qR6tV0wX1yZ3a.dat", "index metadata"},
      {shard + "__Ab1Cd2Ef3Gh4Ij5Kl6Mn7", "shard data"},
      {shard + "snap-Hx7pQ2sLT0mZ9wKc1bVd3g.dat", "shard snapshot"},
      {shard + "index-Pq9rS8tU7vW6xY5zA4bC3d", "shard generation"},
  };
  if (layout != format::ShardPathType::kFixed)
    keys.push_back({p + std::string(format::kShardPathsFolder) + "/snapshot_path_" + index_id +
                        ".logs-2026.12.07.1." + std::to_string(static_cast<int>(layout)) + ".1",
                    "shard paths"});
  return keys;
}

}  // namespace essnap::doctor
