#include "essnap/doctor/write_paths.hpp"

namespace essnap::doctor {

std::vector<WriteKey> engine_write_keys(const std::string& prefix) {
  const std::string p = prefix.empty() ? "" : prefix + "/";
  // Made-up but well-formed names: an index UUID, a snapshot UUID, shard 0.
  const std::string index = "indices/Kq3lXb2dQ1u8vYzW4nRt0A/";
  return {
      {p + "index-0", "root index-N"},
      {p + "index.latest", "index.latest"},
      {p + "snap-Hx7pQ2sLT0mZ9wKc1bVd3g.dat", "snapshot info"},
      {p + "meta-Hx7pQ2sLT0mZ9wKc1bVd3g.dat", "global metadata"},
      {p + "tests-Zp4kW8yR2eN6mQ0sT1uV3x/master.dat", "repository verification"},
      {p + index + "meta-Jd8sK2lP4qR6tV0wX1yZ3a.dat", "index metadata"},
      {p + index + "0/__Ab1Cd2Ef3Gh4Ij5Kl6Mn7", "shard data"},
      {p + index + "0/snap-Hx7pQ2sLT0mZ9wKc1bVd3g.dat", "shard snapshot"},
      {p + index + "0/index-Pq9rS8tU7vW6xY5zA4bC3d", "shard generation"},
  };
}

}  // namespace essnap::doctor
