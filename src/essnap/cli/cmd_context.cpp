// `essnap context list|show|use`: the named contexts of the user's config file
// (context/file.hpp). `show` prints where each secret comes from, never a secret; `use` rewrites
// only the file's current_context line.
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "essnap/cli/cluster_flags.hpp"
#include "essnap/cli/command.hpp"
#include "essnap/cli/exit_codes.hpp"
#include "essnap/context/file.hpp"
#include "essnap/util/strings.hpp"

namespace essnap::cli {
namespace {

using nlohmann::json;

struct Loaded {
  context::ContextFile file;
  context::Selection selection;
};

Result<Loaded> load() {
  Loaded l;
  ESSNAP_TRY(l.file, context::load_context_file(context::config_path()));
  ESSNAP_TRY(l.selection,
             context::select_context(l.file, context_flag(), util::env_or_empty("ESSNAP_CONTEXT")));
  return l;
}

json or_null(const std::string& s) {
  return s.empty() ? json(nullptr) : json(s);
}

// Where a secret comes from, as the config says it ({"password_env": "X"}); null when nowhere.
json source_json(const char* stem, const cluster::SecretSource& s) {
  if (!s.file.empty()) return {{std::string(stem) + "_file", s.file}};
  if (!s.command.empty()) return {{std::string(stem) + "_command", s.command}};
  if (!s.env.empty()) return {{std::string(stem) + "_env", s.env}};
  return nullptr;
}

// The environment variables set now that take precedence over this context's fields.
json overrides(const context::ClusterDefinition& c) {
  json out = json::object();
  auto over = [&](const char* var, const char* field) {
    if (!util::env_or_empty(var).empty()) out[var] = field;
  };
  over("ESSNAP_URL", "url");
  over("ESSNAP_AUTH", "auth");
  over("ESSNAP_USER", "user");
  over("ESSNAP_REPOSITORY", "repository");
  over("AWS_REGION", "region");
  if (util::env_or_empty("AWS_REGION").empty()) over("AWS_DEFAULT_REGION", "region");
  over("AWS_PROFILE", "profile");
  if (c.auth == "apikey")
    over("ESSNAP_API_KEY", "the API key's source");
  else
    over("ESSNAP_PASSWORD", "the password's source");
  return out;
}

json context_json(const context::ClusterDefinition& c) {
  json j = {{"name", c.name},
            {"url", c.url},
            {"auth", c.auth.empty() ? "auto" : c.auth},
            {"service", or_null(c.service)},
            {"region", or_null(c.region)},
            {"profile", or_null(c.profile)},
            {"user", or_null(c.user)},
            {"password", nullptr},
            {"api_key", nullptr},
            {"cacert", or_null(c.cacert)},
            {"insecure", c.insecure},
            {"repository", or_null(c.repository)},
            {"connect_timeout_seconds",
             c.connect_timeout ? json(c.connect_timeout->count() / 1000.0) : json(nullptr)},
            {"timeout_seconds", c.timeout ? json(c.timeout->count() / 1000.0) : json(nullptr)},
            {"line", c.line}};
  // Each source as the file names it: apikey's key may be named by password_* too.
  const cluster::SecretSource keys{c.api_key_env, c.api_key_file, c.api_key_command};
  const json password = source_json("password", c.password_source());
  if (c.auth == "apikey") {
    j["api_key"] =
        !source_json("api_key", keys).is_null() ? source_json("api_key", keys) : password;
  } else {
    j["password"] = password;
    j["api_key"] = source_json("api_key", keys);
  }
  return j;
}

std::string text(const json& v) {
  if (v.is_null()) return "-";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && !v.empty()) return v.begin().key() + ": " + text(v.begin().value());
  return v.dump();
}

Result<int> run_list(const GlobalOptions& g) {
  ESSNAP_TRY(Loaded l, load());
  const std::string selected = l.selection.context ? l.selection.context->name : "";
  if (g.output == OutputFormat::kJson) {
    json list = json::array();
    for (const auto& c : l.file.contexts)
      list.push_back({{"name", c.name},
                      {"url", c.url},
                      {"auth", c.auth.empty() ? "auto" : c.auth},
                      {"repository", or_null(c.repository)},
                      {"current", c.name == selected}});
    json_result({{"file", l.file.path},
                 {"exists", l.file.exists},
                 {"current_context", or_null(l.file.current_context)},
                 {"selected", or_null(selected)},
                 {"selected_by", context::to_string(l.selection.by)},
                 {"contexts", list}});
    return kExitOk;
  }
  if (l.file.contexts.empty()) {
    std::cout << "no contexts in " << l.file.path << (l.file.exists ? "" : " (no such file)")
              << "\n";
    return kExitOk;
  }
  size_t wn = 4, wu = 3;
  for (const auto& c : l.file.contexts) {
    wn = std::max(wn, c.name.size());
    wu = std::max(wu, c.url.size());
  }
  auto row = [&](const std::string& cur, const std::string& n, const std::string& u,
                 const std::string& a, const std::string& r) {
    std::cout << cur << std::string(9 - cur.size(), ' ') << n << std::string(wn + 2 - n.size(), ' ')
              << u << std::string(wu + 2 - u.size(), ' ') << a
              << std::string(a.size() < 8 ? 8 - a.size() : 1, ' ') << r << "\n";
  };
  row("CURRENT", "NAME", "URL", "AUTH", "REPOSITORY");
  for (const auto& c : l.file.contexts)
    row(c.name == selected ? "*" : "", c.name, c.url, c.auth.empty() ? "auto" : c.auth,
        c.repository.empty() ? "-" : c.repository);
  return kExitOk;
}

Result<int> run_context_show(const GlobalOptions& g, const std::string& name) {
  ESSNAP_TRY(Loaded l, load());
  const context::ClusterDefinition* c = l.selection.context;
  if (!name.empty()) {
    ESSNAP_TRY(context::Selection s, context::select_context(l.file, name, ""));
    c = s.context;
  }
  if (c == nullptr)
    return Error(ErrorCode::kInvalidArgument, "no context is selected",
                 "name one ('essnap context show NAME'), or choose one with 'essnap context use "
                 "NAME'; 'essnap context list' shows them");
  const bool is_selected = l.selection.context && l.selection.context->name == c->name;
  json j = context_json(*c);
  j["file"] = l.file.path;
  j["selected"] = is_selected;
  j["selected_by"] = is_selected ? context::to_string(l.selection.by) : "none";
  if (is_selected) j["overridden_by"] = overrides(*c);
  if (g.output == OutputFormat::kJson) {
    json_result(j);
    return kExitOk;
  }
  std::cout << "context:    " << c->name << "  (" << l.file.path << ":" << c->line << ")\n";
  if (is_selected) std::cout << "selected:   by " << context::to_string(l.selection.by) << "\n";
  for (const char* key : {"url", "auth", "service", "region", "profile", "user", "password",
                          "api_key", "cacert", "repository"}) {
    if (!j.contains(key) || j[key].is_null()) continue;
    std::cout << key << ":" << std::string(11 - std::string(key).size(), ' ') << text(j[key])
              << "\n";
  }
  if (c->insecure) std::cout << "insecure:   true (TLS certificates are not verified)\n";
  if (c->connect_timeout)
    std::cout << "connect_timeout: " << j["connect_timeout_seconds"].dump() << "s\n";
  if (c->timeout) std::cout << "timeout:    " << j["timeout_seconds"].dump() << "s\n";
  if (is_selected)
    for (const auto& [var, field] : j["overridden_by"].items())
      std::cout << "note:       " << var << " is set and takes precedence over "
                << field.get<std::string>() << "\n";
  return kExitOk;
}

Result<int> run_use(const GlobalOptions& g, const std::string& name) {
  const std::string path = context::config_path();
  ESSNAP_TRY_STATUS(context::use_context(path, name));
  if (g.output == OutputFormat::kJson)
    json_result({{"current_context", name}, {"file", path}});
  else
    std::cout << "current context: " << name << " (" << path << ")\n";
  if (!util::env_or_empty("ESSNAP_CONTEXT").empty() && util::env_or_empty("ESSNAP_CONTEXT") != name)
    std::cerr << "essnap: note: ESSNAP_CONTEXT=" << util::env_or_empty("ESSNAP_CONTEXT")
              << " is set and takes precedence in this shell\n";
  return kExitOk;
}

}  // namespace

