#include "essnap/aws/imds.hpp"

#include <cctype>

namespace essnap::aws {
namespace {

bool truthy(const std::optional<std::string>& v) {
  if (!v) return false;
  std::string s = *v;
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s == "true" || s == "1";
}

http::Timeouts imds_timeouts() {
  // IMDS answers in milliseconds on EC2; off EC2 nothing answers, and the chain must not stall.
  http::Timeouts t;
  t.connect = std::chrono::milliseconds(1000);
  t.stall = std::chrono::milliseconds(1000);
  t.overall = std::chrono::milliseconds(2000);
  return t;
}

}  // namespace

ImdsClient::ImdsClient(http::Transport& transport, const Environment& env) : transport_(transport) {
  disabled_ = truthy(env.get("AWS_EC2_METADATA_DISABLED"));
  v1_disabled_ = truthy(env.get("AWS_EC2_METADATA_V1_DISABLED"));
  if (auto e = env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT"); e && !e->empty()) {
    endpoint_ = *e;
  } else {
    auto mode = env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
    endpoint_ = mode && (*mode == "IPv6" || *mode == "ipv6") ? "http://[fd00:ec2::254]"
                                                             : "http://169.254.169.254";
  }
  while (!endpoint_.empty() && endpoint_.back() == '/') endpoint_.pop_back();
}

std::string ImdsClient::disabled_reason() const {
  return disabled_ ? "AWS_EC2_METADATA_DISABLED is true" : "";
}

Status ImdsClient::ensure_token() {
  if (have_token_ || use_v1_) return ok_status();
  http::Request req;
  req.method = "PUT";
  req.url = endpoint_ + "/latest/api/token";
  req.headers = {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}};
  req.timeouts = imds_timeouts();
  auto resp = transport_.send(std::move(req));
  if (!resp.ok()) return std::move(resp).error().with_context("IMDS token at " + endpoint_);
  if (resp->status == 200 && !resp->body.empty()) {
    token_ = resp->body;
    have_token_ = true;
    return ok_status();
  }
  if (resp->status == 403 || resp->status == 404 || resp->status == 405) {
    if (v1_disabled_)
      return make_error(ErrorCode::kNoCredentials,
                        "IMDS at " + endpoint_ + " refused a v2 token (HTTP " +
                            std::to_string(resp->status) +
                            ") and AWS_EC2_METADATA_V1_DISABLED forbids IMDSv1",
                        "enable IMDSv2 on the instance (HttpTokens), or unset "
                        "AWS_EC2_METADATA_V1_DISABLED");
    use_v1_ = true;
    return ok_status();
  }
  return make_error(ErrorCode::kRemote, "IMDS at " + endpoint_ +
                                            " answered the token request with "
                                            "HTTP " +
                                            std::to_string(resp->status));
}

Result<std::optional<std::string>> ImdsClient::get(const std::string& path) {
  if (disabled_) return make_error(ErrorCode::kNoCredentials, "IMDS is disabled");
  ESSNAP_TRY_STATUS(ensure_token());
  http::Request req;
  req.url = endpoint_ + "/latest/meta-data/" + path;
  if (have_token_) req.headers = {{"X-aws-ec2-metadata-token", token_}};
  req.timeouts = imds_timeouts();
  auto resp = transport_.send(std::move(req));
  if (!resp.ok()) return std::move(resp).error().with_context("IMDS at " + endpoint_);
  if (resp->status == 404) return std::optional<std::string>{};
  if (resp->status == 401 && have_token_) {
    // The token expired or the instance restarted; one fresh token, then give up.
    have_token_ = false;
    ESSNAP_TRY_STATUS(ensure_token());
    http::Request again;
    again.url = endpoint_ + "/latest/meta-data/" + path;
    if (have_token_) again.headers = {{"X-aws-ec2-metadata-token", token_}};
    again.timeouts = imds_timeouts();
    resp = transport_.send(std::move(again));
    if (!resp.ok()) return std::move(resp).error().with_context("IMDS at " + endpoint_);
  }
  if (resp->status != 200)
    return make_error(ErrorCode::kRemote, "IMDS GET /latest/meta-data/" + path + " answered HTTP " +
                                              std::to_string(resp->status));
  return std::optional<std::string>(std::move(resp->body));
}

Result<std::optional<std::string>> imds_region(http::Transport& transport, const Environment& env) {
  ImdsClient imds(transport, env);
  if (!imds.disabled_reason().empty()) return std::optional<std::string>{};
  auto r = imds.get("placement/region");
  if (!r.ok()) {
    if (r.error().code == ErrorCode::kNetwork || r.error().code == ErrorCode::kTimeout)
      return std::optional<std::string>{};
    return r.error();
  }
  return r.value();
}

}  // namespace essnap::aws
