// `essnap request METHOD PATH`: the curl that signs. Sends one request to the cluster and prints
// the body; an HTTP error becomes one line on stderr and exit status 5.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "essnap/cli/cluster_flags.hpp"
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
  ClusterFlags cluster;
  std::vector<std::string> headers;
  std::string data;
  std::string data_file;
  CLI::Option* data_opt = nullptr;
};

bool is_bulk_path(const std::string& path) {
  const std::string p = path.substr(0, path.find('?'));
  for (const char* suffix : {"_bulk", "_msearch", "_mget_ndjson"})
    if (p.ends_with(suffix) || p.find(std::string(suffix) + "/") != std::string::npos) return true;
  return false;
}

Result<int> run_request(const GlobalOptions& global, RequestFlags f) {
  // 1. Everything the user typed, checked before any credentials or network.
  for (auto& ch : f.method) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  auto base = resolve_cluster_url(f.cluster);
  if (!base.ok()) return base.error();
  auto target = http::join_url(f.cluster.url, f.path);
  if (!target.ok()) return Error(target.error()).with_context("PATH");
  auto headers = parse_header_flags(f.headers);
  if (!headers.ok()) return headers.error();
  auto body = body_from_flags(f.data, f.data_opt->count() > 0, f.data_file);
  if (!body.ok()) return body.error();

  const bool has_body = !body->data().empty() || !body->file_path.empty();
  if (has_body && !http::find_header(*headers, "Content-Type"))
    headers->emplace_back("Content-Type",
                          is_bulk_path(f.path) ? "application/x-ndjson" : "application/json");

  // 2. Authentication.
  ESSNAP_TRY(auto conn, open_cluster(global, f.cluster));
  for (const auto& h : conn->auth_headers()) headers->push_back(h);

  // 3. Send. 2xx bodies stream straight to stdout unless we pretty-print for a terminal.
  const bool pretty = ::isatty(STDOUT_FILENO) != 0;
  http::Request req;
  req.method = f.method;
  req.url = *target;
  req.headers = std::move(*headers);
  req.body = std::move(*body);
  req.timeouts = conn->timeouts();
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
  auto transport = conn->make_transport();
  auto resp = transport->send(std::move(req));
  if (!resp.ok()) return resp.error();

  if (resp->status >= 400) {
    std::fflush(stdout);
    Error e = cluster::error_from_response(*resp);
    // The contract is one line; --output json carries the full detail.
    if (global.output != OutputFormat::kJson) {
      e.hint.clear();
      if (e.remote) e.remote->request_id.clear();
    }
    return e;
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
  add_cluster_flags(cmd, &flags->cluster);
  cmd->add_option("-H,--header", flags->headers, "Extra header 'Name: value' (repeatable)");
  flags->data_opt =
      cmd->add_option("--data,-d", flags->data, "Request body (JSON; NDJSON for _bulk)");
  auto* file_opt = cmd->add_option("--data-file", flags->data_file,
                                   "Request body from a file, streamed ('-' reads stdin)");
  flags->data_opt->excludes(file_opt);
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
  cmd->callback(
      [ctx, flags] { run_command(ctx, [&] { return run_request(*ctx.global, *flags); }); });
}

}  // namespace essnap::cli
