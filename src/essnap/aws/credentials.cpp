#include "essnap/aws/credentials.hpp"

#include <cstdlib>
#include <mutex>

#include "essnap/aws/credential_sources.hpp"
#include "essnap/aws/refresh.hpp"
#include "essnap/aws/timestamp.hpp"
#include "essnap/http/factory.hpp"
#include "essnap/http/redact.hpp"

namespace essnap::aws {

std::optional<std::string> Environment::get(const std::string& name) const {
  const char* v = std::getenv(name.c_str());
  if (!v) return std::nullopt;
  return std::string(v);
}

const Environment& Environment::process() {
  static const Environment env;
  return env;
}

std::optional<std::string> MapEnvironment::get(const std::string& name) const {
  auto it = vars_.find(name);
  if (it == vars_.end()) return std::nullopt;
  return it->second;
}

std::string redact_key_id(const std::string& access_key_id) {
  return http::mask_key_id(access_key_id);
}

namespace {

// Every variable the chain reads; the snapshot keeps a long-lived provider independent of
// the Environment object it was built from.
const char* const kSnapshotVars[] = {
    "HOME",
    "USERPROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_EC2_METADATA_DISABLED",
    "AWS_EC2_METADATA_V1_DISABLED",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL_SSO",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_STS_REGIONAL_ENDPOINTS",
    "ESSNAP_CONTAINER_CREDENTIALS_HOST",
};

std::unique_ptr<Environment> snapshot(const Environment& env) {
  std::map<std::string, std::string> vars;
  for (const char* name : kSnapshotVars)
    if (auto v = env.get(name)) vars.emplace(name, *v);
  return std::make_unique<MapEnvironment>(std::move(vars));
}

class StaticProvider final : public CredentialsProvider {
 public:
  explicit StaticProvider(Credentials c) : c_(std::move(c)) {}
  Result<Credentials> credentials() override { return c_; }

 private:
  Credentials c_;
};

std::string outcome_text(const detail::SourceOutcome& o) {
  switch (o.kind) {
    case detail::SourceOutcome::Kind::kSkipped:
      return "skipped: " + o.reason;
    case detail::SourceOutcome::Kind::kFound:
      return "used";
    case detail::SourceOutcome::Kind::kFailed:
      return "failed: " + o.error.message;
  }
  return {};
}

struct ChainRun {
  Result<ResolvedCredentials> result;
  detail::CredentialSource* winner = nullptr;
};

ChainRun run_chain(detail::ChainContext& ctx,
                   const std::vector<std::unique_ptr<detail::CredentialSource>>& sources) {
  ResolvedCredentials resolved;
  resolved.profile = ctx.profile().name;
  resolved.profile_source = ctx.profile().source;
  for (const auto& source : sources) {
    auto outcome = source->load(ctx);
    resolved.attempts.push_back({source->name(), outcome_text(outcome)});
    if (outcome.kind == detail::SourceOutcome::Kind::kFound) {
      resolved.credentials = std::move(outcome.credentials);
      if (resolved.credentials.provider.empty()) resolved.credentials.provider = source->name();
      return {std::move(resolved), source.get()};
    }
    if (outcome.kind == detail::SourceOutcome::Kind::kFailed) {
      Error e = std::move(outcome.error);
      e.message = "the " + source->name() + " credential source failed: " + e.message;
      std::string tried;
      for (const auto& a : resolved.attempts) tried += "\n    " + a.provider + ": " + a.outcome;
      if (e.hint.empty()) e.hint = "fix that source, or remove it so the chain can go on";
      e.hint += "\n  sources tried:" + tried;
      return {std::move(e), nullptr};
    }
  }
  std::string tried;
  for (const auto& a : resolved.attempts) tried += "\n    " + a.provider + ": " + a.outcome;
  Error e(ErrorCode::kNoCredentials,
          "no AWS credentials found (profile '" + ctx.profile().name + "', from " +
              ctx.profile().source + "); sources tried:" + tried,
          "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, pass --profile NAME for a profile in " +
              credentials_file_path(ctx.env()) + " or " + config_file_path(ctx.env()) +
              ", or run on an instance/task with a role");
  return {std::move(e), nullptr};
}

// The default chain as a provider: resolved on first use, then the winning source is asked
// again whenever its temporary credentials near expiry.
class ChainProvider final : public CredentialsProvider {
 public:
  ChainProvider(const Environment& env, CredentialOptions options)
      : ctx_(std::make_shared<detail::ChainContext>(env, options)),
        sources_(std::make_shared<std::vector<std::unique_ptr<detail::CredentialSource>>>(
            detail::default_sources())),
        windows_(options.refresh) {}

