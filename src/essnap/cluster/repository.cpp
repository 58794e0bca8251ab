#include "essnap/cluster/repository.hpp"

#include "essnap/cluster/names.hpp"

namespace essnap::cluster {
namespace {

std::string as_string(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::string path_for(const std::string& name) {
  return names::path({"_snapshot", name});
}

Error shape_error(const std::string& what, const std::string& why) {
  return make_error(ErrorCode::kParse, what + ": " + why,
                    "the cluster's answer is not what Elasticsearch or OpenSearch send; rerun "
                    "with -v to see it");
}

}  // namespace

Status validate_repository_name(const std::string& name) {
  ESSNAP_TRY_STATUS(names::validate_repository_name(name, "repository name"));
  if (name.rfind("cs-", 0) == 0)
    return make_error(ErrorCode::kInvalidArgument,
                      "invalid repository name '" + name +
                          "': names starting with 'cs-' are reserved by Amazon OpenSearch "
                          "Service for its automated snapshots",
                      "choose another name, e.g. 'snapshots' or 'manual-" + name.substr(3) + "'");
  return ok_status();
}

Result<PutRepositoryResponse> put_repository(Client& client, const PutRepositoryRequest& r) {
  ESSNAP_TRY_STATUS(validate_repository_name(r.name));
  ESSNAP_TRY(auto j,
             client.json("PUT", path_for(r.name) + (r.verify ? "" : "?verify=false"), r.body));
  return PutRepositoryResponse{j.is_object() && j.value("acknowledged", false)};
}

Result<GetRepositoryResponse> get_repository(Client& client, const GetRepositoryRequest& r) {
  ESSNAP_TRY_STATUS(names::validate_repository_name(r.name, "repository"));
  Call c;
  c.path = path_for(r.name);
  ESSNAP_TRY(auto resp, client.send(c));
  if (resp.status == 404) return GetRepositoryResponse{};
  if (resp.status >= 400) return error_for_status(resp, "GET " + c.path);
  auto j = nlohmann::json::parse(resp.body, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return make_error(ErrorCode::kParse, "GET " + c.path + ": the answer is not a JSON object");
  if (!j.contains(r.name)) return GetRepositoryResponse{};
  return GetRepositoryResponse{j[r.name]};
}

Result<RepositoryTypeSupport> repository_type_support(Client& client, const std::string& type) {
  RepositoryTypeSupport out;
  if (type == "fs" || type == "url" || type == "source") {
    out.known = true;
    return out;
  }
  Call c;
  c.path = "/_nodes/plugins";
  ESSNAP_TRY(auto resp, client.send(c));
  if (resp.status >= 400) return out;  // not allowed to look: unknown
  auto j = nlohmann::json::parse(resp.body, nullptr, false);
  if (!j.is_object() || !j.contains("nodes") || !j["nodes"].is_object()) return out;
  const std::string wanted = "repository-" + type;
  auto has = [&](const nlohmann::json& node, const char* list) {
    if (!node.contains(list) || !node[list].is_array()) return false;
    for (const auto& p : node[list])
      if (p.is_object() && p.value("name", std::string()) == wanted) return true;
    return false;
  };
  for (const auto& [id, node] : j["nodes"].items()) {
    if (!node.is_object()) return out;
    // A node answer without either list says nothing about what it has.
    if (!node.contains("plugins") && !node.contains("modules")) return out;
    ++out.nodes;
    if (!has(node, "plugins") && !has(node, "modules"))
      out.nodes_without.push_back(node.value("name", id));
  }
  out.known = out.nodes > 0;
  return out;
}

Result<VerifyRepositoryResponse> verify_repository(Client& client,
                                                   const VerifyRepositoryRequest& r) {
  ESSNAP_TRY_STATUS(names::validate_repository_name(r.name, "repository"));
  const std::string what = "POST " + path_for(r.name) + "/_verify";
  // A read in effect: each node writes, reads and deletes a test blob of its own, so asking
  // twice changes nothing.
  ESSNAP_TRY(auto j, client.json("POST", path_for(r.name) + "/_verify", std::nullopt,
                                 http::Idempotency::kIdempotent));
  if (!j.is_object()) return shape_error(what, "the answer is not a JSON object");
  VerifyRepositoryResponse out;
  if (!j.contains("nodes")) return out;
  if (!j["nodes"].is_object()) return shape_error(what, "\"nodes\" is not an object");
  for (auto it = j["nodes"].begin(); it != j["nodes"].end(); ++it) {
    const auto& node = it.value();
    if (node.is_object() && node.contains("name") && node["name"].is_string())
      out.nodes.push_back(node["name"].get<std::string>());
    else
      out.nodes.push_back(it.key());
  }
  return out;
}

Result<CleanupRepositoryResponse> cleanup_repository(Client& client,
                                                     const CleanupRepositoryRequest& r) {
  ESSNAP_TRY_STATUS(names::validate_repository_name(r.name, "repository"));
  const std::string what = "POST " + path_for(r.name) + "/_cleanup";
  // Deletes blobs: a 500 may come after part of the work, so it is sent once (the caller can
  // run it again; a second cleanup finds what the first left).
  ESSNAP_TRY(auto j, client.json("POST", path_for(r.name) + "/_cleanup", std::nullopt,
                                 http::Idempotency::kNonIdempotent));
  if (!j.is_object()) return shape_error(what, "the answer is not a JSON object");
  CleanupRepositoryResponse out;
  if (!j.contains("results")) return out;
  const auto& res = j["results"];
  if (!res.is_object()) return shape_error(what, "\"results\" is not an object");
  for (const auto& [key, field] : {std::pair{"deleted_blobs", &out.deleted_blobs},
                                   std::pair{"deleted_bytes", &out.deleted_bytes}}) {
    if (!res.contains(key)) continue;
    if (!res[key].is_number_integer())
      return shape_error(what, std::string("\"results.") + key + "\" is not an integer");
    *field = res[key].get<std::int64_t>();
  }
  return out;
}

Result<DeleteRepositoryResponse> delete_repository(Client& client,
                                                   const DeleteRepositoryRequest& r) {
  ESSNAP_TRY_STATUS(names::validate_repository_name(r.name, "repository"));
  ESSNAP_TRY(auto j, client.json("DELETE", path_for(r.name)));
  (void)j;
  return DeleteRepositoryResponse{};
}

Result<std::string> repository_location(const RepositoryInfo& r) {
  auto setting = [&](const char* key) -> std::string {
    const auto& s = r.settings;
    if (!s.is_object() || !s.contains(key) || !s[key].is_string()) return "";
    return s[key].get<std::string>();
  };
  if (r.type == "s3") {
    const std::string bucket = setting("bucket");
    if (bucket.empty())
      return make_error(ErrorCode::kInvalidArgument,
                        "repository " + r.name + " has type s3 but no bucket setting");
    std::string base = setting("base_path");
    while (!base.empty() && base.front() == '/') base.erase(0, 1);
    return "s3://" + bucket + (base.empty() ? "" : "/" + base);
  }
  if (r.type == "fs") {
    const std::string location = setting("location");
    if (location.empty() || location.front() != '/')
      return make_error(ErrorCode::kInvalidArgument,
                        "repository " + r.name + " has the relative fs location '" + location +
                            "' (relative to the nodes' path.repo)",
                        "give the directory itself as REPO");
    // OpenSearch's fs base_path (2.x on): the repository's root is <location>/<base_path>.
    std::string base = setting("base_path");
    while (!base.empty() && base.front() == '/') base.erase(0, 1);
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base.empty() ? location : location + "/" + base;
  }
  return make_error(
      ErrorCode::kInvalidArgument,
      "repository " + r.name + " has type " + r.type + "; inspect reads s3 and fs repositories",
      "give its location as REPO (s3://BUCKET/PREFIX or a directory)");
}

bool repository_matches(const nlohmann::json& actual, const nlohmann::json& wanted) {
  if (!actual.is_object() || !wanted.is_object()) return false;
  if ((actual.contains("settings") && !actual["settings"].is_object()) ||
      (wanted.contains("settings") && !wanted["settings"].is_object()))
    return false;
  if (as_string(actual.value("type", nlohmann::json(""))) !=
      as_string(wanted.value("type", nlohmann::json(""))))
    return false;
  const auto& ws = wanted.contains("settings") ? wanted["settings"] : nlohmann::json::object();
  const auto& as = actual.contains("settings") ? actual["settings"] : nlohmann::json::object();
  for (auto it = ws.begin(); it != ws.end(); ++it) {
    if (!as.contains(it.key())) return false;
    if (as_string(as[it.key()]) != as_string(it.value())) return false;
  }
  return true;
}

Error explain_security_error(Error e, const std::string& caller_arn) {
  const std::string text = e.message + " " + (e.remote ? e.remote->reason : std::string());
  const bool fgac =
      text.find("no permissions for [cluster:admin/repository") != std::string::npos ||
      text.find("no permissions for [cluster:admin/snapshot") != std::string::npos;
  if (!fgac) return e;
  const std::string who = caller_arn.empty() ? "<your IAM user or role ARN>" : caller_arn;
  e.hint =
      "the domain uses fine-grained access control and your identity is not mapped to the "
      "manage_snapshots role. Map it: in OpenSearch Dashboards open Security > Roles > "
      "manage_snapshots > Mapped users > Manage mapping and add " +
      who +
      " (a role ARN under Backend roles, a user ARN under Users), or as the master user append "
      "it to the existing mapping: essnap request PATCH "
      "/_plugins/_security/api/rolesmapping/manage_snapshots --data "
      "'[{\"op\":\"add\",\"path\":\"/backend_roles/-\",\"value\":\"" +
      who + "\"}]' ; then run essnap setup again";
  e.code = ErrorCode::kRemote;
  return e;
}

std::string map_location(std::string where,
                         const std::vector<std::pair<std::string, std::string>>& map) {
  for (const auto& [from, to] : map)
    if (!from.empty() && where.compare(0, from.size(), from) == 0 &&
        (where.size() == from.size() || where[from.size()] == '/' || from.back() == '/'))
      return to + where.substr(from.size());
  return where;
}

}  // namespace essnap::cluster
