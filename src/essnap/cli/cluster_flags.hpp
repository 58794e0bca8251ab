// The connection flags every cluster command shares (--url, --auth, --service, --region, --user,
// --cacert, --insecure, timeouts) and their one translation into a transport and its
// non-SigV4 auth headers, so `request`, `snapshot`, `restore`, `repo` and `setup` behave alike.
// Each field is taken, in this order, from its flag, its environment variable, the selected
// context (--context / ESSNAP_CONTEXT / current_context of the config file, context/file.hpp),
// then the default (docs/CONFIG.md, "Contexts").
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

#include "essnap/aws/signing_transport.hpp"
#include "essnap/cli/command.hpp"
#include "essnap/cluster/client.hpp"
#include "essnap/cluster/connection.hpp"
#include "essnap/context/definition.hpp"
#include "essnap/http/factory.hpp"
#include "essnap/util/result.hpp"
#include "essnap/util/url.hpp"

namespace essnap::cli {

struct ClusterFlags {
  std::string url;      // --url (default ESSNAP_URL)
  std::string auth;     // aws | basic | apikey | none (default: aws for AWS hosts, else none)
  std::string service;  // SigV4 service for --auth aws
  std::string region;   // --region on the subcommand (falls back to the global one)
  std::string user;     // --user for --auth basic (default ESSNAP_USER)
  std::string cacert;
  bool insecure = false;
  double connect_timeout = 10;  // seconds
  double timeout = 0;           // seconds for the whole command (a deadline), 0 = none
  // Where the secrets of --auth basic / apikey come from (a second cluster, `copy --to-url`,
  // names its own variables).
  std::string password_env = "ESSNAP_PASSWORD";
  std::string api_key_env = "ESSNAP_API_KEY";

  // Set by add_cluster_flags: these flags take the selected context's values where neither a
  // flag nor the environment gives one (a second cluster, `copy --to-url`, takes none).
  bool from_context = false;
  CLI::Option* connect_timeout_flag = nullptr;  // to tell a typed --connect-timeout 10 from
  CLI::Option* timeout_flag = nullptr;          // the default
  // Filled when the flags are resolved (resolve_cluster_url): the context that applied, and
  // where the secrets come from (the context's sources, or the variables above).
  bool resolved = false;
  std::optional<context::ClusterDefinition> context;
  cluster::SecretSource password, api_key;
};

// The --context flag, recorded by app.cpp once the command line is parsed ("" when absent).
void set_context_flag(std::string name);
const std::string& context_flag();

// The context the command runs in: --context, else ESSNAP_CONTEXT, else the config file's
// current_context; nullopt when none is selected. An unknown name, or a config file with errors,
// is kInvalidArgument (exit 2) naming the file and line.
Result<std::optional<context::ClusterDefinition>> selected_context();

void add_cluster_flags(CLI::App* cmd, ClusterFlags* flags);

// Whether the flags name Amazon OpenSearch Serverless: --service aoss, or a *.aoss.amazonaws.com
// URL with no --service.
bool is_serverless(const ClusterFlags& flags);

// Fills the flags from the environment and the selected context (once; see the header), then
// checks the URL: --url, ESSNAP_URL or the context's; kInvalidArgument naming the flag otherwise.
Result<util::Url> resolve_cluster_url(ClusterFlags& flags);

// The flags as a library ConnectionSpec (ESSNAP_URL / ESSNAP_USER defaults applied, a terminal
// prompt for a basic-auth password that no variable gives), and that spec opened: credentials,
// password or API key resolved now, so "no credentials" comes before anything is sent.
Result<cluster::ConnectionSpec> connection_spec(const GlobalOptions& global, ClusterFlags& flags);
Result<std::shared_ptr<const cluster::Connection>> open_cluster(const GlobalOptions& global,
                                                                ClusterFlags& flags);

Result<cluster::Client> make_cluster_client(const GlobalOptions& global, ClusterFlags& flags);

// The connection flags as given on the command line (before ESSNAP_* defaults), as words to
// append to a follow-up command so it reaches the same cluster: " --url http://h:9200 --auth
// basic --user elastic". Never a secret: a URL's user info is dropped (secrets come from the
// same variables as before).
std::string connection_words(const ClusterFlags& flags);

}  // namespace essnap::cli
