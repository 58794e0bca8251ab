// `essnap request METHOD PATH`: the curl that signs. Sends one request to the cluster and prints
// the body; an HTTP error becomes one line on stderr and exit status 5.
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "essnap/aws/endpoint.hpp"
#include "essnap/aws/region.hpp"
#include "essnap/cli/aws_context.hpp"
#include "essnap/cli/command.hpp"
#include "essnap/cli/exit_codes.hpp"
#include "essnap/cli/request_flags.hpp"
#include "essnap/cluster/error.hpp"
#include "essnap/http/factory.hpp"
#include "essnap/http/request_target.hpp"
#include "essnap/util/url.hpp"

namespace essnap::cli {
namespace {

struct RequestFlags {
  std::string method;
  std::string path;
  std::string url;
  std::string auth;
  std::string service;
  std::string user;
  std::vector<std::string> headers;
  std::string data;
  std::string data_file;
  std::string cacert;
  bool insecure = false;
  double connect_timeout = 10;
  double timeout = 0;
  CLI::Option* data_opt = nullptr;
};

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

bool is_bulk_path(const std::string& path) {
  const std::string p = path.substr(0, path.find('?'));
  for (const char* suffix : {"_bulk", "_msearch", "_mget_ndjson"})
    if (p.ends_with(suffix) || p.find(std::string(suffix) + "/") != std::string::npos) return true;
  return false;
}

int run_request(const GlobalOptions& global, RequestFlags f) {
  // 1. Everything the user typed, checked before any credentials or network.
  for (auto& ch : f.method) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (f.url.empty()) f.url = env("ESSNAP_URL");
  if (f.url.empty())
    return report_error(Error(ErrorCode::kInvalidArgument, "no cluster URL",
                              "pass --url https://host:9200 or set ESSNAP_URL"),
                        global);
  auto base = util::parse_url(f.url);
  if (!base.ok()) return report_error(Error(base.error()).with_context("--url"), global);
  auto target = http::join_url(f.url, f.path);
  if (!target.ok()) return report_error(Error(target.error()).with_context("PATH"), global);
  auto headers = parse_header_flags(f.headers);
  if (!headers.ok()) return report_error(headers.error(), global);
  auto body = body_from_flags(f.data, f.data_opt->count() > 0, f.data_file);
  if (!body.ok()) return report_error(body.error(), global);

  const bool has_body = !body->data.empty() || !body->file_path.empty();
  if (has_body && !http::find_header(*headers, "Content-Type"))
    headers->emplace_back("Content-Type",
                          is_bulk_path(f.path) ? "application/x-ndjson" : "application/json");

  // 2. Authentication.
  const auto endpoint = aws::parse_aws_endpoint(base->host);
  if (f.auth.empty()) f.auth = aws::is_aws_host(base->host) ? "aws" : "none";
  http::TransportOptions topts;
  topts.verbose = global.verbose;
  topts.ca_cert = f.cacert;
  topts.tls_verify = f.insecure ? http::TlsVerify::kOff : http::TlsVerify::kOn;
  if (f.auth == "aws") {
    std::string service = f.service;
    if (service.empty())
      service = endpoint && (endpoint->service == "aoss" || endpoint->service == "s3")
                    ? endpoint->service
                    : "es";
    auto cred_options = credential_options(global);
    aws::RegionOptions ro;
    ro.flag = global.region;
    ro.profile = global.profile;
    ro.endpoint_host = base->host;
    ro.transport_factory = cred_options.transport_factory;
    auto region = aws::resolve_region(ro);
    if (!region.ok()) return report_error(region.error(), global);
    auto provider = aws::make_default_chain(cred_options);
    // Resolve now, so "no credentials" is reported before anything is sent.
    if (auto c = provider->credentials(); !c.ok()) return report_error(c.error(), global);
    topts.signing = http::SigningOptions{
        .credentials = provider, .region = region->region, .service = service, .clock = {}};
  } else if (f.auth == "basic") {
    if (f.user.empty()) f.user = env("ESSNAP_USER");
    if (f.user.empty())
      return report_error(Error(ErrorCode::kInvalidArgument, "--auth basic needs --user NAME",
                                "or set ESSNAP_USER; the password comes from ESSNAP_PASSWORD"),
                          global);
    std::string password = env("ESSNAP_PASSWORD");
    if (password.empty() && std::getenv("ESSNAP_PASSWORD") == nullptr) {
      auto pw = prompt_password(f.user);
      if (!pw.ok()) return report_error(pw.error(), global);
      password = *pw;
    }
    auto authz = http::basic_authorization(f.user, password);
    if (!authz.ok()) return report_error(authz.error(), global);
    headers->emplace_back("Authorization", *authz);
  } else if (f.auth == "apikey") {
    const std::string key = env("ESSNAP_API_KEY");
    if (key.empty())
      return report_error(
          Error(ErrorCode::kNoCredentials, "--auth apikey: ESSNAP_API_KEY is not set",
                "export ESSNAP_API_KEY=<the 'encoded' value Elasticsearch returned>"),
          global);
    headers->emplace_back("Authorization", http::apikey_authorization(key));
  }

  // 3. Send. 2xx bodies stream straight to stdout unless we pretty-print for a terminal.
  const bool pretty = ::isatty(STDOUT_FILENO) != 0;
  http::Request req;
  req.method = f.method;
  req.url = *target;
  req.headers = std::move(*headers);
  req.body = std::move(*body);
  req.timeouts.connect = std::chrono::milliseconds(static_cast<int64_t>(f.connect_timeout * 1000));
  req.timeouts.overall = std::chrono::milliseconds(static_cast<int64_t>(f.timeout * 1000));
  req.idempotency = f.method == "POST" || f.method == "PATCH" ? http::Idempotency::kNonIdempotent
                                                              : http::Idempotency::kIdempotent;
  bool ends_with_newline = true;
  if (!pretty) {
    req.body_sink = [&](std::string_view chunk) -> Status {
      if (std::fwrite(chunk.data(), 1, chunk.size(), stdout) != chunk.size())
        return Error(ErrorCode::kIo, "writing the response to standard output failed");
      ends_with_newline = chunk.back() == '\n';
      return ok_status();
    };
  }
  auto transport = http::make_transport(topts);
  auto resp = transport->send(std::move(req));
  if (!resp.ok()) return report_error(resp.error(), global);

  if (resp->status >= 400) {
    std::fflush(stdout);
    Error e = cluster::error_from_response(*resp);
    // The contract is one line; --output json carries the full detail.
    if (global.output != OutputFormat::kJson) {
      e.hint.clear();
      if (e.remote) e.remote->request_id.clear();
    }
    return report_error(e, global);
  }
  if (pretty && !resp->body.empty()) {
    auto j = nlohmann::json::parse(resp->body, nullptr, false);
    if (!j.is_discarded() && (j.is_object() || j.is_array())) {
      std::cout << j.dump(2) << "\n";
    } else {
      std::cout << resp->body;
      if (resp->body.back() != '\n') std::cout << "\n";
    }
  }
  std::fflush(stdout);
  (void)ends_with_newline;
  return kExitOk;
}

}  // namespace

void register_request(CLI::App& app, CommandContext ctx) {
  auto flags = std::make_shared<RequestFlags>();
  auto* cmd = app.add_subcommand(
      "request",
      "Send one request to the cluster (SigV4, basic, API key or no auth); print the body");
  cmd->fallthrough();
  cmd->add_option("METHOD", flags->method, "GET, PUT, POST, DELETE, HEAD, ...")->required();
  cmd->add_option("PATH", flags->path,
                  "Path and query, e.g. /_cat/indices?v ('<snap-{now/d}>' is encoded for you)")
      ->required();
  cmd->add_option("--url", flags->url, "Cluster URL (default: ESSNAP_URL)");
  cmd->add_option("--auth", flags->auth,
                  "aws | basic | apikey | none (default: aws for AWS endpoint hosts, else none)")
      ->check(CLI::IsMember({"aws", "basic", "apikey", "none"}));
  cmd->add_option("--service", flags->service,
                  "SigV4 service for --auth aws: es (default), aoss (Serverless; default for "
                  "*.aoss.amazonaws.com) or s3 (a bucket's own API, e.g. to list snapshot blobs)")
      ->check(CLI::IsMember({"es", "aoss", "s3"}));
  cmd->add_option("--region", ctx.global->region,
                  "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, profile, endpoint host)");
  cmd->add_option("--user,-u", flags->user,
                  "User for --auth basic (default: ESSNAP_USER); password from ESSNAP_PASSWORD "
                  "or a prompt");
  cmd->add_option("-H,--header", flags->headers, "Extra header 'Name: value' (repeatable)");
  flags->data_opt =
      cmd->add_option("--data,-d", flags->data, "Request body (JSON; NDJSON for _bulk)");
  auto* file_opt = cmd->add_option("--data-file", flags->data_file,
                                   "Request body from a file, streamed ('-' reads stdin)");
  flags->data_opt->excludes(file_opt);
  cmd->add_option("--cacert", flags->cacert, "PEM file of CAs to trust for https");
  cmd->add_flag("--insecure,-k", flags->insecure, "Do not verify TLS certificates (warns)");
  cmd->add_option("--connect-timeout", flags->connect_timeout, "Seconds to connect")
      ->capture_default_str();
  cmd->add_option("--timeout", flags->timeout,
                  "Seconds for the whole request per attempt (0 = none)")
      ->capture_default_str();
  cmd->footer(
      "Content-Type is application/json when there is a body (application/x-ndjson for _bulk\n"
      "and _msearch) unless -H sets it. The body is printed as received, indented when stdout\n"
      "is a terminal. An HTTP status >= 400 prints one line, e.g.\n"
      "  essnap: HTTP 404 index_not_found_exception: no such index [x]\n"
      "and exits 5. Transient failures (connection errors, timeouts, 429, 502-504) are retried\n"
      "with backoff; POST is retried only when it cannot have reached the server. -v traces every\n"
      "request and response with Authorization, tokens, cookies and passwords redacted (-vv adds\n"
      "bodies). Proxies come from https_proxy / http_proxy / no_proxy.\n\n"
      "EXAMPLES:\n"
      "  essnap request GET /_cat/indices?v --url "
      "https://search-logs-abc.us-east-1.es.amazonaws.com\n"
      "  export ESSNAP_URL=https://search-logs-abc.us-east-1.es.amazonaws.com\n"
      "  essnap request PUT /_snapshot/s3repo --data-file repo.json\n"
      "  essnap request PUT '/_snapshot/s3repo/<nightly-{now/d}>'\n"
      "  essnap request POST /_bulk --data-file docs.ndjson\n"
      "  ESSNAP_PASSWORD=... essnap request GET / --url https://localhost:9200 --auth basic \\\n"
      "      --user elastic --cacert http_ca.crt\n"
      "  essnap request GET / --url https://abc.us-east-1.aoss.amazonaws.com   # --service "
      "aoss\n"
      "  essnap request GET '/my-bucket?list-type=2&prefix=snapshots/' --service s3 \\\n"
      "      --url https://s3.eu-west-1.amazonaws.com --auth aws\n\n" +
      std::string(exit_status_help()));
  cmd->callback([ctx, flags] { *ctx.exit_code = run_request(*ctx.global, *flags); });
}

}  // namespace essnap::cli
