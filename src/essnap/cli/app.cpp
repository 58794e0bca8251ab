#include "essnap/cli/app.hpp"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <functional>
#include <iostream>

#include "essnap/cli/cluster_flags.hpp"
#include "essnap/cli/command.hpp"
#include "essnap/cli/exit_codes.hpp"
#include "essnap/cli/usage.hpp"
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
    {"doctor", register_doctor},
    {"snapshot", register_snapshot},
    {"restore", register_restore},
    {"drill", register_drill},
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

// The --output asked for, read before parsing so that a command line the parser refuses is
// still answered in that format (-o json, -ojson, --output json, --output=json; the last wins).
std::string output_asked(int argc, char** argv) {
  std::string out = "text";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--") break;
    if ((a == "-o" || a == "--output") && i + 1 < argc)
      out = argv[++i];
    else if (a.starts_with("--output="))
      out = a.substr(9);
    else if (a.starts_with("-o") && a.size() > 2)
      out = a.substr(2);
  }
  return out;
}

// ESSNAP_CHECK_COMMAND_LINE=names: only whether the command and its flags exist (a hint written
// with placeholders may leave out what the command requires): nothing is required.
void relax_requirements(CLI::App* a) {
  for (auto* o : a->get_options()) o->required(false);
  a->require_subcommand(0);
  for (auto* s : a->get_subcommands([](CLI::App*) { return true; })) relax_requirements(s);
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
  app.add_option("--output,-o", output,
                 "Output format: text, json (one document) or yaml (the same document)")
      ->check(CLI::IsMember({"text", "json", "yaml"}))
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
    global.output = output == "text" ? OutputFormat::kText : OutputFormat::kJson;
    set_document_format(output == "yaml" ? DocumentFormat::kYaml : DocumentFormat::kJson);
    set_context_flag(context_name);
  });
  // The test knob behind tests/scripts/hints_parse.py: parse, run nothing (exit 0, or 2 with the
  // usage error). "names" also drops every requirement (see relax_requirements).
  const char* check = std::getenv("ESSNAP_CHECK_COMMAND_LINE");
  global.check_only = check != nullptr && *check != '\0';
  const std::string asked = output_asked(argc, argv);
  const bool document = asked == "json" || asked == "yaml";
  if (asked == "yaml") set_document_format(DocumentFormat::kYaml);

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

  if (global.check_only && std::string(check) == "names") relax_requirements(&app);

  // Unknown flags and commands are named here, with the nearest that exists ("essnap snapshots",
  // "snapshot creat", "--indicies"): CLI11 would take an unknown flag for a positional.
  const auto walk = walk_command_line(app, argc, argv);
  if (walk.problem) return report_usage_error(walk.problem->message, walk.problem->hint, document);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {
      app.exit(e);
      return kExitOk;
    }
    return report_usage_error(e.what(), help_hint(walk.path), document);
  }
  if (global.output == OutputFormat::kJson) flush_json_document();
  return exit_code;
}

}  // namespace essnap::cli
