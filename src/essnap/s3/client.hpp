// Amazon S3 over REST (XML answers), the operations essnap needs: bucket set-up for `essnap
// setup`, object reads and writes for repositories. One request and one response struct per
// operation. The client signs each request itself (SigV4, service "s3") because the signing
// region of a bucket is only known after the first answer: a region redirect (301, or 400 with
// x-amz-bucket-region) is followed once, and the bucket's region remembered for later calls.
//
// Addressing: virtual-hosted (https://BUCKET.s3.REGION.amazonaws.com/KEY) for AWS; path-style
// (ENDPOINT/BUCKET/KEY) for non-AWS endpoints, for dotted bucket names over TLS (the wildcard
// certificate does not cover them) and when asked (--s3-path-style).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "essnap/aws/credentials.hpp"
#include "essnap/http/transport.hpp"
#include "essnap/util/result.hpp"

namespace essnap::s3 {

// S3's bucket naming rules (general purpose buckets). kInvalidArgument naming the broken rule.
Status validate_bucket_name(std::string_view name);

// "s3://bucket/some/prefix/" -> {bucket, "some/prefix"}; the prefix has no leading or trailing
// slash. A bare "bucket" is accepted too. The bucket name is validated.
struct BucketUri {
  std::string bucket;
  std::string prefix;
};
Result<BucketUri> parse_bucket_uri(std::string_view text);

enum class AddressingStyle { kAuto, kVirtualHosted, kPath };

struct S3Endpoint {
  std::string url;     // "" = AWS's regional endpoint; else an override such as SeaweedFS
  std::string source;  // "--s3-endpoint-url", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "aws"
};
// explicit_url (flag) wins, then AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL (unless
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true), else AWS.
S3Endpoint resolve_s3_endpoint(const aws::Environment& env, const std::string& explicit_url = {});

struct ClientOptions {
  S3Endpoint endpoint;
  std::string region = "us-east-1";  // the caller's region: where new buckets go
  AddressingStyle addressing = AddressingStyle::kAuto;
  std::shared_ptr<aws::CredentialsProvider> credentials;
  std::function<std::chrono::system_clock::time_point()> clock;  // tests pin the date
};

// --- Buckets -------------------------------------------------------------------------------

struct HeadBucketRequest {
  std::string bucket;
};
enum class BucketAccess { kAccessible, kNotFound, kForbidden };
struct HeadBucketResponse {
  BucketAccess access = BucketAccess::kNotFound;
  std::string region;  // x-amz-bucket-region when the server said it
};

struct CreateBucketRequest {
  std::string bucket;
  std::string region;  // empty: the client's region. us-east-1 sends no LocationConstraint.
  // x-amz-bucket-object-lock-enabled: true (Object Lock, and with it versioning, on the new
  // bucket).
  bool object_lock_enabled = false;
};
struct CreateBucketResponse {
  bool already_owned = false;  // 409 BucketAlreadyOwnedByYou: ours already
  std::string location;
};

// DeleteBucket: the bucket must be empty (every version). An absent bucket is not an error.
struct DeleteBucketRequest {
  std::string bucket;
};

struct GetBucketLocationRequest {
  std::string bucket;
};
struct GetBucketLocationResponse {
  std::string region;  // normalised: "" -> us-east-1, "EU" -> eu-west-1
};

struct PublicAccessBlock {
  bool block_public_acls = true;
  bool ignore_public_acls = true;
  bool block_public_policy = true;
  bool restrict_public_buckets = true;
  bool all() const {
    return block_public_acls && ignore_public_acls && block_public_policy &&
           restrict_public_buckets;
  }
};
struct PutPublicAccessBlockRequest {
  std::string bucket;
  PublicAccessBlock config;
};
struct GetPublicAccessBlockRequest {
  std::string bucket;
};
struct GetPublicAccessBlockResponse {
  std::optional<PublicAccessBlock> config;  // nullopt: none configured
};

struct BucketEncryption {
  std::string algorithm = "AES256";  // "AES256" (SSE-S3) or "aws:kms"
  std::string kms_key_id;            // with aws:kms; empty = the AWS managed key
  bool operator==(const BucketEncryption&) const = default;
};
struct PutBucketEncryptionRequest {
  std::string bucket;
  BucketEncryption encryption;
};
struct GetBucketEncryptionRequest {
  std::string bucket;
};
struct GetBucketEncryptionResponse {
  std::optional<BucketEncryption> encryption;  // nullopt: no default encryption configured
};

