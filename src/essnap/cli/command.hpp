// Shared plumbing for CLI commands: global flags, the registration hook each command file
// provides, and the one way errors are printed.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>

#include "essnap/util/result.hpp"

namespace essnap::cli {

// kJson: the command's answer is one document (rendered as JSON or, with -o yaml, as YAML).
enum class OutputFormat { kText, kJson };
enum class DocumentFormat { kJson, kYaml };

struct GlobalOptions {
  OutputFormat output = OutputFormat::kText;  // --output text|json
  int verbose = 0;                            // -v (repeatable): traces, secrets redacted
  std::string profile;                        // --profile
  std::string region;                         // --region
  bool check_only = false;  // ESSNAP_CHECK_COMMAND_LINE: parse only, run no command body
};

// Each command file provides a register_* function; app.cpp calls them in order. The
// subcommand's callback runs the command through run_command, which stores its exit code in
// *exit_code.
struct CommandContext {
  GlobalOptions* global;
  int* exit_code;
};

// One command shape: a command body returns its exit code (0, or a code it chose after printing
// its own answer, e.g. inspect's 1 for damage) or an Error. run_command calls the body and stores
// the exit code in *ctx.exit_code; an Error is reported here, once (report_error), with the exit
// code `exit_for` gives it (exit_code_for when null: the documented codes).
using ExitCodeFor = int (*)(const Error&);
void run_command(const CommandContext& ctx, const std::function<Result<int>()>& body,
                 ExitCodeFor exit_for = nullptr);

void register_sign(CLI::App& app, CommandContext ctx);
void register_request(CLI::App& app, CommandContext ctx);
void register_credentials(CLI::App& app, CommandContext ctx);
void register_whoami(CLI::App& app, CommandContext ctx);
void register_setup(CLI::App& app, CommandContext ctx);
void register_doctor(CLI::App& app, CommandContext ctx);
void register_snapshot(CLI::App& app, CommandContext ctx);
void register_restore(CLI::App& app, CommandContext ctx);
void register_drill(CLI::App& app, CommandContext ctx);
void register_repo(CLI::App& app, CommandContext ctx);
void register_repo_sync(CLI::App* repo, CommandContext ctx);  // `repo sync`, from register_repo
void register_prune(CLI::App& app, CommandContext ctx);
void register_run(CLI::App& app, CommandContext ctx);
void register_config(CLI::App& app, CommandContext ctx);
void register_inspect(CLI::App& app, CommandContext ctx);
void register_export(CLI::App& app, CommandContext ctx);
void register_import(CLI::App& app, CommandContext ctx);
void register_copy(CLI::App& app, CommandContext ctx);
void register_context(CLI::App& app, CommandContext ctx);
void register_completion(CLI::App& app, CommandContext ctx);  // completion, generate-man

// Print "essnap: <message>" (+ hint, + remote detail) to stderr, or, with --output json, add
// {"error": {...}} to the command's one JSON document, with `exit_code`; return it. Never prints
// secrets: messages are built without them. run_command is its one caller.
int report_error(const Error& error, const GlobalOptions& global, int exit_code);

// --output json: stdout carries exactly one JSON document, printed once when the command ends
// (app.cpp calls flush_json_document), whatever happened: the command's answer, the plan it
// showed and, when it failed, "error". json_result sets the whole answer (an object or an array);
// json_field adds one member (the answer becomes an object). An array answer that meets an error
// becomes {"result": [...], "error": {...}}. Events while a command runs (progress, notices, each
// snapshot deleted) are JSON lines on stderr (json_event), so stdout stays one document.
void json_result(nlohmann::json answer);
void json_field(const std::string& key, nlohmann::json value);
void json_event(const nlohmann::json& event);
// Prints the document (if any was made) to stdout, as JSON or YAML (-o yaml: the same document),
// and forgets it.
void flush_json_document();
void set_document_format(DocumentFormat format);
// Usage errors (exit 2) of the flag parser and of app.cpp, in the output format asked for.
int report_usage_error(const std::string& message, const std::string& hint, bool json);

// The one flag grammar's rules, applied where the flags are declared (CLI11 then refuses the
// command line with exit 2 before anything runs):
// flags of which at most one may be given ("--wait excludes --no-wait");
void mutually_exclusive(std::initializer_list<CLI::Option*> options);
// a finite number >= 0 (seconds, MiB/s, ...); an integer >= min (counts, limits).
CLI::Validator non_negative_number();
CLI::Validator positive_number();
CLI::Validator integer_at_least(long long min);

}  // namespace essnap::cli
