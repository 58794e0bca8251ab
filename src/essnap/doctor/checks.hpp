// The checks of `essnap doctor`, internal to doctor/: each appends its Check to the run's report
// from what the run already read (the Run) and what it reads itself. None returns an error: a
// read that fails becomes a warning naming the call and why.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "essnap/doctor/doctor.hpp"
#include "essnap/format/shard_paths.hpp"
#include "essnap/setup/documents.hpp"

namespace essnap::doctor {

// What one run knows, filled as checks go: later checks use what earlier ones read.
struct Run {
  const DoctorOptions& o;
  const DoctorClients& c;
  DoctorReport& report;
  bool aws_mode = false;  // an AWS-managed domain: role, caller and FGAC checks
  bool s3_mode = false;   // the repository is on a bucket: the bucket checks
  bool cluster_up = false;
  std::optional<cluster::ClusterInfo> info = {};
  std::optional<nlohmann::json> repository = {};  // GET _snapshot/NAME's {"type","settings"}
  std::string bucket_region = {};                 // from GetBucketLocation, when it answered
  bool role_missing = false;                      // GetRole said there is no such role
  bool bucket_missing = false;                    // the bucket does not exist
  std::optional<std::string> simulation_unavailable = {};  // why SimulatePrincipalPolicy failed
  std::optional<nlohmann::json> role_inline_policy = {};   // the fallback's policy, read once

  bool skipped(const std::string& id) const { return o.skip.count(id) != 0; }
  void add(Check c) { report.checks.push_back(std::move(c)); }
  void ok(const std::string& id, std::string saw) {
    add({id, CheckStatus::kOk, std::move(saw), ""});
  }
  void warn(const std::string& id, std::string saw, std::string fix) {
    add({id, CheckStatus::kWarn, std::move(saw), std::move(fix)});
  }
  void fail(const std::string& id, std::string saw, std::string fix) {
    add({id, CheckStatus::kFail, std::move(saw), std::move(fix)});
  }
  // "could not check: <what> failed: <message>" as a warning.
  void unreadable(const std::string& id, const std::string& what, const Error& e, std::string fix);

  // Where the engine writes shard folders: the registered repository's shard_path_type, else
  // --shard-path-type, else the engine's default (OpenSearch 3.x: hashed_prefix; else fixed).
  format::ShardPathType shard_layout() const;
  // HashedPrefixGrant::kYes when shard_layout() puts shard data beside a prefix.
  setup::HashedPrefixGrant hashed_grant() const;
  std::string bucket_uri() const;    // "s3://b/p"
  std::string prefix_slash() const;  // "p/" or ""
  // `essnap setup` with the flags this run was given, for fixes ("essnap setup --domain-endpoint
  // … --bucket s3://b/p --repository r").
  std::string setup_command() const;
};

void check_identity(Run& run);
void check_cluster_reachable(Run& run);
void check_repository_plugin(Run& run);
void check_fgac(Run& run);
void check_in_flight(Run& run);
void check_snapshot_policies(Run& run);
void check_repository_settings(Run& run);

void check_role_trust(Run& run);
void check_role_permissions(Run& run);
void check_caller_permissions(Run& run);

// Policy simulation for the snapshot role: every action on every resource of each set (a set's
// context entries apply to its pairs). nullopt when it could not be checked at all (`how` says
// why); else the pairs not allowed, and `how` says whether IAM simulated or doctor evaluated the
// role's inline policy itself.
struct ProbeSet {
  std::vector<std::string> actions;
  std::vector<std::string> resources;
  std::vector<std::pair<std::string, std::string>> context;
};
struct Denial {
  std::string action, resource, decision;
};
std::optional<std::vector<Denial>> probe_role(Run& run, const std::string& role_name,
                                              const std::string& role_arn,
                                              const std::vector<ProbeSet>& sets, std::string& how);
Result<setup::RoleTarget> role_of(Run& run);

void check_bucket_region(Run& run);
void check_bucket_owner(Run& run);
void check_lifecycle(Run& run);
void check_intelligent_tiering(Run& run);
void check_versioning(Run& run);
void check_object_lock(Run& run);
void check_replication(Run& run);
void check_encryption(Run& run);

// One shell word (util::shell_word): documents in fixes are pasted as one argument.
std::string shell_quote(const std::string& s);

}  // namespace essnap::doctor
