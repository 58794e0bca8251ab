#include "essnap/cluster/connection.hpp"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "essnap/aws/endpoint.hpp"
#include "essnap/aws/region.hpp"
#include "essnap/http/request_target.hpp"
#include "essnap/util/url.hpp"

namespace essnap::cluster {
namespace {

std::string who(const ConnectionSpec& s) {
  return s.name.empty() ? "" : "cluster '" + s.name + "': ";
}

std::string drop_newlines(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// The command's standard output; its exit status, never its output, in an error.
Result<std::string> run_secret_command(const ConnectionSpec& spec, const std::string& command) {
  std::fflush(nullptr);
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr)
    return Error(ErrorCode::kNoCredentials, who(spec) + "cannot run the command '" + command + "'");
  std::string out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) {
    out.append(buf, n);
    if (out.size() > (1u << 20)) break;  // a secret, not a stream
  }
  const int status = ::pclose(p);
  if (status != 0) {
    const std::string how = WIFEXITED(status)
                                ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                : "was stopped by a signal";
    return Error(ErrorCode::kNoCredentials, who(spec) + "the command '" + command + "' " + how,
                 "run it in a shell to see why; its output is the secret essnap sends");
  }
  out = drop_newlines(std::move(out));
  if (out.empty())
    return Error(ErrorCode::kNoCredentials,
                 who(spec) + "the command '" + command + "' printed nothing",
                 "it must print the secret on its standard output");
  return out;
}

}  // namespace

std::string SecretSource::describe() const {
  if (!file.empty()) return file;
  if (!command.empty()) return "the command '" + command + "'";
  return env;
}

namespace {

// kNotFound when the source names a variable that is not set (so a caller may prompt).
Result<std::string> read_secret(const ConnectionSpec& spec, const SecretSource& src,
                                const std::string& what) {
  if (!src.file.empty()) {
    std::ifstream in(src.file);
    if (!in)
      return Error(ErrorCode::kNoCredentials, who(spec) + "cannot read " + src.file,
                   "check the path and that essnap's user may read it");
    std::stringstream ss;
    ss << in.rdbuf();
    return drop_newlines(ss.str());
  }
  if (!src.command.empty()) return run_secret_command(spec, src.command);
  const char* v = src.env.empty() ? nullptr : std::getenv(src.env.c_str());
  // A configured cluster (a name, no prompt) treats an empty variable as unset.
  if (v == nullptr || (*v == '\0' && !spec.name.empty()))
    return Error(ErrorCode::kNotFound,
                 spec.name.empty() ? what + ": " + src.env + " is not set"
                                   : who(spec) + "environment variable " + src.env + " is not set");
  return std::string(v);
}

}  // namespace

Result<AuthKind> parse_auth_kind(std::string_view t) {
  if (t.empty()) return AuthKind::kAuto;
  if (t == "aws") return AuthKind::kAws;
  if (t == "basic") return AuthKind::kBasic;
  if (t == "apikey") return AuthKind::kApiKey;
  if (t == "none") return AuthKind::kNone;
  return Error(ErrorCode::kInvalidArgument, "unknown auth '" + std::string(t) + "'",
               "use aws, basic, apikey or none");
}

aws::CredentialOptions credential_options(const std::string& profile, const std::string& region,
                                          int verbose) {
  aws::CredentialOptions o;
  o.profile = profile;
  o.region = region;
  o.transport_factory = [verbose] {
    http::TransportOptions t;
    t.verbose = verbose;
    // Metadata endpoints that do not answer must not hold up the chain for long.
    t.retry.max_attempts = 2;
    t.retry.max_elapsed = std::chrono::seconds(10);
    t.retry.initial_backoff = std::chrono::milliseconds(100);
    return http::make_transport(t);
  };
  return o;
}

