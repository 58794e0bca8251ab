// AWS credentials and the provider chain that finds them.
// A Credentials value is what the signer needs; a provider is one place credentials may come from.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "essnap/http/transport.hpp"
#include "essnap/util/result.hpp"

namespace essnap::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty when the keys are long-lived
  std::optional<std::chrono::system_clock::time_point> expiration;
  std::string
      provider;  // which provider produced them, e.g. "environment", "shared-credentials-file"
};

// Why a provider produced nothing; collected so "no credentials" can name every source tried.
struct ProviderAttempt {
  std::string provider;
  std::string outcome;  // "skipped: AWS_ACCESS_KEY_ID not set", "used", "failed: ..."
};

// When temporary credentials are renewed. From `advisory` before expiry a refresh starts in the
// background while the current credentials are still served; from `mandatory` before expiry
// callers wait for fresh ones. Tests shrink both to exercise expiry in seconds.
struct RefreshWindows {
  std::chrono::milliseconds advisory{15 * 60 * 1000};
  std::chrono::milliseconds mandatory{10 * 60 * 1000};
};

// What the caller asked for explicitly (flags); empty means "not given".
struct CredentialOptions {
  std::string profile;  // --profile; else AWS_PROFILE / AWS_DEFAULT_PROFILE; else "default"
  std::string region;   // --region: picks the regional STS endpoint for assume-role
  // Builds the transport used for STS, SSO, IMDS and container calls. Empty: the default
  // libcurl transport. Tests inject their own; the CLI passes one that traces with -v.
  std::function<std::unique_ptr<http::Transport>()> transport_factory;
  RefreshWindows refresh;
};

// The environment, injectable for tests. Defaults read the process environment.
class Environment {
 public:
  virtual ~Environment() = default;
  virtual std::optional<std::string> get(const std::string& name) const;
  static const Environment& process();
};

// A map-backed environment for tests.
class MapEnvironment : public Environment {
 public:
  explicit MapEnvironment(std::map<std::string, std::string> vars) : vars_(std::move(vars)) {}
  std::optional<std::string> get(const std::string& name) const override;

 private:
  std::map<std::string, std::string> vars_;
};

struct ResolvedCredentials {
  Credentials credentials;
  std::vector<ProviderAttempt> attempts;  // every provider consulted, in order
  std::string profile;                    // the profile the chain looked at
  std::string profile_source;             // "--profile", "AWS_PROFILE", ..., "default"
};

// Walk the chain. On failure the error message lists every source tried and why it failed.
Result<ResolvedCredentials> resolve_credentials(const CredentialOptions& options,
                                                const Environment& env = Environment::process());

// A source of credentials that stay valid: refreshed before they expire, thread-safe.
// Signing code holds one of these, never a bare Credentials, so long waits keep working.
class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  virtual Result<Credentials> credentials() = 0;
};

// Always the same credentials (tests, --access-key flags).
std::shared_ptr<CredentialsProvider> make_static_provider(Credentials credentials);

// The default chain, resolved on first use and refreshed ahead of expiry.
std::shared_ptr<CredentialsProvider> make_default_chain(
    const CredentialOptions& options, const Environment& env = Environment::process());

// "AKIA...WXYZ" -> "****WXYZ": the only form of a key id we ever print.
std::string redact_key_id(const std::string& access_key_id);

}  // namespace essnap::aws
