#include "essnap/cli/app.hpp"

#include <CLI/CLI.hpp>
#include <functional>
#include <iostream>

#include "essnap/cli/cluster_flags.hpp"
#include "essnap/cli/command.hpp"
#include "essnap/cli/exit_codes.hpp"
#include "essnap/version.hpp"

namespace essnap::cli {
namespace {

struct CommandEntry {
  const char* name;
  void (*add)(CLI::App&, CommandContext);
};
constexpr CommandEntry kCommands[] = {
    {"sign", register_sign},
    {"request", register_request},
    {"credentials", register_credentials},
    {"whoami", register_whoami},
    {"setup", register_setup},
    {"snapshot", register_snapshot},
    {"restore", register_restore},
    {"repo", register_repo},
    {"prune", register_prune},
    {"run", register_run},
    {"config", register_config},
    {"inspect", register_inspect},
    {"export", register_export},
    {"import", register_import},
    {"copy", register_copy},
    {"context", register_context},
    {"completion generate-man __complete", register_completion},  // never one word: needs all
};

// The command word: the first argument that is neither a global option nor its value.
// Empty when there is none (`essnap --help`, `essnap --version`).
std::string command_word(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--output" || a == "-o" || a == "--profile" || a == "--region" || a == "--context") {
      ++i;  // its value
    } else if (a.empty() || a[0] != '-') {
      return a;
    }
  }
  return {};
}

// Whether the command line asks for --output json, read before parsing so that a command line
// the parser refuses is still answered in JSON (-o json, -ojson, --output json, --output=json).
bool wants_json(int argc, char** argv) {
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if ((a == "-o" || a == "--output") && i + 1 < argc)
      json = std::string(argv[++i]) == "json";
    else if (a == "-ojson" || a == "--output=json")
      json = true;
    else if (a.starts_with("--output=") || (a.starts_with("-o") && a.size() > 2 && a[1] == 'o'))
      json = false;
  }
  return json;
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{
      "essnap - back up, restore and move Elasticsearch / OpenSearch indices via snapshots"};
  app.footer(exit_status_help());
  // "essnap 0.1.0 (commit 50ce917a1b2c, built 2026-12-07)": the version, then what built it.
  app.set_version_flag("--version", std::string("essnap ") + kVersion + " (commit " +
                                        build_commit() + ", built " + build_date() + ")");
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
  std::string context_name;
  app.add_option("--context", context_name,
                 "Context of the config file to connect with (default: ESSNAP_CONTEXT, then its "
                 "current_context; 'essnap context list')");
  set_context_flag("");
  app.parse_complete_callback([&] {
    global.output = output == "json" ? OutputFormat::kJson : OutputFormat::kText;
    set_context_flag(context_name);
  });

  // Only the command being run is registered: building every command's options costs more
  // than a whole signed request (a seventh of the process). Help and unknown words get all.
  CommandContext ctx{&global, &exit_code};
  const std::string word = command_word(argc, argv);
  bool registered = false;
  for (const auto& c : kCommands) {
    if (word == c.name) {
      c.add(app, ctx);
      registered = true;
    }
  }
  if (!registered)
    for (const auto& c : kCommands) c.add(app, ctx);
  // One flag grammar: the global flags (-o json, -v, --profile, --region, --context) may follow any
  // subcommand at any depth; an option a subcommand does not know falls through to its parent.
  std::function<void(CLI::App*)> fall_through = [&](CLI::App* a) {
    for (auto* sub : a->get_subcommands([](CLI::App*) { return true; })) {
      sub->fallthrough();
      fall_through(sub);
    }
  };
  fall_through(&app);

  // "essnap snapshots" should name the unknown command, not say "a subcommand is required".
  if (argc > 1 && argv[1][0] != '-') {
    const std::string word = argv[1];
    bool known = false;
    std::string names;
    for (const auto* sub : app.get_subcommands([](CLI::App*) { return true; })) {
      known = known || sub->check_name(word);
      names += (names.empty() ? "" : ", ") + sub->get_name();
    }
    if (!known)
      return report_usage_error("unknown command '" + word + "'",
                                "commands are " + names + "; run 'essnap --help'",
                                wants_json(argc, argv));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {
      app.exit(e);
      return kExitOk;
    }
    return report_usage_error(e.what(), "run 'essnap --help' for usage", wants_json(argc, argv));
  }
  if (global.output == OutputFormat::kJson) flush_json_document();
  return exit_code;
}

}  // namespace essnap::cli
