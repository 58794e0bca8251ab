// The repository step (registered with the wanted settings) and the verify step (every node can
// write and read it).
#include "essnap/cluster/repository.hpp"

#include "essnap/setup/steps.hpp"

namespace essnap::setup {

using nlohmann::json;

Status plan_repository(const SetupOptions& o, cluster::Client& cluster, Plan& plan,
                       Conflicts& conflicts) {
  plan.repository_body = repository_body(o, plan.role_arn);
  plan.registered_body = plan.repository_body;
  if (!o.register_as_fs_path.empty())
    plan.registered_body = {
        {"type", "fs"},
        {"settings",
         {{"location", o.register_as_fs_path + "/" + o.repository}, {"readonly", o.readonly}}}};
  if (!o.register_as_fs_path.empty() && o.shard_path_type)
    plan.registered_body["settings"]["shard_path_type"] =
        std::string(format::shard_path_type_name(*o.shard_path_type));
  const json& wanted = plan.registered_body;
  const std::string type = wanted.value("type", std::string());
  ESSNAP_TRY(auto existing, cluster::get_repository(cluster, {o.repository}));
  // A self-managed cluster registers type s3 only with repository-s3 on every node; without it
  // the PUT is a raw 500 after the bucket (and more) were already made. Decide it in the plan.
  // Amazon's managed domains always have it (and may refuse GET _nodes/plugins).
  if (o.mode != SetupMode::kAwsManaged &&
      !(existing.repository && cluster::repository_matches(*existing.repository, wanted))) {
    ESSNAP_TRY(auto support, cluster::repository_type_support(cluster, type));
    if (support.known && !support.nodes_without.empty()) {
      std::string nodes;
      for (const auto& n : support.nodes_without) nodes += (nodes.empty() ? "" : ", ") + n;
      return make_error(
          ErrorCode::kConflict,
          "the cluster cannot register a repository of type " + type + ": " +
              std::to_string(support.nodes_without.size()) + " of " +
              std::to_string(support.nodes) + " node(s) lack the repository-" + type + " plugin (" +
              nodes + ")",
          "install repository-" + type +
              " on every node and restart them (bin/opensearch-plugin "
              "install repository-" +
              type + ", or bin/elasticsearch-plugin install repository-" + type +
              " before Elasticsearch 8), or register a shared file system repository "
              "with 'essnap setup --cluster URL --fs PATH --repository NAME'; nothing was "
              "changed");
    }
    if (!support.known)
      plan.items.push_back({.step = "repository",
                            .what = "repository-" + type,
                            .outcome = Outcome::kNote,
                            .detail = "the cluster did not list its plugins (GET _nodes/plugins);"
                                      " registering will tell"});
  }
  if (existing.repository && cluster::repository_matches(*existing.repository, wanted)) {
    plan.items.push_back({.step = "repository",
                          .what = o.repository,
                          .outcome = Outcome::kInPlace,
                          .detail = "registered as " + type});
  } else if (existing.repository && o.fix == FixDrift::kNo) {
    conflicts.push_back("repository " + o.repository + " is registered with other settings:\n" +
                        "    has:    " + existing.repository->dump() +
                        "\n    wanted: " + wanted.dump());
  } else {
    plan.items.push_back(
        {.step = "repository",
         .what = o.repository,
         .outcome = existing.repository ? Outcome::kWouldUpdate : Outcome::kWouldCreate,
         .detail = "type " + type,
         .call = "PUT " + cluster.base_url() + "/_snapshot/" + o.repository,
         .document = wanted,
         .action = Action::kPutRepository});
  }
  return ok_status();
}

void plan_verify(const SetupOptions& o, Plan& plan) {
  // Printed as a note: it is a check, not a change, and runs only after the writes.
  plan.items.push_back({.step = "verify",
                        .what = o.repository,
                        .outcome = Outcome::kNote,
                        .detail = "would run POST /_snapshot/" + o.repository + "/_verify",
                        .action = Action::kVerifyRepository});
}

Status perform_repository(const PlanItem& item, const Plan& plan, cluster::Client& cluster) {
  auto r = cluster::put_repository(cluster, {plan.target.repository, item.document, false});
  if (!r.ok()) return cluster::explain_security_error(std::move(r).error(), plan.caller_arn);
  return ok_status();
}

Status perform_verify(PlanItem& item, const Plan& plan, cluster::Client& cluster) {
  const std::string& name = plan.target.repository;
  auto v = cluster::verify_repository(cluster, {name});
  if (!v.ok()) {
    Error e = cluster::explain_security_error(std::move(v).error(), plan.caller_arn);
    if (e.hint.empty())
      e.hint = !plan.role_arn.empty()
                   ? "the domain could not use the bucket through role " + plan.role_arn +
                         ": check the role's trust and inline policy ('essnap setup -r " + name +
                         " --print-policies' prints them) and the bucket's region"
                   : "the nodes could not write and read the repository: check the cluster's "
                     "S3 client settings or that the path is shared and in path.repo";
    e.message = "verify " + name + ": " + e.message;
    return e;
  }
  std::string nodes;
  for (const auto& n : v->nodes) nodes += (nodes.empty() ? "" : ", ") + n;
  item.outcome = Outcome::kChecked;
  item.detail = std::to_string(v->nodes.size()) + " node(s) can read and write it" +
                (nodes.empty() ? "" : ": " + nodes);
  return ok_status();
}

}  // namespace essnap::setup
