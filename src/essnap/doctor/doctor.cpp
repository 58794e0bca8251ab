// run_doctor: the checks in order, each given what the earlier ones read.
#include "essnap/doctor/doctor.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include "essnap/cluster/repository.hpp"
#include "essnap/doctor/checks.hpp"
#include "essnap/setup/setup.hpp"
#include "essnap/util/strings.hpp"

namespace essnap::doctor {

const char* to_string(CheckStatus s) {
  switch (s) {
    case CheckStatus::kOk:
      return "ok";
    case CheckStatus::kWarn:
      return "warn";
    case CheckStatus::kFail:
      return "fail";
  }
  return "?";
}

CheckStatus DoctorReport::worst() const {
  CheckStatus w = CheckStatus::kOk;
  for (const auto& c : checks)
    if (static_cast<int>(c.status) > static_cast<int>(w)) w = c.status;
  return w;
}

nlohmann::json to_json(const Check& c) {
  nlohmann::json j = {{"id", c.id}, {"status", to_string(c.status)}, {"saw", c.saw}};
  j["fix"] = c.fix.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.fix);
  return j;
}

std::vector<std::string> resolve_host(const std::string& host) {
  std::vector<std::string> out;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (::getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0) return out;
  for (addrinfo* a = res; a; a = a->ai_next) {
    char buf[INET6_ADDRSTRLEN] = {};
    const void* src =
        a->ai_family == AF_INET
            ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr)
            : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr);
    if (::inet_ntop(a->ai_family, src, buf, sizeof buf)) {
      std::string s = buf;
      bool seen = false;
      for (const auto& o : out) seen = seen || o == s;
      if (!seen) out.push_back(s);
    }
  }
  ::freeaddrinfo(res);
  return out;
}

bool is_private_address(const std::string& address) {
  in_addr v4{};
  if (::inet_pton(AF_INET, address.c_str(), &v4) == 1) {
    const unsigned char* b = reinterpret_cast<const unsigned char*>(&v4.s_addr);
    return b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168) ||
           (b[0] == 100 && (b[1] & 0xc0) == 64);
  }
  in6_addr v6{};
  if (::inet_pton(AF_INET6, address.c_str(), &v6) == 1) return (v6.s6_addr[0] & 0xfe) == 0xfc;
  return false;
}

const std::vector<std::string>& check_ids() {
  static const std::vector<std::string> ids = {
      "identity",           "cluster-reachable",   "repository-plugin",
      "fgac-mapping",       "repository-settings", "in-flight",
      "snapshot-policies",  "role-trust",          "role-s3-permissions",
      "caller-permissions", "bucket-region",       "bucket-owner",
      "lifecycle",          "intelligent-tiering", "versioning",
      "object-lock",        "replication",         "encryption"};
  return ids;
}

Result<DoctorReport> run_doctor(const DoctorOptions& o, const DoctorClients& c) {
  ESSNAP_TRY_STATUS(setup::validate_names(o.setup));
  for (const auto& s : o.skip) {
    bool known = false;
    for (const auto& id : check_ids()) known = known || id == s;
    if (!known)
      return make_error(
          ErrorCode::kInvalidArgument, "--skip " + s + ": no such check", "the checks are: " + [] {
            std::string all;
            for (const auto& id : check_ids()) all += (all.empty() ? "" : ", ") + id;
            return all;
          }());
  }
  const auto mode = o.setup.mode;
  if (!c.cluster) return make_error(ErrorCode::kInternal, "doctor needs a cluster client");
  if (mode != setup::SetupMode::kSelfManagedFs && !c.s3)
    return make_error(ErrorCode::kInternal, "doctor needs an S3 client");
  if (mode == setup::SetupMode::kAwsManaged && (!c.iam || !c.sts))
    return make_error(ErrorCode::kInternal, "doctor needs IAM and STS clients for a domain");

  DoctorReport report;
  Run run{o, c, report};
  run.aws_mode = mode == setup::SetupMode::kAwsManaged;
  run.s3_mode = mode != setup::SetupMode::kSelfManagedFs;

  using Fn = void (*)(Run&);
  const std::vector<std::pair<std::string, Fn>> checks = {
      {"identity", check_identity},
      {"cluster-reachable", check_cluster_reachable},
      {"repository-plugin", check_repository_plugin},
      {"fgac-mapping", check_fgac},
      {"repository-settings", check_repository_settings},
      {"in-flight", check_in_flight},
      {"snapshot-policies", check_snapshot_policies},
      {"role-trust", check_role_trust},
      {"role-s3-permissions", check_role_permissions},
      {"caller-permissions", check_caller_permissions},
      {"bucket-region", check_bucket_region},
      {"bucket-owner", check_bucket_owner},
      {"lifecycle", check_lifecycle},
      {"intelligent-tiering", check_intelligent_tiering},
      {"versioning", check_versioning},
      {"object-lock", check_object_lock},
      {"replication", check_replication},
      {"encryption", check_encryption},
  };
  for (const auto& [id, fn] : checks) {
    if (run.skipped(id)) continue;
    fn(run);
  }
  return report;
}

// --- Run helpers -------------------------------------------------------------------------------

void Run::unreadable(const std::string& id, const std::string& what, const Error& e,
                     std::string fix) {
  std::string why = e.message;
  if (e.remote && !e.remote->error_type.empty() &&
      why.find(e.remote->error_type) == std::string::npos)
    why += " (" + e.remote->error_type + ")";
  warn(id, "could not check: " + what + " failed: " + why, std::move(fix));
}

std::string Run::bucket_uri() const {
  return "s3://" + o.setup.bucket + (o.setup.prefix.empty() ? "" : "/" + o.setup.prefix);
}

format::ShardPathType Run::shard_layout() const {
  if (repository) {
    const auto settings = repository->value("settings", nlohmann::json::object());
    if (settings.is_object() && settings.contains("shard_path_type") &&
        settings["shard_path_type"].is_string())
      if (auto t = format::parse_shard_path_type(settings["shard_path_type"].get<std::string>()))
        return *t;
  }
  if (o.setup.shard_path_type) return *o.setup.shard_path_type;
  if (info && info->distribution == cluster::Distribution::kOpenSearch &&
      setup::engine_shard_paths(true, info->version.major, info->version.minor).hashed_default)
    return format::ShardPathType::kHashedPrefix;
  return format::ShardPathType::kFixed;
}

setup::HashedPrefixGrant Run::hashed_grant() const {
  return shard_layout() == format::ShardPathType::kHashedPrefix && !o.setup.prefix.empty()
             ? setup::HashedPrefixGrant::kYes
             : setup::HashedPrefixGrant::kNo;
}

std::string Run::prefix_slash() const {
  return o.setup.prefix.empty() ? "" : o.setup.prefix + "/";
}

std::string Run::setup_command() const {
  std::string cmd = "essnap setup" + o.target_words;
  if (o.setup.mode == setup::SetupMode::kSelfManagedFs)
    cmd += " --fs " + shell_quote(o.setup.fs_location);
  else
    cmd += " --bucket " + bucket_uri();
  cmd += " --repository " + o.setup.repository;
  if (!o.setup.role.empty()) cmd += " --role " + o.setup.role;
  return cmd;
}

std::string shell_quote(const std::string& s) {
  return util::shell_word(s);
}

}  // namespace essnap::doctor
