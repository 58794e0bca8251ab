// Snapshot repository REST calls (register, read, verify, clean up, unregister) on cluster::Client,
// one request and one response struct each. Used by `essnap setup` and `essnap repo`.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "essnap/cluster/client.hpp"
#include "essnap/cluster/snapshots.hpp"
#include "essnap/util/result.hpp"

namespace essnap::cluster {

// Repository names the engines accept, plus AWS's reservation of "cs-" (its automated
// snapshots). kInvalidArgument naming the broken rule.
Status validate_repository_name(const std::string& name);

struct PutRepositoryRequest {
  std::string name;
  nlohmann::json body;  // {"type": "s3"|"fs", "settings": {...}}
  bool verify = false;  // ?verify=: false lets the caller verify as a separate, explained step
};
struct PutRepositoryResponse {
  bool acknowledged = false;
};

struct GetRepositoryRequest {
  std::string name;
};
struct GetRepositoryResponse {
  std::optional<nlohmann::json> repository;  // {"type":..,"settings":{..}}; nullopt: not registered
};

struct VerifyRepositoryRequest {
  std::string name;
};
struct VerifyRepositoryResponse {
  std::vector<std::string> nodes;  // names of the nodes that could read and write it
};

struct CleanupRepositoryRequest {
  std::string name;
};
struct CleanupRepositoryResponse {
  std::int64_t deleted_blobs = 0;
  std::int64_t deleted_bytes = 0;
};

struct DeleteRepositoryRequest {
  std::string name;
};
struct DeleteRepositoryResponse {};

Result<PutRepositoryResponse> put_repository(Client& client, const PutRepositoryRequest& r);
Result<GetRepositoryResponse> get_repository(Client& client, const GetRepositoryRequest& r);
Result<VerifyRepositoryResponse> verify_repository(Client& client,
                                                   const VerifyRepositoryRequest& r);
Result<CleanupRepositoryResponse> cleanup_repository(Client& client,
                                                     const CleanupRepositoryRequest& r);
Result<DeleteRepositoryResponse> delete_repository(Client& client,
                                                   const DeleteRepositoryRequest& r);

// Whether every node can register a repository of `type`: "fs" and "url" are built in; "s3",
// "gcs", "azure" and "hdfs" need `repository-<type>` on every node, as a plugin (OpenSearch,
// Elasticsearch <= 7) or a module (Elasticsearch 8+ bundles repository-s3). Read from
// GET _nodes/plugins. `known` is false when the cluster would not say (a 403 on a managed
// service, an answer without the lists): the caller then cannot tell, and says so.
struct RepositoryTypeSupport {
  bool known = false;
  std::vector<std::string> nodes_without;  // node names lacking the plugin/module
  int nodes = 0;
};
Result<RepositoryTypeSupport> repository_type_support(Client& client, const std::string& type);

// True when every setting in `wanted` is present in `actual` with the same value, compared as
// strings (GET _snapshot answers "false" where PUT sent false), and the types match.
bool repository_matches(const nlohmann::json& actual, const nlohmann::json& wanted);

// Where a registered repository (get_repositories) keeps its data, the one rule `repo list` and
// `inspect --repository` share: "s3://BUCKET" or "s3://BUCKET/BASE_PATH" for type s3 (base_path's
// leading slashes dropped), the location (and "/<base_path>" when set) for type fs.
// kInvalidArgument, naming the repository, for an s3 repository without a bucket, an fs location
// that is not absolute (it is relative to the nodes' path.repo, which only the cluster knows) and
// every other type.
Result<std::string> repository_location(const RepositoryInfo& repository);

// `where` with the first FROM prefix that matches (the whole of it, or up to a '/') replaced by
// its TO: the repository's location as this machine sees it. Unchanged when none matches.
std::string map_location(std::string where,
                         const std::vector<std::pair<std::string, std::string>>& map);

// A fine-grained-access-control refusal ("no permissions for [cluster:admin/repository/put]")
// gets a hint naming the manage_snapshots role mapping; other errors pass through.
Error explain_security_error(Error e, const std::string& caller_arn);

}  // namespace essnap::cluster
