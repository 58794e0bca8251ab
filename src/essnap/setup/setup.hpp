// `essnap setup`: a snapshot repository made ready in one idempotent command — the bucket, the
// IAM role the managed service assumes, the caller's right to pass it, registration and
// verification. Plan -> print -> execute: plan_setup() does every read and returns the plan as
// data (items, each naming the mutating call it stands for and its document); conflicts stop it
// before anything changes; execute() performs the calls; a dry run returns the plan unexecuted.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "essnap/aws/sts.hpp"
#include "essnap/cluster/client.hpp"
#include "essnap/iam/iam.hpp"
#include "essnap/s3/client.hpp"
#include "essnap/setup/documents.hpp"
#include "essnap/util/result.hpp"

namespace essnap::setup {

// What each item of the plan found or did.
enum class Outcome {
  kInPlace,      // already as wanted: nothing to do
  kCreated,      // created / configured now
  kUpdated,      // changed now (--fix)
  kWouldCreate,  // dry run
  kWouldUpdate,  // dry run, --fix
  kChecked,      // a check that passed (verify, permissions)
  kNote,         // could not check; the detail says why and what to do
};
const char* to_string(Outcome o);

// The call an item stands for, performed by execute(). Its arguments are the item's document
// (what a dry run prints is what is sent) and the plan's Target.
enum class Action {
  kNone,  // a check or an item already in place
  kCreateBucket,
  kPutPublicAccessBlock,
  kPutBucketEncryption,
  kCreateRole,
  kUpdateAssumeRolePolicy,
  kPutRolePolicy,
  kPutRepository,
  kVerifyRepository,  // a read, after the writes: it needs the repository registered
};

struct PlanItem {
  std::string step = {};  // "cluster", "bucket", "role", "permissions", "repository", "verify"
  std::string what = {};  // "bucket s3://b", "public access block", "trust policy", ...
  Outcome outcome = Outcome::kInPlace;
  std::string detail = {};            // one line for humans
  std::string call = {};              // "PUT https://…": the mutating call, when there is one
  nlohmann::json document = nullptr;  // the JSON (or null) that call sends
  Action action = Action::kNone;
};

// What the calls act on, the same for every item.
struct Target {
  std::string bucket = {};
  std::string region = {};
  s3::BucketEncryption encryption = {};
  std::string role_name = {};
  std::string repository = {};
};

// Everything planning found and decided; no client is referenced.
struct Plan {
  std::vector<PlanItem> items = {};
  Target target = {};
  nlohmann::json trust_policy = nullptr;
  nlohmann::json role_policy = nullptr;
  nlohmann::json caller_policy = nullptr;    // iam:PassRole + es:ESHttpPut, for the caller
  nlohmann::json repository_body = nullptr;  // what PUT _snapshot/NAME sends (type s3 in AWS mode)
  nlohmann::json registered_body =
      nullptr;  // what is really sent (differs only under the test override)
  std::string role_arn = {};
  std::string caller_arn = {};
  std::string account_id = {};
  std::vector<std::string> next_commands = {};
  bool dry_run = false;
  // The role also reaches OpenSearch's HASHED_PREFIX shard folders beside the prefix
  // (documents.hpp); decided from the cluster's engine and version and --shard-path-type.
  HashedPrefixGrant hashed_prefix = HashedPrefixGrant::kNo;
};

// The plan after execute(): the items carry their final outcomes.
struct SetupReport : Plan {
  int mutating_calls = 0;  // made (0 on a dry run or a second run)
};

struct SetupClients {
  s3::Client* s3 = nullptr;       // not needed for kSelfManagedFs
  iam::IamClient* iam = nullptr;  // kAwsManaged only
  aws::StsClient* sts = nullptr;  // kAwsManaged only
  cluster::Client* cluster = nullptr;
};

// Checks the options (names, combinations) without any call and before the region is known.
Status validate_names(const SetupOptions& options);
// validate_names, and what needs the region: it is known, and a --role ARN is of its partition.
Status validate(const SetupOptions& options);

// Every read; no change. A conflict (a differing role or repository without --fix, a bucket
// elsewhere, a denied PassRole) is an error listing all of them.
Result<Plan> plan_setup(const SetupOptions& options, const SetupClients& clients);

// The plan's calls in order, then the verification; stops at the first failure. A dry-run plan
// comes back as its report, unexecuted.
Result<SetupReport> execute(Plan plan, const SetupClients& clients);

// validate -> plan -> execute (a dry run: the plan, unexecuted). On a conflict found while
// planning, returns the error and has changed nothing.
Result<SetupReport> run_setup(const SetupOptions& options, const SetupClients& clients);

}  // namespace essnap::setup
