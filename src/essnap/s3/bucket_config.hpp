// A bucket's configuration as `essnap doctor` reads it: lifecycle rules, versioning,
// replication, Intelligent-Tiering archive configurations, the bucket policy and the buckets the
// caller owns. Reads only (GET), on the signed client (s3/client.hpp) and its XML error reader.
// Each parse_* is a pure function of the XML body; each get_* answers "none configured" (S3's
// NoSuch…/…NotFoundError 404) as an empty value, never as an error.
//
//   GET ?lifecycle             LifecycleConfiguration/Rule*: ID, Status, Prefix | Filter/(Prefix |
//                              And/Prefix | Tag), Transition*(Days|Date, StorageClass),
//                              Expiration(Days|Date|ExpiredObjectDeleteMarker),
//                              NoncurrentVersionExpiration(NoncurrentDays),
//                              NoncurrentVersionTransition*(NoncurrentDays, StorageClass)
//   GET ?versioning            VersioningConfiguration/Status: absent, Enabled, Suspended
//   GET ?replication           ReplicationConfiguration/Rule*: ID, Status, Destination/Bucket
//   GET ?intelligent-tiering   ListBucketIntelligentTieringConfigurationsOutput/
//                              IntelligentTieringConfiguration*: Id, Status, Filter/Prefix,
//                              Tiering*(AccessTier, Days)
//   GET ?policy                the policy JSON
//   GET /                      ListAllMyBucketsResult/Buckets/Bucket*/Name
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "essnap/s3/client.hpp"
#include "essnap/util/result.hpp"

namespace essnap::s3 {

struct LifecycleTransition {
  int days = -1;     // -1: given as a date
  std::string date;  // ISO 8601 when given as a date
  std::string storage_class;
};
struct LifecycleRule {
  std::string id;
  bool enabled = false;
  std::string prefix;           // "" = the whole bucket
  bool has_tag_filter = false;  // narrowed by tags too (not evaluated here)
  std::vector<LifecycleTransition> transitions;
  bool expires = false;  // Expiration with Days or Date: current versions are deleted
  int expiration_days = -1;
  bool expired_object_delete_marker = false;
  bool noncurrent_expires = false;  // NoncurrentVersionExpiration
  int noncurrent_days = -1;
  std::vector<LifecycleTransition> noncurrent_transitions;
};
struct BucketLifecycle {
  std::vector<LifecycleRule> rules;  // empty: none configured
};

struct BucketVersioning {
  std::string status;  // "", "Enabled" or "Suspended"
};

struct ReplicationRule {
  std::string id;
  bool enabled = false;
  std::string destination_bucket;  // an ARN
};
struct BucketReplication {
  std::vector<ReplicationRule> rules;  // empty: not configured
};

struct TieringRule {
  std::string access_tier;  // ARCHIVE_ACCESS or DEEP_ARCHIVE_ACCESS
  int days = 0;
};
struct IntelligentTieringConfiguration {
  std::string id;
  bool enabled = false;
  std::string prefix;
  std::vector<TieringRule> tierings;
};

Result<BucketLifecycle> parse_lifecycle(std::string_view xml);
Result<BucketVersioning> parse_versioning(std::string_view xml);
Result<BucketReplication> parse_replication(std::string_view xml);
Result<std::vector<IntelligentTieringConfiguration>> parse_intelligent_tiering(
    std::string_view xml);
Result<std::vector<std::string>> parse_bucket_names(std::string_view xml);

Result<BucketLifecycle> get_bucket_lifecycle(Client& client, const std::string& bucket);
Result<BucketVersioning> get_bucket_versioning(Client& client, const std::string& bucket);
Result<BucketReplication> get_bucket_replication(Client& client, const std::string& bucket);
// One page (S3 keeps at most 1,000 configurations per bucket).
Result<std::vector<IntelligentTieringConfiguration>> list_intelligent_tiering(
    Client& client, const std::string& bucket);
// nullopt: no bucket policy.
Result<std::optional<nlohmann::json>> get_bucket_policy(Client& client, const std::string& bucket);
// ListBuckets: the names of the buckets the caller's account owns.
Result<std::vector<std::string>> list_owned_buckets(Client& client);

// Whether a rule's prefix covers keys under `prefix` (the repository's base path, "" = the
// whole bucket): the rule applies to some of the repository's objects.
bool prefix_overlaps(std::string_view rule_prefix, std::string_view repository_prefix);

}  // namespace essnap::s3
