#include "essnap/snapshot/compat.hpp"

#include <cctype>

namespace essnap::snapshot {

using cluster::Distribution;

namespace {

constexpr std::int64_t kOpenSearchMask = 0x08000000;
constexpr std::int64_t kFirstIndexVersion = 8'500'000;  // Elasticsearch 8.11's IndexVersion

cluster::Version from_legacy_id(std::int64_t id) {
  cluster::Version v;
  v.major = static_cast<int>(id / 1'000'000);
  v.minor = static_cast<int>(id / 10'000 % 100);
  v.patch = static_cast<int>(id / 100 % 100);
  v.text = std::to_string(v.major) + "." + std::to_string(v.minor) + "." + std::to_string(v.patch);
  return v;
}

// "8.19.0" or "8.19.0-8.19.7": digits and dots, optionally a range of two such.
bool plain_release(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.' && c != '-') return false;
  return true;
}

}  // namespace

EngineVersion snapshot_engine(const std::string& version, std::int64_t version_id) {
  EngineVersion e;
  if (version_id <= 0) {  // no id: the text is all there is
    if (auto v = cluster::Version::parse(version); v.ok()) e.version = *v;
    return e;
  }
  if ((version_id & kOpenSearchMask) != 0) {
    e.distribution = Distribution::kOpenSearch;
    e.version = from_legacy_id(version_id ^ kOpenSearchMask);
    return e;
  }
  if (version_id < kFirstIndexVersion) {
    e.version = from_legacy_id(version_id);
    return e;
  }
  e.version.major = static_cast<int>(version_id / 1'000'000);
  e.version.text = std::to_string(e.version.major) + ".x";
  e.minor_known = false;
  if (plain_release(version))
    if (auto v = cluster::Version::parse(version); v.ok() && v->major == e.version.major) {
      e.version = *v;
      e.version.text = std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
                       std::to_string(v->patch);
      e.minor_known = true;
    }
  return e;
}

std::string engine_name(const EngineVersion& e) {
  std::string out = e.distribution == Distribution::kOpenSearch ? "OpenSearch " : "Elasticsearch ";
  if (!e.minor_known) return out + std::to_string(e.version.major) + ".x";
  return out + std::to_string(e.version.major) + "." + std::to_string(e.version.minor) + "." +
         std::to_string(e.version.patch);
}

namespace {

std::string major(const EngineVersion& e) {
  return std::string(e.distribution == Distribution::kOpenSearch ? "OpenSearch "
                                                                 : "Elasticsearch ") +
         std::to_string(e.version.major);
}

// Documents cross where index files cannot: essnap copy reads them from the source cluster over
// HTTP and loads them into the target (mappings translated), no snapshot involved.
const char* kReindexFromRemote =
    "copy the documents instead: essnap copy --url SOURCE_URL --to-url TARGET_URL -i INDICES";

}  // namespace

std::optional<std::string> restore_incompatibility(const EngineVersion& s, const EngineVersion& t) {
  const std::string pair =
      "a snapshot written by " + engine_name(s) + " cannot be restored into " + engine_name(t);
  const auto& sv = s.version;
  const auto& tv = t.version;
  const bool newer = s.minor_known ? sv > tv : sv.major > tv.major;
  const std::string never = pair +
                            ": a cluster never reads indices from a newer version; restore into " +
                            engine_name(s) + " or later";
  if (t.distribution == Distribution::kElasticsearch) {
    if (s.distribution == Distribution::kOpenSearch)
      return pair + ": Elasticsearch cannot read OpenSearch indices; " + kReindexFromRemote;
    if (newer) return never;
    if (sv.major < tv.major - 1)
      return pair + ": Elasticsearch " + std::to_string(tv.major) + " reads indices created by " +
             std::to_string(tv.major - 1) + ".x and " + std::to_string(tv.major) +
             ".x only; restore into Elasticsearch " + std::to_string(sv.major + 1) +
             " first, reindex there into a new index, snapshot that, and restore it here";
    return std::nullopt;
  }
  if (s.distribution == Distribution::kElasticsearch) {
    const cluster::Version fork{7, 10, 2, "7.10.2"};
    if (s.minor_known ? sv > fork : sv.major > 7)
      return pair +
             ": OpenSearch forked from Elasticsearch 7.10.2 and reads no index written by a "
             "later Elasticsearch; " +
             kReindexFromRemote;
    if (tv.major == 1 && sv.major >= 6) return std::nullopt;
    if (tv.major == 2 && sv.major == 7) return std::nullopt;
    if (tv.major >= 3)
      return pair + ": " + major(t) +
             " reads indices created by OpenSearch 2.x and later only; restore into "
             "OpenSearch 2 first, reindex there into a new index, snapshot that, and restore "
             "it here";
    return pair + ": OpenSearch " + std::to_string(tv.major) +
           " reads Elasticsearch indices from " + (tv.major == 1 ? "6.0" : "7.0") +
           " to 7.10.2 only; restore into Elasticsearch " + std::to_string(sv.major + 1) +
           " first, reindex there, and snapshot again";
  }
  if (newer) return never;
  if (sv.major < tv.major - 1)
    return pair + ": " + major(t) + " reads indices created by OpenSearch " +
           std::to_string(tv.major - 1) + ".x and later only; restore into OpenSearch " +
           std::to_string(sv.major + 1) +
           " first, reindex there into a new index, snapshot that, and restore it here";
  return std::nullopt;
}

std::optional<Error> unreadable_repository(const Error& e, const std::string& repository,
                                           const EngineVersion& target) {
  if (!e.remote) return std::nullopt;
  const std::string& r = e.remote->reason;
  auto has = [&](const char* s) { return r.find(s) != std::string::npos; };
  if (!has("loading repository data") || !(has("parsing_exception") || has("unknown field")))
    return std::nullopt;
  const bool opensearch = target.distribution == Distribution::kOpenSearch;
  std::string why =
      opensearch ? "OpenSearch reads the repositories of Elasticsearch up to 7.10.2 only, and "
                   "this one was written by a newer engine (Elasticsearch 7.12 or later write a "
                   "format OpenSearch cannot parse)"
                 : "it was written by a newer engine, whose repository format this version "
                   "cannot parse";
  Error out(ErrorCode::kConflict,
            "restore refused: " + engine_name(target) + " cannot read repository " + repository +
                ": " + why + " (the engine: " + r + ")",
            opensearch ? std::string(kReindexFromRemote)
                       : "restore into the version that wrote the snapshot, or a later one");
  out.remote = e.remote;
  return out;
}

std::string version_refusal_hint(const std::string& r) {
  auto has = [&](const char* s) { return r.find(s) != std::string::npos; };
  if (has("higher than the version of this node"))
    return "a cluster never reads indices from a newer version: restore into the version that "
           "wrote the snapshot, or a later one";
  if (has("cannot be upgraded") || has("minimum index compatibility version") ||
      has("must be marked as read-only"))
    return "an index keeps the version that created it through every restore and snapshot, and "
           "this engine reads indices created by its own and the previous major only: restore "
           "it into the major after the one that created it, reindex it there into a new index, "
           "snapshot that, and restore it here";
  return "";
}

}  // namespace essnap::snapshot
