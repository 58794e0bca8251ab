// `essnap sign`: SigV4-sign a request and print what to add to it (or a presigned URL).
// Sends nothing.
#include <iostream>
#include <nlohmann/json.hpp>

#include "essnap/aws/region.hpp"
#include "essnap/aws/sigv4.hpp"
#include "essnap/cli/aws_context.hpp"
#include "essnap/cli/command.hpp"
#include "essnap/cli/exit_codes.hpp"
#include "essnap/cli/request_flags.hpp"
#include "essnap/http/payload.hpp"
#include "essnap/util/url.hpp"

namespace essnap::cli {
namespace {

struct SignFlags {
  std::string service;
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;
  std::string data;
  std::string data_file;
  std::string date;
  bool unsigned_payload = false;
  bool presign = false;
  int expires = 3600;
  std::string show = "headers";
  CLI::Option* data_opt = nullptr;
};

Result<int> run_sign(const GlobalOptions& global, const SignFlags& f) {
  // Everything the user typed is checked before credentials are looked up.
  auto url = util::parse_url(f.url, util::UrlChars::kRaw);
  if (!url.ok()) return Error(url.error()).with_context("--url");
  auto headers = parse_header_flags(f.headers);
  if (!headers.ok()) return headers.error();
  auto body = body_from_flags(f.data, f.data_opt->count() > 0, f.data_file);
  if (!body.ok()) return body.error();
  std::chrono::system_clock::time_point when = std::chrono::system_clock::now();
  if (!f.date.empty()) {
    auto d = aws::parse_amz_date(f.date);
    if (!d.ok())
      return Error(ErrorCode::kInvalidArgument,
                   "bad --date '" + f.date + "': expected YYYYMMDDTHHMMSSZ in UTC",
                   "for example --date 20240131T235959Z");
    when = *d;
  }
  if (f.presign && (f.expires < 1 || f.expires > 604800))
    return Error(ErrorCode::kInvalidArgument,
                 "--expires " + std::to_string(f.expires) + " is out of range",
                 "a presigned URL lives 1 to 604800 seconds (7 days)");

  aws::RegionOptions ro;
  ro.flag = global.region;
  ro.profile = global.profile;
  ro.endpoint_host = url->host;
  ro.imds = aws::ImdsLookup::kNo;
  auto region = aws::resolve_region(ro);
  if (!region.ok()) return region.error();

  auto provider = aws::make_default_chain(credential_options(global));
  auto creds = provider->credentials();
  if (!creds.ok()) return creds.error();

  aws::SigningRequest sreq;
  sreq.method = f.method;
  sreq.url = f.url;
  sreq.headers = *headers;
  if (!body->file_path.empty()) {
    if (!f.unsigned_payload) {
      auto h = http::payload_sha256_hex(*body);
      if (!h.ok()) return h.error();
      sreq.payload_sha256 = *h;
    }
  } else {
    sreq.body = body->data();
  }
  aws::SigningParams params;
  params.region = region->region;
  params.service = f.service;
  params.time = when;
  params.payload =
      f.unsigned_payload ? aws::PayloadSigning::kUnsigned : aws::PayloadSigning::kSigned;

  const bool json = global.output == OutputFormat::kJson;
  if (f.presign) {
    auto p = aws::presign(sreq, *creds, params, f.expires);
    if (!p.ok()) return p.error();
    if (json) {
      std::cout << nlohmann::json{{"url", p->url},
                                  {"canonical_request", p->canonical_request},
                                  {"string_to_sign", p->string_to_sign},
                                  {"signature", p->signature},
                                  {"region", region->region},
                                  {"service", f.service}}
                       .dump(2)
                << "\n";
    } else if (f.show == "canonical") {
      std::cout << p->canonical_request << "\n";
    } else if (f.show == "string-to-sign") {
      std::cout << p->string_to_sign << "\n";
    } else if (f.show == "curl") {
      std::cout << "curl -X " << f.method << " " << shell_quote(p->url) << "\n";
    } else {
      std::cout << p->url << "\n";
    }
    return kExitOk;
  }

  auto s = aws::sign(sreq, *creds, params);
  if (!s.ok()) return s.error();
  if (json) {
    nlohmann::json h = nlohmann::json::object();
    for (const auto& [k, v] : s->headers_to_add) h[k] = v;
    std::cout << nlohmann::json{{"headers", h},
                                {"canonical_request", s->canonical_request},
                                {"string_to_sign", s->string_to_sign},
                                {"signature", s->signature},
                                {"signed_headers", s->signed_headers},
                                {"credential_scope", s->credential_scope},
                                {"region", region->region},
                                {"service", f.service}}
                     .dump(2)
              << "\n";
  } else if (f.show == "canonical") {
    std::cout << s->canonical_request << "\n";
  } else if (f.show == "string-to-sign") {
    std::cout << s->string_to_sign << "\n";
  } else if (f.show == "curl") {
    // The same request, byte for byte, so the signature holds.
    std::cout << "curl -X " << f.method << " " << shell_quote(f.url);
    for (const auto& [k, v] : *headers) std::cout << " \\\n  -H " << shell_quote(k + ": " + v);
    for (const auto& [k, v] : s->headers_to_add)
      std::cout << " \\\n  -H " << shell_quote(k + ": " + v);
    if (!body->file_path.empty())
      std::cout << " \\\n  --data-binary " << shell_quote("@" + body->file_path);
    else if (f.data_opt->count() > 0)
      std::cout << " \\\n  --data-binary " << shell_quote(std::string(body->data()));
    std::cout << "\n";
  } else {
    for (const auto& [k, v] : s->headers_to_add) std::cout << k << ": " << v << "\n";
  }
  return kExitOk;
}

}  // namespace

void register_sign(CLI::App& app, CommandContext ctx) {
  auto flags = std::make_shared<SignFlags>();
  auto* cmd = app.add_subcommand(
      "sign", "SigV4-sign a request and print the headers to add (sends nothing)");
  cmd->fallthrough();
  cmd->add_option("--service", flags->service, "Signing service: es, aoss, s3, iam, sts, ...")
      ->required();
  cmd->add_option("--region", ctx.global->region,
                  "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile, the host)");
  cmd->add_option("--method,-X", flags->method, "HTTP method")->capture_default_str();
  cmd->add_option("--url", flags->url, "Absolute URL, path and query as they will be sent")
      ->required();
  cmd->add_option("-H,--header", flags->headers,
                  "Extra header 'Name: value' the request will carry (repeatable); signed");
  flags->data_opt = cmd->add_option("--data,-d", flags->data, "Request body");
  auto* file_opt = cmd->add_option("--data-file", flags->data_file,
                                   "Request body from a file (hashed in a stream; '-' = stdin)");
  flags->data_opt->excludes(file_opt);
  cmd->add_option("--date", flags->date,
                  "Signing time YYYYMMDDTHHMMSSZ (UTC; default: now) - for reproducible output");
  cmd->add_flag("--unsigned-payload", flags->unsigned_payload,
                "Sign X-Amz-Content-SHA256: UNSIGNED-PAYLOAD instead of the body hash");
  auto* presign = cmd->add_flag("--presign", flags->presign,
                                "Print a presigned URL (query-string signing) instead of headers");
  cmd->add_option("--expires", flags->expires, "Presigned URL lifetime in seconds (1-604800)")
      ->needs(presign)
      ->capture_default_str();
  cmd->add_option("--show", flags->show, "What to print")
      ->check(CLI::IsMember({"headers", "canonical", "string-to-sign", "curl"}))
      ->capture_default_str();
  cmd->footer(
      "Credentials come from the AWS provider chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/\n"
      "AWS_SESSION_TOKEN, --profile, ...; see 'essnap credentials'). The secret key is never\n"
      "printed. The default output and '--show curl' DO print X-Amz-Security-Token when you use\n"
      "temporary credentials, because the request must carry it: treat that output as a secret.\n"
      "--show canonical prints the canonical request - compare it with the one in a\n"
      "'signature does not match' error. Global flags (--profile, --output json, -v) may follow\n"
      "the command.\n\n"
      "EXAMPLES:\n"
      "  essnap sign --service es --region us-east-1 --method GET \\\n"
      "      --url https://search-logs-abc.us-east-1.es.amazonaws.com/_cat/indices\n"
      "  essnap sign --service es --region eu-west-1 -X PUT --url https://$HOST/_snapshot/repo \\\n"
      "      -H 'Content-Type: application/json' --data-file repo.json --show curl | sh\n"
      "  essnap sign --service s3 --region us-east-1 --url https://b.s3.amazonaws.com/k \\\n"
      "      --presign --expires 900\n"
      "  essnap sign --service es --region us-east-1 --url https://h/ --date 20150830T123600Z \\\n"
      "      --show canonical\n\n" +
      std::string(exit_status_help()));
  cmd->callback([ctx, flags] { run_command(ctx, [&] { return run_sign(*ctx.global, *flags); }); });
}

}  // namespace essnap::cli
