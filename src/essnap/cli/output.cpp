// The two ways a command's outcome is printed: text (results on stdout, errors and progress on
// stderr) or --output json (one document on stdout; events as JSON lines on stderr).
#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "essnap/cli/command.hpp"
#include "essnap/cli/exit_codes.hpp"
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
  std::cerr << "essnap: " << error.message << "\n";
  if (error.remote && !error.remote->request_id.empty())
    std::cerr << "  request id: " << error.remote->request_id << "\n";
  if (!error.hint.empty()) std::cerr << "  hint: " << error.hint << "\n";
  return code;
}

void run_command(const CommandContext& ctx, const std::function<Result<int>()>& body,
                 ExitCodeFor exit_for) {
  if (ctx.global->check_only) return;  // ESSNAP_CHECK_COMMAND_LINE: the line parsed; run nothing
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
