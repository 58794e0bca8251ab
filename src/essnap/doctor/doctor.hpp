// `essnap doctor`: every way a snapshot set-up is known to fail silently, checked together and
// read-only — the caller, the cluster (reachable, repository plugin, fine-grained access control,
// work in flight, SM/SLM policies, the repository's settings), the snapshot role (trust, S3 and
// KMS permissions by policy simulation) and the bucket (region, owner, lifecycle, tiering,
// versioning, Object Lock, replication, encryption). Each check says what it saw and the exact
// fix. No call here changes anything: GETs, HEADs and the query protocol's read actions only.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "essnap/aws/sts.hpp"
#include "essnap/cluster/client.hpp"
#include "essnap/iam/iam.hpp"
#include "essnap/s3/client.hpp"
#include "essnap/setup/options.hpp"
#include "essnap/util/result.hpp"

namespace essnap::doctor {

enum class CheckStatus { kOk, kWarn, kFail };
const char* to_string(CheckStatus s);

struct Check {
  std::string id;  // "identity", "cluster-reachable", "lifecycle", ...
  CheckStatus status = CheckStatus::kOk;
  std::string saw;  // what the check found, one or a few lines
  std::string fix;  // empty when ok: a runnable command, a policy statement or a console path
};

struct DoctorReport {
  std::vector<Check> checks;
  std::string caller_arn, account_id, role_arn;
  CheckStatus worst() const;
};

// Resolves a host name to its addresses ("10.0.1.2", "fd00::1"); an empty list when it does not
// resolve. Injected so that tests can answer with a VPC's private addresses.
using Resolver = std::function<std::vector<std::string>(const std::string& host)>;
std::vector<std::string> resolve_host(const std::string& host);
// RFC 1918 (10/8, 172.16/12, 192.168/16), RFC 6598 (100.64/10) and IPv6 unique-local (fc00::/7).
bool is_private_address(const std::string& address);

struct DoctorOptions {
  // The set-up as `essnap setup` takes it (mode, repository, bucket and prefix, region, role,
  // domain endpoint, a non-AWS S3 endpoint).
  setup::SetupOptions setup;
  // How the user reaches this cluster, as words for the `essnap` commands in fixes
  // (" --domain-endpoint https://…"), and the S3 bucket as given ("s3://b/p").
  std::string target_words;
  // The same cluster as words for `essnap request` / `essnap snapshot` (" --url https://…").
  std::string request_words;
  // Test-only (ESSNAP_SETUP_REGISTER_AS_FS_PATH): the repository is expected as type fs at
  // PATH/REPOSITORY instead of type s3 on the bucket.
  std::string expect_fs_path;
  std::set<std::string> skip;  // check ids not to run
};

struct DoctorClients {
  cluster::Client* cluster = nullptr;
  s3::Client* s3 = nullptr;       // S3 modes
  iam::IamClient* iam = nullptr;  // AWS-managed mode
  aws::StsClient* sts = nullptr;  // S3 modes (the caller's account)
  Resolver resolver;              // default: resolve_host
};

// Every check, in a fixed order. An Error only for input that cannot be checked at all (bad
// names, missing clients); a check that cannot read what it needs is a warning saying why.
Result<DoctorReport> run_doctor(const DoctorOptions& options, const DoctorClients& clients);

// The ids of every check, in the order run_doctor runs them (for --skip and --help).
const std::vector<std::string>& check_ids();

nlohmann::json to_json(const Check& check);

}  // namespace essnap::doctor
