// validate -> plan (the cluster, the caller, then each step's reads) -> execute (each item's
// call, then verification).
#include "essnap/setup/setup.hpp"

#include "essnap/cluster/repository.hpp"
#include "essnap/setup/documents.hpp"
#include "essnap/setup/steps.hpp"

namespace essnap::setup {
namespace {

Target target_of(const SetupOptions& o) {
  Target t{.bucket = o.bucket, .region = o.region, .repository = o.repository};
  if (!o.kms_key.empty()) t.encryption = {"aws:kms", o.kms_key};
  return t;
}

std::vector<std::string> next_commands(const std::string& repository, const std::string& url) {
  return {
      "essnap snapshot create '<snap-{now/d}>' -r " + repository + " --url " + url + " --wait",
      "essnap snapshot list -r " + repository + " --url " + url,
      "essnap restore SNAPSHOT -r " + repository + " --url " + url + " -i INDEX --dry-run",
  };
}

Status check_clients(const SetupOptions& o, const SetupClients& c) {
  if (!c.cluster) return make_error(ErrorCode::kInternal, "setup needs a cluster client");
  if (o.mode == SetupMode::kAwsManaged && (!c.sts || !c.iam || !c.s3))
    return make_error(ErrorCode::kInternal, "AWS setup needs S3, IAM and STS clients");
  if (o.mode != SetupMode::kSelfManagedFs && !c.s3)
    return make_error(ErrorCode::kInternal, "setup needs an S3 client");
  return ok_status();
}

Error conflict_error(const Conflicts& conflicts) {
  std::string msg = "the existing set-up differs from what essnap would create:";
  for (const auto& s : conflicts) msg += "\n  " + s;
  return make_error(ErrorCode::kConflict, msg,
                    "run again with --fix to change it (review the diff first); nothing was "
                    "changed");
}

template <typename Client>
Result<Client*> need(Client* client, const PlanItem& item) {
  if (!client)
    return make_error(ErrorCode::kInternal, "no client for " + item.step + " (" + item.what + ")");
  return client;
}

Status perform(PlanItem& item, const Plan& plan, const SetupClients& c) {
  switch (item.action) {
    case Action::kNone:
      return ok_status();
    case Action::kCreateBucket:
    case Action::kPutPublicAccessBlock:
    case Action::kPutBucketEncryption: {
      ESSNAP_TRY(auto* s3, need(c.s3, item));
      return perform_bucket(item, plan.target, *s3);
    }
    case Action::kCreateRole:
    case Action::kUpdateAssumeRolePolicy:
    case Action::kPutRolePolicy: {
      ESSNAP_TRY(auto* iam, need(c.iam, item));
      return perform_role(item, plan.target, *iam);
    }
    case Action::kPutRepository: {
      ESSNAP_TRY(auto* cluster, need(c.cluster, item));
      return perform_repository(item, plan, *cluster);
    }
    case Action::kVerifyRepository: {
      ESSNAP_TRY(auto* cluster, need(c.cluster, item));
      return perform_verify(item, plan, *cluster);
    }
  }
  return make_error(ErrorCode::kInternal, "unknown setup action");
}

// How to take back one change execute() made, as a command the user can run.
std::string undo_command(const PlanItem& item, const Plan& plan, const SetupClients& c) {
  const Target& t = plan.target;
  const bool created = item.outcome == Outcome::kCreated;
  switch (item.action) {
    case Action::kCreateBucket:
      return "aws s3 rb s3://" + t.bucket;
    case Action::kPutPublicAccessBlock:
      return "aws s3api delete-public-access-block --bucket " + t.bucket;
    case Action::kPutBucketEncryption:
      return "aws s3api delete-bucket-encryption --bucket " + t.bucket;
    case Action::kCreateRole:
      return "aws iam delete-role-policy --role-name " + t.role_name + " --policy-name " +
             kRolePolicyName + "; aws iam delete-role --role-name " + t.role_name;
    case Action::kUpdateAssumeRolePolicy:
      return "restore the trust policy of " + t.role_name +
             " shown as 'has' by the plan (aws iam update-assume-role-policy)";
    case Action::kPutRolePolicy:
      return "aws iam delete-role-policy --role-name " + t.role_name + " --policy-name " +
             kRolePolicyName;
    case Action::kPutRepository:
      return created ? "essnap repo remove " + t.repository + " --yes --url " +
                           (c.cluster ? c.cluster->base_url() : std::string("URL"))
                     : "register " + t.repository + " again with its previous settings";
    case Action::kNone:
    case Action::kVerifyRepository:
      break;
  }
  return {};
}

// A failure after the first change: the error says what was already changed, and how to undo
// each change (or that running the same command again continues from where it stopped, since
// every step checks what is in place first).
Error account_for_changes(Error e, const SetupReport& rep, const SetupClients& c) {
  std::string changed, undo;
  for (const auto& item : rep.items) {
    if (item.outcome != Outcome::kCreated && item.outcome != Outcome::kUpdated) continue;
    changed += "\n    " + std::string(to_string(item.outcome)) + ": " + item.step + " " + item.what;
    if (auto u = undo_command(item, rep, c); !u.empty()) undo += "\n    " + u;
  }
  if (changed.empty()) {
    e.hint = e.hint.empty() ? "nothing was changed" : e.hint + "; nothing was changed";
    return e;
  }
  e.message += "\n  already changed before the failure:" + changed;
  if (!undo.empty()) e.message += "\n  to undo (newest last; reverse order):" + undo;
  e.hint = (e.hint.empty() ? "" : e.hint + "; ") +
           std::string(
               "or fix the cause and run the same setup command again: it keeps what is "
               "in place and continues");
  return e;
}

}  // namespace

const char* to_string(Outcome o) {
  switch (o) {
    case Outcome::kInPlace:
      return "already in place";
    case Outcome::kCreated:
      return "created";
    case Outcome::kUpdated:
      return "updated";
    case Outcome::kWouldCreate:
      return "would create";
    case Outcome::kWouldUpdate:
      return "would update";
    case Outcome::kChecked:
      return "ok";
    case Outcome::kNote:
      return "note";
  }
  return "?";
}

Status validate_names(const SetupOptions& o) {
  ESSNAP_TRY_STATUS(cluster::validate_repository_name(o.repository));
  if (o.mode != SetupMode::kSelfManagedFs) {
    if (o.bucket.empty())
      return make_error(ErrorCode::kInvalidArgument, "--bucket s3://BUCKET[/PREFIX] is required");
    ESSNAP_TRY_STATUS(s3::validate_bucket_name(o.bucket));
  } else if (o.fs_location.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "--fs PATH is required for a file system repository");
  }
  if (o.mode == SetupMode::kAwsManaged) ESSNAP_TRY_STATUS(role_name(o));
  if (!o.kms_key.empty() && o.mode == SetupMode::kSelfManagedFs)
    return make_error(ErrorCode::kInvalidArgument, "--kms-key applies to S3 buckets only");
  return ok_status();
}

