// The EC2 instance metadata service (IMDS), as the credential chain and the region chain use it.
//
// Protocol (IMDSv2): PUT {endpoint}/latest/api/token with header
// "X-aws-ec2-metadata-token-ttl-seconds: 21600" -> 200 and the token as the body; then every
// GET carries "X-aws-ec2-metadata-token: <token>". IMDSv1 (GETs without a token) is used only
// when the PUT is refused (403, 404, 405) and AWS_EC2_METADATA_V1_DISABLED is not true.
// AWS_EC2_METADATA_DISABLED=true turns IMDS off; AWS_EC2_METADATA_SERVICE_ENDPOINT points
// elsewhere (default http://169.254.169.254, or http://[fd00:ec2::254] when
// AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6).
#pragma once

#include <optional>
#include <string>

#include "essnap/aws/credentials.hpp"
#include "essnap/http/transport.hpp"

namespace essnap::aws {

class ImdsClient {
 public:
  ImdsClient(http::Transport& transport, const Environment& env);

  // Empty when IMDS may be used; else why not ("AWS_EC2_METADATA_DISABLED=true").
  std::string disabled_reason() const;
  const std::string& endpoint() const { return endpoint_; }

  // The body of GET /latest/meta-data/<path>. nullopt (with *not_found set) on 404;
  // kNetwork/kTimeout errors when nothing answers.
  Result<std::optional<std::string>> get(const std::string& path);

 private:
  Status ensure_token();

  http::Transport& transport_;
  std::string endpoint_;
  bool disabled_ = false;
  bool v1_disabled_ = false;
  bool have_token_ = false;
  bool use_v1_ = false;
  std::string token_;
};

// The instance's region (GET /latest/meta-data/placement/region); nullopt when not on EC2.
Result<std::optional<std::string>> imds_region(http::Transport& transport, const Environment& env);

}  // namespace essnap::aws
