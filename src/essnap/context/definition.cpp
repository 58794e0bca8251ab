#include "essnap/context/definition.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "essnap/cluster/cluster_url.hpp"
#include "essnap/cluster/names.hpp"
#include "essnap/util/durations.hpp"
#include "essnap/util/url.hpp"

namespace essnap::context {
namespace {

constexpr const char* kKeys[] = {"name",
                                 "url",
                                 "auth",
                                 "service",
                                 "region",
                                 "profile",
                                 "user",
                                 "password_env",
                                 "password_file",
                                 "password_command",
                                 "api_key_env",
                                 "api_key_file",
                                 "api_key_command",
                                 "cacert",
                                 "insecure",
                                 "repository",
                                 "connect_timeout",
                                 "timeout"};

// Keys that would hold a secret's value.
constexpr const char* kInlineSecrets[] = {"password", "api_key", "apikey", "secret", "token"};

std::string known_keys() {
  std::string list;
  for (const char* k : kKeys) list += (list.empty() ? "" : ", ") + std::string(k);
  return list;
}

std::optional<std::string> scalar(const Diagnostics& d, const YAML::Node& n,
                                  const std::string& what) {
  if (n.IsScalar()) return n.Scalar();
  d.error(n, what + " must be a string");
  return std::nullopt;
}

// Seconds as a number ("10", "2.5") or a clock span ("30s", "2min"); > 0.
std::optional<std::chrono::milliseconds> timeout_value(const Diagnostics& d, const YAML::Node& n,
                                                       const std::string& what) {
  auto text = scalar(d, n, what);
  if (!text) return std::nullopt;
  try {
    size_t used = 0;
    const double s = std::stod(*text, &used);
    if (used == text->size()) {
      if (std::isfinite(s) && s > 0 && s <= 86400.0 * 365)
        return std::chrono::milliseconds(static_cast<int64_t>(s * 1000));
      d.error(n, what + " must be more than 0 seconds, not '" + *text + "'");
      return std::nullopt;
    }
  } catch (const std::exception&) {
  }
  auto span = util::parse_span(*text, what);
  if (!span.ok()) {
    d.error(n, span.error().message + " (or a number of seconds)");
    return std::nullopt;
  }
  if (span->count() <= 0) {
    d.error(n, what + " must be more than 0 seconds, not '" + *text + "'");
    return std::nullopt;
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(*span);
}

// "user:password@" in a URL is a secret written inline. The URL is not quoted: it holds one.
bool has_userinfo(const std::string& url) {
  const auto scheme = url.find("://");
  const size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  const size_t end = url.find_first_of("/?#", start);
  const std::string authority = url.substr(start, end == std::string::npos ? end : end - start);
  return authority.find('@') != std::string::npos;
}

int count_set(std::initializer_list<const std::string*> values) {
  return static_cast<int>(
      std::count_if(values.begin(), values.end(), [](const auto* v) { return !v->empty(); }));
}

void check_keys(const Diagnostics& d, const YAML::Node& n, const std::string& where) {
  for (const auto& kv : n) {
    const std::string k = kv.first.IsScalar() ? kv.first.Scalar() : "";
    if (std::any_of(std::begin(kKeys), std::end(kKeys), [&](const char* s) { return k == s; }))
      continue;
    const bool secret = std::any_of(std::begin(kInlineSecrets), std::end(kInlineSecrets),
                                    [&](const char* s) { return k == s; });
    if (secret) {
      const std::string stem = (k == "api_key" || k == "apikey") ? "api_key" : "password";
      d.error(kv.first, "inline secrets are refused: '" + k + "' in " + where + "; use " + stem +
                            "_env (an environment variable's name), " + stem +
                            "_file (a file's path) or " + stem +
                            "_command (a command that prints it)");
    } else {
      d.error(kv.first, "unknown key '" + k + "' in " + where + " (known: " + known_keys() + ")");
    }
  }
}

void check_secrets(const Diagnostics& d, const YAML::Node& n, const std::string& where,
                   const ClusterDefinition& c, Completeness completeness) {
  const int passwords = count_set({&c.password_env, &c.password_file, &c.password_command});
  const int keys = count_set({&c.api_key_env, &c.api_key_file, &c.api_key_command});
  if (passwords > 1)
    d.error(n, where + ": give one of password_env, password_file, password_command");
  if (keys > 1) d.error(n, where + ": give one of api_key_env, api_key_file, api_key_command");
  if (c.auth == "apikey" && passwords > 0 && keys > 0)
    d.error(n, where + ": auth apikey takes its key from api_key_* or password_*, not both");
  if (completeness != Completeness::kSelfContained) return;
  if (c.auth == "basic" && (c.user.empty() || passwords != 1))
    d.error(n, where +
                   ": auth basic needs user and exactly one of password_env, password_file, "
                   "password_command");
  if (c.auth == "apikey" && passwords + keys != 1)
    d.error(n, where +
                   ": auth apikey needs exactly one of api_key_env, api_key_file, "
                   "api_key_command");
}

}  // namespace

void Diagnostics::error(int line, const std::string& message) const {
  errors->push_back(file + ":" + std::to_string(line) + ": " + message);
}

void Diagnostics::error(const YAML::Node& at, const std::string& message) const {
  error(line_of(at), message);
}

int line_of(const YAML::Node& n) {
  return n.IsDefined() && n.Mark().line >= 0 ? n.Mark().line + 1 : 0;
}

cluster::SecretSource ClusterDefinition::password_source() const {
  return {password_env, password_file, password_command};
}

cluster::SecretSource ClusterDefinition::api_key_source() const {
  // apikey's one secret may be named by password_* (a context's "where the secret comes from").
  if (api_key_env.empty() && api_key_file.empty() && api_key_command.empty() && auth == "apikey")
    return password_source();
  return {api_key_env, api_key_file, api_key_command};
}

std::optional<ClusterDefinition> parse_definition(const YAML::Node& n, const std::string& name,
                                                  const ParseOptions& o, const Diagnostics& d) {
  ClusterDefinition c;
  c.name = name;
  std::string where = o.kind + (name.empty() ? "" : " '" + name + "'");
  if (!n.IsMap()) {
    d.error(n, where + " must be a mapping (key: value lines)");
    return std::nullopt;
  }
  c.line = line_of(n);
  if (c.name.empty()) {
    if (n["name"]) c.name = scalar(d, n["name"], "name of " + where).value_or("");
    if (c.name.empty()) d.error(n, where + " has no name");
    where = o.kind + (c.name.empty() ? "" : " '" + c.name + "'");
  } else if (n["name"] && n["name"].IsScalar() && n["name"].Scalar() != c.name) {
    d.error(n["name"], where + ": name '" + n["name"].Scalar() + "' differs from its key");
  }
  check_keys(d, n, where);
  auto field = [&](const char* key, std::string& into) {
    if (n[key]) into = scalar(d, n[key], std::string(key) + " of " + where).value_or("");
  };
  field("url", c.url);
  field("auth", c.auth);
  field("service", c.service);
  field("region", c.region);
  field("profile", c.profile);
  field("user", c.user);
  field("password_env", c.password_env);
  field("password_file", c.password_file);
  field("password_command", c.password_command);
  field("api_key_env", c.api_key_env);
  field("api_key_file", c.api_key_file);
  field("api_key_command", c.api_key_command);
  field("cacert", c.cacert);
  field("repository", c.repository);
  if (const auto v = n["insecure"]) {
    try {
      if (!v.IsScalar()) throw YAML::Exception(v.Mark(), "");
      c.insecure = v.as<bool>();
    } catch (const YAML::Exception&) {
      d.error(v, "insecure of " + where + " must be true or false");
    }
  }
  if (n["connect_timeout"])
    c.connect_timeout = timeout_value(d, n["connect_timeout"], "connect_timeout of " + where);
  if (n["timeout"]) c.timeout = timeout_value(d, n["timeout"], "timeout of " + where);

  if (c.url.empty()) {
    d.error(n, where + " has no url");
  } else if (has_userinfo(c.url)) {
    d.error(n["url"], "inline secrets are refused: the url of " + where +
                          " holds user:password@; put the user in 'user' and the password in "
                          "password_env, password_file or password_command");
  } else if (auto st = cluster::validate_cluster_url(c.url, "url of " + where); !st.ok()) {
    // Checked when the file is read, in either file: an ftp:// or a host-less url is a config
    // error at `config check`, not at 3 a.m.
    d.error(n["url"], st.error().message);
  }
  static const std::set<std::string> kAuth = {"", "aws", "basic", "apikey", "none"};
  if (!kAuth.count(c.auth))
    d.error(n["auth"], "auth '" + c.auth + "' of " + where + " must be aws, basic, apikey or none");
  static const std::set<std::string> kService = {"", "es", "aoss", "s3"};
  if (!kService.count(c.service))
    d.error(n["service"], "service '" + c.service + "' of " + where + " must be es, aoss or s3");
  if (!c.repository.empty())
    if (auto s = cluster::names::validate_repository_name(c.repository, "repository of " + where);
        !s.ok())
      d.error(n["repository"], s.error().message);
  check_secrets(d, n, where, c, o.completeness);
  return c;
}

std::vector<ClusterDefinition> parse_definitions(const YAML::Node& n, const ParseOptions& o,
                                                 const Diagnostics& d) {
  std::vector<ClusterDefinition> out;
  std::map<std::string, int> seen;  // name -> line
  auto add = [&](std::optional<ClusterDefinition> c, const YAML::Node& at) {
    if (!c || c->name.empty()) return;
    if (auto it = seen.find(c->name); it != seen.end()) {
      d.error(at, o.kind + " '" + c->name + "' is defined twice (first on line " +
                      std::to_string(it->second) + ")");
      return;
    }
    seen[c->name] = line_of(at);
    out.push_back(std::move(*c));
  };
  if (n.IsSequence()) {
    for (const auto& item : n) add(parse_definition(item, "", o, d), item);
  } else if (n.IsMap()) {
    for (const auto& kv : n) {
      const std::string name = kv.first.IsScalar() ? kv.first.Scalar() : "";
      if (name.empty())
        d.error(kv.first, o.kind + " names must be strings");
      else
        add(parse_definition(kv.second, name, o, d), kv.first);
    }
  } else if (!n.IsNull()) {
    d.error(n, o.kind + "s must be a list of entries with a name (or a map NAME: entry)");
  }
  return out;
}

cluster::ConnectionSpec to_connection_spec(const ClusterDefinition& c, int verbose,
                                           std::chrono::milliseconds default_timeout) {
  cluster::ConnectionSpec spec;
  spec.name = c.name;
  spec.url = c.url;
  auto auth = cluster::parse_auth_kind(c.auth);  // checked by the parser
  spec.auth = auth.ok() ? *auth : cluster::AuthKind::kAuto;
  spec.service = c.service;
  spec.region = c.region;
  spec.profile = c.profile;
  spec.user = c.user;
  spec.password = c.password_source();
  spec.api_key = c.api_key_source();
  spec.cacert = c.cacert;
  spec.insecure = c.insecure;
  if (c.connect_timeout) spec.timeouts.connect = *c.connect_timeout;
  spec.timeouts.overall = c.timeout.value_or(default_timeout);
  spec.verbose = verbose;
  return spec;
}

}  // namespace essnap::context