// GetObjectLockConfiguration (GET ?object-lock). A bucket without one (404
// ObjectLockConfigurationNotFoundError) or a server that does not implement Object Lock (501
// NotImplemented) answers enabled = false.
struct ObjectLockConfiguration {
  bool enabled = false;      // ObjectLockEnabled = Enabled
  std::string default_mode;  // Rule/DefaultRetention/Mode: "" (no default), GOVERNANCE, COMPLIANCE
  int default_days = 0;      // Rule/DefaultRetention/Days
  int default_years = 0;     // Rule/DefaultRetention/Years
};

// --- Objects -------------------------------------------------------------------------------

// What a new object is stored with, on PutObject, CreateMultipartUpload and CopyObject (the
// parts of a multipart upload inherit it from CreateMultipartUpload):
//   storage_class             -> x-amz-storage-class (not sent when empty: the bucket's default);
//   object_lock_mode          -> x-amz-object-lock-mode, "GOVERNANCE" or "COMPLIANCE";
//   object_lock_retain_until  -> x-amz-object-lock-retain-until-date, a system_clock time point
//                                sent as ISO 8601 UTC, whole seconds rounded up
//                                ("2026-12-08T15:00:01Z", format_retain_until).
// A mode needs a retain-until date and a date needs a mode (S3 refuses one without the other);
// the client refuses that with kInvalidArgument before sending anything.
struct ObjectWriteSettings {
  std::string storage_class;
  std::string object_lock_mode;
  std::optional<std::chrono::system_clock::time_point> object_lock_retain_until;
  bool locks() const { return !object_lock_mode.empty() || object_lock_retain_until.has_value(); }
};

// "2026-12-08T15:00:01Z": ISO 8601 in UTC, rounded up to the next whole second (a retention is
// never shorter than asked). What S3 (and moto, which parses exactly "%Y-%m-%dT%H:%M:%SZ" or
// with a fraction) accepts in x-amz-object-lock-retain-until-date.
std::string format_retain_until(std::chrono::system_clock::time_point t);
// Reads x-amz-object-lock-retain-until-date as servers send it ("2026-12-08T15:00:01.000Z",
// "2026-12-08T15:00:01Z", an offset); kParse otherwise.
Result<std::chrono::system_clock::time_point> parse_retain_until(std::string_view text);

// The storage classes a snapshot repository can live in: those a GET reads at once. STANDARD,
// STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING (its archive tiers are opt-in per bucket),
// GLACIER_IR, REDUCED_REDUNDANCY and EXPRESS_ONEZONE are accepted; GLACIER, DEEP_ARCHIVE (and
// anything else, e.g. OUTPOSTS, SNOW) are refused with kInvalidArgument: a restore could not read
// them without a retrieval (RestoreObject, hours) first. Case-sensitive, as S3 is.
Status check_repository_storage_class(std::string_view storage_class);

struct ListObjectsV2Request {
  std::string bucket;
  std::string prefix;
  std::string delimiter;
  std::string continuation_token;
  int max_keys = 1000;
};
struct ObjectSummary {
  std::string key;
  std::uint64_t size = 0;
  std::string etag;
  std::string last_modified;
};
struct ListObjectsV2Response {
  std::vector<ObjectSummary> objects;
  std::vector<std::string> common_prefixes;
  std::string next_continuation_token;  // empty: last page
};

struct GetObjectRequest {
  std::string bucket;
  std::string key;
  std::function<Status(std::string_view)> sink;  // set: stream the body here
  std::string range;  // "bytes=FIRST-LAST": only those bytes (206 Partial Content)
};
struct GetObjectResponse {
  std::string body;  // empty when streamed to the sink
  std::string etag;
  std::uint64_t content_length = 0;
};

struct PutObjectRequest {
  std::string bucket;
  std::string key;
  http::Body body;
  std::string content_type;
  // Sends If-None-Match: * : the object is created only when the key is free, else kConflict
  // (412 PreconditionFailed, or 409 ConditionalRequestConflict while another write is racing).
  bool if_none_match = false;
  ObjectWriteSettings write;  // storage class, Object Lock retention
  // Sends Content-MD5 (base64 MD5 of the body). Always sent when write.locks(): S3 refuses a
  // PutObject with Object Lock parameters without an integrity header ("Content-MD5 HTTP header
  // is required for Put Object requests with Object Lock parameters"), and so does a bucket with
  // a default retention even when the request names none. The body must be in memory.
  bool content_md5 = false;
};
struct PutObjectResponse {
  std::string etag;
};

