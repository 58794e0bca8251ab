#include "essnap/aws/config_file.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "essnap/util/strings.hpp"

namespace essnap::aws {
Result<IniFile> IniFile::parse(std::string_view text, const std::string& source_name) {
  IniFile file;
  file.path_ = source_name;
  file.exists_ = true;
  IniSection* current = nullptr;
  std::string last_key;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view raw =
        text.substr(pos, nl == std::string_view::npos ? text.size() - pos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    std::string_view line = util::trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    auto fail = [&](const std::string& why) {
      return make_error(ErrorCode::kInvalidArgument,
                        source_name + " line " + std::to_string(line_no) + ": " + why,
                        "fix or remove that line; expected '[section]' or 'key = value'");
    };
    const bool indented = raw.front() == ' ' || raw.front() == '\t';
    if (line.front() == '[') {
      if (line.back() != ']') return fail("section header without closing ']'");
      std::string name(util::trim(line.substr(1, line.size() - 2)));
      if (name.empty()) return fail("empty section name");
      current = &file.sections_[name];
      last_key.clear();
      continue;
    }
    auto eq = line.find('=');
    if (indented && current && !last_key.empty()) {
      // A nested key ("s3 =\n  addressing_style = path") or a continuation line.
      auto& v = (*current)[last_key];
      if (!v.empty()) v += '\n';
      if (eq == std::string_view::npos) {
        v += std::string(line);
      } else {
        v += util::to_lower(util::trim(line.substr(0, eq))) + "=" +
             std::string(util::trim(line.substr(eq + 1)));
      }
      continue;
    }
    if (eq == std::string_view::npos) return fail("not a 'key = value' line");
    if (!current) return fail("'key = value' before any [section]");
    std::string key = util::to_lower(util::trim(line.substr(0, eq)));
    if (key.empty()) return fail("empty key");
    (*current)[key] = std::string(util::trim(line.substr(eq + 1)));
    last_key = key;
  }
  return file;
}

Result<IniFile> IniFile::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    IniFile missing;
    missing.path_ = path;
    return missing;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad())
    return make_error(ErrorCode::kIo, "cannot read " + path, "check the file's permissions");
  return parse(ss.str(), path);
}

const IniSection* IniFile::section(const std::string& name) const {
  auto it = sections_.find(name);
  return it == sections_.end() ? nullptr : &it->second;
}

std::vector<std::string> IniFile::section_names() const {
  std::vector<std::string> out;
  for (const auto& [k, _] : sections_) out.push_back(k);
  return out;
}

const IniSection* SharedConfig::config_profile(const std::string& name) const {
  if (const auto* s = config.section("profile " + name)) return s;
  if (name == "default") return config.section("default");
  return nullptr;
}

const IniSection* SharedConfig::credentials_profile(const std::string& name) const {
  return credentials.section(name);
}

const IniSection* SharedConfig::sso_session(const std::string& name) const {
  return config.section("sso-session " + name);
}

bool SharedConfig::has_profile(const std::string& name) const {
  return config_profile(name) != nullptr || credentials_profile(name) != nullptr;
}

IniSection SharedConfig::merged_profile(const std::string& name) const {
  IniSection out;
  if (const auto* c = config_profile(name)) out = *c;
  if (const auto* c = credentials_profile(name))
    for (const auto& [k, v] : *c) out[k] = v;
  return out;
}

std::string home_directory(const Environment& env) {
  if (auto h = env.get("HOME"); h && !h->empty()) return *h;
  if (auto h = env.get("USERPROFILE"); h && !h->empty()) return *h;
  return ".";
}

std::string expand_home(const std::string& path, const Environment& env) {
  if (path == "~") return home_directory(env);
  if (path.rfind("~/", 0) == 0) return home_directory(env) + path.substr(1);
  return path;
}

std::string config_file_path(const Environment& env) {
  if (auto p = env.get("AWS_CONFIG_FILE"); p && !p->empty()) return expand_home(*p, env);
  return home_directory(env) + "/.aws/config";
}

std::string credentials_file_path(const Environment& env) {
  if (auto p = env.get("AWS_SHARED_CREDENTIALS_FILE"); p && !p->empty())
    return expand_home(*p, env);
  return home_directory(env) + "/.aws/credentials";
}

Result<SharedConfig> load_shared_config(const Environment& env) {
  SharedConfig out;
  ESSNAP_TRY(out.config, IniFile::load(config_file_path(env)));
  ESSNAP_TRY(out.credentials, IniFile::load(credentials_file_path(env)));
  return out;
}

ProfileChoice choose_profile(const std::string& flag, const Environment& env) {
  if (!flag.empty()) return {flag, "--profile"};
  if (auto p = env.get("AWS_PROFILE"); p && !p->empty()) return {*p, "AWS_PROFILE"};
  if (auto p = env.get("AWS_DEFAULT_PROFILE"); p && !p->empty()) return {*p, "AWS_DEFAULT_PROFILE"};
  return {"default", "default"};
}

std::string get_value(const IniSection& section, const std::string& key) {
  auto it = section.find(key);
  return it == section.end() ? std::string() : it->second;
}

}  // namespace essnap::aws
