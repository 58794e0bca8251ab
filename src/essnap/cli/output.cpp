#include <iostream>
#include <nlohmann/json.hpp>

#include "essnap/cli/command.hpp"
#include "essnap/cli/exit_codes.hpp"

namespace essnap::cli {

int report_error(const Error& error, const GlobalOptions& global) {
  return report_error(error, global, exit_code_for(error));
}

int report_error(const Error& error, const GlobalOptions& global, int code) {
  if (global.output == OutputFormat::kJson) {
    nlohmann::json j{{"error",
                      {{"code", to_string(error.code)},
                       {"message", error.message},
                       {"exit_code", code}}}};
    if (!error.hint.empty()) j["error"]["hint"] = error.hint;
    if (error.remote) {
      j["error"]["http_status"] = error.remote->http_status;
      if (!error.remote->error_type.empty()) j["error"]["type"] = error.remote->error_type;
      if (!error.remote->reason.empty()) j["error"]["reason"] = error.remote->reason;
      if (!error.remote->request_id.empty()) j["error"]["request_id"] = error.remote->request_id;
    }
    std::cerr << j.dump() << "\n";
    return code;
  }
  std::cerr << "essnap: " << error.message << "\n";
  if (error.remote && !error.remote->request_id.empty())
    std::cerr << "  request id: " << error.remote->request_id << "\n";
  if (!error.hint.empty()) std::cerr << "  hint: " << error.hint << "\n";
  return code;
}

}  // namespace essnap::cli
