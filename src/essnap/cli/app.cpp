#include "essnap/cli/app.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

#include "essnap/cli/command.hpp"
#include "essnap/cli/exit_codes.hpp"
#include "essnap/version.hpp"

namespace essnap::cli {

int run(int argc, char** argv) {
  CLI::App app{
      "essnap - back up, restore and move Elasticsearch / OpenSearch indices via snapshots"};
  app.footer(exit_status_help());
  app.set_version_flag("--version", std::string("essnap ") + kVersion);
  app.require_subcommand(1);

  GlobalOptions global;
  int exit_code = kExitOk;
  std::string output = "text";
  app.add_option("--output,-o", output, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app.add_flag("-v,--verbose", global.verbose, "Trace requests and responses (secrets redacted)");
  app.add_option("--profile", global.profile, "AWS profile (default: AWS_PROFILE or 'default')");
  app.add_option("--region", global.region, "AWS region (default: AWS_REGION, profile, endpoint)");
  app.parse_complete_callback(
      [&] { global.output = output == "json" ? OutputFormat::kJson : OutputFormat::kText; });

  CommandContext ctx{&global, &exit_code};
  register_sign(app, ctx);
  register_request(app, ctx);
  register_credentials(app, ctx);
  register_whoami(app, ctx);
  register_setup(app, ctx);
  register_snapshot(app, ctx);
  register_restore(app, ctx);
  register_repo(app, ctx);

  // "essnap snapshots" should name the unknown command, not say "a subcommand is required".
  if (argc > 1 && argv[1][0] != '-') {
    const std::string word = argv[1];
    bool known = false;
    std::string names;
    for (const auto* sub : app.get_subcommands([](CLI::App*) { return true; })) {
      known = known || sub->check_name(word);
      names += (names.empty() ? "" : ", ") + sub->get_name();
    }
    if (!known) {
      std::cerr << "essnap: unknown command '" << word << "'\n  hint: commands are " << names
                << "; run 'essnap --help'\n";
      return kExitUsage;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {
      app.exit(e);
      return kExitOk;
    }
    std::cerr << "essnap: " << e.what() << "\n(run 'essnap --help' for usage)\n";
    return kExitUsage;
  }
  return exit_code;
}

}  // namespace essnap::cli
