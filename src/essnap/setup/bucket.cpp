// The bucket step: exists in the right region (or is created there), blocks public access, and
// encrypts by default.
#include <optional>

#include "essnap/setup/steps.hpp"

namespace essnap::setup {
namespace {

using nlohmann::json;

constexpr const char* kUnsupported = "this S3 endpoint does not support it";

bool is_not_implemented(const Error& e) {
  if (!e.remote) return false;
  return e.remote->http_status == 501 || e.remote->error_type == "NotImplemented" ||
         e.remote->error_type == "MethodNotAllowed";
}

// Some S3-compatible servers lack an API; the bucket is still private by default, so that is
// a note rather than a failure.
Status note_if_unsupported(Result<Ok> r, PlanItem& item) {
  if (!r.ok() && is_not_implemented(r.error())) {
    item.outcome = Outcome::kNote;
    item.detail = kUnsupported;
    return ok_status();
  }
  return r.ok() ? ok_status() : Status(std::move(r).error());
}

// Returns whether the bucket exists (then in the wanted region).
Result<bool> plan_existence(const SetupOptions& o, s3::Client& s3, Plan& plan) {
  const std::string& b = o.bucket;
  const std::string uri = "s3://" + b + (o.prefix.empty() ? "" : "/" + o.prefix);
  ESSNAP_TRY(auto head, s3.head_bucket({b}));
  if (head.access == s3::BucketAccess::kForbidden)
    return make_error(ErrorCode::kConflict,
                      "bucket '" + b + "' exists but this identity may not use it",
                      "it belongs to another account, or the caller lacks s3:ListBucket on it; "
                      "choose another bucket name or grant access. Nothing was changed");
  if (head.access != s3::BucketAccess::kAccessible) {
    PlanItem item{.step = "bucket",
                  .what = uri,
                  .outcome = Outcome::kWouldCreate,
                  .detail = "in " + o.region,
                  .call = "PUT " + s3.object_url(b, ""),
                  .action = Action::kCreateBucket};
    if (o.region != "us-east-1")
      item.document = {{"CreateBucketConfiguration", {{"LocationConstraint", o.region}}}};
    plan.items.push_back(std::move(item));
    return false;
  }
  ESSNAP_TRY(auto loc, s3.get_bucket_location({b}));
  const std::string region = !o.region.empty() ? o.region : loc.region;
  if (loc.region != region)
    return make_error(
        ErrorCode::kConflict, "bucket '" + b + "' is in " + loc.region + ", not " + region,
        "a domain can only use a bucket in its own region: pass --region " + loc.region +
            " if the domain is there, or choose a bucket in " + region + ". Nothing was changed");
  plan.items.push_back({.step = "bucket",
                        .what = uri,
                        .outcome = Outcome::kInPlace,
                        .detail = "exists in " + loc.region});
  return true;
}

Status plan_public_access_block(bool exists, const std::string& b, s3::Client& s3, Plan& plan) {
  PlanItem item{.step = "bucket",
                .what = "public access block",
                .outcome = Outcome::kWouldCreate,
                .detail = "all four settings on"};
  if (exists) {
    auto pab = s3.get_public_access_block({b});
    if (!pab.ok() && !is_not_implemented(pab.error())) return std::move(pab).error();
    if (!pab.ok()) {
      item.outcome = Outcome::kNote;
      item.detail = kUnsupported;
    } else if (pab->config && pab->config->all()) {
      item.outcome = Outcome::kInPlace;
    }
  }
  if (item.outcome == Outcome::kWouldCreate) {
    item.call = "PUT " + s3.object_url(b, "", "publicAccessBlock=");
    item.document = {{"BlockPublicAcls", true},
                     {"IgnorePublicAcls", true},
                     {"BlockPublicPolicy", true},
                     {"RestrictPublicBuckets", true}};
    item.action = Action::kPutPublicAccessBlock;
  }
  plan.items.push_back(std::move(item));
  return ok_status();
}

std::string describe(const s3::BucketEncryption& e) {
  return e.algorithm == "aws:kms" ? "SSE-KMS " + e.kms_key_id : std::string("SSE-S3 (AES256)");
}

Status plan_encryption(bool exists, FixDrift fix, const Target& t, s3::Client& s3, Plan& plan) {
  std::optional<s3::BucketEncryption> current;
  PlanItem item{.step = "bucket", .what = "default encryption", .detail = describe(t.encryption)};
  if (exists) {
    auto got = s3.get_bucket_encryption({t.bucket});
    if (!got.ok() && !is_not_implemented(got.error())) return std::move(got).error();
    if (!got.ok()) {
      item.outcome = Outcome::kNote;
      item.detail = kUnsupported;
      plan.items.push_back(std::move(item));
      return ok_status();
    }
    current = got->encryption;
  }
  if (current && *current == t.encryption) {
    item.outcome = Outcome::kInPlace;
  } else if (current && fix == FixDrift::kNo) {
    item.outcome = Outcome::kNote;
    item.detail = "is " + current->algorithm +
                  (current->kms_key_id.empty() ? "" : " " + current->kms_key_id) + ", not " +
                  item.detail + "; left as it is (--fix changes it)";
  } else {
    item.outcome = current ? Outcome::kWouldUpdate : Outcome::kWouldCreate;
    item.call = "PUT " + s3.object_url(t.bucket, "", "encryption=");
    item.document = {{"SSEAlgorithm", t.encryption.algorithm}};
    if (!t.encryption.kms_key_id.empty()) item.document["KMSMasterKeyID"] = t.encryption.kms_key_id;
    item.action = Action::kPutBucketEncryption;
  }
  plan.items.push_back(std::move(item));
  return ok_status();
}

}  // namespace

Status plan_bucket(const SetupOptions& o, s3::Client& s3, Plan& plan) {
  ESSNAP_TRY(const bool exists, plan_existence(o, s3, plan));
  ESSNAP_TRY_STATUS(plan_public_access_block(exists, o.bucket, s3, plan));
  return plan_encryption(exists, o.fix, plan.target, s3, plan);
}

Status perform_bucket(PlanItem& item, const Target& t, s3::Client& s3) {
  switch (item.action) {
    case Action::kCreateBucket: {
      ESSNAP_TRY(auto r, s3.create_bucket({t.bucket, t.region}));
      (void)r;
      return ok_status();
    }
    case Action::kPutPublicAccessBlock:
      return note_if_unsupported(s3.put_public_access_block({t.bucket, {}}), item);
    case Action::kPutBucketEncryption:
      return note_if_unsupported(s3.put_bucket_encryption({t.bucket, t.encryption}), item);
    default:
      return make_error(ErrorCode::kInternal, "not a bucket action: " + item.what);
  }
}

}  // namespace essnap::setup
