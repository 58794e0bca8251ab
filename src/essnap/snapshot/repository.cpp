#include "essnap/snapshot/repository.hpp"

#include "essnap/cluster/repository.hpp"
#include "essnap/cluster/snapshots.hpp"

namespace essnap::snapshot {
namespace {

// The repository's type, or kNotFound when it is not registered.
Result<std::string> registered_type(cluster::Client& c, const std::string& name) {
  ESSNAP_TRY(auto got, cluster::get_repository(c, {name}));
  if (!got.repository)
    return Error(ErrorCode::kNotFound, "repository " + name + " is not registered",
                 "list the repositories with 'essnap repo list'");
  const auto& r = *got.repository;
  if (r.is_object() && r.contains("type") && r["type"].is_string())
    return r["type"].get<std::string>();
  return std::string("unknown");
}

}  // namespace

Result<util::Plan> plan_remove_repository(cluster::Client& c, const std::string& name) {
  ESSNAP_TRY(auto type, registered_type(c, name));
  // The count only informs the plan; a repository that cannot be listed can still be removed.
  std::string snapshots = "its snapshots";
  if (auto snaps = cluster::get_snapshots(c, {name, "_all", false}); snaps.ok())
    snapshots = "its " + std::to_string(snaps->snapshots.size()) + " snapshot(s)";
  util::Plan p;
  p.summary = "will unregister repository " + name + " (" + type + ")";
  p.actions.push_back("unregister " + name + ": " + snapshots +
                      " and data stay in storage (register it again to use them)");
  p.json = {{"unregister", name}, {"type", type}, {"data_deleted", false}};
  p.question = "Unregister repository " + name + "?";
  p.unchanged = "nothing was changed";
  p.yes_hint = "pass --yes to unregister without a prompt";
  return p;
}

Result<util::Plan> plan_cleanup_repository(cluster::Client& c, const std::string& name) {
  ESSNAP_TRY(auto type, registered_type(c, name));
  util::Plan p;
  p.summary = "will clean up repository " + name + " (" + type + ")";
  p.actions.push_back("delete the blobs in " + name +
                      " that no snapshot references (left by deleted or failed snapshots)");
  p.json = {{"cleanup", name}, {"type", type}};
  p.question = "Delete the unreferenced blobs of repository " + name + "?";
  p.unchanged = "nothing was deleted";
  p.yes_hint = "pass --yes to clean up without a prompt";
  return p;
}

Result<util::Plan> plan_register_repository(cluster::Client& c, const std::string& name,
                                            const nlohmann::json& body, Replace replace) {
  ESSNAP_TRY_STATUS(cluster::validate_repository_name(name));
  const std::string type = body.value("type", std::string());
  ESSNAP_TRY(auto existing, cluster::get_repository(c, {name}));
  util::Plan p;
  p.json = {{"register", name},
            {"type", type},
            {"settings", body.value("settings", nlohmann::json::object())}};
  p.confirm = util::NeedsConfirmation::kNo;
  p.unchanged = "nothing was registered";
  if (existing.repository && cluster::repository_matches(*existing.repository, body)) {
    p.summary = "repository " + name + " is already registered with these settings";
    p.json["already_registered"] = true;
    return p;
  }
  ESSNAP_TRY(auto support, cluster::repository_type_support(c, type));
  if (support.known && !support.nodes_without.empty()) {
    p.summary = "cannot register repository " + name + " (" + type + ")";
    p.blocker = Error(ErrorCode::kConflict,
                      std::to_string(support.nodes_without.size()) + " of " +
                          std::to_string(support.nodes) + " node(s) lack the repository-" + type +
                          " plugin; nothing was registered",
                      "install repository-" + type +
                          " on every node and restart them, or "
                          "register a shared file system repository (--type fs --location PATH)");
    return p;
  }
  if (existing.repository) {
    p.summary = "will re-register repository " + name + " with other settings";
    p.actions.push_back("has:    " + existing.repository->dump());
    p.actions.push_back("wanted: " + body.dump());
    if (replace == Replace::kNo) {
      p.blocker =
          Error(ErrorCode::kConflict, "repository " + name + " is registered with other settings",
                "pass --replace to register it again with these (its snapshots are then "
                "read from the new place), or choose another name");
      return p;
    }
    p.confirm = util::NeedsConfirmation::kYes;
    p.question = "Register repository " + name + " again with these settings?";
    p.yes_hint = "pass --yes to re-register without a prompt";
    return p;
  }
  p.summary = "will register repository " + name + " (" + type + ")";
  p.actions.push_back("PUT /_snapshot/" + name + " " + body.dump());
  return p;
}

}  // namespace essnap::snapshot
