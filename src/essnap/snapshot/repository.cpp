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

}  // namespace essnap::snapshot
