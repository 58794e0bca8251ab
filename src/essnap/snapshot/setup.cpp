#include "essnap/snapshot/setup.hpp"

#include "essnap/aws/partition.hpp"

#include "essnap/cluster/repository.hpp"
#include "essnap/util/url.hpp"

namespace essnap::snapshot {
namespace {

using nlohmann::json;

std::string role_name_of(const std::string& role) {
  // arn:aws:iam::123:role/path/name -> name
  if (role.rfind("arn:", 0) == 0) {
    auto slash = role.rfind('/');
    return slash == std::string::npos ? role : role.substr(slash + 1);
  }
  return role;
}

bool is_not_implemented(const Error& e) {
  if (!e.remote) return false;
  return e.remote->http_status == 501 || e.remote->error_type == "NotImplemented" ||
         e.remote->error_type == "MethodNotAllowed";
}

// One line of a policy diff: what the role has against what it should have.
std::string diff_line(const std::string& what, const json& actual, const json& wanted) {
  return what + " differs:\n    has:    " + iam::normalize_policy(actual).dump() +
         "\n    wanted: " + iam::normalize_policy(wanted).dump();
}

bool trusts_service(const json& trust, const std::string& service) {
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

std::string partition_for(const std::string& region) {
  return std::string(aws::partition_for_region(region).id);
}

json trust_policy(const std::string& account_id) {
  json st = {{"Effect", "Allow"},
             {"Principal", {{"Service", "es.amazonaws.com"}}},
             {"Action", "sts:AssumeRole"}};
  // Confused-deputy guard: only domains of this account may assume the role.
  if (!account_id.empty())
    st["Condition"] = {{"StringEquals", {{"aws:SourceAccount", account_id}}}};
  return {{"Version", "2012-10-17"}, {"Statement", json::array({st})}};
}

json role_policy(const std::string& partition, const std::string& bucket, const std::string& prefix,
                 const std::string& kms_key) {
  const std::string bucket_arn = "arn:" + partition + ":s3:::" + bucket;
  json list = {{"Sid", "ListSnapshotBucket"},
               {"Effect", "Allow"},
               {"Action", "s3:ListBucket"},
               {"Resource", bucket_arn}};
  if (!prefix.empty()) list["Condition"] = {{"StringLike", {{"s3:prefix", prefix + "/*"}}}};
  json objects = {{"Sid", "ReadWriteSnapshots"},
                  {"Effect", "Allow"},
                  {"Action", {"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}},
                  {"Resource", bucket_arn + "/" + (prefix.empty() ? "" : prefix + "/") + "*"}};
  json statements = json::array({list, objects});
  if (!kms_key.empty())
    statements.push_back({{"Sid", "UseSnapshotKey"},
                          {"Effect", "Allow"},
                          {"Action", {"kms:GenerateDataKey", "kms:Decrypt"}},
                          {"Resource", kms_key}});
  return {{"Version", "2012-10-17"}, {"Statement", statements}};
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
  if (o.mode == SetupMode::kSelfManagedFs)
    return {{"type", "fs"}, {"settings", {{"location", o.fs_location}, {"readonly", o.readonly}}}};
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
  return {{"type", "s3"}, {"settings", settings}};
}

Status validate(const SetupOptions& o) {
  ESSNAP_TRY_STATUS(cluster::validate_repository_name(o.repository));
  if (o.mode != SetupMode::kSelfManagedFs) {
    if (o.bucket.empty())
      return make_error(ErrorCode::kInvalidArgument, "--bucket s3://BUCKET[/PREFIX] is required");
    ESSNAP_TRY_STATUS(s3::validate_bucket_name(o.bucket));
  } else if (o.fs_location.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "--fs PATH is required for a file system "
                      "repository");
  }
  if (o.mode == SetupMode::kAwsManaged) {
    if (o.region.empty())
      return make_error(
          ErrorCode::kInvalidArgument,
          "no region: pass --region, or use the domain's *.es.amazonaws.com endpoint");
    const std::string name =
        role_name_of(o.role.empty() ? default_role_name(o.repository) : o.role);
    if (name.empty() || name.size() > 64)
      return make_error(ErrorCode::kInvalidArgument,
                        "invalid role name '" + name + "': 1 to 64 characters");
  }
  if (!o.kms_key.empty() && o.mode == SetupMode::kSelfManagedFs)
    return make_error(ErrorCode::kInvalidArgument, "--kms-key applies to S3 buckets only");
  return ok_status();
}

Result<SetupReport> run_setup(const SetupOptions& o, const SetupClients& c) {
  ESSNAP_TRY_STATUS(validate(o));
  SetupReport rep;
  rep.dry_run = o.execution == Execution::kDryRun;
  std::vector<std::string> conflicts;
  auto add = [&](PlanItem item) { rep.items.push_back(std::move(item)); };
  const bool aws = o.mode == SetupMode::kAwsManaged;
  const bool uses_s3 = o.mode != SetupMode::kSelfManagedFs;
  const std::string partition = partition_for(o.region);

  // 1. The cluster first: an unreachable cluster must stop us before anything is created.
  if (!c.cluster) return make_error(ErrorCode::kInternal, "setup needs a cluster client");
  {
    auto info = c.cluster->info();
    if (!info.ok()) {
      Error e = std::move(info).error();
      e.message = "cluster " + c.cluster->base_url() + " did not answer: " + e.message;
      if (e.hint.empty())
        e.hint = "check the URL and that the cluster is up; nothing was changed";
      else
        e.hint += "; nothing was changed";
      return e;
    }
    add({"cluster",
         c.cluster->base_url(),
         Outcome::kChecked,
         std::string(cluster::to_string(info->distribution)) + " " + info->version.text,
         "",
         nullptr,
         {}});
  }

  // 2. Who is calling (the account scopes the trust policy and names the role ARN).
  if (aws) {
    if (!c.sts || !c.iam || !c.s3)
      return make_error(ErrorCode::kInternal, "AWS setup needs S3, IAM and STS clients");
    ESSNAP_TRY(auto who, c.sts->get_caller_identity({}));
    rep.account_id = who.account;
    rep.caller_arn = who.arn;
    add({"identity", who.arn, Outcome::kChecked, "account " + who.account, "", nullptr, {}});
  }

  // 3. The bucket.
  if (uses_s3) {
    if (!c.s3) return make_error(ErrorCode::kInternal, "setup needs an S3 client");
    s3::Client& s3c = *c.s3;
    const std::string b = o.bucket;
    const std::string uri = "s3://" + b + (o.prefix.empty() ? "" : "/" + o.prefix);
    s3::BucketEncryption enc;
    if (!o.kms_key.empty()) enc = {"aws:kms", o.kms_key};
    ESSNAP_TRY(auto head, s3c.head_bucket({b}));
    bool exists = false;
    if (head.access == s3::BucketAccess::kForbidden) {
      return make_error(ErrorCode::kConflict,
                        "bucket '" + b + "' exists but this identity may not use it",
                        "it belongs to another account, or the caller lacks s3:ListBucket on it; "
                        "choose another bucket name or grant access. Nothing was changed");
    }
    if (head.access == s3::BucketAccess::kAccessible) {
      exists = true;
      ESSNAP_TRY(auto loc, s3c.get_bucket_location({b}));
      const std::string region = !o.region.empty() ? o.region : loc.region;
      if (loc.region != region)
        return make_error(ErrorCode::kConflict,
                          "bucket '" + b + "' is in " + loc.region + ", not " + region,
                          "a domain can only use a bucket in its own region: pass --region " +
                              loc.region + " if the domain is there, or choose a bucket in " +
                              region + ". Nothing was changed");
      add({"bucket", uri, Outcome::kInPlace, "exists in " + loc.region, "", nullptr, {}});
    } else {
      PlanItem item{
          "bucket", uri, Outcome::kWouldCreate, "in " + o.region, "PUT " + s3c.object_url(b, ""),
          nullptr,  {}};
      if (o.region != "us-east-1")
        item.document = {{"CreateBucketConfiguration", {{"LocationConstraint", o.region}}}};
      item.run = [&s3c, b, region = o.region](PlanItem&) -> Status {
        ESSNAP_TRY(auto r, s3c.create_bucket({b, region}));
        (void)r;
        return ok_status();
      };
      add(std::move(item));
    }

    // Public access block.
    bool pab_in_place = false;
    std::string pab_note;
    if (exists) {
      auto pab = s3c.get_public_access_block({b});
      if (pab.ok())
        pab_in_place = pab->config && pab->config->all();
      else if (is_not_implemented(pab.error()))
        pab_note = "this S3 endpoint does not support it";
      else
        return std::move(pab).error();
    }
    if (!pab_note.empty()) {
      add({"bucket", "public access block", Outcome::kNote, pab_note, "", nullptr, {}});
    } else if (pab_in_place) {
      add({"bucket",
           "public access block",
           Outcome::kInPlace,
           "all four settings on",
           "",
           nullptr,
           {}});
    } else {
      PlanItem item{"bucket",
                    "public access block",
                    Outcome::kWouldCreate,
                    "all four settings on",
                    "PUT " + s3c.object_url(b, "", "publicAccessBlock="),
                    {{"BlockPublicAcls", true},
                     {"IgnorePublicAcls", true},
                     {"BlockPublicPolicy", true},
                     {"RestrictPublicBuckets", true}},
                    {}};
      item.run = [&s3c, b](PlanItem& self) -> Status {
        auto r = s3c.put_public_access_block({b, {}});
        // Some S3-compatible servers lack the API; the bucket is still private by default.
        if (!r.ok() && is_not_implemented(r.error())) {
          self.outcome = Outcome::kNote;
          self.detail = "this S3 endpoint does not support it";
          return ok_status();
        }
        return r.ok() ? ok_status() : Status(std::move(r).error());
      };
      add(std::move(item));
    }

    // Default encryption.
    std::optional<s3::BucketEncryption> current;
    std::string enc_note;
    if (exists) {
      auto got = s3c.get_bucket_encryption({b});
      if (got.ok())
        current = got->encryption;
      else if (is_not_implemented(got.error()))
        enc_note = "this S3 endpoint does not support it";
      else
        return std::move(got).error();
    }
    const std::string enc_text =
        enc.algorithm == "aws:kms" ? "SSE-KMS " + enc.kms_key_id : std::string("SSE-S3 (AES256)");
    if (!enc_note.empty()) {
      add({"bucket", "default encryption", Outcome::kNote, enc_note, "", nullptr, {}});
    } else if (current && *current == enc) {
      add({"bucket", "default encryption", Outcome::kInPlace, enc_text, "", nullptr, {}});
    } else if (current && o.fix == FixDrift::kNo) {
      add({"bucket",
           "default encryption",
           Outcome::kNote,
           "is " + current->algorithm +
               (current->kms_key_id.empty() ? "" : " " + current->kms_key_id) + ", not " +
               enc_text + "; left as it is (--fix changes it)",
           "",
           nullptr,
           {}});
    } else {
      json doc = {{"SSEAlgorithm", enc.algorithm}};
      if (!enc.kms_key_id.empty()) doc["KMSMasterKeyID"] = enc.kms_key_id;
      PlanItem item{"bucket",
                    "default encryption",
                    current ? Outcome::kWouldUpdate : Outcome::kWouldCreate,
                    enc_text,
                    "PUT " + s3c.object_url(b, "", "encryption="),
                    doc,
                    {}};
      item.run = [&s3c, b, enc](PlanItem& self) -> Status {
        auto r = s3c.put_bucket_encryption({b, enc});
        if (!r.ok() && is_not_implemented(r.error())) {
          self.outcome = Outcome::kNote;
          self.detail = "this S3 endpoint does not support it";
          return ok_status();
        }
        return r.ok() ? ok_status() : Status(std::move(r).error());
      };
      add(std::move(item));
    }
  }

  // 4. The role the domain assumes to reach the bucket.
  if (aws) {
    iam::IamClient& iamc = *c.iam;
    const std::string role_name =
        role_name_of(o.role.empty() ? default_role_name(o.repository) : o.role);
    rep.trust_policy = trust_policy(rep.account_id);
    rep.role_policy = role_policy(partition, o.bucket, o.prefix, o.kms_key);
    rep.role_arn = o.role.rfind("arn:", 0) == 0
                       ? o.role
                       : "arn:" + partition + ":iam::" + rep.account_id + ":role/" + role_name;
    auto role = iamc.get_role({role_name});
    const std::string iam_url = iamc.endpoint().url;
    if (!role.ok() && role.error().code != ErrorCode::kNotFound) return std::move(role).error();
    // PutRolePolicy is planned both for a new role and for one whose policy differs.
    const auto add_put_role_policy = [&](Outcome outcome) {
      PlanItem put{"role",
                   "inline policy " + std::string(kRolePolicyName),
                   outcome,
                   "s3:ListBucket on the bucket, Get/Put/DeleteObject under the prefix",
                   "POST " + iam_url + " PutRolePolicy",
                   rep.role_policy,
                   {}};
      put.run = [&iamc, role_name, doc = rep.role_policy](PlanItem&) -> Status {
        auto r = iamc.put_role_policy({role_name, kRolePolicyName, doc});
        return r.ok() ? ok_status() : Status(std::move(r).error());
      };
      add(std::move(put));
    };
    if (!role.ok()) {
      PlanItem create{"role",
                      role_name,
                      Outcome::kWouldCreate,
                      "trusted by es.amazonaws.com",
                      "POST " + iam_url + " CreateRole",
                      rep.trust_policy,
                      {}};
      create.run = [&iamc, role_name, doc = rep.trust_policy](PlanItem&) -> Status {
        auto r = iamc.create_role(
            {role_name, doc, "essnap: lets Amazon OpenSearch Service write snapshots to S3", ""});
        return r.ok() ? ok_status() : Status(std::move(r).error());
      };
      add(std::move(create));
      add_put_role_policy(Outcome::kWouldCreate);
    } else {
      rep.role_arn = role->role.arn;
      const json& actual = role->role.assume_role_policy;
      if (iam::policies_equal(actual, rep.trust_policy)) {
        add({"role",
             role_name + " trust policy",
             Outcome::kInPlace,
             "trusted by es.amazonaws.com",
             "",
             nullptr,
             {}});
      } else if (o.fix == FixDrift::kNo) {
        std::string why = trusts_service(actual, "es.amazonaws.com")
                              ? ""
                              : " (it does not trust es.amazonaws.com, so the domain cannot use "
                                "it)";
        conflicts.push_back("role " + role_name + ": " +
                            diff_line("trust policy", actual, rep.trust_policy) + why);
      } else {
        PlanItem fix{"role",
                     role_name + " trust policy",
                     Outcome::kWouldUpdate,
                     "trusted by es.amazonaws.com",
                     "POST " + iam_url + " UpdateAssumeRolePolicy",
                     rep.trust_policy,
                     {}};
        fix.run = [&iamc, role_name, doc = rep.trust_policy](PlanItem&) -> Status {
          auto r = iamc.update_assume_role_policy({role_name, doc});
          return r.ok() ? ok_status() : Status(std::move(r).error());
        };
        add(std::move(fix));
      }
      auto pol = iamc.get_role_policy({role_name, kRolePolicyName});
      if (!pol.ok() && pol.error().code != ErrorCode::kNotFound) return std::move(pol).error();
      const bool same = pol.ok() && iam::policies_equal(pol->policy, rep.role_policy);
      if (same) {
        add({"role",
             "inline policy " + std::string(kRolePolicyName),
             Outcome::kInPlace,
             "least privilege on the bucket and prefix",
             "",
             nullptr,
             {}});
      } else if (pol.ok() && o.fix == FixDrift::kNo) {
        conflicts.push_back("role " + role_name + ": " +
                            diff_line("inline policy " + std::string(kRolePolicyName), pol->policy,
                                      rep.role_policy));
      } else {
        add_put_role_policy(pol.ok() ? Outcome::kWouldUpdate : Outcome::kWouldCreate);
      }
    }

    // 5. May the caller pass the role and call the domain?
    const std::string domain = domain_name_from_endpoint(o.domain_endpoint);
    const std::string domain_arn = "arn:" + partition + ":es:" + o.region + ":" + rep.account_id +
                                   ":domain/" + (domain.empty() ? "*" : domain + "/*");
    rep.caller_policy = caller_policy(rep.role_arn, domain_arn);
    const std::string source = iam::simulation_source_arn(rep.caller_arn);
    auto sim1 = iamc.simulate_principal_policy({source, {"iam:PassRole"}, {rep.role_arn}});
    auto sim2 = sim1.ok() ? iamc.simulate_principal_policy({source, {"es:ESHttpPut"}, {domain_arn}})
                          : Result<iam::SimulatePrincipalPolicyResponse>(sim1.error());
    if (!sim1.ok() || !sim2.ok()) {
      const Error& e = !sim1.ok() ? sim1.error() : sim2.error();
      add({"permissions",
           "iam:PassRole, es:ESHttpPut",
           Outcome::kNote,
           "could not check with SimulatePrincipalPolicy (" +
               (e.remote && !e.remote->error_type.empty() ? e.remote->error_type : e.message) +
               "); the caller needs: " + rep.caller_policy.dump(),
           "",
           nullptr,
           {}});
    } else {
      std::vector<std::string> denied;
      for (const auto* sim : {&sim1.value(), &sim2.value()})
        for (const auto& r : sim->results)
          if (r.decision != "allowed") denied.push_back(r.action + " (" + r.decision + ")");
      if (denied.empty()) {
        add({"permissions",
             "iam:PassRole, es:ESHttpPut",
             Outcome::kChecked,
             source + " may pass the role and register the repository",
             "",
             nullptr,
             {}});
      } else {
        std::string list;
        for (const auto& d : denied) list += (list.empty() ? "" : ", ") + d;
        Error e(ErrorCode::kConflict, "the caller " + rep.caller_arn + " is not allowed: " + list,
                "attach this policy to " + source +
                    " (iam:PassRole belongs on the caller, not in "
                    "a bucket policy): " +
                    rep.caller_policy.dump() + " — nothing was changed");
        return e;
      }
    }
  }

  // 6. The repository.
  rep.repository_body = repository_body(o, rep.role_arn);
  rep.registered_body = rep.repository_body;
  if (!o.register_as_fs_path.empty())
    rep.registered_body = {
        {"type", "fs"},
        {"settings",
         {{"location", o.register_as_fs_path + "/" + o.repository}, {"readonly", o.readonly}}}};
  cluster::Client& cc = *c.cluster;
  ESSNAP_TRY(auto existing, cluster::get_repository(cc, {o.repository}));
  const std::string put_call = "PUT " + cc.base_url() + "/_snapshot/" + o.repository;
  if (existing.repository &&
      cluster::repository_matches(*existing.repository, rep.registered_body)) {
    add({"repository",
         o.repository,
         Outcome::kInPlace,
         "registered as " + rep.registered_body.value("type", std::string()),
         "",
         nullptr,
         {}});
  } else if (existing.repository && o.fix == FixDrift::kNo) {
    conflicts.push_back("repository " + o.repository + " is registered with other settings:\n" +
                        "    has:    " + existing.repository->dump() +
                        "\n    wanted: " + rep.registered_body.dump());
  } else {
    PlanItem put{"repository",
                 o.repository,
                 existing.repository ? Outcome::kWouldUpdate : Outcome::kWouldCreate,
                 "type " + rep.registered_body.value("type", std::string()),
                 put_call,
                 rep.registered_body,
                 {}};
    put.run = [&cc, name = o.repository, body = rep.registered_body,
               caller = rep.caller_arn](PlanItem&) -> Status {
      auto r = cluster::put_repository(cc, {name, body, false});
      if (!r.ok()) return cluster::explain_security_error(std::move(r).error(), caller);
      return ok_status();
    };
    add(std::move(put));
  }

  if (!conflicts.empty()) {
    std::string msg = "the existing set-up differs from what essnap would create:";
    for (const auto& s : conflicts) msg += "\n  " + s;
    return make_error(ErrorCode::kConflict, msg,
                      "run again with --fix to change it (review the diff first); nothing was "
                      "changed");
  }

  // Execute.
  for (auto& item : rep.items) {
    if (!item.run) continue;
    if (rep.dry_run) continue;
    auto s = item.run(item);
    if (!s.ok()) {
      Error e = std::move(s).error();
      e.message = item.step + " (" + item.what + "): " + e.message;
      return e;
    }
    ++rep.mutating_calls;
    if (item.outcome == Outcome::kWouldUpdate)
      item.outcome = Outcome::kUpdated;
    else if (item.outcome == Outcome::kWouldCreate)
      item.outcome = Outcome::kCreated;
  }

  // 7. Verify: every node can write and read the repository.
  if (rep.dry_run) {
    add({"verify",
         o.repository,
         Outcome::kNote,
         "would run POST /_snapshot/" + o.repository + "/_verify",
         "",
         nullptr,
         {}});
  } else {
    auto v = cluster::verify_repository(cc, {o.repository});
    if (!v.ok()) {
      Error e = cluster::explain_security_error(std::move(v).error(), rep.caller_arn);
      if (e.hint.empty())
        e.hint = aws ? "the domain could not use the bucket through role " + rep.role_arn +
                           ": check the role's trust and inline policy (essnap setup --print-"
                           "policies) and the bucket's region"
                     : "the nodes could not write and read the repository: check the cluster's "
                       "S3 client settings or that the path is shared and in path.repo";
      e.message = "verify " + o.repository + ": " + e.message;
      return e;
    }
    std::string nodes;
    for (const auto& n : v->nodes) nodes += (nodes.empty() ? "" : ", ") + n;
    add({"verify",
         o.repository,
         Outcome::kChecked,
         std::to_string(v->nodes.size()) + " node(s) can read and write it" +
             (nodes.empty() ? "" : ": " + nodes),
         "",
         nullptr,
         {}});
  }

  const std::string url = cc.base_url();
  rep.next_commands = {
      "essnap request PUT '/_snapshot/" + o.repository +
          "/<snap-{now/d}>?wait_for_completion=true' --url " + url,
      "essnap request GET '/_snapshot/" + o.repository + "/_all' --url " + url,
      "essnap request POST '/_snapshot/" + o.repository + "/SNAPSHOT/_restore' --url " + url +
          " --data '{\"indices\":\"INDEX\"}'",
  };
  return rep;
}

}  // namespace essnap::snapshot