Result<std::shared_ptr<const Connection>> open_connection(ConnectionSpec spec) {
  if (spec.url.empty())
    return Error(ErrorCode::kInvalidArgument, who(spec) + "no cluster URL",
                 "pass --url https://host:9200 or set ESSNAP_URL");
  auto base = util::parse_url(spec.url);
  if (!base.ok())
    return Error(base.error()).with_context(spec.name.empty() ? "--url" : who(spec) + "url");
  auto c = std::shared_ptr<Connection>(new Connection());
  c->url_ = spec.url;
  c->timeouts_ = spec.timeouts;
  c->transport_.verbose = spec.verbose;
  c->transport_.retry.deadline = spec.deadline;
  c->transport_.no_answer = spec.no_answer;
  c->transport_.ca_cert = spec.cacert;
  c->transport_.tls_verify = spec.insecure ? http::TlsVerify::kOff : http::TlsVerify::kOn;

  AuthKind auth = spec.auth;
  if (auth == AuthKind::kAuto)
    auth = aws::is_aws_host(base->host) ? AuthKind::kAws : AuthKind::kNone;
  switch (auth) {
    case AuthKind::kAws: {
      const auto endpoint = aws::parse_aws_endpoint(base->host);
      std::string service = spec.service;
      if (service.empty())
        service = endpoint && (endpoint->service == "aoss" || endpoint->service == "s3")
                      ? endpoint->service
                      : "es";
      auto cred_options = credential_options(spec.profile, spec.region, spec.verbose);
      aws::RegionOptions ro;
      ro.flag = spec.region;
      ro.profile = spec.profile;
      ro.endpoint_host = base->host;
      ro.transport_factory = cred_options.transport_factory;
      ESSNAP_TRY(auto region, aws::resolve_region(ro));
      auto provider = aws::make_default_chain(cred_options);
      if (auto cr = provider->credentials(); !cr.ok()) return std::move(cr).error();
      c->signing_ = aws::SigningOptions{
          .credentials = provider, .region = region.region, .service = service, .clock = {}};
      break;
    }
    case AuthKind::kBasic: {
      if (spec.user.empty())
        return Error(ErrorCode::kInvalidArgument, who(spec) + "--auth basic needs --user NAME",
                     "or set ESSNAP_USER; the password comes from " + spec.password.describe());
      auto password = read_secret(spec, spec.password, "--auth basic");
      if (!password.ok() && password.error().code == ErrorCode::kNotFound) {
        if (!spec.prompt_password)
          return Error(ErrorCode::kNoCredentials, password.error().message,
                       spec.name.empty()
                           ? "set " + spec.password.env
                           : "export it before starting essnap (the config names it)");
        password = spec.prompt_password(spec.user);
      }
      if (!password.ok()) return std::move(password).error();
      ESSNAP_TRY(std::string authz, http::basic_authorization(spec.user, *password));
      c->auth_headers_.emplace_back("Authorization", std::move(authz));
      break;
    }
    case AuthKind::kApiKey: {
      auto key = read_secret(spec, spec.api_key, "--auth apikey");
      if (key.ok() && key->empty() && spec.name.empty())
        key = Error(ErrorCode::kNotFound, "--auth apikey: " + spec.api_key.env + " is not set");
      if (!key.ok()) {
        if (key.error().code != ErrorCode::kNotFound) return std::move(key).error();
        return Error(ErrorCode::kNoCredentials, key.error().message,
                     spec.name.empty() ? "export " + spec.api_key.env +
                                             "=<the 'encoded' value Elasticsearch returned>"
                                       : "export it before starting essnap (the config names it)");
      }
      c->auth_headers_.emplace_back("Authorization", http::apikey_authorization(*key));
      break;
    }
    case AuthKind::kNone:
    case AuthKind::kAuto:
      break;
  }
  return std::shared_ptr<const Connection>(std::move(c));
}

std::unique_ptr<http::Transport> Connection::make_transport() const {
  if (signing_) return aws::make_signed_transport(transport_, *signing_);
  return http::make_transport(transport_);
}

std::unique_ptr<Client> Connection::make_client() const {
  return std::make_unique<Client>(make_transport(), url_, auth_headers_, timeouts_);
}

}  // namespace essnap::cluster
