#include "support/stack_env.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "support/process.hpp"
#include "support/shell_words.hpp"

namespace essnap::test {

bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci && std::string(ci) == "true";
}

std::string stack_env_path() {
  if (const char* p = std::getenv("ESSNAP_STACK_ENV"); p && *p) return p;
  const char* src = std::getenv("ESSNAP_SOURCE_DIR");
  return std::string(src && *src ? src : ESSNAP_SOURCE_DIR) + "/.stack/env";
}

std::map<std::string, std::string> parse_stack_env(std::string_view text) {
  std::map<std::string, std::string> shell, exported;
  ShellLexer lexer(text);
  while (auto words = lexer.next_command()) {
    if ((*words)[0].text == "export") {
      for (std::size_t i = 1; i < words->size(); ++i) {
        const ShellWord& w = (*words)[i];
        if (w.is_assignment()) {
          shell[w.name()] = exported[w.name()] = w.value();
        } else if (w.text.starts_with("-")) {
          throw ShellSyntaxError("unsupported option to export: " + w.text);
        } else if (auto it = shell.find(w.text); it != shell.end()) {
          exported[w.text] = it->second;
        }
      }
      continue;
    }
    for (const ShellWord& w : *words) {
      if (!w.is_assignment())
        throw ShellSyntaxError("unsupported command '" + (*words)[0].text + "' (only assignments)");
      shell[w.name()] = w.value();
      if (exported.count(w.name())) exported[w.name()] = w.value();
    }
  }
  return exported;
}

std::optional<std::map<std::string, std::string>> read_stack_env(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    return parse_stack_env(ss.str());
  } catch (const ShellSyntaxError& e) {
    throw ShellSyntaxError(path + ": " + e.what());
  }
}

namespace {

const std::optional<std::map<std::string, std::string>>& stack_file() {
  static const auto file = read_stack_env(stack_env_path());
  return file;
}

}  // namespace

std::string stack_var(const std::string& name) {
  if (const char* v = std::getenv(name.c_str()); v && *v) return v;
  const auto& file = stack_file();
  if (!file) return {};
  auto it = file->find(name);
  return it == file->end() ? std::string() : it->second;
}

std::optional<std::string> stack_missing(std::initializer_list<const char*> names) {
  std::string unset;
  for (const char* n : names)
    if (stack_var(n).empty()) unset += (unset.empty() ? "" : ", ") + std::string(n);
  if (unset.empty()) return std::nullopt;
  const std::string path = stack_env_path();
  if (!stack_file())
    return path + " is missing and " + unset + " not set; start the stack with `make stack-up`";
  return unset + " not set in " + path + " (`make stack-up` writes it)";
}

std::map<std::string, std::string> exported_by_bash(const std::string& path) {
  Command c;
  c.clear_env = true;  // and no PATH: bash then exports nothing of its own but PWD, SHLVL and _
  c.argv = {"/bin/bash", "-c", ". \"$1\" && env -0", "bash", path};
  const ProcessResult r = run(c);
  if (r.exit_code != 0) throw std::runtime_error("bash could not source " + path + ": " + r.err);
  std::map<std::string, std::string> out;
  std::size_t start = 0;
  while (start < r.out.size()) {
    const std::size_t end = r.out.find('\0', start);
    const std::string kv = r.out.substr(start, end - start);
    const std::size_t eq = kv.find('=');
    const std::string name = kv.substr(0, eq);
    if (name != "PWD" && name != "SHLVL" && name != "_") out[name] = kv.substr(eq + 1);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

std::map<std::string, std::string> parsed_by_python(const std::string& path) {
  const char* src = std::getenv("ESSNAP_SOURCE_DIR");
  const std::string script =
      std::string(src && *src ? src : ESSNAP_SOURCE_DIR) + "/scripts/stack/stackenv.py";
  const ProcessResult r = run({"python3", script, "--dump", path});
  if (r.exit_code != 0) throw std::runtime_error(script + " --dump " + path + ": " + r.err);
  return nlohmann::json::parse(r.out).get<std::map<std::string, std::string>>();
}

}  // namespace essnap::test
