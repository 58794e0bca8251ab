#include "essnap/cli/usage.hpp"

#include <algorithm>
#include <cctype>

namespace essnap::cli {
namespace {

std::vector<CLI::App*> named_subcommands(CLI::App* app) {
  return app->get_subcommands([](CLI::App* s) { return !s->get_name().empty(); });
}

CLI::App* subcommand_named(CLI::App* app, const std::string& word) {
  for (auto* s : named_subcommands(app))
    if (s->check_name(word)) return s;
  return nullptr;
}

// The option `name` ("--indices", "-i") of the innermost command that has it.
CLI::Option* find_option(const std::vector<CLI::App*>& chain, const std::string& name) {
  for (auto it = chain.rbegin(); it != chain.rend(); ++it)
    if (auto* o = (*it)->get_option_no_throw(name); o != nullptr && !o->get_positional()) return o;
  return nullptr;
}

std::vector<std::string> flag_names(const std::vector<CLI::App*>& chain, bool long_names) {
  std::vector<std::string> out;
  for (auto* a : chain)
    for (const auto* o : a->get_options()) {
      if (long_names)
        for (const auto& n : o->get_lnames()) out.push_back("--" + n);
      else
        for (const auto& n : o->get_snames()) out.push_back("-" + n);
    }
  return out;
}

// A flag expects no value (a counting flag such as -v has a type size of 1, yet takes none).
bool takes_value(const CLI::Option* o) {
  return o->get_items_expected_max() > 0;
}
bool takes_many(const CLI::Option* o) {
  return takes_value(o) && o->get_expected_max() > 1;
}

bool is_number(const std::string& a) {
  return a.size() > 1 && a[0] == '-' &&
         std::all_of(a.begin() + 1, a.end(),
                     [](unsigned char c) { return std::isdigit(c) || c == '.' || c == 'e'; }) &&
         std::isdigit(static_cast<unsigned char>(a[1]));
}

UsageProblem unknown(const std::string& what, const std::string& word,
                     const std::vector<std::string>& candidates,
                     const std::vector<std::string>& path) {
  std::string msg = "unknown " + what + " " + word;
  if (auto n = nearest(word, candidates)) msg += "; did you mean " + *n + "?";
  return {msg, help_hint(path)};
}

}  // namespace

std::string help_hint(const std::vector<std::string>& path) {
  std::string cmd = "essnap";
  for (const auto& p : path) cmd += " " + p;
  return "run '" + cmd + " --help' for usage";
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  // Optimal string alignment distance: Levenshtein plus adjacent transpositions.
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i)
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[n][m];
}

std::optional<std::string> nearest(const std::string& word,
                                   const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_d = 3;
  // The dashes of a flag carry no information: compare what follows them.
  auto bare = [](const std::string& s) {
    return s.substr(std::min(s.find_first_not_of('-'), s.size()));
  };
  const std::string w = bare(word);
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(w, bare(c));
    if (d < best_d && d * 2 < std::max<std::size_t>(w.size(), 2)) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

CommandLineWalk walk_command_line(CLI::App& app, int argc, char** argv) {
  CommandLineWalk walk;
  std::vector<CLI::App*> chain{&app};
  bool values_follow = false;  // after a vector option: words are its values
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    CLI::App* cur = chain.back();
    if (a == "--") break;  // the rest are positionals
    if (a.size() > 2 && a.starts_with("--")) {
      const auto eq = a.find('=');
      const std::string name = a.substr(0, eq);
      auto* o = find_option(chain, name);
      if (o == nullptr) {
        walk.problem = unknown("flag", name, flag_names(chain, true), walk.path);
        return walk;
      }
      values_follow = takes_many(o);
      if (takes_value(o) && eq == std::string::npos) ++i;
      continue;
    }
    if (a.size() > 1 && a[0] == '-' && !is_number(a)) {
      // -x, -xVALUE, or bundled flags -xyz
      values_follow = false;
      for (std::size_t k = 1; k < a.size(); ++k) {
        auto* o = find_option(chain, std::string("-") + a[k]);
        if (o == nullptr) {
          auto cands = flag_names(chain, false);
          auto longs = flag_names(chain, true);
          cands.insert(cands.end(), longs.begin(), longs.end());
          // "-indices" is a long flag with one dash: suggest the long one.
          walk.problem = unknown("flag", k == 1 ? a : std::string("-") + a[k], cands, walk.path);
          return walk;
        }
        if (takes_value(o)) {
          values_follow = takes_many(o);
          if (k + 1 == a.size()) ++i;  // the value is the next word
          break;                       // else the rest of the word is the value
        }
      }
      continue;
    }
    if (auto* s = subcommand_named(cur, a)) {
      chain.push_back(s);
      walk.path.push_back(s->get_name());
      values_follow = false;
      continue;
    }
    if (values_follow) continue;
    const bool has_positionals =
        !cur->get_options([](CLI::Option* o) { return o->get_positional(); }).empty();
    if (has_positionals) continue;
    const auto subs = named_subcommands(cur);
    if (subs.empty()) continue;  // CLI11 reports the extra word
    std::vector<std::string> names;
    for (auto* s : subs) names.push_back(s->get_name());
    walk.problem = unknown("command", a, names, walk.path);
    std::string all;
    for (const auto& n : names) all += (all.empty() ? "" : ", ") + n;
    walk.problem->hint = "commands are " + all + "; " + help_hint(walk.path);
    return walk;
  }
  return walk;
}

}  // namespace essnap::cli
