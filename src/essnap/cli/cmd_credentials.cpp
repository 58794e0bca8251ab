// `essnap credentials`: which source of the chain supplied the AWS credentials, and why every
// source before it was passed over. Prints the key id's last four characters, never a secret.
#include <iostream>
#include <nlohmann/json.hpp>

#include "essnap/aws/timestamp.hpp"
#include "essnap/cli/aws_context.hpp"
#include "essnap/cli/command.hpp"
#include "essnap/cli/exit_codes.hpp"

namespace essnap::cli {
namespace {

std::string remaining(std::chrono::system_clock::time_point t) {
  auto s = std::chrono::duration_cast<std::chrono::seconds>(t - std::chrono::system_clock::now())
               .count();
  if (s <= 0) return "expired";
  if (s < 120) return "in " + std::to_string(s) + "s";
  if (s < 2 * 3600) return "in " + std::to_string(s / 60) + "m";
  if (s < 3 * 86400)
    return "in " + std::to_string(s / 3600) + "h" + std::to_string(s % 3600 / 60) + "m";
  return "in " + std::to_string(s / 86400) + "d";
}

Result<int> run_credentials(const GlobalOptions& global) {
  ESSNAP_TRY(const auto r, aws::resolve_credentials(credential_options(global)));
  const auto& c = r.credentials;
  const bool never_expires =
      !c.expiration || *c.expiration == std::chrono::system_clock::time_point::max();
  if (global.output == OutputFormat::kJson) {
    nlohmann::json j{
        {"profile", r.profile},
        {"profile_source", r.profile_source},
        {"provider", c.provider},
        {"access_key_id", aws::redact_key_id(c.access_key_id)},
        {"temporary", !c.session_token.empty()},
        {"expiration", never_expires ? nlohmann::json(nullptr)
                                     : nlohmann::json(aws::format_iso8601(*c.expiration))}};
    auto chain = nlohmann::json::array();
    for (const auto& a : r.attempts)
      chain.push_back({{"provider", a.provider}, {"outcome", a.outcome}});
    j["chain"] = chain;
    json_result(std::move(j));
    return kExitOk;
  }
  std::cout << "profile:     " << r.profile << " (" << r.profile_source << ")\n"
            << "provider:    " << c.provider << "\n"
            << "access key:  " << aws::redact_key_id(c.access_key_id) << "\n"
            << "type:        "
            << (c.session_token.empty() ? "long-term keys" : "temporary (session token)") << "\n"
            << "expires:     "
            << (never_expires
                    ? std::string("never")
                    : aws::format_iso8601(*c.expiration) + " (" + remaining(*c.expiration) + ")")
            << "\n"
            << "chain:\n";
  size_t width = 0;
  for (const auto& a : r.attempts) width = std::max(width, a.provider.size());
  for (const auto& a : r.attempts)
    std::cout << "  " << a.provider << std::string(width - a.provider.size() + 2, ' ') << a.outcome
              << "\n";
  return kExitOk;
}

}  // namespace

void register_credentials(CLI::App& app, CommandContext ctx) {
  auto* cmd = app.add_subcommand(
      "credentials",
      "Show which AWS credential source is in use, and why the ones before it were not");
  cmd->footer(
      "The chain, in order: environment (AWS_ACCESS_KEY_ID...), assume-role (role_arn +\n"
      "source_profile / credential_source), web-identity (AWS_WEB_IDENTITY_TOKEN_FILE +\n"
      "AWS_ROLE_ARN), sso, shared-credentials-file, credential-process, config-file,\n"
      "container (ECS / EKS Pod Identity), ec2-instance-metadata (IMDSv2).\n"
      "Only the last four characters of the access key id are printed; secrets never.\n\n"
      "EXAMPLES:\n"
      "  essnap credentials\n"
      "  essnap credentials --profile prod-admin\n"
      "  AWS_PROFILE=ci essnap credentials --output json\n\n" +
      std::string(exit_status_help()));
  cmd->callback([ctx] { run_command(ctx, [&] { return run_credentials(*ctx.global); }); });
}

}  // namespace essnap::cli
