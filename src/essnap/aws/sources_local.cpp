// Credential sources that need no network: environment variables, the shared credentials file,
// static keys in the config file, and credential_process.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "essnap/aws/credential_sources.hpp"
#include "essnap/aws/timestamp.hpp"

namespace essnap::aws::detail {
namespace {

std::string nonempty(const Environment& env, const char* name) {
  auto v = env.get(name);
  return v ? *v : std::string();
}

class EnvironmentSource final : public CredentialSource {
 public:
  std::string name() const override { return "environment"; }
  SourceOutcome load(ChainContext& ctx) override {
    const auto& env = ctx.env();
    // An explicit --profile means "use that profile", as with the AWS CLI.
    if (ctx.profile().source == "--profile")
      return SourceOutcome::skipped("--profile was given, so AWS_ACCESS_KEY_ID is not consulted");
    auto keys = environment_keys(env);
    if (!keys.ok()) return SourceOutcome::failed(keys.error());
    if (!keys.value())
      return SourceOutcome::skipped("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set");
    auto c = std::move(*keys.value());
    return SourceOutcome::found(std::move(c));
  }
};

// Static keys from a section of one of the two files.
class FileKeysSource final : public CredentialSource {
 public:
  enum class Which { kCredentialsFile, kConfigFile };
  explicit FileKeysSource(Which which) : which_(which) {}
  std::string name() const override {
    return which_ == Which::kCredentialsFile ? "shared-credentials-file" : "config-file";
  }
  SourceOutcome load(ChainContext& ctx) override {
    auto files = ctx.files();
    if (!files.ok()) return SourceOutcome::failed(files.error());
    const SharedConfig& f = *files.value();
    const std::string& profile = ctx.profile().name;
    const IniFile& file = which_ == Which::kCredentialsFile ? f.credentials : f.config;
    if (!file.exists()) return SourceOutcome::skipped(file.path() + " does not exist");
    const IniSection* section = which_ == Which::kCredentialsFile ? f.credentials_profile(profile)
                                                                  : f.config_profile(profile);
    const std::string header = which_ == Which::kCredentialsFile || profile == "default"
                                   ? "[" + profile + "]"
                                   : "[profile " + profile + "]";
    if (!section) return SourceOutcome::skipped("no " + header + " section in " + file.path());
    auto keys = static_keys_from_profile(*section, name(), header + " in " + file.path());
    if (!keys.ok()) return SourceOutcome::failed(keys.error());
    if (!keys.value())
      return SourceOutcome::skipped(header + " in " + file.path() + " has no aws_access_key_id");
    return SourceOutcome::found(std::move(*keys.value()));
  }

