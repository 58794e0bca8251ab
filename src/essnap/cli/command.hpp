// Shared plumbing for CLI commands: global flags, the registration hook each command file
// provides, and the one way errors are printed.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "essnap/util/result.hpp"

namespace essnap::cli {

enum class OutputFormat { kText, kJson };

struct GlobalOptions {
  OutputFormat output = OutputFormat::kText;  // --output text|json
  int verbose = 0;                            // -v (repeatable): traces, secrets redacted
  std::string profile;                        // --profile
  std::string region;                         // --region
};

// Each command file provides a register_* function; app.cpp calls them in order. The
// subcommand's callback runs the command and stores its exit code in *exit_code.
struct CommandContext {
  GlobalOptions* global;
  int* exit_code;
};

void register_sign(CLI::App& app, CommandContext ctx);
void register_request(CLI::App& app, CommandContext ctx);
void register_credentials(CLI::App& app, CommandContext ctx);
void register_whoami(CLI::App& app, CommandContext ctx);
void register_setup(CLI::App& app, CommandContext ctx);
void register_snapshot(CLI::App& app, CommandContext ctx);
void register_restore(CLI::App& app, CommandContext ctx);
void register_repo(CLI::App& app, CommandContext ctx);
void register_prune(CLI::App& app, CommandContext ctx);
void register_run(CLI::App& app, CommandContext ctx);
void register_config(CLI::App& app, CommandContext ctx);
void register_export(CLI::App& app, CommandContext ctx);
void register_import(CLI::App& app, CommandContext ctx);
void register_copy(CLI::App& app, CommandContext ctx);

// Print "essnap: <message>" (+ hint, + remote detail) to stderr, or a JSON error object with
// --output json; return the documented exit code. Never prints secrets: messages are built
// without them.
int report_error(const Error& error, const GlobalOptions& global);

}  // namespace essnap::cli
