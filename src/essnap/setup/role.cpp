// The role step: the role the domain assumes to reach the bucket — trusted by the partition's
// search service, with a least-privilege inline policy — and the permissions step: may the
// caller pass that role and register the repository?
#include "essnap/setup/steps.hpp"

namespace essnap::setup {
namespace {

using nlohmann::json;

// One line of a policy diff: what the role has against what it should have.
std::string diff_line(const std::string& what, const json& actual, const json& wanted) {
  return what + " differs:\n    has:    " + iam::normalize_policy(actual).dump() +
         "\n    wanted: " + iam::normalize_policy(wanted).dump();
}

bool trusts_service(const json& trust, std::string_view service) {
  if (!trust.is_object() || !trust.contains("Statement")) return false;
  json st = trust["Statement"].is_array() ? trust["Statement"] : json::array({trust["Statement"]});
  for (const auto& s : st) {
    if (s.value("Effect", "") != "Allow" || !s.contains("Principal")) continue;
    const auto& p = s["Principal"];
    if (!p.is_object() || !p.contains("Service")) continue;
    const auto& svc = p["Service"];
    if (svc.is_string() && svc == service) return true;
    if (svc.is_array())
      for (const auto& v : svc)
        if (v == service) return true;
  }
  return false;
}

std::string policy_what() {
  return "inline policy " + std::string(kRolePolicyName);
}

// An IAM call on the role, shown as the query-protocol POST it is.
PlanItem iam_item(std::string what, Outcome outcome, std::string detail, const std::string& url,
                  const std::string& operation, json document, Action action) {
  return {.step = "role",
          .what = std::move(what),
          .outcome = outcome,
          .detail = std::move(detail),
          .call = "POST " + url + " " + operation,
          .document = std::move(document),
          .action = action};
}

PlanItem put_role_policy(const Plan& plan, const std::string& url, Outcome outcome) {
  return iam_item(policy_what(), outcome,
                  "s3:ListBucket on the bucket, Get/Put/DeleteObject under the prefix", url,
                  "PutRolePolicy", plan.role_policy, Action::kPutRolePolicy);
}

void plan_trust(const json& actual, FixDrift fix, const std::string& url,
                std::string_view principal, Plan& plan, Conflicts& conflicts) {
  const std::string& name = plan.target.role_name;
  const std::string trusted = "trusted by " + std::string(principal);
  if (iam::policies_equal(actual, plan.trust_policy)) {
    plan.items.push_back({.step = "role",
                          .what = name + " trust policy",
                          .outcome = Outcome::kInPlace,
                          .detail = trusted});
  } else if (fix == FixDrift::kNo) {
    std::string why =
        trusts_service(actual, principal)
            ? ""
            : " (it does not trust " + std::string(principal) + ", so the domain cannot use it)";
    conflicts.push_back("role " + name + ": " +
                        diff_line("trust policy", actual, plan.trust_policy) + why);
  } else {
    plan.items.push_back(iam_item(name + " trust policy", Outcome::kWouldUpdate, trusted, url,
                                  "UpdateAssumeRolePolicy", plan.trust_policy,
                                  Action::kUpdateAssumeRolePolicy));
  }
}

Status plan_inline_policy(FixDrift fix, const std::string& url, iam::IamClient& iam, Plan& plan,
                          Conflicts& conflicts) {
  const std::string& name = plan.target.role_name;
  auto pol = iam.get_role_policy({name, kRolePolicyName});
  if (!pol.ok() && pol.error().code != ErrorCode::kNotFound) return std::move(pol).error();
  if (pol.ok() && iam::policies_equal(pol->policy, plan.role_policy)) {
    plan.items.push_back({.step = "role",
                          .what = policy_what(),
                          .outcome = Outcome::kInPlace,
                          .detail = "least privilege on the bucket and prefix"});
  } else if (pol.ok() && fix == FixDrift::kNo) {
    conflicts.push_back("role " + name + ": " +
                        diff_line(policy_what(), pol->policy, plan.role_policy));
  } else {
    plan.items.push_back(
        put_role_policy(plan, url, pol.ok() ? Outcome::kWouldUpdate : Outcome::kWouldCreate));
  }
  return ok_status();
}

}  // namespace

Status plan_role(const SetupOptions& o, const RoleTarget& role, iam::IamClient& iam, Plan& plan,
                 Conflicts& conflicts) {
  const aws::Partition& partition = aws::partition_for_region(o.region);
  plan.trust_policy = trust_policy(plan.account_id, partition);
  plan.role_policy = role_policy(partition, o.bucket, o.prefix, o.kms_key, plan.hashed_prefix);
  plan.role_arn = role.role_arn;
  const std::string url = iam.endpoint().url;
  auto got = iam.get_role({role.role_name});
  if (!got.ok() && got.error().code != ErrorCode::kNotFound) return std::move(got).error();
  if (!got.ok()) {
    plan.items.push_back(iam_item(role.role_name, Outcome::kWouldCreate,
                                  "trusted by " + std::string(partition.search_principal), url,
                                  "CreateRole", plan.trust_policy, Action::kCreateRole));
    plan.items.push_back(put_role_policy(plan, url, Outcome::kWouldCreate));
    return ok_status();
  }
  // IAM's own ARN for it (it may have a path that a name alone does not show).
  plan.role_arn = got->role.arn;
  plan_trust(got->role.assume_role_policy, o.fix, url, partition.search_principal, plan, conflicts);
  return plan_inline_policy(o.fix, url, iam, plan, conflicts);
}

Status plan_permissions(const RoleTarget& role, iam::IamClient& iam, Plan& plan) {
  plan.caller_policy = caller_policy(plan.role_arn, role.domain_arn);
  const std::string source = iam::simulation_source_arn(plan.caller_arn);
  auto sim1 = iam.simulate_principal_policy({source, {"iam:PassRole"}, {plan.role_arn}});
  auto sim2 = sim1.ok()
                  ? iam.simulate_principal_policy({source, {"es:ESHttpPut"}, {role.domain_arn}})
                  : Result<iam::SimulatePrincipalPolicyResponse>(sim1.error());
  PlanItem item{.step = "permissions", .what = "iam:PassRole, es:ESHttpPut"};
  if (!sim1.ok() || !sim2.ok()) {
    // Not every identity may simulate; the statement is then shown for the reader to check.
    const Error& e = !sim1.ok() ? sim1.error() : sim2.error();
    item.outcome = Outcome::kNote;
    item.detail = "could not check with SimulatePrincipalPolicy (" +
                  (e.remote && !e.remote->error_type.empty() ? e.remote->error_type : e.message) +
                  "); the caller needs: " + plan.caller_policy.dump();
    plan.items.push_back(std::move(item));
    return ok_status();
  }
  std::string denied;
  for (const auto* sim : {&sim1.value(), &sim2.value()})
    for (const auto& r : sim->results)
      if (r.decision != "allowed")
        denied += (denied.empty() ? "" : ", ") + r.action + " (" + r.decision + ")";
  if (!denied.empty())
    return make_error(ErrorCode::kConflict,
                      "the caller " + plan.caller_arn + " is not allowed: " + denied,
                      "attach this policy to " + source +
                          " (iam:PassRole belongs on the caller, not in a bucket policy): " +
                          plan.caller_policy.dump() + " — nothing was changed");
  item.outcome = Outcome::kChecked;
  item.detail = source + " may pass the role and register the repository";
  plan.items.push_back(std::move(item));
  return ok_status();
}

Status perform_role(const PlanItem& item, const Target& t, iam::IamClient& iam) {
  auto status = [](auto r) { return r.ok() ? ok_status() : Status(std::move(r).error()); };
  switch (item.action) {
    case Action::kCreateRole:
      return status(
          iam.create_role({t.role_name, item.document,
                           "essnap: lets Amazon OpenSearch Service write snapshots to S3", ""}));
    case Action::kUpdateAssumeRolePolicy:
      return status(iam.update_assume_role_policy({t.role_name, item.document}));
    case Action::kPutRolePolicy:
      return status(iam.put_role_policy({t.role_name, kRolePolicyName, item.document}));
    default:
      return make_error(ErrorCode::kInternal, "not a role action: " + item.what);
  }
}

}  // namespace essnap::setup