 private:
  Which which_;
};

class ProcessSource final : public CredentialSource {
 public:
  std::string name() const override { return "credential-process"; }
  SourceOutcome load(ChainContext& ctx) override {
    auto files = ctx.files();
    if (!files.ok()) return SourceOutcome::failed(files.error());
    auto profile = files.value()->merged_profile(ctx.profile().name);
    std::string command = get_value(profile, "credential_process");
    if (command.empty())
      return SourceOutcome::skipped("profile '" + ctx.profile().name +
                                    "' has no credential_process");
    auto c = run_credential_process(command);
    if (!c.ok()) return SourceOutcome::failed(c.error());
    return SourceOutcome::found(std::move(c).value());
  }
};

}  // namespace

Result<std::optional<Credentials>> environment_keys(const Environment& env) {
  std::string id = nonempty(env, "AWS_ACCESS_KEY_ID");
  std::string secret = nonempty(env, "AWS_SECRET_ACCESS_KEY");
  if (id.empty() && secret.empty()) return std::optional<Credentials>{};
  if (id.empty())
    return make_error(ErrorCode::kNoCredentials,
                      "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not",
                      "set both, or unset AWS_SECRET_ACCESS_KEY");
  if (secret.empty())
    return make_error(ErrorCode::kNoCredentials,
                      "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not",
                      "set both, or unset AWS_ACCESS_KEY_ID");
  Credentials c;
  c.access_key_id = id;
  c.secret_access_key = secret;
  c.session_token = nonempty(env, "AWS_SESSION_TOKEN");
  if (c.session_token.empty()) c.session_token = nonempty(env, "AWS_SECURITY_TOKEN");
  c.provider = "environment";
  if (auto exp = nonempty(env, "AWS_CREDENTIAL_EXPIRATION"); !exp.empty()) {
    auto t = parse_iso8601(exp);
    if (!t.ok()) return std::move(t).error().with_context("AWS_CREDENTIAL_EXPIRATION");
    if (t.value() <= std::chrono::system_clock::now())
      return make_error(
          ErrorCode::kNoCredentials,
          "the keys in AWS_ACCESS_KEY_ID expired at " + exp + " (AWS_CREDENTIAL_EXPIRATION)",
          "export fresh temporary credentials, or unset the AWS_* key variables");
    c.expiration = t.value();
  }
  return std::optional<Credentials>(std::move(c));
}

Result<std::optional<Credentials>> static_keys_from_profile(const IniSection& section,
                                                            const std::string& provider,
                                                            const std::string& where) {
  std::string id = get_value(section, "aws_access_key_id");
  std::string secret = get_value(section, "aws_secret_access_key");
  if (id.empty() && secret.empty()) return std::optional<Credentials>{};
  if (id.empty() || secret.empty())
    return make_error(
        ErrorCode::kNoCredentials,
        where + " has " + (id.empty() ? "aws_secret_access_key" : "aws_access_key_id") +
            " but not " + (id.empty() ? "aws_access_key_id" : "aws_secret_access_key"),
        "add the missing key to that section");
  Credentials c;
  c.access_key_id = id;
  c.secret_access_key = secret;
  c.session_token = get_value(section, "aws_session_token");
  if (c.session_token.empty()) c.session_token = get_value(section, "aws_security_token");
  c.provider = provider;
  return std::optional<Credentials>(std::move(c));
}

Result<Credentials> run_credential_process(const std::string& command) {
  // The command line is the user's own config; a shell runs it so quoting works as they wrote it.
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe)
    return make_error(ErrorCode::kNoCredentials, "cannot start credential_process",
                      "check the command in your profile");
  std::string out;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) {
    out.append(buf.data(), n);
    if (out.size() > (1u << 20)) break;  // a credential document is small
  }
  int status = ::pclose(pipe);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string how = WIFEXITED(status)
                          ? "exited with status " + std::to_string(WEXITSTATUS(status))
                          : "did not exit normally";
    return make_error(ErrorCode::kNoCredentials, "credential_process " + how,
                      "run the command by hand to see its error");
  }
  // Never echo the output: it holds the secret key.
  auto j = nlohmann::json::parse(out, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return make_error(ErrorCode::kNoCredentials,
                      "credential_process printed something that is "
                      "not a JSON object",
                      "it must print {\"Version\": 1, \"AccessKeyId\": ..., "
                      "\"SecretAccessKey\": ...}");
  if (!j.contains("Version") || !j["Version"].is_number_integer() || j["Version"] != 1)
    return make_error(ErrorCode::kNoCredentials,
                      "credential_process output has no \"Version\": 1 (only version 1 is "
                      "defined)");
  auto str = [&](const char* key) -> std::string {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  Credentials c;
  c.access_key_id = str("AccessKeyId");
  c.secret_access_key = str("SecretAccessKey");
  c.session_token = str("SessionToken");
  c.provider = "credential-process";
  if (c.access_key_id.empty() || c.secret_access_key.empty())
    return make_error(ErrorCode::kNoCredentials,
                      std::string("credential_process output lacks ") +
                          (c.access_key_id.empty() ? "AccessKeyId" : "SecretAccessKey"));
  if (auto exp = str("Expiration"); !exp.empty()) {
    auto t = parse_iso8601(exp);
    if (!t.ok()) return std::move(t).error().with_context("credential_process Expiration");
    c.expiration = t.value();
  }
  return c;
}

std::unique_ptr<CredentialSource> make_environment_source() {
  return std::make_unique<EnvironmentSource>();
}
std::unique_ptr<CredentialSource> make_shared_credentials_source() {
  return std::make_unique<FileKeysSource>(FileKeysSource::Which::kCredentialsFile);
}
std::unique_ptr<CredentialSource> make_config_file_source() {
  return std::make_unique<FileKeysSource>(FileKeysSource::Which::kConfigFile);
}
std::unique_ptr<CredentialSource> make_process_source() {
  return std::make_unique<ProcessSource>();
}

}  // namespace essnap::aws::detail
