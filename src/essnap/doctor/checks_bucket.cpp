// The bucket's checks: its region against the domain's, its owner against the caller's account
// (another account's bucket must grant the role in its policy), lifecycle rules and
// Intelligent-Tiering archive tiers that take blobs out of reach, versioning without noncurrent
// expiry, Object Lock, replication, and default encryption (SSE-KMS: may the role use the key?).
#include <algorithm>
#include <map>

#include "essnap/doctor/checks.hpp"
#include "essnap/doctor/policy_eval.hpp"
#include "essnap/doctor/write_paths.hpp"
#include "essnap/s3/bucket_config.hpp"
#include "essnap/setup/documents.hpp"

namespace essnap::doctor {
namespace {

using nlohmann::json;

bool bucket_checks(const Run& run) {
  return run.s3_mode && !run.bucket_missing;
}

bool archival(const std::string& storage_class) {
  return storage_class == "GLACIER" || storage_class == "DEEP_ARCHIVE";
}

std::string noncurrent_rule(const Run& run) {
  json rule = {{"ID", "essnap-noncurrent-versions"},
               {"Status", "Enabled"},
               {"Filter", {{"Prefix", run.prefix_slash()}}},
               {"NoncurrentVersionExpiration", {{"NoncurrentDays", 7}}},
               {"Expiration", {{"ExpiredObjectDeleteMarker", true}}}};
  return rule.dump();
}

std::string edit_lifecycle(const Run& run, const std::string& change) {
  const std::string& b = run.o.setup.bucket;
  return "aws s3api get-bucket-lifecycle-configuration --bucket " + b + " > lifecycle.json; " +
         change + " in lifecycle.json; aws s3api put-bucket-lifecycle-configuration --bucket " + b +
         " --lifecycle-configuration file://lifecycle.json";
}

// Statements of a bucket policy that name `principal_arn` (or its account's root, or "*").
json statements_for(const json& policy, const std::string& principal_arn,
                    const std::string& account) {
  json out = json::array();
  if (!policy.is_object() || !policy.contains("Statement")) return out;
  json sts =
      policy["Statement"].is_array() ? policy["Statement"] : json::array({policy["Statement"]});
  for (const auto& st : sts) {
    if (!st.is_object() || !st.contains("Principal")) continue;
    const auto& p = st["Principal"];
    bool names = p == "*";
    if (p.is_object() && p.contains("AWS")) {
      json aws = p["AWS"].is_array() ? p["AWS"] : json::array({p["AWS"]});
      for (const auto& a : aws)
        names = names || a == "*" || a == principal_arn || a == account ||
                (a.is_string() &&
                 a.get<std::string>().find(":" + account + ":root") != std::string::npos);
    }
    if (names) out.push_back(st);
  }
  return out;
}

}  // namespace

void check_bucket_region(Run& run) {
  if (!run.s3_mode) return;
  const std::string& b = run.o.setup.bucket;
  auto head = run.c.s3->head_bucket({b});
  if (head.ok() && head->access == s3::BucketAccess::kNotFound) {
    run.bucket_missing = true;
    run.fail("bucket-region", "bucket " + b + " does not exist", run.setup_command());
    return;
  }
  auto loc = run.c.s3->get_bucket_location({b});
  if (!loc.ok()) {
    if (head.ok() && !head->region.empty()) {
      run.bucket_region = head->region;
    } else {
      run.unreadable("bucket-region", "S3 GetBucketLocation " + b, loc.error(),
                     "give the caller s3:GetBucketLocation on arn:aws:s3:::" + b);
      return;
    }
  } else {
    run.bucket_region = loc->region;
  }
  const std::string& want = run.o.setup.region;
  if (run.aws_mode && !want.empty() && run.bucket_region != want) {
    run.fail("bucket-region",
             "bucket " + b + " is in " + run.bucket_region + ", the domain in " + want +
                 ": a domain registers only buckets of its own region",
             "use a bucket in " + want + ": essnap setup" + run.o.target_words +
                 " --bucket s3://NEW-BUCKET" +
                 (run.o.setup.prefix.empty() ? "" : "/" + run.o.setup.prefix) + " --repository " +
                 run.o.setup.repository +
                 " (creates it there); copy existing snapshots with essnap repo sync " +
                 run.bucket_uri() + " s3://NEW-BUCKET --to-region " + want);
    return;
  }
  run.ok("bucket-region", "bucket " + b + " is in " + run.bucket_region +
                              (run.aws_mode ? ", the domain's region" : ""));
}

void check_bucket_owner(Run& run) {
  if (!bucket_checks(run)) return;
  const std::string& b = run.o.setup.bucket;
  auto owned = s3::list_owned_buckets(*run.c.s3);
  if (!owned.ok()) {
    run.unreadable("bucket-owner", "S3 ListBuckets", owned.error(),
                   "give the caller s3:ListAllMyBuckets, or check the bucket's owner: AWS "
                   "console -> S3 -> " +
                       b + " -> Permissions -> Bucket owner");
    return;
  }
  for (const auto& name : *owned)
    if (name == b) {
      run.ok("bucket-owner",
             "bucket " + b + " belongs to the caller's account" +
                 (run.report.account_id.empty() ? "" : " " + run.report.account_id));
      return;
    }
  // Another account's bucket: its policy must grant the role (or, self-managed, the cluster).
  if (!run.aws_mode || run.report.role_arn.empty()) {
    run.warn("bucket-owner",
             "bucket " + b +
                 " belongs to another account: its bucket policy must grant the "
                 "cluster's S3 credentials List/Get/Put/DeleteObject under " +
                 run.bucket_uri(),
             "ask the bucket's owner for the grant (AWS console -> S3 -> " + b +
                 " -> Permissions -> Bucket policy)");
    return;
  }
  const aws::Partition& partition = aws::partition_for_region(run.o.setup.region);
  const std::string bucket_arn = aws::bucket_arn(partition, b);
  json grant = setup::role_policy(partition, b, run.o.setup.prefix, {}, run.hashed_grant());
  for (auto& st : grant["Statement"]) st["Principal"] = {{"AWS", run.report.role_arn}};
  auto policy = s3::get_bucket_policy(*run.c.s3, b);
  if (!policy.ok()) {
    run.unreadable("bucket-owner", "S3 GetBucketPolicy " + b + " (another account's bucket)",
                   policy.error(),
                   "the bucket's owner adds these statements to its bucket policy: " +
                       grant["Statement"].dump());
    return;
  }
  const json relevant = *policy
                            ? statements_for(**policy, run.report.role_arn, run.report.account_id)
                            : json::array();
  json as_policy = {{"Version", "2012-10-17"}, {"Statement", relevant}};
  std::string denied;
  for (const auto& k : engine_write_keys(run.o.setup.prefix, run.shard_layout()))
    for (const char* a : {"s3:PutObject", "s3:GetObject", "s3:DeleteObject"})
      if (evaluate_policy(as_policy, a, bucket_arn + "/" + k.key) != "allowed")
        denied += (denied.empty() ? "" : ", ") + std::string(a) + " on " + k.key;
  if (evaluate_policy(as_policy, "s3:ListBucket", bucket_arn,
                      {{"s3:prefix", run.prefix_slash() + "index-"}}) != "allowed")
    denied += (denied.empty() ? "" : ", ") + std::string("s3:ListBucket");
  if (denied.empty()) {
    run.ok("bucket-owner",
           "bucket " + b + " belongs to another account; its policy grants " + run.report.role_arn);
    return;
  }
  run.fail("bucket-owner",
           "bucket " + b + " belongs to another account and its policy does not grant " +
               run.report.role_arn + ": " + denied,
           "the bucket's owner adds these statements to its bucket policy (AWS console -> S3 -> " +
               b + " -> Permissions -> Bucket policy, or aws s3api put-bucket-policy --bucket " +
               b +
               " --policy file://policy.json with them merged in): " + grant["Statement"].dump());
}

void check_lifecycle(Run& run) {
  if (!bucket_checks(run)) return;
  const std::string& b = run.o.setup.bucket;
  auto lc = s3::get_bucket_lifecycle(*run.c.s3, b);
  if (!lc.ok()) {
    run.unreadable("lifecycle", "S3 GetBucketLifecycleConfiguration " + b, lc.error(),
                   "give the caller s3:GetLifecycleConfiguration on arn:aws:s3:::" + b);
    return;
  }
  std::vector<std::string> bad, ids;
  for (const auto& r : lc->rules) {
    if (!r.enabled || r.has_tag_filter || !s3::prefix_overlaps(r.prefix, run.prefix_slash()))
      continue;
    std::string why;
    for (const auto& t : r.transitions)
      if (archival(t.storage_class))
        why += (why.empty() ? "" : ", ") + std::string("moves objects to ") + t.storage_class +
               (t.days >= 0 ? " after " + std::to_string(t.days) + " days" : " on " + t.date);
    if (r.expires)
      why +=
          (why.empty() ? "" : ", ") + std::string("expires (deletes) objects") +
          (r.expiration_days >= 0 ? " after " + std::to_string(r.expiration_days) + " days" : "");
    if (why.empty()) continue;
    bad.push_back("rule '" + r.id + "' (prefix '" + r.prefix + "') " + why);
    ids.push_back(r.id);
  }
  if (bad.empty()) {
    run.ok("lifecycle", lc->rules.empty()
                            ? "no lifecycle rules"
                            : std::to_string(lc->rules.size()) +
                                  " rule(s), none archives or expires objects under " +
                                  run.bucket_uri());
    return;
  }
  std::string list;
  for (const auto& s : bad) list += (list.empty() ? "" : "; ") + s;
  std::string fix;
  if (ids.size() == lc->rules.size()) {
    fix = "aws s3api delete-bucket-lifecycle --bucket " + b;
  } else {
    std::string names;
    for (const auto& id : ids) names += (names.empty() ? "'" : ", '") + id + "'";
    fix =
        edit_lifecycle(run, "remove the rule(s) " + names + " (or narrow their Filter away from '" +
                                run.prefix_slash() + "')");
  }
  run.fail("lifecycle",
           list +
               ": snapshots share blobs across time, so an old blob archived or deleted breaks "
               "every snapshot that still uses it (a restore then fails)",
           fix);
}

void check_intelligent_tiering(Run& run) {
  if (!bucket_checks(run)) return;
  const std::string& b = run.o.setup.bucket;
  auto cfgs = s3::list_intelligent_tiering(*run.c.s3, b);
  if (!cfgs.ok()) {
    run.unreadable("intelligent-tiering", "S3 ListBucketIntelligentTieringConfigurations " + b,
                   cfgs.error(), "give the caller s3:GetIntelligentTieringConfiguration");
    return;
  }
  std::vector<std::string> bad, fixes;
  for (const auto& c : *cfgs) {
    if (!c.enabled || !s3::prefix_overlaps(c.prefix, run.prefix_slash())) continue;
    std::string tiers;
    for (const auto& t : c.tierings)
      tiers += (tiers.empty() ? "" : ", ") + t.access_tier + " after " + std::to_string(t.days) +
               " days";
    if (tiers.empty()) continue;
    bad.push_back("configuration '" + c.id + "' (prefix '" + c.prefix + "'): " + tiers);
    fixes.push_back("aws s3api delete-bucket-intelligent-tiering-configuration --bucket " + b +
                    " --id " + shell_quote(c.id));
  }
  if (bad.empty()) {
    run.ok("intelligent-tiering", "no Intelligent-Tiering archive tier under " + run.bucket_uri());
    return;
  }
  std::string saw, fix;
  for (const auto& s : bad) saw += (saw.empty() ? "" : "; ") + s;
  for (const auto& f : fixes) fix += (fix.empty() ? "" : " && ") + f;
  run.fail("intelligent-tiering",
           saw +
               ": objects in INTELLIGENT_TIERING that go unread move to an archive tier, and a "
               "restore cannot read them without a retrieval (hours)",
           fix);
}

void check_versioning(Run& run) {
  if (!bucket_checks(run)) return;
  const std::string& b = run.o.setup.bucket;
  auto v = s3::get_bucket_versioning(*run.c.s3, b);
  if (!v.ok()) {
    run.unreadable("versioning", "S3 GetBucketVersioning " + b, v.error(),
                   "give the caller s3:GetBucketVersioning");
    return;
  }
  if (v->status != "Enabled") {
    run.ok("versioning", v->status.empty() ? "versioning is off: a delete removes the object"
                                           : "versioning is " + v->status);
    return;
  }
  auto lc = s3::get_bucket_lifecycle(*run.c.s3, b);
  if (lc.ok())
    for (const auto& r : lc->rules)
      if (r.enabled && !r.has_tag_filter && r.noncurrent_expires &&
          s3::prefix_overlaps(r.prefix, run.prefix_slash()) &&
          (r.prefix.size() <= run.prefix_slash().size())) {
        run.ok("versioning",
               "versioning is on; rule '" + r.id + "' expires noncurrent versions" +
                   (r.noncurrent_days >= 0 ? " after " + std::to_string(r.noncurrent_days) + " days"
                                           : ""));
        return;
      }
  const std::string rule = noncurrent_rule(run);
  std::string fix = lc.ok() && lc->rules.empty()
                        ? "aws s3api put-bucket-lifecycle-configuration --bucket " + b +
                              " --lifecycle-configuration " +
                              shell_quote("{\"Rules\":[" + rule + "]}")
                        : edit_lifecycle(run, "add this rule to \"Rules\": " + rule);
  run.warn("versioning",
           "versioning is on and no lifecycle rule expires noncurrent versions under " +
               run.bucket_uri() +
               ": every delete (essnap prune, the engine's own) only adds a delete marker, and "
               "the deleted blobs stay, billed, as noncurrent versions",
           fix);
}

void check_object_lock(Run& run) {
  if (!bucket_checks(run)) return;
  const std::string& b = run.o.setup.bucket;
  auto lock = run.c.s3->get_object_lock_configuration(b);
  if (!lock.ok()) {
    run.unreadable("object-lock", "S3 GetObjectLockConfiguration " + b, lock.error(),
                   "give the caller s3:GetBucketObjectLockConfiguration");
    return;
  }
  if (!lock->enabled) {
    run.ok("object-lock", "Object Lock is not enabled");
    return;
  }
  if (lock->default_mode.empty()) {
    run.ok("object-lock",
           "Object Lock is enabled without a default retention: objects are locked only when "
           "written with one; a delete adds a delete marker and the versions stay until removed "
           "by version");
    return;
  }
  const std::string span = lock->default_years > 0 ? std::to_string(lock->default_years) + " years"
                                                   : std::to_string(lock->default_days) + " days";
  run.warn("object-lock",
           "Object Lock default retention " + lock->default_mode + " " + span +
               ": every blob the engine writes (also index-N and index.latest, which it "
               "overwrites) is locked that long; deletes only add delete markers and the locked "
               "versions stay, billed, until their retention ends" +
               (lock->default_mode == "COMPLIANCE" ? " (COMPLIANCE: nobody can shorten it)" : ""),
           "aws s3api put-object-lock-configuration --bucket " + b +
               " --object-lock-configuration '{\"ObjectLockEnabled\":\"Enabled\"}' (drops the "
               "default retention if the snapshots need not be immutable; Object Lock itself "
               "cannot be turned off); for immutable copies, keep this bucket as a second copy "
               "written by: essnap repo sync " +
               std::string("SOURCE ") + run.bucket_uri() + " --object-lock-days " +
               std::to_string(std::max(1, lock->default_days)));
}

void check_replication(Run& run) {
  if (!bucket_checks(run)) return;
  const std::string& b = run.o.setup.bucket;
  auto rep = s3::get_bucket_replication(*run.c.s3, b);
  if (!rep.ok()) {
    run.unreadable("replication", "S3 GetBucketReplication " + b, rep.error(),
                   "give the caller s3:GetReplicationConfiguration");
    return;
  }
  std::vector<std::string> on;
  for (const auto& r : rep->rules)
    if (r.enabled) on.push_back("rule '" + r.id + "' -> " + r.destination_bucket);
  if (on.empty()) {
    run.ok("replication", "no replication configured");
    return;
  }
  std::string saw;
  for (const auto& s : on) saw += (saw.empty() ? "" : "; ") + s;
  run.warn("replication",
           "replication " + saw +
               ": S3 copies objects in no order, so the replica can hold a root index-N before "
               "the blobs it names — not a repository an engine can trust (Elastic: "
               "replication is not compatible with snapshot repositories)",
           "aws s3api delete-bucket-replication --bucket " + b +
               "; copy the repository consistently instead: essnap repo sync " + run.bucket_uri() +
               " s3://DR-BUCKET/" + run.o.setup.prefix + " --to-region DR-REGION");
}

void check_encryption(Run& run) {
  if (!bucket_checks(run)) return;
  const std::string& b = run.o.setup.bucket;
  auto enc = run.c.s3->get_bucket_encryption({b});
  if (!enc.ok()) {
    run.unreadable("encryption", "S3 GetBucketEncryption " + b, enc.error(),
                   "give the caller s3:GetEncryptionConfiguration");
    return;
  }
  if (!enc->encryption) {
    run.warn("encryption", "no default encryption on bucket " + b,
             "aws s3api put-bucket-encryption --bucket " + b +
                 " --server-side-encryption-configuration "
                 "'{\"Rules\":[{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":"
                 "\"AES256\"}}]}'");
    return;
  }
  const auto& e = *enc->encryption;
  if (e.algorithm != "aws:kms" && e.algorithm != "aws:kms:dsse") {
    run.ok("encryption", "default encryption " + e.algorithm + " (SSE-S3)");
    return;
  }
  if (e.kms_key_id.empty()) {
    run.ok("encryption", "default encryption SSE-KMS with the AWS managed key aws/s3");
    return;
  }
  if (!run.aws_mode || run.report.role_arn.empty() || run.role_missing) {
    run.ok("encryption", "default encryption SSE-KMS with key " + e.kms_key_id +
                             " (the cluster's S3 credentials need kms:GenerateDataKey and "
                             "kms:Decrypt on it)");
    return;
  }
  // The key as an ARN: S3 may hold an id, an alias or an ARN.
  std::string key = e.kms_key_id;
  if (key.rfind("arn:", 0) != 0) {
    const std::string region = run.bucket_region.empty() ? run.o.setup.region : run.bucket_region;
    key = "arn:" + std::string(aws::partition_for_region(region).id) + ":kms:" + region + ":" +
          run.report.account_id + ":" + (key.rfind("alias/", 0) == 0 ? key : "key/" + key);
  }
  auto role = role_of(run);
  if (!role.ok()) return;
  std::string how;
  auto denied = probe_role(run, role->role_name, run.report.role_arn,
                           {{{"kms:GenerateDataKey", "kms:Decrypt"}, {key}, {}}}, how);
  const aws::Partition& partition = aws::partition_for_region(run.o.setup.region);
  const json wanted = setup::role_policy(partition, b, run.o.setup.prefix, key, run.hashed_grant());
  const std::string fix = "aws iam put-role-policy --role-name " + role->role_name +
                          " --policy-name " + setup::kRolePolicyName + " --policy-document " +
                          shell_quote(wanted.dump()) +
                          " (and the key policy must let the account's IAM policies grant it, "
                          "as the default key policy does)";
  if (!denied) {
    run.warn("encryption",
             "default encryption SSE-KMS with key " + key +
                 "; could not check the "
                 "role's use of it: " +
                 how,
             fix);
    return;
  }
  if (!denied->empty()) {
    std::string saw;
    for (const auto& d : *denied)
      saw += (saw.empty() ? "" : ", ") + d.action + " (" + d.decision + ")";
    run.fail("encryption",
             "default encryption SSE-KMS with key " + key + ", and role " + role->role_name +
                 " is denied " + saw + " on it: every snapshot write fails — " + how,
             fix);
    return;
  }
  run.ok("encryption", "default encryption SSE-KMS with key " + key + "; role " + role->role_name +
                           " may use it (" + how + ")");
}

}  // namespace essnap::doctor
