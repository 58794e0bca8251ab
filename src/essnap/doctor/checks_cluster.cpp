// The caller's identity and the cluster's checks: reachable (a VPC domain named as such), the
// repository plugin or path.repo, fine-grained access control's manage_snapshots mapping, the
// registered repository's settings, snapshots and deletions in flight, SM / SLM policies.
#include <algorithm>

#include "essnap/cluster/repository.hpp"
#include "essnap/doctor/checks.hpp"
#include "essnap/util/strings.hpp"
#include "essnap/util/url.hpp"

namespace essnap::doctor {
namespace {

using nlohmann::json;

// 400 "no handler found", 404 and 405: the API is not there (a plugin absent, an older engine).
bool api_absent(const Error& e) {
  if (!e.remote) return e.code == ErrorCode::kNotFound;
  const int s = e.remote->http_status;
  return s == 400 || s == 404 || s == 405 || e.code == ErrorCode::kNotFound;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string request_command(const Run& run, const std::string& method, const std::string& path,
                            const json& body = nullptr) {
  std::string cmd = "essnap request " + method + " " + path + run.o.request_words;
  if (!body.is_null()) cmd += " --data " + shell_quote(body.dump());
  return cmd;
}

bool is_opensearch(const Run& run) {
  return run.info && run.info->distribution == cluster::Distribution::kOpenSearch;
}

// Where the repository keeps its files on the nodes, for an fs repository.
std::string expected_fs_location(const Run& run) {
  if (!run.o.expect_fs_path.empty()) return run.o.expect_fs_path + "/" + run.o.setup.repository;
  return run.o.setup.fs_location;
}

bool fs_expected(const Run& run) {
  return run.o.setup.mode == setup::SetupMode::kSelfManagedFs || !run.o.expect_fs_path.empty();
}

}  // namespace

void check_identity(Run& run) {
  if (!run.c.sts) return;
  auto who = run.c.sts->get_caller_identity({});
  if (!who.ok()) {
    run.fail("identity", "STS GetCallerIdentity failed: " + who.error().message,
             "check the credentials essnap finds (every source is listed): essnap credentials");
    return;
  }
  run.report.caller_arn = who->arn;
  run.report.account_id = who->account;
  run.ok("identity", who->arn + " (account " + who->account + ")");
}

void check_cluster_reachable(Run& run) {
  auto& cl = *run.c.cluster;
  auto url = util::parse_url(cl.base_url(), util::UrlChars::kRaw);
  const std::string host = url.ok() ? url->host : cl.base_url();
  const Resolver resolver = run.c.resolver ? run.c.resolver : Resolver(resolve_host);
  auto info = cl.info();
  if (info.ok()) {
    run.cluster_up = true;
    run.info = *info;
    run.ok("cluster-reachable", std::string(cluster::to_string(info->distribution)) + " " +
                                    info->version.text + " at " + cl.base_url());
    return;
  }
  const auto addresses = resolver(host);
  const bool all_private =
      !addresses.empty() && std::all_of(addresses.begin(), addresses.end(), is_private_address);
  if (all_private && run.aws_mode) {
    run.fail("cluster-reachable",
             host + " resolves to private addresses (" + join(addresses) +
                 "): a VPC domain: run this from inside the VPC. The request failed: " +
                 info.error().message,
             "run essnap from a host in the domain's VPC (an EC2 instance or a container in "
             "its subnets, or through a VPN / bastion into it), e.g. aws ssm start-session "
             "--target INSTANCE_ID, then run the same command there");
    return;
  }
  if (addresses.empty()) {
    run.fail("cluster-reachable", host + " does not resolve: " + info.error().message,
             "check the endpoint: AWS console -> Amazon OpenSearch Service -> Domains -> NAME -> "
             "General information -> Domain endpoint");
    return;
  }
  run.fail("cluster-reachable",
           cl.base_url() + " (" + join(addresses) + ") did not answer: " + info.error().message,
           info.error().hint.empty() ? "check the URL, the credentials and that the cluster is up"
                                     : info.error().hint);
}

void check_repository_plugin(Run& run) {
  if (!run.cluster_up) return;
  auto& cl = *run.c.cluster;
  if (fs_expected(run)) {
    const std::string location = expected_fs_location(run);
    auto nodes =
        cl.json("GET", "/_nodes/settings?filter_path=nodes.*.name,nodes.*.settings.path.repo");
    if (!nodes.ok()) {
      run.unreadable("repository-plugin", "GET _nodes/settings", nodes.error(),
                     "give the caller cluster:monitor/nodes/info, or check path.repo in each "
                     "node's opensearch.yml / elasticsearch.yml");
      return;
    }
    std::vector<std::string> without;
    int count = 0;
    if (nodes->contains("nodes") && (*nodes)["nodes"].is_object())
      for (const auto& [id, n] : (*nodes)["nodes"].items()) {
        ++count;
        json repo = n.contains("settings")
                        ? n["settings"].value("path", json::object()).value("repo", json())
                        : json();
        std::vector<std::string> paths;
        if (repo.is_string()) paths.push_back(repo.get<std::string>());
        if (repo.is_array())
          for (const auto& p : repo)
            if (p.is_string()) paths.push_back(p.get<std::string>());
        bool inside = false;
        for (auto p : paths) {
          while (p.size() > 1 && p.back() == '/') p.pop_back();
          inside = inside || location == p || location.rfind(p + "/", 0) == 0;
        }
        if (!inside) without.push_back(n.value("name", id));
      }
    if (count == 0 || !without.empty()) {
      run.fail("repository-plugin",
               "fs location " + location + " is not under path.repo on " +
                   (without.empty() ? std::string("any node") : join(without)),
               "add it to every node's path.repo (path.repo: [\"" + location +
                   "\"] in opensearch.yml / elasticsearch.yml) and restart the nodes");
      return;
    }
    run.ok("repository-plugin", "fs location " + location + " is under path.repo on all " +
                                    std::to_string(count) + " nodes");
    return;
  }
  auto support = cluster::repository_type_support(cl, "s3");
  if (!support.ok() || !support->known) {
    if (run.aws_mode) {
      run.ok("repository-plugin", "a managed domain: repository-s3 is built in");
      return;
    }
    if (!support.ok())
      run.unreadable("repository-plugin", "GET _nodes/plugins", support.error(),
                     "give the caller cluster:monitor/nodes/info");
    else
      run.warn("repository-plugin", "the cluster did not list its plugins and modules",
               "check that every node has repository-s3: " +
                   request_command(run, "GET", "/_cat/plugins?v"));
    return;
  }
  if (!support->nodes_without.empty()) {
    const bool os = is_opensearch(run);
    run.fail("repository-plugin",
             "repository-s3 is missing on " + join(support->nodes_without) + " (of " +
                 std::to_string(support->nodes) + " nodes)",
             std::string(os ? "bin/opensearch-plugin" : "bin/elasticsearch-plugin") +
                 " install repository-s3 on each of those nodes, then restart them one by one");
    return;
  }
  run.ok("repository-plugin", "repository-s3 on all " + std::to_string(support->nodes) + " nodes");
}

void check_fgac(Run& run) {
  if (!run.cluster_up || !is_opensearch(run)) return;
  auto& cl = *run.c.cluster;
  auto info = cl.json("GET", "/_plugins/_security/authinfo");
  if (!info.ok() && api_absent(info.error()))
    info = cl.json("GET", "/_opendistro/_security/authinfo");
  if (!info.ok()) {
    if (api_absent(info.error())) {
      run.ok("fgac-mapping",
             "no fine-grained access control (the security plugin is absent or "
             "disabled): every authenticated caller may manage snapshots");
      return;
    }
    run.unreadable(
        "fgac-mapping", "GET _plugins/_security/authinfo", info.error(),
        "OpenSearch Dashboards -> Security -> Roles -> manage_snapshots -> Mapped users");
    return;
  }
  std::vector<std::string> roles, backend;
  for (const auto& r : info->value("roles", json::array()))
    if (r.is_string()) roles.push_back(r.get<std::string>());
  for (const auto& r : info->value("backend_roles", json::array()))
    if (r.is_string()) backend.push_back(r.get<std::string>());
  const std::string user = info->value("user_name", std::string("?"));
  for (const auto& r : roles)
    if (r == "manage_snapshots" || r == "all_access") {
      run.ok("fgac-mapping", "caller " + user + " is mapped to " + r);
      return;
    }
  // Map the IAM role (a domain sees it as a backend role) or, without one, the user.
  std::string who =
      run.report.caller_arn.empty() ? user : iam::simulation_source_arn(run.report.caller_arn);
  const bool arn = who.rfind("arn:", 0) == 0;
  json patch = json::array({{{"op", "add"},
                             {"path", arn ? "/backend_roles" : "/users"},
                             {"value", json::array({who})}}});
  run.fail(
      "fgac-mapping",
      "caller " + user + " (backend roles: " + (backend.empty() ? "none" : join(backend)) +
          ") is mapped to [" + join(roles) +
          "], not to manage_snapshots: registering, creating and restoring snapshots is refused",
      "OpenSearch Dashboards -> Security -> Roles -> manage_snapshots -> Mapped users -> "
      "Manage mapping -> add " +
          std::string(arn ? "backend role " : "user ") + who +
          " (as a user mapped to all_access or security_manager); or: " +
          request_command(run, "PATCH", "/_plugins/_security/api/rolesmapping/manage_snapshots",
                          patch));
}

void check_repository_settings(Run& run) {
  if (!run.cluster_up) return;
  auto& cl = *run.c.cluster;
  const std::string& name = run.o.setup.repository;
  auto got = cluster::get_repository(cl, {name});
  if (!got.ok()) {
    run.unreadable("repository-settings", "GET _snapshot/" + name, got.error(),
                   "give the caller cluster:admin/repository/get");
    return;
  }
  if (!got->repository) {
    run.fail("repository-settings", "repository " + name + " is not registered",
             run.setup_command());
    return;
  }
  const json repo = *got->repository;
  run.repository = repo;
  const std::string type = repo.value("type", "");
  const json settings = repo.value("settings", json::object());
  auto setting = [&](const char* key) -> std::string {
    if (!settings.contains(key)) return {};
    const auto& v = settings[key];
    return v.is_string() ? v.get<std::string>() : v.dump();
  };
  std::vector<std::string> saw, problems;
  bool failed = false;
  saw.push_back("type " + type);
  if (fs_expected(run)) {
    const std::string want = expected_fs_location(run);
    if (type != "fs" || setting("location") != want) {
      failed = true;
      problems.push_back("expected type fs at " + want + ", found type " + type + " at " +
                         (type == "fs" ? setting("location") : setting("bucket")));
    } else {
      saw.push_back("location " + want);
    }
  } else {
    std::string base = setting("base_path");
    while (!base.empty() && base.front() == '/') base.erase(0, 1);
    while (!base.empty() && base.back() == '/') base.pop_back();
    if (type != "s3" || setting("bucket") != run.o.setup.bucket || base != run.o.setup.prefix) {
      failed = true;
      problems.push_back(
          "expected type s3 on " + run.bucket_uri() + ", found type " + type +
          (type == "s3" ? " on s3://" + setting("bucket") + (base.empty() ? "" : "/" + base) : ""));
    } else {
      saw.push_back("on " + run.bucket_uri());
    }
  }
  const std::string readonly = setting("readonly");
  if (readonly == "true") problems.push_back("readonly: true (no snapshot can be written)");
  saw.push_back("compress " + (setting("compress").empty() ? "default" : setting("compress")));
  saw.push_back("max_snapshot_bytes_per_sec " + (setting("max_snapshot_bytes_per_sec").empty()
                                                     ? std::string("default")
                                                     : setting("max_snapshot_bytes_per_sec")));
  const std::string spt = setting("shard_path_type");
  if (!spt.empty()) saw.push_back("shard_path_type " + spt);
  const bool hashed = spt == "hashed_prefix" || spt == "hashed_infix";
  if (hashed && !settings.value("base_path", std::string()).empty())
    problems.push_back("shard_path_type " + spt +
                       " writes shard data under hashed prefixes outside base_path "
                       "(OpenSearch#20723): the role must grant them too, and readers of the "
                       "prefix alone miss them");
  if (problems.empty()) {
    run.ok("repository-settings", join(saw));
    return;
  }
  std::string fix = run.setup_command() + " --fix";
  if (hashed && problems.size() == 1 && readonly != "true" && !failed) {
    json body = repo;
    body["settings"]["shard_path_type"] = "fixed";
    fix = "before the first snapshot, register it with the fixed layout: " +
          request_command(run, "PUT", "/_snapshot/" + name, body);
  }
  std::string all = join(problems) + "; " + join(saw);
  if (failed)
    run.fail("repository-settings", all, fix);
  else
    run.warn("repository-settings", all, fix);
}

void check_in_flight(Run& run) {
  if (!run.cluster_up) return;
  auto& cl = *run.c.cluster;
  std::vector<std::string> busy, fixes;
  auto status = cl.json("GET", "/_snapshot/_status");
  if (!status.ok()) {
    run.unreadable("in-flight", "GET _snapshot/_status", status.error(),
                   "give the caller cluster:admin/snapshot/status");
    return;
  }
  // This repository's work, and the managed service's automated snapshots (cs-*), which hold up
  // manual ones; other repositories' snapshots run beside ours.
  const std::string& mine = run.o.setup.repository;
  for (const auto& s : status->value("snapshots", json::array())) {
    const std::string snap = s.value("snapshot", ""), repo = s.value("repository", "");
    if (repo != mine && repo.rfind("cs-", 0) != 0) continue;
    busy.push_back("snapshot " + snap + " in " + repo + " is " + s.value("state", "running"));
    if (repo.rfind("cs-", 0) == 0)
      fixes.push_back("automated snapshots (" + repo +
                      ") run daily at the domain's start hour: AWS console -> Amazon OpenSearch "
                      "Service -> Domains -> NAME -> Cluster configuration -> Snapshots; start "
                      "yours outside it");
    else
      fixes.push_back("wait for it: essnap snapshot status -r " + repo + " " + snap + " --wait" +
                      run.o.request_words);
  }
  auto tasks = cl.json("GET", "/_tasks?actions=cluster:admin/snapshot/delete*&detailed=true");
  if (tasks.ok() && tasks->contains("nodes") && (*tasks)["nodes"].is_object())
    for (const auto& [id, node] : (*tasks)["nodes"].items())
      for (const auto& [tid, t] : node.value("tasks", json::object()).items()) {
        const std::string description = t.value("description", std::string());
        if (!description.empty() && description.find(mine) == std::string::npos &&
            description.find("cs-") == std::string::npos)
          continue;
        busy.push_back("a snapshot deletion is running (task " + tid + ": " +
                       t.value("description", std::string("delete")) + ")");
        fixes.push_back(
            "wait for the deletion: " +
            request_command(run, "GET", "/_tasks/" + tid + "?wait_for_completion=true"));
      }
  if (busy.empty()) {
    run.ok("in-flight", "no snapshot or deletion running");
    return;
  }
  std::string fix;
  for (const auto& f : fixes) fix += (fix.empty() ? "" : "; ") + f;
  run.warn("in-flight", join(busy) + ": a new snapshot or deletion waits or is refused meanwhile",
           fix);
}

void check_snapshot_policies(Run& run) {
  if (!run.cluster_up) return;
  auto& cl = *run.c.cluster;
  const std::string& repo = run.o.setup.repository;
  std::vector<std::string> writers, fixes;
  const bool os = is_opensearch(run);
  auto got = cl.json("GET", os ? "/_plugins/_sm/policies" : "/_slm/policy");
  if (!got.ok()) {
    if (api_absent(got.error())) {
      run.ok("snapshot-policies", std::string(os ? "Snapshot Management" : "SLM") +
                                      " is not available here: no policy writes to " + repo);
      return;
    }
    run.unreadable("snapshot-policies", os ? "GET _plugins/_sm/policies" : "GET _slm/policy",
                   got.error(), "");
    return;
  }
  if (os) {
    for (const auto& p : got->value("policies", json::array())) {
      const json pol = p.value("sm_policy", json::object());
      if (pol.value("snapshot_config", json::object()).value("repository", "") != repo) continue;
      const std::string id = p.value("_id", pol.value("name", std::string("?")));
      writers.push_back("Snapshot Management policy " + id);
      fixes.push_back(request_command(run, "DELETE", "/_plugins/_sm/policies/" + id));
    }
  } else {
    for (const auto& [id, p] : got->items()) {
      if (!p.is_object() || p.value("policy", json::object()).value("repository", "") != repo)
        continue;
      writers.push_back("SLM policy " + id);
      fixes.push_back(request_command(run, "DELETE", "/_slm/policy/" + id));
    }
  }
  if (writers.empty()) {
    run.ok("snapshot-policies", "no SM/SLM policy writes to " + repo);
    return;
  }
  std::string fix =
      "let one scheduler own the repository: point the policy at another "
      "repository, or remove it: ";
  for (std::size_t i = 0; i < fixes.size(); ++i) fix += (i ? "; " : "") + fixes[i];
  run.warn("snapshot-policies",
           join(writers) + " also writes to " + repo +
               ": its snapshots and retention run beside essnap's (essnap prune keeps what it "
               "does not own, the policy's retention deletes by its own rules)",
           fix);
}

}  // namespace essnap::doctor
