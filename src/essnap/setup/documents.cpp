#include "essnap/setup/documents.hpp"

#include <cctype>

#include "essnap/util/url.hpp"

namespace essnap::setup {

using nlohmann::json;

json trust_policy(const std::string& account_id, const aws::Partition& partition) {
  json st = {{"Effect", "Allow"},
             {"Principal", {{"Service", std::string(partition.search_principal)}}},
             {"Action", "sts:AssumeRole"}};
  // Confused-deputy guard: only domains of this account may assume the role.
  if (!account_id.empty())
    st["Condition"] = {{"StringEquals", {{"aws:SourceAccount", account_id}}}};
  return {{"Version", "2012-10-17"}, {"Statement", json::array({st})}};
}

EngineShardPaths engine_shard_paths(bool opensearch, int major, int minor) {
  if (!opensearch) return {};
  return {.settable = major > 2 || (major == 2 && minor >= 17), .hashed_default = major >= 3};
}

HashedPrefixGrant hashed_prefix_grant(const SetupOptions& o, EngineShardPaths engine) {
  if (!engine.settable || o.prefix.empty() || o.mode == SetupMode::kSelfManagedFs)
    return HashedPrefixGrant::kNo;
  const bool hashed = o.shard_path_type ? *o.shard_path_type == format::ShardPathType::kHashedPrefix
                                        : engine.hashed_default;
  return hashed ? HashedPrefixGrant::kYes : HashedPrefixGrant::kNo;
}

std::string hashed_prefix_key_pattern(const std::string& prefix) {
  return "*/" + prefix + "/indices/*";
}

json role_policy(const aws::Partition& partition, const std::string& bucket,
                 const std::string& prefix, const std::string& kms_key, HashedPrefixGrant hashed) {
  const std::string bucket_arn = aws::bucket_arn(partition, bucket);
  const bool reach = hashed == HashedPrefixGrant::kYes && !prefix.empty();
  json list = {{"Sid", "ListSnapshotBucket"},
               {"Effect", "Allow"},
               {"Action", "s3:ListBucket"},
               {"Resource", bucket_arn}};
  if (!prefix.empty())
    list["Condition"] = {
        {"StringLike",
         {{"s3:prefix", reach ? json::array({prefix + "/*", hashed_prefix_key_pattern(prefix)})
                              : json(prefix + "/*")}}}};
  const std::string inside = bucket_arn + "/" + (prefix.empty() ? "" : prefix + "/") + "*";
  json objects = {
      {"Sid", "ReadWriteSnapshots"},
      {"Effect", "Allow"},
      {"Action", {"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}},
      {"Resource", reach
                       ? json::array({inside, bucket_arn + "/" + hashed_prefix_key_pattern(prefix)})
                       : json(inside)}};
  json statements = json::array({list, objects});
  if (!kms_key.empty())
    statements.push_back({{"Sid", "UseSnapshotKey"},
                          {"Effect", "Allow"},
                          {"Action", {"kms:GenerateDataKey", "kms:Decrypt"}},
                          {"Resource", kms_key}});
  return {{"Version", "2012-10-17"}, {"Statement", statements}};
}

json role_policy(std::string_view partition_id, const std::string& bucket,
                 const std::string& prefix, const std::string& kms_key, HashedPrefixGrant hashed) {
  const aws::Partition* p = aws::partition_by_id(partition_id);
  return role_policy(p ? *p : aws::partition_for_region(""), bucket, prefix, kms_key, hashed);
}

json caller_policy(const std::string& role_arn, const std::string& domain_arn) {
  return {{"Version", "2012-10-17"},
          {"Statement", json::array({{{"Sid", "PassSnapshotRole"},
                                      {"Effect", "Allow"},
                                      {"Action", "iam:PassRole"},
                                      {"Resource", role_arn}},
                                     {{"Sid", "RegisterSnapshotRepository"},
                                      {"Effect", "Allow"},
                                      {"Action", "es:ESHttpPut"},
                                      {"Resource", domain_arn}}})}};
}

std::string default_role_name(const std::string& repository) {
  std::string name = "essnap-snapshots-";
  for (char c : repository) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '=' ||
                    c == ',' || c == '.' || c == '@' || c == '-' || c == '_';
    name += ok ? c : '-';
  }
  if (name.size() > 64) name.resize(64);
  return name;
}

std::string domain_name_from_endpoint(const std::string& endpoint_url) {
  auto u = util::parse_url(endpoint_url, util::UrlChars::kRaw);
  if (!u.ok()) return {};
  const std::string& host = u->host;
  if (host.rfind("search-", 0) != 0 && host.rfind("vpc-", 0) != 0) return {};
  auto first_dot = host.find('.');
  std::string label = host.substr(host.find('-') + 1, first_dot - host.find('-') - 1);
  auto dash = label.rfind('-');  // the generated id after the last '-'
  return dash == std::string::npos ? std::string() : label.substr(0, dash);
}

json repository_body(const SetupOptions& o, const std::string& role_arn) {
  if (o.mode == SetupMode::kSelfManagedFs) {
    json fs = {{"type", "fs"},
               {"settings", {{"location", o.fs_location}, {"readonly", o.readonly}}}};
    if (o.shard_path_type)
      fs["settings"]["shard_path_type"] =
          std::string(format::shard_path_type_name(*o.shard_path_type));
    return fs;
  }
  json settings = {{"bucket", o.bucket}};
  if (!o.prefix.empty()) settings["base_path"] = o.prefix;
  if (o.mode == SetupMode::kAwsManaged) {
    // The managed service reaches S3 itself; a non-AWS endpoint (tests) is named explicitly.
    if (!o.s3_endpoint.empty())
      settings["endpoint"] = o.s3_endpoint;
    else
      settings["region"] = o.region;
    settings["role_arn"] = role_arn;
  } else if (!o.s3_client.empty()) {
    settings["client"] = o.s3_client;
  }
  settings["server_side_encryption"] = true;
  settings["readonly"] = o.readonly;
  if (o.shard_path_type)
    settings["shard_path_type"] = std::string(format::shard_path_type_name(*o.shard_path_type));
  return {{"type", "s3"}, {"settings", settings}};
}

Result<std::string> role_name(const SetupOptions& o) {
  std::string name = o.role.empty() ? default_role_name(o.repository) : o.role;
  if (o.role.rfind("arn:", 0) == 0) {
    ESSNAP_TRY(auto arn, aws::parse_arn(o.role));
    if (arn.service != "iam" || arn.resource.rfind("role/", 0) != 0)
      return make_error(ErrorCode::kInvalidArgument, "--role " + o.role + " is not an IAM role ARN",
                        "pass a role name, or an ARN like arn:aws:iam::111122223333:role/NAME");
    // role/path/name -> name: GetRole and PutRolePolicy take the bare name.
    name = arn.resource.substr(arn.resource.rfind('/') + 1);
  }
  if (name.empty() || name.size() > 64)
    return make_error(ErrorCode::kInvalidArgument,
                      "invalid role name '" + name + "': 1 to 64 characters");
  return name;
}

Result<RoleTarget> role_target(const SetupOptions& o, const std::string& account_id) {
  const aws::Partition& partition = aws::partition_for_region(o.region);
  ESSNAP_TRY(std::string name, role_name(o));
  std::string arn = aws::role_arn(partition, account_id, name);
  if (o.role.rfind("arn:", 0) == 0) {
    // A role of another partition would not be found there, and one of that name created.
    arn = o.role;
    if (aws::parse_arn(arn)->partition != partition.id)
      return make_error(ErrorCode::kInvalidArgument,
                        "--role " + arn + " is not in partition " + std::string(partition.id) +
                            ", where region " + o.region + " is",
                        "a domain can only assume a role of its own partition");
  }
  const std::string domain = domain_name_from_endpoint(o.domain_endpoint);
  return RoleTarget{
      .role_name = std::move(name),
      .role_arn = std::move(arn),
      .domain_arn = aws::domain_arn(o.region, account_id, domain.empty() ? "*" : domain + "/*")};
}

Result<PolicyDocuments> policy_documents(const SetupOptions& o, const std::string& account_id) {
  ESSNAP_TRY(auto role, role_target(o, account_id));
  const aws::Partition& partition = aws::partition_for_region(o.region);
  PolicyDocuments d{.trust_policy = trust_policy(account_id, partition),
                    // No cluster is asked: written for OpenSearch 3.x (a superset of what
                    // Elasticsearch and OpenSearch 2.x need).
                    .role_policy = role_policy(partition, o.bucket, o.prefix, o.kms_key,
                                               hashed_prefix_grant(o, {true, true})),
                    .caller_policy = caller_policy(role.role_arn, role.domain_arn),
                    .repository_body = repository_body(o, role.role_arn)};
  d.role = std::move(role);
  return d;
}

}  // namespace essnap::setup
