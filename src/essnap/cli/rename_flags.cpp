#include "essnap/cli/rename_flags.hpp"

#include <regex>
#include <string_view>

#include "essnap/cluster/names.hpp"
#include "essnap/transfer/import.hpp"

namespace essnap::cli {
namespace {

Status check_regex(const std::string& pattern, const std::string& flag) {
  try {
    std::regex re(pattern);
  } catch (const std::regex_error&) {
    return Error(ErrorCode::kInvalidArgument,
                 flag + " pattern '" + pattern + "' is not a valid regular expression",
                 "e.g. --rename-regex '(.+)=restored-$1'");
  }
  return ok_status();
}

}  // namespace

RenameFlagOptions add_rename_flags(CLI::App* cmd, RenameFlags* f, const std::string& what) {
  RenameFlagOptions o;
  o.rename = cmd->add_option(
      "--rename", f->renames,
      what + " index FROM as TO (FROM=TO, exact, repeatable); PATTERN:REPLACEMENT is a regex");
  o.regex = cmd->add_option("--rename-regex", f->regex,
                            what +
                                " the indices matching PATTERN as REPLACEMENT "
                                "(PATTERN=REPLACEMENT; $1 for groups)");
  o.suffix = cmd->add_option("--rename-suffix", f->suffix, what + " each index as NAME+SUFFIX");
  return o;
}

Result<Renames> parse_renames(const RenameFlags& f) {
  Renames r;
  r.suffix = f.suffix;
  ESSNAP_TRY_STATUS(cluster::names::validate_text(f.suffix, "--rename-suffix"));
  auto set_regex = [&](const std::string& flag, const std::string& text, std::size_t at) -> Status {
    if (!r.regex_pattern.empty())
      return Error(ErrorCode::kInvalidArgument, "only one rename regex may be given",
                   "combine them into one pattern, or rename exact names with --rename FROM=TO");
    if (at == std::string::npos || at == 0)
      return Error(ErrorCode::kInvalidArgument,
                   flag + " '" + text.substr(0, 80) + "' is not " +
                       (flag == "--rename" ? "PATTERN:REPLACEMENT" : "PATTERN=REPLACEMENT"),
                   "e.g. --rename-regex '(.+)=restored-$1'");
    ESSNAP_TRY_STATUS(cluster::names::validate_text(text, flag));
    r.regex_pattern = text.substr(0, at);
    r.regex_replacement = text.substr(at + 1);
    return check_regex(r.regex_pattern, flag);
  };
  for (const auto& text : f.renames) {
    if (text.find(':') != std::string::npos) {
      ESSNAP_TRY_STATUS(set_regex("--rename", text, text.rfind(':')));
      continue;
    }
    ESSNAP_TRY(auto pair, transfer::parse_rename(text));
    r.exact.push_back(std::move(pair));
  }
  if (!f.regex.empty()) ESSNAP_TRY_STATUS(set_regex("--rename-regex", f.regex, f.regex.rfind('=')));
  return r;
}

std::pair<std::string, std::string> exact_as_regex(const std::string& from, const std::string& to) {
  std::string pattern = "^";
  for (char c : from) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) pattern += '\\';
    pattern += c;
  }
  return {pattern + "$", to};
}

}  // namespace essnap::cli
