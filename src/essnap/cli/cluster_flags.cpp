#include "essnap/cli/cluster_flags.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "essnap/aws/endpoint.hpp"
#include "essnap/aws/region.hpp"
#include "essnap/cli/aws_context.hpp"
#include "essnap/cli/command.hpp"
#include "essnap/cli/progress_output.hpp"
#include "essnap/context/file.hpp"
#include "essnap/http/redact.hpp"
#include "essnap/http/request_target.hpp"
#include "essnap/util/strings.hpp"

namespace essnap::cli {
namespace {

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

std::string& context_flag_value() {
  static std::string name;
  return name;
}

bool has_source(const cluster::SecretSource& s) {
  return !s.env.empty() || !s.file.empty() || !s.command.empty();
}

// Whether two cluster URLs name the same place ("https://h:443/" and "https://h" do).
bool same_cluster(const std::string& a, const std::string& b) {
  auto ua = util::parse_url(a), ub = util::parse_url(b);
  if (!ua.ok() || !ub.ok()) return a == b;
  auto base = [](const util::Url& u) {
    std::string path = u.path;
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    return std::string(u.scheme_name()) + "://" + u.host + ":" +
           std::to_string(u.effective_port()) + path;
  };
  return base(*ua) == base(*ub);
}

// Flag, then environment, then the selected context (the flags hold what was typed). Once.
Status resolve_flags(ClusterFlags& f) {
  if (f.resolved) return ok_status();
  if (f.from_context) {
    ESSNAP_TRY(f.context, selected_context());
  }
  const context::ClusterDefinition* c = f.context ? &*f.context : nullptr;
  auto pick = [&](std::string& into, const char* var, const std::string* from_context) {
    if (into.empty() && var != nullptr) into = util::env_or_empty(var);
    if (into.empty() && c != nullptr && from_context != nullptr) into = *from_context;
  };
  pick(f.url, "ESSNAP_URL", c ? &c->url : nullptr);
  if (f.auth.empty() && !util::env_or_empty("ESSNAP_AUTH").empty()) {
    f.auth = util::env_or_empty("ESSNAP_AUTH");
    if (!cluster::parse_auth_kind(f.auth).ok())
      return Error(ErrorCode::kInvalidArgument,
                   "ESSNAP_AUTH='" + f.auth + "' is not aws, basic, apikey or none",
                   "set it to one of them, or unset it");
  }
  pick(f.auth, nullptr, c ? &c->auth : nullptr);
  pick(f.user, "ESSNAP_USER", c ? &c->user : nullptr);
  pick(f.service, nullptr, c ? &c->service : nullptr);
  pick(f.cacert, nullptr, c ? &c->cacert : nullptr);
  if (c != nullptr) {
    f.insecure = f.insecure || c->insecure;
    const auto typed = [](const CLI::Option* o) { return o != nullptr && o->count() > 0; };
    if (c->connect_timeout && !typed(f.connect_timeout_flag))
      f.connect_timeout = static_cast<double>(c->connect_timeout->count()) / 1000;
    if (c->timeout && !typed(f.timeout_flag))
      f.timeout = static_cast<double>(c->timeout->count()) / 1000;
  }
  // A secret: its variable when that is set; else where the context says it is — but only for
  // the context's own cluster: another --url / ESSNAP_URL does not get the context's secret.
  f.password = {f.password_env, "", ""};
  f.api_key = {f.api_key_env, "", ""};
  if (c != nullptr && same_cluster(f.url, c->url)) {
    if (std::getenv(f.password_env.c_str()) == nullptr && has_source(c->password_source()))
      f.password = c->password_source();
    if (std::getenv(f.api_key_env.c_str()) == nullptr && has_source(c->api_key_source()))
      f.api_key = c->api_key_source();
  }
  f.resolved = true;
  return ok_status();
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g s", s);
  return buf;
}

}  // namespace

void set_context_flag(std::string name) {
  context_flag_value() = std::move(name);
}

const std::string& context_flag() {
  return context_flag_value();
}

Result<std::optional<context::ClusterDefinition>> selected_context() {
  ESSNAP_TRY(context::ContextFile file, context::load_context_file(context::config_path()));
  ESSNAP_TRY(context::Selection s,
             context::select_context(file, context_flag(), util::env_or_empty("ESSNAP_CONTEXT")));
  if (s.context == nullptr) return std::optional<context::ClusterDefinition>();
  return std::optional<context::ClusterDefinition>(*s.context);
}

bool is_serverless(const ClusterFlags& flags) {
  ClusterFlags f = flags;
  (void)resolve_flags(f);  // an error here is reported when the cluster is opened
  if (!f.service.empty()) return f.service == "aoss";
  auto url = util::parse_url(f.url);
  if (!url.ok()) return false;
  const auto endpoint = aws::parse_aws_endpoint(url->host);
  return endpoint && endpoint->service == "aoss";
}

void add_cluster_flags(CLI::App* cmd, ClusterFlags* flags) {
  flags->from_context = true;
  cmd->add_option("--url", flags->url, "Cluster URL (default: ESSNAP_URL, then the context's)");
  cmd->add_option("--auth", flags->auth,
                  "aws | basic | apikey | none (default: ESSNAP_AUTH, the context's, else aws for "
                  "AWS endpoint hosts, else none)")
      ->check(CLI::IsMember({"aws", "basic", "apikey", "none"}));
  cmd->add_option("--service", flags->service,
                  "SigV4 service for --auth aws: es (default), aoss (Serverless; default for "
                  "*.aoss.amazonaws.com) or s3 (a bucket's own API, e.g. to list snapshot blobs)")
      ->check(CLI::IsMember({"es", "aoss", "s3"}));
  cmd->add_option("--region", flags->region,
                  "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, profile, endpoint host)");
  cmd->add_option("--user,-u", flags->user,
                  "User for --auth basic (default: ESSNAP_USER, the context's); password from "
                  "ESSNAP_PASSWORD, the context's source or a prompt");
  cmd->add_option("--cacert", flags->cacert, "PEM file of CAs to trust for https");
  cmd->add_flag("--insecure,-k", flags->insecure, "Do not verify TLS certificates (warns)");
  flags->connect_timeout_flag =
      cmd->add_option("--connect-timeout", flags->connect_timeout, "Seconds to connect")
          ->check(positive_number())
          ->capture_default_str();
  flags->timeout_flag =
      cmd->add_option("--timeout", flags->timeout,
                      "Seconds for the whole command, waits included (0 = none); when they run out "
                      "it stops and exits 4")
          ->check(non_negative_number())
          ->capture_default_str();
}

Result<util::Url> resolve_cluster_url(ClusterFlags& flags) {
  ESSNAP_TRY_STATUS(resolve_flags(flags));
  if (flags.url.empty())
    return Error(ErrorCode::kInvalidArgument, "no cluster URL",
                 "pass --url https://host:9200, set ESSNAP_URL, or select a context with a url "
                 "(--context NAME; 'essnap context list')");
  auto base = util::parse_url(flags.url);
  if (!base.ok()) return Error(base.error()).with_context("--url");
  return base;
}

Result<cluster::ConnectionSpec> connection_spec(const GlobalOptions& global, ClusterFlags& f) {
  ESSNAP_TRY(util::Url base, resolve_cluster_url(f));
  (void)base;
  cluster::ConnectionSpec spec;
  spec.url = f.url;
  ESSNAP_TRY(spec.auth, cluster::parse_auth_kind(f.auth));
  spec.service = f.service;
  // Region and profile: flag (the command's, then the global one), environment, context, then
  // the AWS chain (profile, endpoint host).
  spec.region = !f.region.empty() ? f.region : global.region;
  if (spec.region.empty()) spec.region = util::env_or_empty("AWS_REGION");
  if (spec.region.empty()) spec.region = util::env_or_empty("AWS_DEFAULT_REGION");
  if (spec.region.empty() && f.context) spec.region = f.context->region;
  spec.profile = !global.profile.empty() ? global.profile : util::env_or_empty("AWS_PROFILE");
  if (spec.profile.empty() && f.context) spec.profile = f.context->profile;
  spec.user = f.user;
  spec.password = f.password;
  spec.api_key = f.api_key;
  spec.prompt_password = prompt_password;
  spec.cacert = f.cacert;
  spec.insecure = f.insecure;
  spec.timeouts.connect = seconds(f.connect_timeout);
  // --timeout bounds the command, not an attempt: a deadline every request (and so every wait
  // between polls) runs against, each attempt cut to what is left of it.
  if (f.timeout > 0)
    spec.deadline = http::Deadline{std::chrono::steady_clock::now() + seconds(f.timeout),
                                   "--timeout " + seconds_text(f.timeout)};
  spec.no_answer.sink = notice_sink(global);
  spec.verbose = global.verbose;
  return spec;
}

Result<std::shared_ptr<const cluster::Connection>> open_cluster(const GlobalOptions& global,
                                                                ClusterFlags& flags) {
  ESSNAP_TRY(cluster::ConnectionSpec spec, connection_spec(global, flags));
  return cluster::open_connection(std::move(spec));
}

Result<cluster::Client> make_cluster_client(const GlobalOptions& global, ClusterFlags& flags) {
  ESSNAP_TRY(auto conn, open_cluster(global, flags));
  return cluster::Client(conn->make_transport(), conn->url(), conn->auth_headers(),
                         conn->timeouts());
}

std::string connection_words(const ClusterFlags& f) {
  std::string out;
  auto add = [&](const char* flag, const std::string& value) {
    if (!value.empty()) out += std::string(" ") + flag + " " + util::shell_word(value);
  };
  if (!f.url.empty()) {
    // No user:password@ (a secret); the redacted form would not connect, so it is dropped.
    std::string url = f.url;
    if (auto u = util::parse_url(f.url); u.ok() && http::redact_url(f.url) != f.url) {
      url = std::string(u->scheme_name()) + "://" + u->host +
            (u->port ? ":" + std::to_string(u->port) : "") + (u->path == "/" ? "" : u->path);
    }
    add("--url", url);
  }
  add("--auth", f.auth);
  add("--service", f.service);
  add("--region", f.region);
  add("--user", f.user);
  add("--cacert", f.cacert);
  if (f.insecure) out += " --insecure";
  return out;
}

}  // namespace essnap::cli