struct HeadObjectRequest {
  std::string bucket;
  std::string key;
};
struct HeadObjectResponse {
  std::uint64_t content_length = 0;
  std::string etag;
  std::string last_modified;
  std::string storage_class;     // x-amz-storage-class; "STANDARD" when absent (S3 omits it then)
  std::string object_lock_mode;  // x-amz-object-lock-mode: "", GOVERNANCE or COMPLIANCE
  std::optional<std::chrono::system_clock::time_point> object_lock_retain_until;
  bool object_lock_legal_hold = false;  // x-amz-object-lock-legal-hold: ON
};

struct DeleteObjectRequest {
  std::string bucket;
  std::string key;
};
struct DeleteObjectResponse {};

// ListObjectVersions (GET ?versions): every version and delete marker under a prefix, one page.
struct ListObjectVersionsRequest {
  std::string bucket;
  std::string prefix;
  std::string key_marker, version_id_marker;  // from the previous page
  int max_keys = 1000;
};
struct ObjectVersion {
  std::string key;
  std::string version_id;  // "null" for an object written while versioning was off
  bool delete_marker = false;
  bool is_latest = false;
  std::uint64_t size = 0;
};
struct ListObjectVersionsResponse {
  std::vector<ObjectVersion> versions;  // versions and delete markers, in the server's order
  bool truncated = false;
  std::string next_key_marker, next_version_id_marker;
};

// DeleteObjects: up to 1000 keys in one request (quiet mode: only failures come back). With
// version_ids (one per key, "" = none for that key) those versions are deleted for good, which
// S3 refuses for a version under Object Lock retention or a legal hold (AccessDenied); without,
// a versioned bucket (every Object Lock bucket) only gains delete markers.
struct DeleteObjectsRequest {
  std::string bucket;
  std::vector<std::string> keys;
  std::vector<std::string> version_ids;  // empty, or as many as keys
  // x-amz-bypass-governance-retention: true — deletes GOVERNANCE-locked versions when the caller
  // holds s3:BypassGovernanceRetention. Never set by the blob store; for test clean-up.
  bool bypass_governance_retention = false;
};
struct DeleteObjectsResponse {
  struct Failure {
    std::string key, code, message, version_id;
  };
  std::vector<Failure> failures;
};

// The object's metadata is copied with it (x-amz-metadata-directive COPY, S3's default); the
// storage class and Object Lock retention are the new object's own (`write`), with Content-MD5 of
// the empty body when it locks (moto refuses lock headers on any PUT without one).
struct CopyObjectRequest {
  std::string source_bucket, source_key, bucket, key;
  ObjectWriteSettings write;
};
struct CopyObjectResponse {
  std::string etag;
};

struct CreateMultipartUploadRequest {
  std::string bucket, key, content_type;
  ObjectWriteSettings write;  // the completed object's storage class and retention
};
struct CreateMultipartUploadResponse {
  std::string upload_id;
};
struct UploadPartRequest {
  std::string bucket, key, upload_id;
  int part_number = 1;  // 1..10000
  http::Body body;
  // Sends Content-MD5. S3 demands it on the parts of an upload created with Object Lock
  // parameters (or into a bucket with a default retention); the caller knows, the part does not.
  bool content_md5 = false;
};
struct UploadPartResponse {
  std::string etag;
};
// UploadPartCopy: a part of a multipart upload copied server-side from another object's range.
struct UploadPartCopyRequest {
  std::string bucket, key, upload_id;
  int part_number = 1;
  std::string source_bucket, source_key;
  std::uint64_t first = 0, last = 0;  // inclusive byte range of the source
};
struct CompletedPart {
  int part_number = 0;
  std::string etag;
};
struct CompleteMultipartUploadRequest {
  std::string bucket, key, upload_id;
  std::vector<CompletedPart> parts;
};
struct CompleteMultipartUploadResponse {
  std::string etag;
  std::string location;
};
struct AbortMultipartUploadRequest {
  std::string bucket, key, upload_id;
};
struct AbortMultipartUploadResponse {};

