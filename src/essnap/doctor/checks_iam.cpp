// The snapshot role's checks (an AWS-managed domain): its trust policy, its S3 permissions on
// every kind of key the engine writes, the caller's iam:PassRole and es:ESHttpPut — by IAM's
// SimulatePrincipalPolicy, or, where the server does not offer it, by evaluating the role's inline
// policy here (doctor/policy_eval.hpp) and saying so.
#include "essnap/doctor/checks.hpp"
#include "essnap/doctor/policy_eval.hpp"
#include "essnap/doctor/write_paths.hpp"
#include "essnap/setup/documents.hpp"

namespace essnap::doctor {
namespace {

using nlohmann::json;

bool principal_has(const json& principal, std::string_view service) {
  if (!principal.is_object() || !principal.contains("Service")) return false;
  const auto& s = principal["Service"];
  if (s.is_string()) return s == service;
  if (s.is_array())
    for (const auto& v : s)
      if (v == service) return true;
  return false;
}

bool action_allows_assume(const json& action) {
  auto one = [](const json& a) {
    return a.is_string() && (a == "sts:AssumeRole" || a == "sts:*" || a == "*");
  };
  if (one(action)) return true;
  if (action.is_array())
    for (const auto& a : action)
      if (one(a)) return true;
  return false;
}

// The aws:SourceAccount value(s) a statement's condition requires; empty: none required.
std::vector<std::string> source_accounts(const json& st) {
  std::vector<std::string> out;
  if (!st.contains("Condition") || !st["Condition"].is_object()) return out;
  for (const auto& [op, keys] : st["Condition"].items()) {
    if (!keys.is_object()) continue;
    for (const auto& [k, v] : keys.items()) {
      if (k != "aws:SourceAccount" && k != "aws:sourceaccount") continue;
      if (v.is_string()) out.push_back(v.get<std::string>());
      if (v.is_array())
        for (const auto& e : v)
          if (e.is_string()) out.push_back(e.get<std::string>());
    }
  }
  return out;
}

std::string put_role_policy_command(const std::string& role, const json& policy) {
  return "aws iam put-role-policy --role-name " + role + " --policy-name " +
         setup::kRolePolicyName + " --policy-document " + shell_quote(policy.dump());
}

}  // namespace

Result<setup::RoleTarget> role_of(Run& run) {
  return setup::role_target(run.o.setup, run.report.account_id);
}

std::optional<std::vector<Denial>> probe_role(Run& run, const std::string& role_name,
                                              const std::string& role_arn,
                                              const std::vector<ProbeSet>& sets, std::string& how) {
  std::vector<Denial> denied;
  if (!run.simulation_unavailable) {
    bool all = true;
    for (const auto& set : sets) {
      auto sim =
          run.c.iam->simulate_principal_policy({role_arn, set.actions, set.resources, set.context});
      if (!sim.ok()) {
        const Error& e = sim.error();
        run.simulation_unavailable =
            e.remote && !e.remote->error_type.empty()
                ? e.remote->error_type + " (HTTP " + std::to_string(e.remote->http_status) + ")"
                : e.message;
        all = false;
        break;
      }
      for (const auto& r : sim->results)
        if (r.decision != "allowed") denied.push_back({r.action, r.resource, r.decision});
    }
    if (all) {
      how = "by IAM policy simulation";
      return denied;
    }
    denied.clear();
  }
  // The fallback: the inline policy essnap setup writes, evaluated here.
  if (!run.role_inline_policy) {
    auto pol = run.c.iam->get_role_policy({role_name, setup::kRolePolicyName});
    if (!pol.ok()) {
      how = "SimulatePrincipalPolicy is not available (" + *run.simulation_unavailable +
            ") and GetRolePolicy " + std::string(setup::kRolePolicyName) +
            " failed: " + pol.error().message;
      return std::nullopt;
    }
    run.role_inline_policy = pol->policy;
  }
  for (const auto& set : sets) {
    std::map<std::string, std::string> ctx(set.context.begin(), set.context.end());
    for (const auto& a : set.actions)
      for (const auto& r : set.resources) {
        auto d = evaluate_policy(*run.role_inline_policy, a, r, ctx);
        if (d != "allowed") denied.push_back({a, r, d});
      }
  }
  how = "evaluated locally from inline policy " + std::string(setup::kRolePolicyName) +
        " (SimulatePrincipalPolicy: " + *run.simulation_unavailable +
        "; other policies "
        "attached to the role are not seen)";
  return denied;
}

void check_role_trust(Run& run) {
  if (!run.aws_mode || run.report.account_id.empty()) return;
  auto role = role_of(run);
  if (!role.ok()) {
    run.fail("role-trust", role.error().message, role.error().hint);
    return;
  }
  run.report.role_arn = role->role_arn;
  auto got = run.c.iam->get_role({role->role_name});
  if (!got.ok()) {
    if (got.error().code == ErrorCode::kNotFound) {
      run.role_missing = true;
      run.fail("role-trust", "role " + role->role_name + " does not exist", run.setup_command());
    } else {
      run.unreadable("role-trust", "IAM GetRole " + role->role_name, got.error(),
                     "give the caller iam:GetRole on " + role->role_arn);
    }
    return;
  }
  run.report.role_arn = got->role.arn;
  const aws::Partition& partition = aws::partition_for_region(run.o.setup.region);
  const std::string principal(partition.search_principal);
  const json wanted = setup::trust_policy(run.report.account_id, partition);
  const std::string fix = "aws iam update-assume-role-policy --role-name " + role->role_name +
                          " --policy-document " + shell_quote(wanted.dump());
  const json& trust = got->role.assume_role_policy;
  json statements =
      trust.is_object() && trust.contains("Statement")
          ? (trust["Statement"].is_array() ? trust["Statement"] : json::array({trust["Statement"]}))
          : json::array();
  bool trusted = false, scoped = false;
  std::vector<std::string> other_accounts;
  for (const auto& st : statements) {
    if (!st.is_object() || st.value("Effect", "") != "Allow") continue;
    if (!principal_has(st.value("Principal", json()), principal)) continue;
    if (!action_allows_assume(st.value("Action", json()))) continue;
    trusted = true;
    auto accounts = source_accounts(st);
    for (const auto& a : accounts)
      if (a == run.report.account_id)
        scoped = true;
      else
        other_accounts.push_back(a);
  }
  if (!trusted) {
    run.fail("role-trust",
             "role " + role->role_name + " does not trust " + principal +
                 ": the domain cannot assume it (trust policy: " + trust.dump() + ")",
             fix);
  } else if (!scoped) {
    run.warn("role-trust",
             "role " + role->role_name + " trusts " + principal +
                 (other_accounts.empty()
                      ? std::string(" from any account: no aws:SourceAccount condition (a "
                                    "confused deputy: another account's domain could use it)")
                      : " only for aws:SourceAccount " + other_accounts.front() +
                            ", not this account " + run.report.account_id),
             fix);
  } else {
    run.ok("role-trust", "role " + role->role_name + " trusts " + principal +
                             " for aws:SourceAccount " + run.report.account_id);
  }
}

void check_role_permissions(Run& run) {
  if (!run.aws_mode || run.report.role_arn.empty() || run.role_missing) return;
  auto role = role_of(run);
  if (!role.ok()) return;
  const aws::Partition& partition = aws::partition_for_region(run.o.setup.region);
  const std::string bucket_arn = aws::bucket_arn(partition, run.o.setup.bucket);
  const auto keys = engine_write_keys(run.o.setup.prefix, run.shard_layout());
  ProbeSet objects{{"s3:PutObject", "s3:GetObject", "s3:DeleteObject"}, {}, {}};
  std::map<std::string, std::string> what;
  for (const auto& k : keys) {
    objects.resources.push_back(bucket_arn + "/" + k.key);
    what[bucket_arn + "/" + k.key] = k.what;
  }
  ProbeSet list{{"s3:ListBucket"}, {bucket_arn}, {{"s3:prefix", run.prefix_slash() + "index-"}}};
  std::string how;
  auto denied = probe_role(run, role->role_name, run.report.role_arn, {objects, list}, how);
  const json wanted =
      setup::role_policy(partition, run.o.setup.bucket, run.o.setup.prefix, {}, run.hashed_grant());
  const std::string fix = put_role_policy_command(role->role_name, wanted);
  if (!denied) {
    run.warn("role-s3-permissions", "could not check: " + how,
             "give the caller iam:SimulatePrincipalPolicy, or compare the role's policies with: " +
                 wanted.dump());
    return;
  }
  if (denied->empty()) {
    run.ok("role-s3-permissions", "role may list " + run.bucket_uri() +
                                      " and get, put and delete every kind of blob "
                                      "the engine writes (" +
                                      std::to_string(keys.size()) + " sample keys, " + how + ")");
    return;
  }
  std::string saw;
  for (const auto& d : *denied) {
    std::string res = d.resource;
    if (auto it = what.find(res); it != what.end()) res += " (" + it->second + ")";
    saw += (saw.empty() ? "" : ", ") + d.action + " on " + res + ": " + d.decision;
  }
  run.fail("role-s3-permissions", "role " + role->role_name + " is denied " + saw + " — " + how,
           fix);
}

void check_caller_permissions(Run& run) {
  if (!run.aws_mode || run.report.caller_arn.empty() || run.report.role_arn.empty()) return;
  auto role = role_of(run);
  if (!role.ok()) return;
  const std::string source = iam::simulation_source_arn(run.report.caller_arn);
  const json policy = setup::caller_policy(run.report.role_arn, role->domain_arn);
  auto arn = aws::parse_arn(source);
  std::string attach = "attach this policy to " + source + ": " + policy.dump();
  if (arn.ok() && arn->resource.rfind("user/", 0) == 0)
    attach = "aws iam put-user-policy --user-name " +
             arn->resource.substr(arn->resource.rfind('/') + 1) +
             " --policy-name essnap-snapshot-caller --policy-document " +
             shell_quote(policy.dump());
  else if (arn.ok() && arn->resource.rfind("role/", 0) == 0)
    attach = "aws iam put-role-policy --role-name " +
             arn->resource.substr(arn->resource.rfind('/') + 1) +
             " --policy-name essnap-snapshot-caller --policy-document " +
             shell_quote(policy.dump());
  if (run.simulation_unavailable) {
    run.warn("caller-permissions",
             "could not check: IAM SimulatePrincipalPolicy is not available (" +
                 *run.simulation_unavailable + ")",
             attach + " (if it lacks them)");
    return;
  }
  auto pass =
      run.c.iam->simulate_principal_policy({source, {"iam:PassRole"}, {run.report.role_arn}});
  auto put =
      pass.ok()
          ? run.c.iam->simulate_principal_policy({source, {"es:ESHttpPut"}, {role->domain_arn}})
          : Result<iam::SimulatePrincipalPolicyResponse>(pass.error());
  if (!pass.ok() || !put.ok()) {
    const Error& e = !pass.ok() ? pass.error() : put.error();
    run.unreadable("caller-permissions", "IAM SimulatePrincipalPolicy for " + source, e,
                   attach + " (if it lacks them)");
    return;
  }
  std::string denied;
  for (const auto* sim : {&pass.value(), &put.value()})
    for (const auto& r : sim->results)
      if (r.decision != "allowed")
        denied +=
            (denied.empty() ? "" : ", ") + r.action + " on " + r.resource + " (" + r.decision + ")";
  if (!denied.empty()) {
    run.fail("caller-permissions",
             source + " is denied " + denied +
                 ": registering the repository fails (iam:PassRole belongs on the caller, not in "
                 "a bucket policy)",
             attach);
    return;
  }
  run.ok("caller-permissions",
         source + " may pass " + run.report.role_arn + " and PUT to " + role->domain_arn);
}

}  // namespace essnap::doctor
