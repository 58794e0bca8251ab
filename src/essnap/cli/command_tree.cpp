#include "essnap/cli/command_tree.hpp"

#include <algorithm>

#include "essnap/util/strings.hpp"

namespace essnap::cli {
namespace {

// Which arguments name things that exist on the cluster, by the names the commands give them:
// --repository everywhere; a positional NAME under `repo` (except `repo register`, a new name);
// a positional SNAPSHOT, and NAME / SOURCE under `snapshot` (except `create`, a new name).
LiveNames live_names_of_option(const CLI::Option& option) {
  const auto& l = option.get_lnames();
  if (std::find(l.begin(), l.end(), "repository") != l.end()) return LiveNames::kRepositories;
  return LiveNames::kNone;
}

LiveNames live_names_of_positional(const std::vector<std::string>& path, const std::string& name) {
  const std::string group = path.empty() ? "" : path.front();
  const std::string leaf = path.empty() ? "" : path.back();
  if (name.find("SNAPSHOT") != std::string::npos) return LiveNames::kSnapshots;
  if (group == "repo" && leaf != "register" && name == "NAME") return LiveNames::kRepositories;
  if (group == "snapshot" && leaf != "create" && (name == "NAME" || name.starts_with("SOURCE")))
    return LiveNames::kSnapshots;
  return LiveNames::kNone;
}

bool hidden(const CLI::App* app) {
  return app->get_group().empty();
}

std::string value_name(const CLI::Option& option) {
  std::string type = option.get_type_name();
  const auto colon = type.find(':');
  if (colon != std::string::npos) type.resize(colon);
  return type;
}

CommandNode read(const CLI::App& app, std::vector<std::string> path) {
  CommandNode node;
  node.path = path;
  node.name = path.empty() ? app.get_name() : path.back();
  if (node.name.empty()) node.name = "essnap";
  node.description = app.get_description();
  node.footer = app.get_footer();
  node.requires_subcommand = app.get_require_subcommand_min() > 0;
  for (const CLI::Option* o : app.get_options()) {
    if (o->get_group().empty()) continue;  // hidden, as in --help
    if (o->nonpositional()) {
      OptionNode opt;
      for (const auto& s : o->get_snames()) opt.names.push_back("-" + s);
      for (const auto& l : o->get_lnames()) opt.names.push_back("--" + l);
      opt.description = o->get_description();
      opt.takes_value = o->get_items_expected_max() > 0;  // a flag expects 0 values
      if (opt.takes_value) opt.value_name = value_name(*o);
      opt.choices = option_choices(*o);
      opt.live = live_names_of_option(*o);
      opt.required = o->get_required();
      opt.repeatable = o->get_items_expected_max() > 1 || !opt.takes_value;
      node.options.push_back(std::move(opt));
    } else if (o->get_positional()) {
      PositionalNode pos;
      pos.name = o->get_name(true);
      pos.description = o->get_description();
      pos.choices = option_choices(*o);
      pos.live = live_names_of_positional(path, pos.name);
      pos.required = o->get_required();
      const int max = o->get_items_expected_max();
      pos.max = max >= (1 << 20) ? -1 : max;
      node.positionals.push_back(std::move(pos));
    }
  }
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App* a) { return !hidden(a); })) {
    auto child_path = path;
    child_path.push_back(sub->get_name());
    node.subcommands.push_back(read(*sub, std::move(child_path)));
  }
  return node;
}

void collect(const CommandNode& node, std::vector<const CommandNode*>& out) {
  out.push_back(&node);
  for (const auto& sub : node.subcommands) collect(sub, out);
}

}  // namespace

std::string CommandNode::joined_path() const {
  return util::join(path, " ");
}

std::vector<std::string> option_choices(const CLI::Option& option) {
  // get_type_name() is "TYPE:desc:desc..." with one description per validator; CLI::IsMember
  // describes itself as "{a,b,c}" (a CheckedTransformer as "{a->x,...}": not a plain set).
  const std::string type = option.get_type_name();
  const auto open = type.find(":{");
  if (open == std::string::npos) return {};
  const auto close = type.find('}', open);
  if (close == std::string::npos) return {};
  const std::string set = type.substr(open + 2, close - open - 2);
  if (set.find("->") != std::string::npos) return {};
  std::vector<std::string> out;
  for (const auto& v : util::split(set, ',')) {
    const std::string member{util::trim(v)};
    if (!member.empty()) out.push_back(member);
  }
  return out;
}

CommandNode read_command_tree(const CLI::App& app) {
  return read(app, {});
}

std::vector<const CommandNode*> flatten(const CommandNode& root) {
  std::vector<const CommandNode*> out;
  collect(root, out);
  return out;
}

}  // namespace essnap::cli