void register_context(CLI::App& app, CommandContext ctx) {
  auto name = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand(
      "context", "Named connections (URL, auth, secrets' sources, repository) in the config file");
  cmd->require_subcommand(1);
  cmd->footer(
      "The file is ESSNAP_CONFIG, else $XDG_CONFIG_HOME/essnap/config.yaml, else\n"
      "~/.config/essnap/config.yaml (docs/CONFIG.md, 'Contexts'). A command uses --context NAME,\n"
      "else ESSNAP_CONTEXT, else the file's current_context; its flags and environment\n"
      "variables take precedence over the context's fields.\n\n"
      "EXAMPLES:\n"
      "  essnap context list\n"
      "  essnap context use prod\n"
      "  essnap context show\n"
      "  essnap --context staging snapshot list\n");
  const std::string exits =
      "EXIT STATUS:\n"
      "  0    done\n"
      "  2    the config file has errors (FILE:LINE), or the context is unknown\n"
      "  6    context use: there is no config file\n"
      "  7    the config file could not be read or written\n";

  auto* list = cmd->add_subcommand("list", "List the contexts; * marks the one in use");
  list->footer("EXAMPLES:\n  essnap context list\n  essnap -o json context list\n\n" + exits);
  list->callback([ctx] { run_command(ctx, [&] { return run_list(*ctx.global); }); });

  auto* show = cmd->add_subcommand(
      "show", "Show a context (default: the one in use): where its secrets come from, never them");
  show->add_option("NAME", *name, "The context (default: the one in use)");
  show->footer("EXAMPLES:\n  essnap context show\n  essnap -o json context show prod\n\n" + exits);
  show->callback(
      [ctx, name] { run_command(ctx, [&] { return run_context_show(*ctx.global, *name); }); });

  auto* use = cmd->add_subcommand("use", "Make NAME the file's current_context");
  use->add_option("NAME", *name, "The context")->required();
  use->footer(
      "Rewrites only the current_context line of the file (added when absent); comments and\n"
      "everything else stay as they are.\n\n"
      "EXAMPLES:\n  essnap context use prod\n\n" +
      exits);
  use->callback([ctx, name] { run_command(ctx, [&] { return run_use(*ctx.global, *name); }); });
}

}  // namespace essnap::cli