Status validate(const SetupOptions& o) {
  ESSNAP_TRY_STATUS(validate_names(o));
  if (o.mode != SetupMode::kAwsManaged) return ok_status();
  if (o.region.empty())
    return make_error(ErrorCode::kInvalidArgument,
                      "no region: pass --region, or use the domain's *.es.amazonaws.com endpoint");
  ESSNAP_TRY_STATUS(role_target(o, ""));
  return ok_status();
}

namespace {

// The "layout" item: where the engine will write shard data, and what the role is granted for
// it (docs/REPOSITORY_FORMAT.md §7).
PlanItem layout_item(const SetupOptions& o, EngineShardPaths engine, const Plan& plan) {
  PlanItem item{.step = "layout", .what = "shard paths", .outcome = Outcome::kChecked};
  const std::string p = o.prefix;
  const std::string under = p.empty() ? std::string("the bucket root") : p + "/";
  if (o.mode == SetupMode::kSelfManagedFs) {
    item.detail = o.shard_path_type
                      ? "shard_path_type " +
                            std::string(format::shard_path_type_name(*o.shard_path_type)) +
                            " inside " + o.fs_location
                      : "shard data inside " + o.fs_location;
    return item;
  }
  if (!engine.settable) {
    item.detail = "shard data under " + under +
                  "indices/<id>/<shard>/ (no hashed shard paths on this engine)";
    return item;
  }
  const std::string chosen =
      o.shard_path_type ? std::string(format::shard_path_type_name(*o.shard_path_type)) : "";
  const std::string type = !chosen.empty()         ? chosen
                           : engine.hashed_default ? "left to the engine (hashed_prefix)"
                                                   : "left to the engine (fixed)";
  if (plan.hashed_prefix == HashedPrefixGrant::kYes) {
    item.detail = "shard_path_type " + type + ": shard data goes to <hash>/" + p +
                  "/indices/<id>/<shard>/, OUTSIDE " + p + "/; the role is also granted " +
                  hashed_prefix_key_pattern(p) +
                  " (the hash segment takes 2^20 values: it cannot be bounded further); "
                  "--shard-path-type hashed_infix keeps everything under " +
                  p + "/";
    return item;
  }
  const bool infix = chosen == "hashed_infix";
  const bool hashed =
      infix || (chosen.empty() && engine.hashed_default) || chosen == "hashed_prefix";
  item.detail = "shard_path_type " + type + ": shard data under " + under +
                (infix    ? "<hash>/indices/<id>/<shard>/"
                 : hashed ? "<hash>/indices/<id>/<shard>/ (no prefix: inside the bucket root)"
                          : "indices/<id>/<shard>/");
  return item;
}

}  // namespace

