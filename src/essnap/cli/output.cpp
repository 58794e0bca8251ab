// The two ways a command's outcome is printed: text (results on stdout, errors and progress on
// stderr) or --output json (one document on stdout; events as JSON lines on stderr).
#include <unistd.h>

#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "essnap/cli/command.hpp"
#include "essnap/cli/escaped_output.hpp"
#include "essnap/cli/exit_codes.hpp"
#include "essnap/util/escape.hpp"
#include "essnap/util/yaml.hpp"

namespace essnap::cli {
namespace {

// The process' one JSON document: null until a command adds to it.
nlohmann::json& document() {
  static nlohmann::json doc;
  return doc;
}

DocumentFormat& document_format() {
  static DocumentFormat f = DocumentFormat::kJson;
  return f;
}

nlohmann::json& as_object() {
  auto& d = document();
  if (d.is_null()) d = nlohmann::json::object();
  if (!d.is_object()) d = nlohmann::json{{"result", std::move(d)}};
  return d;
}

nlohmann::json error_json(const Error& error, int code) {
  nlohmann::json j{
      {"code", to_string(error.code)}, {"message", error.message}, {"exit_code", code}};
  if (!error.hint.empty()) j["hint"] = error.hint;
  if (error.remote) {
    j["http_status"] = error.remote->http_status;
    if (!error.remote->error_type.empty()) j["type"] = error.remote->error_type;
    if (!error.remote->reason.empty()) j["reason"] = error.remote->reason;
    if (!error.remote->request_id.empty()) j["request_id"] = error.remote->request_id;
  }
  return j;
}

}  // namespace

void json_result(nlohmann::json answer) {
  document() = std::move(answer);
}

void json_field(const std::string& key, nlohmann::json value) {
  as_object()[key] = std::move(value);
}

void set_document_format(DocumentFormat format) {
  document_format() = format;
}

void json_event(const nlohmann::json& event) {
  std::cerr << event.dump() << "\n" << std::flush;
}

void flush_json_document() {
  auto& d = document();
  if (d.is_null()) return;
  if (document_format() == DocumentFormat::kYaml)
    std::cout << util::to_yaml(d) << std::flush;
  else
    std::cout << d.dump() << "\n" << std::flush;
  d = nullptr;
}

int report_error(const Error& error, const GlobalOptions& global, int code) {
  if (global.output == OutputFormat::kJson) {
    json_field("error", error_json(error, code));
    return code;
  }
  // Messages quote names from repositories, clusters and plan files: escaped here, once.
  std::cerr << "essnap: " << util::escape_control(error.message, util::KeepNewlines::kYes) << "\n";
  if (error.remote && !error.remote->request_id.empty())
    std::cerr << "  request id: " << util::escape_control(error.remote->request_id) << "\n";
  if (!error.hint.empty())
    std::cerr << "  hint: " << util::escape_control(error.hint, util::KeepNewlines::kYes) << "\n";
  return code;
}

EscapedOutput::EscapedOutput(std::ostream& out) : out_(out), dest_(out.rdbuf()) {
  out_.flush();
  out_.rdbuf(this);
}

EscapedOutput::~EscapedOutput() {
  std::lock_guard<std::mutex> l(mu_);
  flush_pending();
  out_.rdbuf(dest_);
  dest_->pubsync();
}

void EscapedOutput::flush_pending() {
  if (pending_.empty()) return;
  const std::string e = util::escape_control(pending_, util::KeepNewlines::kYes);
  dest_->sputn(e.data(), static_cast<std::streamsize>(e.size()));
  pending_.clear();
}

EscapedOutput::int_type EscapedOutput::overflow(int_type c) {
  if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
  std::lock_guard<std::mutex> l(mu_);
  pending_.push_back(traits_type::to_char_type(c));
  if (c == '\n') flush_pending();
  return c;
}

std::streamsize EscapedOutput::xsputn(const char* s, std::streamsize n) {
  std::lock_guard<std::mutex> l(mu_);
  pending_.append(s, static_cast<std::size_t>(n));
  if (pending_.find('\n') != std::string::npos) {
    // Whole lines out; a partial line waits (a UTF-8 sequence is never cut).
    const std::size_t last = pending_.rfind('\n') + 1;
    std::string rest = pending_.substr(last);
    pending_.resize(last);
    flush_pending();
    pending_ = std::move(rest);
  }
  return n;
}

int EscapedOutput::sync() {
  std::lock_guard<std::mutex> l(mu_);
  flush_pending();
  return dest_->pubsync();
}

void run_command(const CommandContext& ctx, const std::function<Result<int>()>& body,
                 ExitCodeFor exit_for) {
  if (ctx.global->check_only) return;  // ESSNAP_CHECK_COMMAND_LINE: the line parsed; run nothing
  // On a terminal, text from outside cannot send escape sequences or carriage returns (pipes
  // keep their bytes: `essnap request` and exports write data there).
  std::optional<EscapedOutput> escaped;
  if (ctx.global->output != OutputFormat::kJson && ::isatty(STDOUT_FILENO) != 0)
    escaped.emplace(std::cout);
  auto result = body();
  if (result.ok()) {
    *ctx.exit_code = *result;
    return;
  }
  const Error& error = result.error();
  const int code = exit_for ? exit_for(error) : exit_code_for(error);
  *ctx.exit_code = report_error(error, *ctx.global, code);
}

int report_usage_error(const std::string& message, const std::string& hint, bool json) {
  if (json) {
    json_field("error", error_json(Error(ErrorCode::kInvalidArgument, message, hint), kExitUsage));
    flush_json_document();
    return kExitUsage;
  }
  std::cerr << "essnap: " << message << "\n";
  if (!hint.empty()) std::cerr << "  hint: " << hint << "\n";
  return kExitUsage;
}

void mutually_exclusive(std::initializer_list<CLI::Option*> options) {
  for (auto* a : options)
    for (auto* b : options)
      if (a != b) a->excludes(b);
}

namespace {
// Parses the whole of s as a finite number; nullopt otherwise.
std::optional<long double> number(const std::string& s) {
  if (s.empty()) return std::nullopt;
  std::size_t used = 0;
  long double v = 0;
  try {
    v = std::stold(s, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (used != s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}
}  // namespace

CLI::Validator non_negative_number() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        auto v = number(s);
        return v && *v >= 0 ? "" : "must be a number >= 0, not '" + s + "'";
      },
      "NUMBER>=0");
}

CLI::Validator positive_number() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        auto v = number(s);
        return v && *v > 0 ? "" : "must be a number > 0, not '" + s + "'";
      },
      "NUMBER>0");
}

CLI::Validator integer_at_least(long long min) {
  return CLI::Validator(
      [min](std::string& s) -> std::string {
        auto v = number(s);
        if (!v || *v != std::floor(*v) || *v < static_cast<long double>(min))
          return "must be a whole number >= " + std::to_string(min) + ", not '" + s + "'";
        return "";
      },
      "INT>=" + std::to_string(min));
}

}  // namespace essnap::cli
