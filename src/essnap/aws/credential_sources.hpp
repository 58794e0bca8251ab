// The credential sources of the default chain, each one small and behind one interface, and the
// context they share. Internal to aws/: callers use resolve_credentials / make_default_chain.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "essnap/aws/config_file.hpp"
#include "essnap/aws/credentials.hpp"

namespace essnap::aws::detail {

// What the chain's sources share: a snapshot of the environment (so a provider outliving the
// caller's Environment stays valid), the options, the shared files (read once) and a transport.
class ChainContext {
 public:
  ChainContext(const Environment& env, CredentialOptions options);

  const Environment& env() const { return *env_; }
  const CredentialOptions& options() const { return options_; }
  const ProfileChoice& profile() const { return profile_; }
  Result<const SharedConfig*> files();
  http::Transport& transport();
  // The region STS calls go to: --region, AWS_REGION, AWS_DEFAULT_REGION, the profile's region.
  std::string sts_region(const IniSection* profile_section = nullptr);

 private:
  std::unique_ptr<Environment> env_;
  CredentialOptions options_;
  ProfileChoice profile_;
  std::optional<Result<SharedConfig>> files_;
  std::unique_ptr<http::Transport> transport_;
};

struct SourceOutcome {
  enum class Kind { kSkipped, kFound, kFailed };
  Kind kind = Kind::kSkipped;
  Credentials credentials;
  std::string reason;  // why skipped
  Error error;         // why it failed

  static SourceOutcome skipped(std::string why) {
    SourceOutcome o;
    o.reason = std::move(why);
    return o;
  }
  static SourceOutcome found(Credentials c) {
    SourceOutcome o;
    o.kind = Kind::kFound;
    o.credentials = std::move(c);
    return o;
  }
  static SourceOutcome failed(Error e) {
    SourceOutcome o;
    o.kind = Kind::kFailed;
    o.error = std::move(e);
    return o;
  }
};

// One place credentials may come from. A source that does not apply says why (skipped); one
// that applies but cannot deliver fails, which stops the chain: silently falling through to
// another identity is how "User: anonymous is not authorized" surprises happen.
class CredentialSource {
 public:
  virtual ~CredentialSource() = default;
  virtual std::string name() const = 0;
  virtual SourceOutcome load(ChainContext& ctx) = 0;
};

// In chain order.
std::unique_ptr<CredentialSource> make_environment_source();
std::unique_ptr<CredentialSource> make_assume_role_source();
std::unique_ptr<CredentialSource> make_web_identity_source();
std::unique_ptr<CredentialSource> make_sso_source();
std::unique_ptr<CredentialSource> make_shared_credentials_source();
std::unique_ptr<CredentialSource> make_process_source();
std::unique_ptr<CredentialSource> make_config_file_source();
std::unique_ptr<CredentialSource> make_container_source();
std::unique_ptr<CredentialSource> make_imds_source();

std::vector<std::unique_ptr<CredentialSource>> default_sources();

// Static keys from a profile section, or nullopt when it has none. Fails when only one half
// of the key pair is there.
Result<std::optional<Credentials>> static_keys_from_profile(const IniSection& section,
                                                            const std::string& provider,
                                                            const std::string& where);

// Runs a credential_process command and parses its JSON (Version 1).
Result<Credentials> run_credential_process(const std::string& command);

// The credentials a profile describes (role_arn + source_profile / credential_source, web
// identity, SSO, credential_process, static keys), as the source_profile of a role and as the
// assume-role source. `path` holds the profiles already on the way here, for cycle detection.
Result<Credentials> credentials_for_profile(ChainContext& ctx, const std::string& profile,
                                            std::vector<std::string>& path);

// AWS_ACCESS_KEY_ID & co., regardless of --profile; nullopt when unset.
Result<std::optional<Credentials>> environment_keys(const Environment& env);

// The network sources as plain calls, for credential_source = EcsContainer / Ec2InstanceMetadata.
// A nullopt + reason means "not applicable here" (no container variables, IMDS disabled or
// unreachable).
struct Fetched {
  std::optional<Credentials> credentials;
  std::string reason;
};
Result<Fetched> container_credentials(ChainContext& ctx);
Result<Fetched> imds_credentials(ChainContext& ctx);

// SSO: the cached token plus GetRoleCredentials for a profile with sso_* keys.
Result<Credentials> sso_credentials(ChainContext& ctx, const std::string& profile,
                                    const IniSection& section);
bool is_sso_profile(const IniSection& section);

// AssumeRoleWithWebIdentity with a token read from token_file (freshly each call: the
// orchestrator rotates it).
Result<Credentials> web_identity_credentials(ChainContext& ctx, const std::string& role_arn,
                                             const std::string& session_name,
                                             const std::string& token_file,
                                             const IniSection* profile_section);

}  // namespace essnap::aws::detail
