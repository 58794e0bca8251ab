#include "essnap/aws/partition.hpp"

#include <array>
#include <cctype>

namespace essnap::aws {
namespace {

struct Entry {
  Partition partition;
  // regionRegex is "^(P1|P2|...)-\w+-\d+$" for every partition; these are the alternatives.
  std::array<std::string_view, 9> prefixes;
};

// In botocore's order; the patterns are disjoint, so order only decides the default.
constexpr std::array<Entry, 8> kPartitions = {{
    {{"aws", "amazonaws.com", "us-east-1", "iam.amazonaws.com", "es.amazonaws.com"},
     {"us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"}},
    {{"aws-cn", "amazonaws.com.cn", "cn-north-1", "iam.cn-north-1.amazonaws.com.cn",
      "es.amazonaws.com"},
     {"cn"}},
    {{"aws-us-gov", "amazonaws.com", "us-gov-west-1", "iam.us-gov.amazonaws.com",
      "es.amazonaws.com"},
     {"us-gov"}},
    {{"aws-iso", "c2s.ic.gov", "us-iso-east-1", "iam.us-iso-east-1.c2s.ic.gov", "es.amazonaws.com"},
     {"us-iso"}},
    {{"aws-iso-b", "sc2s.sgov.gov", "us-isob-east-1", "iam.us-isob-east-1.sc2s.sgov.gov",
      "es.amazonaws.com"},
     {"us-isob"}},
    {{"aws-iso-e", "cloud.adc-e.uk", "eu-isoe-west-1", "", "es.amazonaws.com"}, {"eu-isoe"}},
    {{"aws-iso-f", "csp.hci.ic.gov", "us-isof-south-1", "iam.us-isof-south-1.csp.hci.ic.gov",
      "es.amazonaws.com"},
     {"us-isof"}},
    {{"aws-eusc", "amazonaws.eu", "eusc-de-east-1", "", "es.amazonaws.com"}, {"eusc-de"}},
}};

bool is_word(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// region == PREFIX "-" \w+ "-" \d+, the shape of every partition's regionRegex.
bool matches(std::string_view region, std::string_view prefix) {
  if (prefix.empty() || region.size() <= prefix.size() ||
      region.substr(0, prefix.size()) != prefix || region[prefix.size()] != '-')
    return false;
  std::string_view rest = region.substr(prefix.size() + 1);
  auto dash = rest.find('-');
  if (dash == 0 || dash == std::string_view::npos || dash + 1 == rest.size()) return false;
  for (char c : rest.substr(0, dash))
    if (!is_word(c)) return false;
  for (char c : rest.substr(dash + 1))
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

}  // namespace

const Partition& partition_for_region(std::string_view region) {
  for (const auto& e : kPartitions)
    for (auto p : e.prefixes)
      if (matches(region, p)) return e.partition;
  return kPartitions[0].partition;
}

const Partition* partition_by_id(std::string_view id) {
  for (const auto& e : kPartitions)
    if (e.partition.id == id) return &e.partition;
  return nullptr;
}

std::string iam_url(const Partition& p) {
  // botocore lists no IAM endpoint for some partitions: use the regional pattern there.
  if (p.iam_host.empty())
    return "https://iam." + std::string(p.global_region) + "." + std::string(p.dns_suffix);
  return "https://" + std::string(p.iam_host);
}

std::string regional_host(std::string_view service, std::string_view region) {
  return std::string(service) + "." + std::string(region) + "." +
         std::string(partition_for_region(region).dns_suffix);
}

std::string sts_regional_url(std::string_view region) {
  return "https://" + regional_host("sts", region);
}

std::string Arn::str() const {
  return "arn:" + partition + ":" + service + ":" + region + ":" + account + ":" + resource;
}

Result<Arn> parse_arn(std::string_view text) {
  auto bad = [&](const std::string& why) -> Result<Arn> {
    return make_error(ErrorCode::kInvalidArgument,
                      // An excerpt only: the text may come from a server and be huge.
                      "'" + std::string(text.substr(0, 128)) + (text.size() > 128 ? "..." : "") +
                          "' is not an ARN: " + why,
                      "an ARN looks like arn:aws:iam::111122223333:role/NAME");
  };
  if (text.substr(0, 4) != "arn:") return bad("it does not start with 'arn:'");
  std::array<std::string, 5> f;
  std::string_view rest = text.substr(4);
  for (std::size_t i = 0; i < 4; ++i) {
    auto colon = rest.find(':');
    if (colon == std::string_view::npos) return bad("it has fewer than six ':'-separated parts");
    f[i] = std::string(rest.substr(0, colon));
    rest.remove_prefix(colon + 1);
  }
  f[4] = std::string(rest);
  if (!partition_by_id(f[0])) return bad("unknown partition '" + f[0] + "'");
  if (f[1].empty()) return bad("the service is empty");
  return Arn{f[0], f[1], f[2], f[3], f[4]};
}

std::string role_arn(const Partition& p, std::string_view account, std::string_view name) {
  return Arn{std::string(p.id), "iam", "", std::string(account), "role/" + std::string(name)}.str();
}

std::string domain_arn(std::string_view region, std::string_view account, std::string_view domain) {
  return Arn{std::string(partition_for_region(region).id), "es", std::string(region),
             std::string(account), "domain/" + std::string(domain)}
      .str();
}

std::string bucket_arn(const Partition& p, std::string_view bucket) {
  return Arn{std::string(p.id), "s3", "", "", std::string(bucket)}.str();
}

}  // namespace essnap::aws
