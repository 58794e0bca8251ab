// The steps of `essnap setup`, internal to setup/: each plan_<step> does that step's reads and
// appends its decisions to the plan as items; perform_<step> makes the call one of its items
// stands for, when execute() reaches it.
#pragma once

#include <string>
#include <vector>

#include "essnap/setup/setup.hpp"

namespace essnap::setup {

// Differences that stop the plan unless --fix; collected so that one run reports all of them.
using Conflicts = std::vector<std::string>;

// The cluster answers; its engine and version decide the shard layout (a "layout" item) and
// whether --shard-path-type can be registered at all (kInvalidArgument on Elasticsearch and
// OpenSearch before 2.17).
Status plan_cluster(const SetupOptions& options, cluster::Client& cluster, Plan& plan);
Status plan_identity(aws::StsClient& sts, Plan& plan);
Status plan_bucket(const SetupOptions& options, s3::Client& s3, Plan& plan);
Status plan_role(const SetupOptions& options, const RoleTarget& role, iam::IamClient& iam,
                 Plan& plan, Conflicts& conflicts);
Status plan_permissions(const RoleTarget& role, iam::IamClient& iam, Plan& plan);
Status plan_repository(const SetupOptions& options, cluster::Client& cluster, Plan& plan,
                       Conflicts& conflicts);
void plan_verify(const SetupOptions& options, Plan& plan);

// Each may turn its own item into a note (an S3-compatible server without the API).
Status perform_bucket(PlanItem& item, const Target& target, s3::Client& s3);
Status perform_role(const PlanItem& item, const Target& target, iam::IamClient& iam);
Status perform_repository(const PlanItem& item, const Plan& plan, cluster::Client& cluster);
// Turns the verify item into a check with the nodes that passed, or explains the failure.
Status perform_verify(PlanItem& item, const Plan& plan, cluster::Client& cluster);

}  // namespace essnap::setup