Status plan_cluster(const SetupOptions& o, cluster::Client& cluster, Plan& plan) {
  auto info = cluster.info();
  if (!info.ok()) {
    Error e = std::move(info).error();
    e.message = "cluster " + cluster.base_url() + " did not answer: " + e.message;
    e.hint = e.hint.empty() ? "check the URL and that the cluster is up; nothing was changed"
                            : e.hint + "; nothing was changed";
    return e;
  }
  plan.items.push_back(
      {.step = "cluster",
       .what = cluster.base_url(),
       .outcome = Outcome::kChecked,
       .detail = std::string(cluster::to_string(info->distribution)) + " " + info->version.text});
  const EngineShardPaths engine =
      engine_shard_paths(info->distribution == cluster::Distribution::kOpenSearch,
                         info->version.major, info->version.minor);
  if (o.shard_path_type && !engine.settable)
    return make_error(
        ErrorCode::kInvalidArgument,
        "--shard-path-type " + std::string(format::shard_path_type_name(*o.shard_path_type)) +
            ": " + std::string(cluster::to_string(info->distribution)) + " " + info->version.text +
            " has no shard_path_type repository setting (OpenSearch 2.17 and later only); "
            "nothing was changed",
        "leave out --shard-path-type: this engine writes shard data under the prefix");
  plan.hashed_prefix = hashed_prefix_grant(o, engine);
  plan.items.push_back(layout_item(o, engine, plan));
  return ok_status();
}

Status plan_identity(aws::StsClient& sts, Plan& plan) {
  ESSNAP_TRY(auto who, sts.get_caller_identity({}));
  plan.account_id = who.account;
  plan.caller_arn = who.arn;
  plan.items.push_back({.step = "identity",
                        .what = who.arn,
                        .outcome = Outcome::kChecked,
                        .detail = "account " + who.account});
  return ok_status();
}

Result<Plan> plan_setup(const SetupOptions& o, const SetupClients& c) {
  ESSNAP_TRY_STATUS(check_clients(o, c));
  Plan plan{.target = target_of(o), .dry_run = o.execution == Execution::kDryRun};
  Conflicts conflicts;
  // The cluster first: an unreachable cluster must stop us before anything is created. Then
  // who is calling: the account scopes the trust policy and names the role ARN.
  ESSNAP_TRY_STATUS(plan_cluster(o, *c.cluster, plan));
  if (o.mode == SetupMode::kAwsManaged) ESSNAP_TRY_STATUS(plan_identity(*c.sts, plan));
  if (o.mode != SetupMode::kSelfManagedFs) ESSNAP_TRY_STATUS(plan_bucket(o, *c.s3, plan));
  if (o.mode == SetupMode::kAwsManaged) {
    ESSNAP_TRY(auto role, role_target(o, plan.account_id));
    plan.target.role_name = role.role_name;
    ESSNAP_TRY_STATUS(plan_role(o, role, *c.iam, plan, conflicts));
    ESSNAP_TRY_STATUS(plan_permissions(role, *c.iam, plan));
  }
  ESSNAP_TRY_STATUS(plan_repository(o, *c.cluster, plan, conflicts));
  if (!conflicts.empty()) return conflict_error(conflicts);
  plan_verify(o, plan);
  plan.next_commands = next_commands(o.repository, c.cluster->base_url());
  return plan;
}

Result<SetupReport> execute(Plan plan, const SetupClients& clients) {
  SetupReport rep{std::move(plan)};
  // A dry-run plan is its own report: nothing is sent.
  if (rep.dry_run) return rep;
  for (auto& item : rep.items) {
    if (item.action == Action::kNone) continue;
    auto s = perform(item, rep, clients);
    if (!s.ok()) {
      Error e = std::move(s).error();
      // Verification explains itself; a failed change says which one.
      if (item.action != Action::kVerifyRepository)
        e.message = item.step + " (" + item.what + "): " + e.message;
      return account_for_changes(std::move(e), rep, clients);
    }
    if (item.action == Action::kVerifyRepository) continue;  // a read
    ++rep.mutating_calls;
    if (item.outcome == Outcome::kWouldUpdate)
      item.outcome = Outcome::kUpdated;
    else if (item.outcome == Outcome::kWouldCreate)
      item.outcome = Outcome::kCreated;
  }
  return rep;
}

Result<SetupReport> run_setup(const SetupOptions& options, const SetupClients& clients) {
  ESSNAP_TRY_STATUS(validate(options));
  ESSNAP_TRY(auto plan, plan_setup(options, clients));
  return execute(std::move(plan), clients);
}

}  // namespace essnap::setup
