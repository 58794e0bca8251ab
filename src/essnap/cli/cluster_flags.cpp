#include "essnap/cli/cluster_flags.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>

#include "essnap/aws/endpoint.hpp"
#include "essnap/aws/region.hpp"
#include "essnap/cli/aws_context.hpp"
#include "essnap/cli/command.hpp"
#include "essnap/http/request_target.hpp"

namespace essnap::cli {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// Reads a password from the terminal without echo. Fails when there is no terminal.
Result<std::string> prompt_password(const std::string& user) {
  const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0)
    return Error(ErrorCode::kNoCredentials, "--auth basic: no password",
                 "set ESSNAP_PASSWORD (no terminal to prompt on)");
  const std::string prompt = "password for " + user + ": ";
  (void)!::write(fd, prompt.data(), prompt.size());
  termios old{};
  const bool tty = ::tcgetattr(fd, &old) == 0;
  if (tty) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  std::string pw;
  char c;
  while (::read(fd, &c, 1) == 1 && c != '\n' && c != '\r') pw += c;
  if (tty) ::tcsetattr(fd, TCSAFLUSH, &old);
  (void)!::write(fd, "\n", 1);
  ::close(fd);
  return pw;
}

std::chrono::milliseconds seconds(double s) {
  return std::chrono::milliseconds(static_cast<int64_t>(s * 1000));
}

}  // namespace

bool is_serverless(const ClusterFlags& f) {
  if (!f.service.empty()) return f.service == "aoss";
  auto url = util::parse_url(f.url.empty() ? env("ESSNAP_URL") : f.url);
  if (!url.ok()) return false;
  const auto endpoint = aws::parse_aws_endpoint(url->host);
  return endpoint && endpoint->service == "aoss";
}

void add_cluster_flags(CLI::App* cmd, ClusterFlags* flags) {
  cmd->add_option("--url", flags->url, "Cluster URL (default: ESSNAP_URL)");
  cmd->add_option("--auth", flags->auth,
                  "aws | basic | apikey | none (default: aws for AWS endpoint hosts, else none)")
      ->check(CLI::IsMember({"aws", "basic", "apikey", "none"}));
  cmd->add_option("--service", flags->service,
                  "SigV4 service for --auth aws: es (default), aoss (Serverless; default for "
                  "*.aoss.amazonaws.com) or s3 (a bucket's own API, e.g. to list snapshot blobs)")
      ->check(CLI::IsMember({"es", "aoss", "s3"}));
  cmd->add_option("--region", flags->region,
                  "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, profile, endpoint host)");
  cmd->add_option("--user,-u", flags->user,
                  "User for --auth basic (default: ESSNAP_USER); password from ESSNAP_PASSWORD "
                  "or a prompt");
  cmd->add_option("--cacert", flags->cacert, "PEM file of CAs to trust for https");
  cmd->add_flag("--insecure,-k", flags->insecure, "Do not verify TLS certificates (warns)");
  cmd->add_option("--connect-timeout", flags->connect_timeout, "Seconds to connect")
      ->check(positive_number())
      ->capture_default_str();
  cmd->add_option("--timeout", flags->timeout,
                  "Seconds for the whole request per attempt (0 = none)")
      ->check(non_negative_number())
      ->capture_default_str();
}

Result<util::Url> resolve_cluster_url(ClusterFlags& flags) {
  if (flags.url.empty()) flags.url = env("ESSNAP_URL");
  if (flags.url.empty())
    return Error(ErrorCode::kInvalidArgument, "no cluster URL",
                 "pass --url https://host:9200 or set ESSNAP_URL");
  auto base = util::parse_url(flags.url);
  if (!base.ok()) return Error(base.error()).with_context("--url");
  return base;
}

Result<ClusterConnection> resolve_cluster_connection(const GlobalOptions& global, ClusterFlags& f) {
  ESSNAP_TRY(util::Url base, resolve_cluster_url(f));
  ClusterConnection c;
  c.url = f.url;
  c.timeouts.connect = seconds(f.connect_timeout);
  c.timeouts.overall = seconds(f.timeout);
  auto& topts = c.transport;
  topts.verbose = global.verbose;
  topts.ca_cert = f.cacert;
  topts.tls_verify = f.insecure ? http::TlsVerify::kOff : http::TlsVerify::kOn;

  const auto endpoint = aws::parse_aws_endpoint(base.host);
  if (f.auth.empty()) f.auth = aws::is_aws_host(base.host) ? "aws" : "none";
  if (f.auth == "aws") {
    std::string service = f.service;
    if (service.empty())
      service = endpoint && (endpoint->service == "aoss" || endpoint->service == "s3")
                    ? endpoint->service
                    : "es";
    GlobalOptions g = global;
    if (!f.region.empty()) g.region = f.region;
    auto cred_options = credential_options(g);
    aws::RegionOptions ro;
    ro.flag = g.region;
    ro.profile = g.profile;
    ro.endpoint_host = base.host;
    ro.transport_factory = cred_options.transport_factory;
    ESSNAP_TRY(auto region, aws::resolve_region(ro));
    auto provider = aws::make_default_chain(cred_options);
    if (auto cr = provider->credentials(); !cr.ok()) return std::move(cr).error();
    c.signing = aws::SigningOptions{
        .credentials = provider, .region = region.region, .service = service, .clock = {}};
  } else if (f.auth == "basic") {
    if (f.user.empty()) f.user = env("ESSNAP_USER");
    if (f.user.empty())
      return Error(ErrorCode::kInvalidArgument, "--auth basic needs --user NAME",
                   "or set ESSNAP_USER; the password comes from " + f.password_env);
    std::string password = env(f.password_env.c_str());
    if (password.empty() && std::getenv(f.password_env.c_str()) == nullptr) {
      ESSNAP_TRY(password, prompt_password(f.user));
    }
    ESSNAP_TRY(std::string authz, http::basic_authorization(f.user, password));
    c.auth_headers.emplace_back("Authorization", std::move(authz));
  } else if (f.auth == "apikey") {
    const std::string key = env(f.api_key_env.c_str());
    if (key.empty())
      return Error(ErrorCode::kNoCredentials, "--auth apikey: " + f.api_key_env + " is not set",
                   "export " + f.api_key_env + "=<the 'encoded' value Elasticsearch returned>");
    c.auth_headers.emplace_back("Authorization", http::apikey_authorization(key));
  }
  return c;
}

std::unique_ptr<http::Transport> make_connection_transport(const ClusterConnection& c) {
  if (c.signing) return aws::make_signed_transport(c.transport, *c.signing);
  return http::make_transport(c.transport);
}

Result<cluster::Client> make_cluster_client(const GlobalOptions& global, ClusterFlags& flags) {
  ESSNAP_TRY(ClusterConnection c, resolve_cluster_connection(global, flags));
  return cluster::Client(make_connection_transport(c), c.url, std::move(c.auth_headers),
                         c.timeouts);
}

}  // namespace essnap::cli
