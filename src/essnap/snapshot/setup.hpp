// `essnap setup`: a snapshot repository made ready in one idempotent command — the bucket, the
// IAM role the managed service assumes, the caller's right to pass it, registration and
// verification. Plan -> print -> execute: every read happens first and builds a plan of
// actions; conflicts stop it before anything changes; a dry run returns the plan unexecuted.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "essnap/cluster/client.hpp"
#include "essnap/iam/iam.hpp"
#include "essnap/aws/sts.hpp"
#include "essnap/s3/client.hpp"
#include "essnap/util/result.hpp"

namespace essnap::snapshot {

enum class SetupMode {
  kAwsManaged,     // Amazon OpenSearch Service / Elasticsearch Service: bucket, role, type s3
  kSelfManagedS3,  // own cluster with repository-s3: bucket, type s3 with the cluster's client
  kSelfManagedFs,  // own cluster, shared file system: type fs
};
enum class FixDrift { kNo, kYes };
enum class Execution { kExecute, kDryRun };

struct SetupOptions {
  SetupMode mode = SetupMode::kAwsManaged;
  std::string repository;
  std::string bucket;
  std::string prefix;   // base_path; empty: the bucket root
  std::string region;   // the bucket's (and the domain's) region
  std::string role;     // name or ARN; empty: essnap-snapshots-<repository>
  std::string kms_key;  // SSE-KMS key for the bucket's default encryption; empty: SSE-S3
  bool readonly = false;
  std::string s3_client;        // self-managed: the cluster's s3.client.NAME settings
  std::string s3_endpoint;      // a non-AWS S3 endpoint: sent as the repository's "endpoint"
  std::string fs_location;      // kSelfManagedFs
  std::string domain_endpoint;  // for messages and the domain ARN
  FixDrift fix = FixDrift::kNo;
  Execution execution = Execution::kExecute;
  // Test-only: register `type: fs` at this path instead of `type: s3` (the local stack's
  // OpenSearch has no repository-s3 plugin). The s3 body is still built and reported.
  std::string register_as_fs_path;
};

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

struct PlanItem {
  std::string step;  // "cluster", "bucket", "role", "permissions", "repository", "verify"
  std::string what;  // "bucket s3://b", "public access block", "trust policy", ...
  Outcome outcome = Outcome::kInPlace;
  std::string detail;       // one line for humans
  std::string call;         // "PUT https://…": the mutating call, when there is one
  nlohmann::json document;  // the JSON (or null) that call sends
  // The action; empty for checks and in-place items. It may turn its own item into a note
  // (an S3-compatible server without the API).
  std::function<Status(PlanItem&)> run;
};

struct SetupReport {
  std::vector<PlanItem> items;
  nlohmann::json trust_policy;
  nlohmann::json role_policy;
  nlohmann::json caller_policy;    // iam:PassRole + es:ESHttpPut, for the caller
  nlohmann::json repository_body;  // what PUT _snapshot/NAME sends (type s3 in AWS mode)
  nlohmann::json registered_body;  // what was really sent (differs only under the test override)
  std::string role_arn;
  std::string caller_arn;
  std::string account_id;
  std::vector<std::string> next_commands;
  int mutating_calls = 0;  // made (0 on a dry run or a second run)
  bool dry_run = false;
};

struct SetupClients {
  s3::Client* s3 = nullptr;       // not needed for kSelfManagedFs
  iam::IamClient* iam = nullptr;  // kAwsManaged only
  aws::StsClient* sts = nullptr;  // kAwsManaged only
  cluster::Client* cluster = nullptr;
};

// The documents, pure (exposed for --print-policies and for tests).
std::string partition_for(const std::string& region);
nlohmann::json trust_policy(const std::string& account_id);
// With a KMS key, the role may also use that key: S3 encrypts and decrypts the snapshot blobs
// with the caller's (the role's) permissions on it.
nlohmann::json role_policy(const std::string& partition, const std::string& bucket,
                           const std::string& prefix, const std::string& kms_key = {});
nlohmann::json caller_policy(const std::string& role_arn, const std::string& domain_arn);
nlohmann::json repository_body(const SetupOptions& options, const std::string& role_arn);
std::string default_role_name(const std::string& repository);
// "search-logs-abc123.us-east-1.es.amazonaws.com" -> "logs"; "" when not recognisable.
std::string domain_name_from_endpoint(const std::string& endpoint_url);
inline constexpr const char* kRolePolicyName = "essnap-snapshot-s3";

// Checks the options (names, combinations) without any call.
Status validate(const SetupOptions& options);

// Plan, then execute unless dry-run. On a conflict found while planning, returns the error and
// has changed nothing.
Result<SetupReport> run_setup(const SetupOptions& options, const SetupClients& clients);

}  // namespace essnap::snapshot
