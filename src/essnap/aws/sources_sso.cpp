// IAM Identity Center (SSO): the access token `aws sso login` cached under ~/.aws/sso/cache,
// exchanged for role credentials with the portal's GetRoleCredentials.
//
// Cache file: ~/.aws/sso/cache/<sha1-hex(key)>.json, key = the sso_session name when the
// profile uses [sso-session NAME], else the sso_start_url. JSON: {"accessToken": "...",
// "expiresAt": "2024-05-01T12:00:00Z", "region": "...", "startUrl": "..."}.
// GetRoleCredentials: GET {portal}/federation/credentials?role_name=R&account_id=A with header
// x-amz-sso_bearer_token; answer {"roleCredentials": {"accessKeyId", "secretAccessKey",
// "sessionToken", "expiration" (epoch milliseconds)}}.
#include <openssl/sha.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "essnap/aws/credential_sources.hpp"
#include "essnap/aws/partition.hpp"
#include "essnap/aws/service_endpoint.hpp"
#include "essnap/aws/sts.hpp"
#include "essnap/aws/timestamp.hpp"

namespace essnap::aws::detail {
namespace {

std::string sha1_hex(const std::string& s) {
  unsigned char md[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(s.data()), s.size(), md);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : md) {
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}

std::string portal_url(const Environment& env, const std::string& region) {
  if (auto c = configured_endpoint("SSO", env)) return c->url;
  return "https://" + regional_host("portal.sso", region);
}

class SsoSource final : public CredentialSource {
 public:
  std::string name() const override { return "sso"; }
  SourceOutcome load(ChainContext& ctx) override {
    auto files = ctx.files();
    if (!files.ok()) return SourceOutcome::failed(files.error());
    auto section = files.value()->merged_profile(ctx.profile().name);
    if (!is_sso_profile(section))
      return SourceOutcome::skipped("profile '" + ctx.profile().name + "' has no sso_* keys");
    auto c = sso_credentials(ctx, ctx.profile().name, section);
    if (!c.ok()) return SourceOutcome::failed(c.error());
    return SourceOutcome::found(std::move(c).value());
  }
};

}  // namespace

bool is_sso_profile(const IniSection& section) {
  return !get_value(section, "sso_account_id").empty() ||
         !get_value(section, "sso_role_name").empty() ||
         !get_value(section, "sso_start_url").empty() || !get_value(section, "sso_session").empty();
}

Result<Credentials> sso_credentials(ChainContext& ctx, const std::string& profile,
                                    const IniSection& section) {
  const std::string where = "profile '" + profile + "'";
  const std::string login_hint = "run 'aws sso login --profile " + profile + "'";
  ESSNAP_TRY(const SharedConfig* files, ctx.files());
  std::string account = get_value(section, "sso_account_id");
  std::string role = get_value(section, "sso_role_name");
  std::string start_url = get_value(section, "sso_start_url");
  std::string region = get_value(section, "sso_region");
  std::string cache_key = start_url;
  if (auto session = get_value(section, "sso_session"); !session.empty()) {
    const IniSection* s = files->sso_session(session);
    if (!s)
      return make_error(ErrorCode::kInvalidArgument, where + " names sso_session '" + session +
                                                         "', but " + files->config.path() +
                                                         " has no [sso-session " + session + "]");
    if (auto v = get_value(*s, "sso_start_url"); !v.empty()) start_url = v;
    if (auto v = get_value(*s, "sso_region"); !v.empty()) region = v;
    cache_key = session;
  }
  std::string missing;
  for (auto [key, value] : {std::pair{"sso_account_id", &account},
                            {"sso_role_name", &role},
                            {"sso_start_url", &start_url},
                            {"sso_region", &region}})
    if (value->empty()) missing += std::string(missing.empty() ? "" : ", ") + key;
  if (!missing.empty())
    return make_error(ErrorCode::kInvalidArgument,
                      where + " is an SSO profile but lacks " + missing,
                      "run 'aws configure sso --profile " + profile + "'");

  const std::string cache_path =
      home_directory(ctx.env()) + "/.aws/sso/cache/" + sha1_hex(cache_key) + ".json";
  std::ifstream in(cache_path, std::ios::binary);
  if (!in)
    return make_error(ErrorCode::kNoCredentials,
                      where + ": no cached SSO token (" + cache_path + " is missing)", login_hint);
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("accessToken") ||
      !j["accessToken"].is_string() || !j.contains("expiresAt") || !j["expiresAt"].is_string())
    return make_error(ErrorCode::kNoCredentials,
                      where + ": the SSO token cache " + cache_path + " is not valid", login_hint);
  ESSNAP_TRY(auto expires, parse_iso8601(j["expiresAt"].get<std::string>()));
  if (expires <= std::chrono::system_clock::now())
    return make_error(ErrorCode::kNoCredentials,
                      where + ": the SSO session expired at " + format_iso8601(expires),
                      login_hint);

  http::Request req;
  req.method = "GET";
  std::string base = portal_url(ctx.env(), region);
  while (!base.empty() && base.back() == '/') base.pop_back();
  req.url = base + "/federation/credentials?account_id=" + aws::form_encode(account) +
            "&role_name=" + aws::form_encode(role);
  req.headers = {{"x-amz-sso_bearer_token", j["accessToken"].get<std::string>()},
                 {"Accept", "application/json"}};
  req.timeouts.connect = std::chrono::seconds(10);
  req.timeouts.overall = std::chrono::seconds(60);
  auto resp = ctx.transport().send(std::move(req));
  if (!resp.ok()) return std::move(resp).error().with_context("SSO GetRoleCredentials at " + base);
  if (resp->status >= 400) {
    Error e(
        resp->status == 401 || resp->status == 403 ? ErrorCode::kNoCredentials : ErrorCode::kRemote,
        "SSO GetRoleCredentials for role " + role + " in account " + account + " failed: HTTP " +
            std::to_string(resp->status),
        resp->status == 401 ? login_hint : "check sso_account_id and sso_role_name in " + where);
    RemoteDetail d;
    d.http_status = resp->status;
    auto ej = nlohmann::json::parse(resp->body, nullptr, false);
    if (ej.is_object() && ej.contains("message") && ej["message"].is_string())
      d.reason = ej["message"].get<std::string>();
    if (const auto* t = http::find_header(resp->headers, "x-amzn-ErrorType")) d.error_type = *t;
    e.remote = d;
    return e;
  }
  auto rj = nlohmann::json::parse(resp->body, nullptr, false);
  if (rj.is_discarded() || !rj.contains("roleCredentials") || !rj["roleCredentials"].is_object())
    return make_error(ErrorCode::kParse, "SSO GetRoleCredentials answered without roleCredentials");
  const auto& rc = rj["roleCredentials"];
  auto str = [&](const char* k) {
    auto it = rc.find(k);
    return it != rc.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  Credentials c;
  c.access_key_id = str("accessKeyId");
  c.secret_access_key = str("secretAccessKey");
  c.session_token = str("sessionToken");
  c.provider = "sso";
  if (c.access_key_id.empty() || c.secret_access_key.empty())
    return make_error(ErrorCode::kParse, "SSO GetRoleCredentials answered without keys");
  if (auto it = rc.find("expiration"); it != rc.end() && it->is_number())
    c.expiration =
        std::chrono::system_clock::time_point(std::chrono::milliseconds(it->get<long long>()));
  return c;
}

std::unique_ptr<CredentialSource> make_sso_source() {
  return std::make_unique<SsoSource>();
}

}  // namespace essnap::aws::detail
