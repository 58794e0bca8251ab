// AWS partitions: the one table of what differs between aws, aws-cn, aws-us-gov (and the
// isolated partitions) — ARN prefix, DNS suffix, IAM's global endpoint and its signing region,
// STS hosts, the search service's principal — and ARNs built and parsed against it.
//
// Source: botocore 1.43.11 data/partitions.json (ids, regionRegex, dnsSuffix,
// implicitGlobalRegion) and data/endpoints.json (iam partitionEndpoint hostname and
// credentialScope region per partition).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "essnap/util/result.hpp"

namespace essnap::aws {

struct Partition {
  std::string_view id;          // "aws", "aws-cn", "aws-us-gov", ... : the ARN's second field
  std::string_view dns_suffix;  // "amazonaws.com", "amazonaws.com.cn", ...
  // The region that signs global services (IAM) and stands in when none is known.
  std::string_view global_region;
  std::string_view iam_host;  // IAM is global per partition: "iam.amazonaws.com"; "" unknown
  // The principal Amazon OpenSearch Service assumes roles as. The service uses
  // "es.amazonaws.com" in every partition that offers it.
  std::string_view search_principal;
};

// The partition whose region pattern matches, e.g. "us-gov-west-1" -> aws-us-gov,
// "cn-north-1" -> aws-cn; unknown or empty regions -> aws (as botocore's default).
const Partition& partition_for_region(std::string_view region);
// By id ("aws-us-gov"); nullptr for an unknown id.
const Partition* partition_by_id(std::string_view id);

// "https://iam.amazonaws.com" for the region's partition.
std::string iam_url(const Partition& partition);
// "https://sts.<region>.<dns suffix>".
std::string sts_regional_url(std::string_view region);
// "<service>.<region>.<dns suffix>", e.g. "s3.cn-north-1.amazonaws.com.cn".
std::string regional_host(std::string_view service, std::string_view region);

// arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE
struct Arn {
  std::string partition;
  std::string service;
  std::string region;
  std::string account;
  std::string resource;  // "role/path/name", "domain/logs", "" ...

  std::string str() const;
};
// Strict: "arn:", five colons at least, a known partition, a service. kInvalidArgument otherwise.
Result<Arn> parse_arn(std::string_view text);

// arn:<partition>:iam::<account>:role/<name>
std::string role_arn(const Partition& partition, std::string_view account, std::string_view name);
// arn:<partition>:es:<region>:<account>:domain/<name>
std::string domain_arn(std::string_view region, std::string_view account, std::string_view domain);
// arn:<partition>:s3:::<bucket>
std::string bucket_arn(const Partition& partition, std::string_view bucket);

}  // namespace essnap::aws
