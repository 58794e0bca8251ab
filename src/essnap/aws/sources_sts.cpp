// Credential sources that call STS: assume-role profiles (role_arn with source_profile or
// credential_source, recursively) and web identity (AssumeRoleWithWebIdentity, unsigned).
#include <algorithm>
#include <fstream>
#include <sstream>

#include "essnap/aws/credential_sources.hpp"
#include "essnap/aws/sts.hpp"

namespace essnap::aws::detail {
namespace {

std::string default_session_name() {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  return "essnap-session-" + std::to_string(ms);
}

Result<std::optional<int>> duration_from(const IniSection& section, const std::string& where) {
  std::string v = get_value(section, "duration_seconds");
  if (v.empty()) return std::optional<int>{};
  try {
    size_t used = 0;
    int n = std::stoi(v, &used);
    if (used != v.size() || n < 900 || n > 43200) throw std::out_of_range("range");
    return std::optional<int>(n);
  } catch (const std::exception&) {
    return make_error(ErrorCode::kInvalidArgument,
                      where + ": duration_seconds = '" + v + "' is not a number from 900 to 43200");
  }
}

std::string profile_where(const std::string& profile) {
  return "profile '" + profile + "'";
}

Result<Credentials> from_credential_source(ChainContext& ctx, const std::string& value,
                                           const std::string& profile) {
  if (value == "Environment") {
    ESSNAP_TRY(auto keys, environment_keys(ctx.env()));
    if (!keys)
      return make_error(
          ErrorCode::kNoCredentials,
          profile_where(profile) +
              " has credential_source = Environment but AWS_ACCESS_KEY_ID is not set");
    return std::move(*keys);
  }
  if (value == "Ec2InstanceMetadata" || value == "EcsContainer") {
    ESSNAP_TRY(auto f,
               value == "EcsContainer" ? container_credentials(ctx) : imds_credentials(ctx));
    if (!f.credentials)
      return make_error(
          ErrorCode::kNoCredentials,
          profile_where(profile) + " has credential_source = " + value + ", but " + f.reason);
    return std::move(*f.credentials);
  }
  return make_error(ErrorCode::kInvalidArgument,
                    profile_where(profile) + ": credential_source = '" + value +
                        "' is not one of Environment, Ec2InstanceMetadata, EcsContainer");
}

Result<Credentials> assume_role(ChainContext& ctx, const std::string& profile,
                                const IniSection& section, Credentials source) {
  aws::AssumeRoleRequest req;
  req.role_arn = get_value(section, "role_arn");
  req.role_session_name = get_value(section, "role_session_name");
  if (req.role_session_name.empty()) req.role_session_name = default_session_name();
  req.external_id = get_value(section, "external_id");
  ESSNAP_TRY(req.duration_seconds, duration_from(section, profile_where(profile)));
  if (!get_value(section, "mfa_serial").empty())
    return make_error(ErrorCode::kNoCredentials,
                      profile_where(profile) +
                          " needs an MFA code (mfa_serial), and essnap does not "
                          "prompt for one",
                      "get a session with 'aws sts get-session-token' and export it, or use a "
                      "profile without mfa_serial");
  auto endpoint = aws::resolve_sts_endpoint(ctx.sts_region(&section), ctx.env());
  aws::StsClient sts(ctx.transport(), endpoint, make_static_provider(std::move(source)));
  auto resp = sts.assume_role(req);
  if (!resp.ok())
    return std::move(resp).error().with_context("assuming " + req.role_arn + " for " +
                                                profile_where(profile));
  auto c = std::move(resp.value().credentials);
  c.provider = "assume-role";
  return c;
}

std::string read_token_file(const std::string& path, Result<std::string>* error_out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error_out =
        make_error(ErrorCode::kNoCredentials, "cannot read web identity token file " + path,
                   "check that the file exists and is readable (in Kubernetes: the "
                   "projected service account token volume)");
    return {};
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string t = ss.str();
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
  return t;
}

class AssumeRoleSource final : public CredentialSource {
 public:
  std::string name() const override { return "assume-role"; }
  SourceOutcome load(ChainContext& ctx) override {
    auto files = ctx.files();
    if (!files.ok()) return SourceOutcome::failed(files.error());
    const auto& prof = ctx.profile();
    if (!files.value()->has_profile(prof.name)) {
      if (prof.source != "default")
        return SourceOutcome::failed(make_error(
            ErrorCode::kInvalidArgument,
            "profile '" + prof.name + "' (from " + prof.source + ") is in neither " +
                files.value()->config.path() + " nor " + files.value()->credentials.path(),
            "check the name, or add a [profile " + prof.name + "] section"));
      return SourceOutcome::skipped("no profile '" + prof.name + "' in the shared files");
    }
    auto section = files.value()->merged_profile(prof.name);
    if (get_value(section, "role_arn").empty())
      return SourceOutcome::skipped("profile '" + prof.name + "' has no role_arn");
    if (get_value(section, "source_profile").empty() &&
        get_value(section, "credential_source").empty()) {
      if (!get_value(section, "web_identity_token_file").empty())
        return SourceOutcome::skipped("profile '" + prof.name +
                                      "' uses web_identity_token_file (the web-identity source)");
      return SourceOutcome::failed(make_error(
          ErrorCode::kInvalidArgument,
          "profile '" + prof.name +
              "' has role_arn but neither source_profile nor "
              "credential_source",
          "add source_profile = <profile with keys> or credential_source = Environment | "
          "Ec2InstanceMetadata | EcsContainer"));
    }
    std::vector<std::string> path;
    auto c = credentials_for_profile(ctx, prof.name, path);
    if (!c.ok()) return SourceOutcome::failed(c.error());
    return SourceOutcome::found(std::move(c).value());
  }
};

class WebIdentitySource final : public CredentialSource {
 public:
  std::string name() const override { return "web-identity"; }
  SourceOutcome load(ChainContext& ctx) override {
    const auto& env = ctx.env();
    auto token_file = env.get("AWS_WEB_IDENTITY_TOKEN_FILE").value_or("");
    auto role_arn = env.get("AWS_ROLE_ARN").value_or("");
    auto session = env.get("AWS_ROLE_SESSION_NAME").value_or("");
    std::optional<IniSection> section;
    if (token_file.empty() && role_arn.empty()) {
      auto files = ctx.files();
      if (!files.ok()) return SourceOutcome::failed(files.error());
      section = files.value()->merged_profile(ctx.profile().name);
      token_file = get_value(*section, "web_identity_token_file");
      if (token_file.empty())
        return SourceOutcome::skipped("AWS_WEB_IDENTITY_TOKEN_FILE not set and profile '" +
                                      ctx.profile().name + "' has no web_identity_token_file");
      role_arn = get_value(*section, "role_arn");
      session = get_value(*section, "role_session_name");
      if (role_arn.empty())
        return SourceOutcome::failed(make_error(
            ErrorCode::kInvalidArgument,
            "profile '" + ctx.profile().name + "' has web_identity_token_file but no role_arn"));
    } else if (token_file.empty() || role_arn.empty()) {
      return SourceOutcome::skipped(
          std::string(token_file.empty() ? "AWS_ROLE_ARN" : "AWS_WEB_IDENTITY_TOKEN_FILE") +
          " is set but " + (token_file.empty() ? "AWS_WEB_IDENTITY_TOKEN_FILE" : "AWS_ROLE_ARN") +
          " is not");
    }
    auto c =
        web_identity_credentials(ctx, role_arn, session, token_file, section ? &*section : nullptr);
    if (!c.ok()) return SourceOutcome::failed(c.error());
    return SourceOutcome::found(std::move(c).value());
  }
};

}  // namespace

Result<Credentials> web_identity_credentials(ChainContext& ctx, const std::string& role_arn,
                                             const std::string& session_name,
                                             const std::string& token_file,
                                             const IniSection* profile_section) {
  Result<std::string> err = std::string();
  std::string token = read_token_file(expand_home(token_file, ctx.env()), &err);
  if (!err.ok()) return err.error();
  if (token.empty())
    return make_error(ErrorCode::kNoCredentials,
                      "web identity token file " + token_file + " is empty");
  aws::AssumeRoleWithWebIdentityRequest req;
  req.role_arn = role_arn;
  req.role_session_name = session_name.empty() ? default_session_name() : session_name;
  req.web_identity_token = std::move(token);
  if (profile_section) {
    ESSNAP_TRY(req.duration_seconds, duration_from(*profile_section, "web identity profile"));
  }
  auto endpoint = aws::resolve_sts_endpoint(ctx.sts_region(profile_section), ctx.env());
  aws::StsClient sts(ctx.transport(), endpoint, nullptr);
  auto resp = sts.assume_role_with_web_identity(req);
  if (!resp.ok())
    return std::move(resp).error().with_context("assuming " + role_arn + " with web identity");
  auto c = std::move(resp.value().credentials);
  c.provider = "web-identity";
  return c;
}

Result<Credentials> credentials_for_profile(ChainContext& ctx, const std::string& profile,
                                            std::vector<std::string>& path) {
  ESSNAP_TRY(const SharedConfig* files, ctx.files());
  if (!files->has_profile(profile))
    return make_error(ErrorCode::kInvalidArgument,
                      "profile '" + profile + "'" +
                          (path.empty() ? "" : " (source_profile of '" + path.back() + "')") +
                          " is in neither " + files->config.path() + " nor " +
                          files->credentials.path());
  path.push_back(profile);
  const auto section = files->merged_profile(profile);
  const std::string where = profile_where(profile);
  if (!get_value(section, "role_arn").empty()) {
    const std::string source_profile = get_value(section, "source_profile");
    const std::string credential_source = get_value(section, "credential_source");
    if (!source_profile.empty() && !credential_source.empty())
      return make_error(ErrorCode::kInvalidArgument,
                        where + " has both source_profile and credential_source",
                        "keep only one of them");
    Credentials source;
    if (!credential_source.empty()) {
      ESSNAP_TRY(source, from_credential_source(ctx, credential_source, profile));
    } else if (!source_profile.empty()) {
      if (source_profile == profile) {
        // A profile may name itself to mean "my own static keys".
        ESSNAP_TRY(auto keys, static_keys_from_profile(section, "assume-role", where));
        if (!keys)
          return make_error(ErrorCode::kInvalidArgument,
                            where + " is its own source_profile but has no static keys");
        source = std::move(*keys);
      } else if (std::find(path.begin(), path.end(), source_profile) != path.end()) {
        std::string cycle;
        for (const auto& p : path) cycle += p + " -> ";
        return make_error(ErrorCode::kInvalidArgument,
                          "source_profile cycle: " + cycle + source_profile,
                          "make one profile in the chain hold keys instead of source_profile");
      } else {
        ESSNAP_TRY(source, credentials_for_profile(ctx, source_profile, path));
      }
    } else if (!get_value(section, "web_identity_token_file").empty()) {
      return web_identity_credentials(ctx, get_value(section, "role_arn"),
                                      get_value(section, "role_session_name"),
                                      get_value(section, "web_identity_token_file"), &section);
    } else {
      return make_error(ErrorCode::kInvalidArgument,
                        where + " has role_arn but neither source_profile nor credential_source");
    }
    return assume_role(ctx, profile, section, std::move(source));
  }
  if (is_sso_profile(section)) return sso_credentials(ctx, profile, section);
  if (auto cmd = get_value(section, "credential_process"); !cmd.empty())
    return run_credential_process(cmd);
  ESSNAP_TRY(auto keys, static_keys_from_profile(section, "shared-credentials-file", where));
  if (keys) return std::move(*keys);
  return make_error(ErrorCode::kNoCredentials,
                    where + " has no credentials (no keys, role_arn, sso_* or credential_process)");
}

std::unique_ptr<CredentialSource> make_assume_role_source() {
  return std::make_unique<AssumeRoleSource>();
}
std::unique_ptr<CredentialSource> make_web_identity_source() {
  return std::make_unique<WebIdentitySource>();
}

}  // namespace essnap::aws::detail
