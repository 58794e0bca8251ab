#include "essnap/snapshot/compat.hpp"

namespace essnap::snapshot {

using cluster::Distribution;

EngineVersion snapshot_engine(const std::string& version, std::int64_t version_id) {
  EngineVersion e;
  e.distribution =
      (version_id & 0x08000000) != 0 ? Distribution::kOpenSearch : Distribution::kElasticsearch;
  if (auto v = cluster::Version::parse(version); v.ok()) e.version = *v;
  return e;
}

namespace {
std::string name(const EngineVersion& e) {
  return std::string(e.distribution == Distribution::kOpenSearch ? "OpenSearch "
                                                                 : "Elasticsearch ") +
         std::to_string(e.version.major) + "." + std::to_string(e.version.minor) + "." +
         std::to_string(e.version.patch);
}
}  // namespace

std::optional<std::string> restore_incompatibility(const EngineVersion& s, const EngineVersion& t) {
  const std::string pair =
      "a snapshot written by " + name(s) + " cannot be restored into " + name(t);
  const auto& sv = s.version;
  const auto& tv = t.version;
  if (t.distribution == Distribution::kElasticsearch) {
    if (s.distribution == Distribution::kOpenSearch)
      return pair + ": Elasticsearch cannot read OpenSearch indices (use essnap export/import)";
    if (sv > tv) return pair + ": a cluster never reads indices from a newer version";
    if (sv.major < tv.major - 1)
      return pair + ": Elasticsearch " + std::to_string(tv.major) + " reads indices from " +
             std::to_string(tv.major - 1) + ".x and " + std::to_string(tv.major) +
             ".x only; restore into " + std::to_string(sv.major + 1) + ".x and reindex first";
    return std::nullopt;
  }
  if (s.distribution == Distribution::kElasticsearch) {
    const cluster::Version fork{7, 10, 2, "7.10.2"};
    if (sv > fork)
      return pair +
             ": OpenSearch forked from Elasticsearch 7.10.2 and cannot read indices "
             "written by later Elasticsearch versions";
    if (tv.major == 1 && sv.major >= 6) return std::nullopt;
    if (tv.major == 2 && sv.major == 7) return std::nullopt;
    if (tv.major >= 3)
      return pair +
             ": OpenSearch 3 reads indices from OpenSearch 2.x and later only; restore "
             "into OpenSearch 2 and reindex first";
    return pair + ": OpenSearch " + std::to_string(tv.major) +
           " reads Elasticsearch indices from " + (tv.major == 1 ? "6.0" : "7.0") +
           " to 7.10.2 only";
  }
  if (sv > tv) return pair + ": a cluster never reads indices from a newer version";
  if (sv.major < tv.major - 1)
    return pair + ": OpenSearch " + std::to_string(tv.major) + " reads indices from OpenSearch " +
           std::to_string(tv.major - 1) + ".x and later only";
  return std::nullopt;
}

}  // namespace essnap::snapshot
