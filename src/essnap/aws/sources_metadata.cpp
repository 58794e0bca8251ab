// Credential sources on the machine's metadata endpoints: the container credentials endpoint
// (ECS, EKS Pod Identity) and EC2 instance metadata (IMDS).
//
// Container: GET the URI in AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (on http://169.254.170.2) or
// AWS_CONTAINER_CREDENTIALS_FULL_URI (https, or http on a loopback / ECS / EKS link-local
// address only, so credentials never travel in clear text off the host), with header
// "Authorization: <token>" from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (re-read each time) or
// AWS_CONTAINER_AUTHORIZATION_TOKEN. Answer: {"AccessKeyId", "SecretAccessKey", "Token",
// "Expiration"}; errors as {"code", "message"}.
// IMDS: the role name from /latest/meta-data/iam/security-credentials/, then that path plus the
// name: {"Code": "Success", "AccessKeyId", "SecretAccessKey", "Token", "Expiration"}.
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "essnap/aws/credential_sources.hpp"
#include "essnap/aws/imds.hpp"
#include "essnap/aws/timestamp.hpp"

namespace essnap::aws::detail {
namespace {

constexpr const char* kEcsHost = "http://169.254.170.2";

struct UrlParts {
  std::string scheme, host;
};

std::optional<UrlParts> split_url(const std::string& url) {
  auto p = url.find("://");
  if (p == std::string::npos) return std::nullopt;
  UrlParts out;
  out.scheme = url.substr(0, p);
  for (auto& c : out.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string rest = url.substr(p + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (rest.find('@') != std::string::npos) return std::nullopt;
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string::npos) return std::nullopt;
    out.host = rest.substr(0, close + 1);
  } else {
    out.host = rest.substr(0, rest.find(':'));
  }
  for (auto& c : out.host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (out.host.empty()) return std::nullopt;
  return out;
}

bool is_loopback_or_container_host(const std::string& host) {
  if (host == "localhost" || host == "[::1]" || host == "169.254.170.2" ||
      host == "169.254.170.23" || host == "[fd00:ec2::23]")
    return true;
  if (host.rfind("127.", 0) == 0) {
    int dots = 0;
    for (char c : host) {
      if (c == '.')
        ++dots;
      else if (!std::isdigit(static_cast<unsigned char>(c)))
        return false;
    }
    return dots == 3;
  }
  return false;
}

Result<std::string> container_auth_token(const Environment& env) {
  std::string token;
  if (auto f = env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"); f && !f->empty()) {
    std::ifstream in(*f, std::ios::binary);
    if (!in)
      return make_error(ErrorCode::kNoCredentials,
                        "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + *f);
    std::stringstream ss;
    ss << in.rdbuf();
    token = ss.str();
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  } else if (auto t = env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN")) {
    token = *t;
  }
  if (token.find_first_of("\r\n") != std::string::npos)
    return make_error(ErrorCode::kNoCredentials,
                      "the container authorization token contains a line break");
  return token;
}

// The JSON both endpoints answer with.
Result<Credentials> parse_metadata_credentials(const std::string& body, const std::string& what,
                                               const std::string& provider) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return make_error(ErrorCode::kParse, what + " answered with something that is not JSON");
  auto str = [&](const char* k) {
    auto it = j.find(k);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (auto code = str("Code"); !code.empty() && code != "Success")
    return make_error(ErrorCode::kNoCredentials, what + " reported Code " + code);
  Credentials c;
  c.access_key_id = str("AccessKeyId");
  c.secret_access_key = str("SecretAccessKey");
  c.session_token = str("Token");
  c.provider = provider;
  if (c.access_key_id.empty() || c.secret_access_key.empty())
    return make_error(ErrorCode::kParse, what + " answered without AccessKeyId/SecretAccessKey");
  if (auto exp = str("Expiration"); !exp.empty()) {
    ESSNAP_TRY(c.expiration, parse_iso8601(exp));
  }
  return c;
}

class ContainerSource final : public CredentialSource {
 public:
  std::string name() const override { return "container"; }
  SourceOutcome load(ChainContext& ctx) override {
    auto f = container_credentials(ctx);
    if (!f.ok()) return SourceOutcome::failed(f.error());
    if (!f->credentials) return SourceOutcome::skipped(f->reason);
    return SourceOutcome::found(std::move(*f->credentials));
  }
};

class ImdsSource final : public CredentialSource {
 public:
  std::string name() const override { return "ec2-instance-metadata"; }
  SourceOutcome load(ChainContext& ctx) override {
    auto f = imds_credentials(ctx);
    if (!f.ok()) return SourceOutcome::failed(f.error());
    if (!f->credentials) return SourceOutcome::skipped(f->reason);
    return SourceOutcome::found(std::move(*f->credentials));
  }
};

}  // namespace

Result<Fetched> container_credentials(ChainContext& ctx) {
  const auto& env = ctx.env();
  std::string url;
  if (auto rel = env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"); rel && !rel->empty()) {
    std::string host = kEcsHost;
    // Tests stand in for the ECS agent on loopback; nothing else may replace 169.254.170.2.
    if (auto o = env.get("ESSNAP_CONTAINER_CREDENTIALS_HOST"); o && !o->empty()) {
      auto parts = split_url(*o);
      if (!parts || parts->scheme != "http" || !is_loopback_or_container_host(parts->host))
        return make_error(ErrorCode::kInvalidArgument,
                          "ESSNAP_CONTAINER_CREDENTIALS_HOST must be an http loopback origin");
      host = *o;
    }
    url = host + (rel->front() == '/' ? "" : "/") + *rel;
  } else if (auto full = env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI"); full && !full->empty()) {
    auto parts = split_url(*full);
    if (!parts || (parts->scheme != "https" && parts->scheme != "http"))
      return make_error(ErrorCode::kInvalidArgument,
                        "AWS_CONTAINER_CREDENTIALS_FULL_URI is not an http(s) URL");
    if (parts->scheme == "http" && !is_loopback_or_container_host(parts->host))
      return make_error(ErrorCode::kInvalidArgument,
                        "AWS_CONTAINER_CREDENTIALS_FULL_URI host " + parts->host +
                            " is neither loopback nor the ECS/EKS link-local address, and the "
                            "URL is not https",
                        "use https, or a loopback / 169.254.170.2 / 169.254.170.23 address");
    url = *full;
  } else {
    return Fetched{std::nullopt, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI not set"};
  }
  ESSNAP_TRY(auto token, container_auth_token(env));
  http::Request req;
  req.url = url;
  req.headers = {{"Accept", "application/json"}};
  if (!token.empty()) req.headers.emplace_back("Authorization", token);
  req.timeouts.connect = std::chrono::seconds(2);
  req.timeouts.stall = std::chrono::seconds(5);
  req.timeouts.overall = std::chrono::seconds(10);
  auto resp = ctx.transport().send(std::move(req));
  if (!resp.ok()) return std::move(resp).error().with_context("container credentials endpoint");
  if (resp->status != 200) {
    std::string detail;
    auto j = nlohmann::json::parse(resp->body, nullptr, false);
    if (j.is_object() && j.contains("message") && j["message"].is_string())
      detail = ": " + j["message"].get<std::string>();
    return make_error(
        ErrorCode::kNoCredentials,
        "container credentials endpoint answered HTTP " + std::to_string(resp->status) + detail,
        resp->status == 401 || resp->status == 403
            ? "check AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE)"
            : "check the task role / pod identity association");
  }
  ESSNAP_TRY(auto c,
             parse_metadata_credentials(resp->body, "container credentials endpoint", "container"));
  return Fetched{std::move(c), {}};
}

Result<Fetched> imds_credentials(ChainContext& ctx) {
  ImdsClient imds(ctx.transport(), ctx.env());
  if (auto why = imds.disabled_reason(); !why.empty()) return Fetched{std::nullopt, why};
  auto roles = imds.get("iam/security-credentials/");
  if (!roles.ok()) {
    if (roles.error().code == ErrorCode::kNetwork || roles.error().code == ErrorCode::kTimeout)
      return Fetched{std::nullopt, "no instance metadata service answered at " + imds.endpoint()};
    return roles.error();
  }
  if (!roles.value() || roles.value()->empty())
    return Fetched{std::nullopt, "the instance has no IAM role (instance profile)"};
  std::string role = *roles.value();
  role = role.substr(0, role.find('\n'));
  while (!role.empty() && (role.back() == '\r' || role.back() == ' ')) role.pop_back();
  auto body = imds.get("iam/security-credentials/" + role);
  if (!body.ok()) return body.error();
  if (!body.value())
    return Fetched{std::nullopt, "IMDS lists role " + role + " but has no credentials for it"};
  ESSNAP_TRY(auto c, parse_metadata_credentials(*body.value(), "IMDS", "ec2-instance-metadata"));
  return Fetched{std::move(c), {}};
}

std::unique_ptr<CredentialSource> make_container_source() {
  return std::make_unique<ContainerSource>();
}
std::unique_ptr<CredentialSource> make_imds_source() {
  return std::make_unique<ImdsSource>();
}

}  // namespace essnap::aws::detail