class Client {
 public:
  // `transport` must not sign (the client does) and must outlive the client.
  Client(http::Transport& transport, ClientOptions options);

  Result<HeadBucketResponse> head_bucket(const HeadBucketRequest& r);
  Result<CreateBucketResponse> create_bucket(const CreateBucketRequest& r);
  Result<Ok> delete_bucket(const DeleteBucketRequest& r);
  Result<GetBucketLocationResponse> get_bucket_location(const GetBucketLocationRequest& r);
  Result<GetPublicAccessBlockResponse> get_public_access_block(
      const GetPublicAccessBlockRequest& r);
  Result<Ok> put_public_access_block(const PutPublicAccessBlockRequest& r);
  Result<GetBucketEncryptionResponse> get_bucket_encryption(const GetBucketEncryptionRequest& r);
  Result<Ok> put_bucket_encryption(const PutBucketEncryptionRequest& r);
  Result<ObjectLockConfiguration> get_object_lock_configuration(const std::string& bucket);
  // A GET of a bucket's configuration subresource ("lifecycle=", "versioning=", ...; the
  // readers are in s3/bucket_config.hpp) or, with an empty bucket, of the service (ListBuckets):
  // signed, one region redirect followed, any HTTP answer returned (an Error only without one).
  Result<http::Response> get_bucket_subresource(const std::string& operation,
                                                const std::string& bucket,
                                                const std::string& query);

  Result<ListObjectsV2Response> list_objects_v2(const ListObjectsV2Request& r);
  Result<ListObjectVersionsResponse> list_object_versions(const ListObjectVersionsRequest& r);
  // Every page, following continuation tokens.
  Result<std::vector<ObjectSummary>> list_all(const std::string& bucket, const std::string& prefix);
  Result<GetObjectResponse> get_object(const GetObjectRequest& r);
  // kNotFound when there is no such object (a HEAD answer has no body to say which is missing).
  Result<HeadObjectResponse> head_object(const HeadObjectRequest& r);
  Result<PutObjectResponse> put_object(const PutObjectRequest& r);
  Result<DeleteObjectResponse> delete_object(const DeleteObjectRequest& r);
  Result<DeleteObjectsResponse> delete_objects(const DeleteObjectsRequest& r);
  Result<CopyObjectResponse> copy_object(const CopyObjectRequest& r);

  Result<CreateMultipartUploadResponse> create_multipart_upload(
      const CreateMultipartUploadRequest& r);
  Result<UploadPartResponse> upload_part(const UploadPartRequest& r);
  Result<UploadPartResponse> upload_part_copy(const UploadPartCopyRequest& r);
  Result<CompleteMultipartUploadResponse> complete_multipart_upload(
      const CompleteMultipartUploadRequest& r);
  Result<AbortMultipartUploadResponse> abort_multipart_upload(const AbortMultipartUploadRequest& r);

  // The URL a request for bucket/key goes to (exposed for tests and --dry-run output).
  std::string object_url(const std::string& bucket, const std::string& key,
                         const std::string& query = {}) const;
  // The region requests for `bucket` are signed for (a redirect may have taught us).
  std::string bucket_region(const std::string& bucket) const;
  const ClientOptions& options() const { return options_; }

 private:
  struct Call {
    std::string operation;  // "HeadBucket", ...: for messages
    std::string method;
    std::string bucket;
    std::string key;
    std::string query;  // raw, already encoded
    http::Headers headers;
    http::Body body;
    http::Idempotency idempotency = http::Idempotency::kIdempotent;
    std::function<Status(std::string_view)> sink;
  };
  // Sends, following one region redirect. Returns any HTTP answer; Error only without one.
  Result<http::Response> send(const Call& call);
  Result<http::Response> send_once(const Call& call, const std::string& region);
  // send() and turn an HTTP error into an Error.
  Result<http::Response> send_ok(const Call& call);
  bool path_style(const std::string& bucket) const;

  http::Transport& transport_;
  ClientOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, std::string> bucket_regions_;
};

// An S3 error answer (XML <Error>) as an Error: kNotFound for NoSuchBucket/NoSuchKey/404,
// kConflict for BucketAlreadyExists, else kRemote; the detail attached and a hint.
Error error_from_response(const std::string& operation, const std::string& bucket,
                          const http::Response& response);

}  // namespace essnap::s3