  Result<Credentials> credentials() override {
    std::shared_ptr<CredentialsProvider> inner;
    {
      std::lock_guard g(mu_);
      if (!inner_) {
        std::lock_guard cg(*ctx_mu_);
        auto run = run_chain(*ctx_, *sources_);
        if (!run.result.ok()) return std::move(run.result).error();
        auto* winner = run.winner;
        auto ctx = ctx_;
        auto sources = sources_;  // keeps `winner` alive
        auto ctx_mu = ctx_mu_;
        inner_ = make_refreshing_provider(
            [ctx, sources, ctx_mu, winner]() -> Result<Credentials> {
              std::lock_guard cg(*ctx_mu);
              auto o = winner->load(*ctx);
              if (o.kind == detail::SourceOutcome::Kind::kFound) {
                if (o.credentials.provider.empty()) o.credentials.provider = winner->name();
                return std::move(o.credentials);
              }
              if (o.kind == detail::SourceOutcome::Kind::kFailed)
                return std::move(o.error).with_context("refreshing credentials from " +
                                                       winner->name());
              return make_error(ErrorCode::kNoCredentials,
                                "refreshing credentials from " + winner->name() +
                                    ": the source no longer applies (" + o.reason + ")");
            },
            windows_, std::move(run.result).value().credentials);
      }
      inner = inner_;
    }
    return inner->credentials();
  }

 private:
  std::mutex mu_;
  std::shared_ptr<std::mutex> ctx_mu_ = std::make_shared<std::mutex>();
  std::shared_ptr<detail::ChainContext> ctx_;
  std::shared_ptr<std::vector<std::unique_ptr<detail::CredentialSource>>> sources_;
  RefreshWindows windows_;
  std::shared_ptr<CredentialsProvider> inner_;
};

}  // namespace

namespace detail {

ChainContext::ChainContext(const Environment& env, CredentialOptions options)
    : env_(snapshot(env)), options_(std::move(options)) {
  profile_ = choose_profile(options_.profile, *env_);
}

Result<const SharedConfig*> ChainContext::files() {
  if (!files_) files_.emplace(load_shared_config(*env_));
  if (!files_->ok()) return files_->error();
  return &files_->value();
}

http::Transport& ChainContext::transport() {
  if (!transport_) {
    if (options_.transport_factory) transport_ = options_.transport_factory();
    if (!transport_) {
      http::TransportOptions o;
      // Metadata endpoints that do not answer must not hold up a chain for long.
      o.retry.max_attempts = 2;
      o.retry.max_elapsed = std::chrono::seconds(10);
      o.retry.initial_backoff = std::chrono::milliseconds(100);
      transport_ = http::make_transport(o);
    }
  }
  return *transport_;
}

std::string ChainContext::sts_region(const IniSection* profile_section) {
  if (!options_.region.empty()) return options_.region;
  if (auto r = env_->get("AWS_REGION"); r && !r->empty()) return *r;
  if (auto r = env_->get("AWS_DEFAULT_REGION"); r && !r->empty()) return *r;
  if (profile_section) {
    if (auto r = get_value(*profile_section, "region"); !r.empty()) return r;
  }
  if (auto f = files(); f.ok()) {
    if (const auto* p = f.value()->config_profile(profile_.name))
      if (auto r = get_value(*p, "region"); !r.empty()) return r;
  }
  return {};
}

std::vector<std::unique_ptr<CredentialSource>> default_sources() {
  std::vector<std::unique_ptr<CredentialSource>> v;
  v.push_back(make_environment_source());
  v.push_back(make_assume_role_source());
  v.push_back(make_web_identity_source());
  v.push_back(make_sso_source());
  v.push_back(make_shared_credentials_source());
  v.push_back(make_process_source());
  v.push_back(make_config_file_source());
  v.push_back(make_container_source());
  v.push_back(make_imds_source());
  return v;
}

}  // namespace detail

Result<ResolvedCredentials> resolve_credentials(const CredentialOptions& options,
                                                const Environment& env) {
  detail::ChainContext ctx(env, options);
  auto sources = detail::default_sources();
  return run_chain(ctx, sources).result;
}

std::shared_ptr<CredentialsProvider> make_static_provider(Credentials credentials) {
  if (credentials.provider.empty()) credentials.provider = "static";
  return std::make_shared<StaticProvider>(std::move(credentials));
}

std::shared_ptr<CredentialsProvider> make_default_chain(const CredentialOptions& options,
                                                        const Environment& env) {
  return std::make_shared<ChainProvider>(env, options);
}

}  // namespace essnap::aws
