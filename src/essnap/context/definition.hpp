// One cluster definition — where a cluster is and how to authenticate to it — read from YAML by
// one parser, for the two files that name clusters: a context of the user's config file
// (`contexts:` in ~/.config/essnap/config.yaml) and a cluster of `essnap run`'s config
// (`clusters:`). Every error names the file and line ("config.yaml:7: unknown key 'usr' in
// context 'prod' (known: ...)"); a secret written inline is refused. `to_connection_spec` is the
// one conversion of a definition into the library's cluster::ConnectionSpec.
//
//   definitions := [ definition ] (each with `name`) | { NAME: definition }
//   definition  := { [name], url, [auth: aws|basic|apikey|none], [service: es|aoss|s3],
//                    [region], [profile], [user],
//                    [password_env | password_file | password_command],
//                    [api_key_env | api_key_file | api_key_command],
//                    [cacert], [insecure: bool], [repository],
//                    [connect_timeout: seconds | span], [timeout: seconds | span] }
//   ; `password`, `api_key`, `apikey`, `secret`, `token` and a url with user:password@ are refused
//   ; with auth apikey, password_* name the API key too (the context's one secret)
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "essnap/cluster/connection.hpp"
#include "essnap/util/result.hpp"

namespace essnap::context {

struct ClusterDefinition {
  std::string name;
  std::string url;
  std::string auth;  // aws | basic | apikey | none; empty = aws for AWS hosts, else none
  std::string service, profile, region, user, cacert;
  // Where the secrets come from: names, paths and commands, never values.
  std::string password_env, password_file, password_command;
  std::string api_key_env, api_key_file, api_key_command;
  bool insecure = false;
  std::string repository;  // the default for commands taking -r/--repository
  std::optional<std::chrono::milliseconds> connect_timeout, timeout;
  int line = 0;  // 1-based line of the definition in its file

  // The source of basic auth's password and of apikey's key ({env, file, command}); empty
  // members when the definition names none.
  cluster::SecretSource password_source() const;
  cluster::SecretSource api_key_source() const;
};

// FILE:LINE: message lines, collected (a file reports every problem at once).
struct Diagnostics {
  std::string file;
  std::vector<std::string>* errors;
  void error(const YAML::Node& at, const std::string& message) const;
  void error(int line, const std::string& message) const;
};
int line_of(const YAML::Node& node);  // 1-based; 0 when unknown

// What a reader demands beyond the schema. A scheduler has no terminal and no environment of the
// user's to fall back on: basic auth needs `user` and a password source, apikey a key source.
enum class Completeness { kSelfContained, kEnvironmentMayFill };

struct ParseOptions {
  std::string kind = "cluster";  // in messages: "cluster 'prod'", "context 'prod'"
  Completeness completeness = Completeness::kSelfContained;
};

// One definition; `name` from the enclosing map's key or, when empty, the entry's `name` key.
// nullopt when it is not a mapping (reported).
std::optional<ClusterDefinition> parse_definition(const YAML::Node& node, const std::string& name,
                                                  const ParseOptions& options,
                                                  const Diagnostics& diagnostics);

// A list of definitions each with `name`, or a map NAME -> definition; names are unique.
std::vector<ClusterDefinition> parse_definitions(const YAML::Node& node,
                                                 const ParseOptions& options,
                                                 const Diagnostics& diagnostics);

// The definition as a ConnectionSpec: its secrets from the variables, files or commands it names
// (resolved by cluster::open_connection, never stored in the spec). `default_timeout` applies
// when the definition sets no `timeout`.
cluster::ConnectionSpec to_connection_spec(const ClusterDefinition& definition, int verbose,
                                           std::chrono::milliseconds default_timeout);

}  // namespace essnap::context
