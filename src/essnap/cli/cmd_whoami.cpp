// `essnap whoami`: the identity behind the credentials, from STS GetCallerIdentity.
#include <iostream>
#include <nlohmann/json.hpp>

#include "essnap/aws/region.hpp"
#include "essnap/aws/sts.hpp"
#include "essnap/cli/aws_context.hpp"
#include "essnap/cli/command.hpp"
#include "essnap/cli/exit_codes.hpp"
#include "essnap/http/factory.hpp"

namespace essnap::cli {
namespace {

struct WhoamiFlags {
  std::string endpoint_url;
};

Result<int> run_whoami(const GlobalOptions& global, const WhoamiFlags& flags) {
  auto cred_options = credential_options(global);
  auto provider = aws::make_default_chain(cred_options);
  auto creds = provider->credentials();
  if (!creds.ok()) return creds.error();

  // STS answers GetCallerIdentity in every region; without a configured one, us-east-1 is as
  // good as any, so a missing region is not an error here.
  aws::RegionOptions ro;
  ro.flag = global.region;
  ro.profile = global.profile;
  ro.imds = aws::ImdsLookup::kNo;
  auto region = aws::resolve_region_or(ro, "us-east-1");
  if (!region.ok()) return region.error();
  auto endpoint =
      aws::resolve_sts_endpoint(region->region, aws::Environment::process(), flags.endpoint_url);

  http::TransportOptions t;
  t.verbose = global.verbose;
  auto transport = http::make_transport(t);
  aws::StsClient sts(*transport, endpoint, provider);
  auto who = sts.get_caller_identity({});
  if (!who.ok()) return who.error();
  if (global.output == OutputFormat::kJson) {
    nlohmann::json j{{"account", who->account},
                     {"arn", who->arn},
                     {"user_id", who->user_id},
                     {"provider", creds->provider},
                     {"access_key_id", aws::redact_key_id(creds->access_key_id)},
                     {"sts_endpoint", endpoint.url}};
    json_result(std::move(j));
    return kExitOk;
  }
  std::cout << "account:     " << who->account << "\n"
            << "arn:         " << who->arn << "\n"
            << "user id:     " << who->user_id << "\n"
            << "credentials: " << creds->provider << " ("
            << aws::redact_key_id(creds->access_key_id) << ")\n";
  return kExitOk;
}

}  // namespace

void register_whoami(CLI::App& app, CommandContext ctx) {
  auto flags = std::make_shared<WhoamiFlags>();
  auto* cmd = app.add_subcommand("whoami", "Show the AWS identity in use (STS GetCallerIdentity)");
  cmd->add_option("--endpoint-url", flags->endpoint_url,
                  "STS endpoint (default: AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, or "
                  "https://sts.<region>.amazonaws.com)");
  cmd->footer(
      "EXAMPLES:\n"
      "  essnap whoami\n"
      "  essnap whoami --profile prod-admin --output json\n"
      "  essnap whoami --endpoint-url http://127.0.0.1:5000   # a local STS (moto)\n\n" +
      std::string(exit_status_help()));
  cmd->callback(
      [ctx, flags] { run_command(ctx, [&] { return run_whoami(*ctx.global, *flags); }); });
}

}  // namespace essnap::cli
