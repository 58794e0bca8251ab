// The AWS shared config and credentials files (~/.aws/config, ~/.aws/credentials): an INI
// dialect, and the profile lookup rules the AWS CLI and SDKs apply to it.
//
// Grammar (per line, after stripping a trailing CR):
//   blank      = *WSP
//   comment    = *WSP ("#" / ";") *CHAR              ; whole-line only: '#' in values is data
//   section    = "[" *WSP name *WSP "]" *WSP         ; name is case-sensitive
//   assignment = key *WSP "=" *WSP value             ; key lower-cased, value trimmed
//   nested     = 1*WSP key *WSP "=" *WSP value       ; indented: belongs to the previous key
//                                                    ; (e.g. "s3 =\n  addressing_style = path")
// Anything else is an error naming the file and line. In the config file, profiles are
// "[profile NAME]" (and "[default]"); in the credentials file, "[NAME]".
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "essnap/aws/credentials.hpp"
#include "essnap/util/result.hpp"

namespace essnap::aws {

using IniSection = std::map<std::string, std::string>;

class IniFile {
 public:
  // source_name appears in errors ("~/.aws/config line 4: ...").
  static Result<IniFile> parse(std::string_view text, const std::string& source_name);
  // A missing file is an empty IniFile with exists() == false, not an error.
  static Result<IniFile> load(const std::string& path);

  const IniSection* section(const std::string& name) const;
  std::vector<std::string> section_names() const;
  bool exists() const { return exists_; }
  const std::string& path() const { return path_; }

 private:
  std::map<std::string, IniSection> sections_;
  std::string path_;
  bool exists_ = false;
};

// Both files, as the environment locates them.
struct SharedConfig {
  IniFile config;       // AWS_CONFIG_FILE, else ~/.aws/config
  IniFile credentials;  // AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials

  // "[profile NAME]" in the config file ("[default]" also for "default").
  const IniSection* config_profile(const std::string& name) const;
  // "[NAME]" in the credentials file.
  const IniSection* credentials_profile(const std::string& name) const;
  // "[sso-session NAME]" in the config file.
  const IniSection* sso_session(const std::string& name) const;
  bool has_profile(const std::string& name) const;
  // The profile as the SDKs see it: config-file keys overlaid by credentials-file keys.
  IniSection merged_profile(const std::string& name) const;
};

std::string home_directory(const Environment& env);
// "~/x" -> "$HOME/x"; other paths unchanged.
std::string expand_home(const std::string& path, const Environment& env);
std::string config_file_path(const Environment& env);
std::string credentials_file_path(const Environment& env);

Result<SharedConfig> load_shared_config(const Environment& env);

// --profile, else AWS_PROFILE, else AWS_DEFAULT_PROFILE, else "default".
struct ProfileChoice {
  std::string name;
  std::string source;  // "--profile", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "default"
};
ProfileChoice choose_profile(const std::string& flag, const Environment& env);

// A value from a section, empty when missing.
std::string get_value(const IniSection& section, const std::string& key);

}  // namespace essnap::aws
