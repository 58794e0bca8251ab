// Opening a cluster is library code: a ConnectionSpec says everything a user or a config file
// can say about one cluster (URL, auth, SigV4 service and region, profile, where each secret comes
// from, TLS, timeouts); open_connection resolves it once, in the order a user can act on (URL,
// then auth: credentials, password or API key resolved now, so "no credentials" comes before
// anything is sent), and the Connection it returns is the one thread-safe factory of clients that
// the CLI, transfer/ (a client per worker) and schedule/ (a client per cluster) use. The CLI's
// flags and the YAML config both map onto a spec; neither is turned into the other.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "essnap/aws/credentials.hpp"
#include "essnap/aws/signing_transport.hpp"
#include "essnap/cluster/client.hpp"
#include "essnap/http/factory.hpp"
#include "essnap/util/result.hpp"

namespace essnap::cluster {

enum class AuthKind { kAuto, kAws, kBasic, kApiKey, kNone };  // kAuto: aws for AWS hosts, else none

// "aws" | "basic" | "apikey" | "none" | "" (kAuto); kInvalidArgument otherwise.
Result<AuthKind> parse_auth_kind(std::string_view text);

// Where a secret comes from: an environment variable, a file (trailing newlines dropped) or a
// command's standard output (run by /bin/sh, trailing newlines dropped; its stderr and the
// terminal stay the user's, so `pass` or `gpg` may prompt) — never the spec itself, so a spec
// can be printed. The first one set is used: file, command, variable.
struct SecretSource {
  std::string env;      // variable name
  std::string file;     // path
  std::string command;  // shell command line
  // A description for messages: "ES_PW", "/etc/pw" or "the command 'pass es'" (never the value).
  std::string describe() const;
  // Unset variable: kNoCredentials naming it (`optional` lets the caller prompt instead).
};

struct ConnectionSpec {
  std::string name;  // for messages: "cluster 'prod'" (config) or "" (command line)
  std::string url;
  AuthKind auth = AuthKind::kAuto;
  std::string service;  // SigV4 service: es (default), aoss, s3; from the host when empty
  std::string region;   // empty: AWS_REGION, AWS_DEFAULT_REGION, profile, endpoint host
  std::string profile;
  std::string user;  // basic auth
  SecretSource password{"ESSNAP_PASSWORD", "", ""};
  SecretSource api_key{"ESSNAP_API_KEY", "", ""};
  // Asks for a basic-auth password when its variable is not set at all (the CLI prompts on the
  // terminal; a scheduler leaves it empty and the missing variable is an error).
  std::function<Result<std::string>(const std::string& user)> prompt_password;
  std::string cacert;
  bool insecure = false;
  http::Timeouts timeouts;  // of one attempt
  // The bound on everything done through this connection (the CLI's --timeout: the whole
  // command), shared by every transport it makes; none: no bound.
  std::optional<http::Deadline> deadline;
  // Notices while a request has no answer (the CLI: into its progress output); no sink: none.
  http::NoAnswerNotice no_answer;
  int verbose = 0;  // -v: traced transports, secrets redacted
};

class Connection {
 public:
  const std::string& url() const { return url_; }
  const http::TransportOptions& transport_options() const { return transport_; }
  const std::optional<aws::SigningOptions>& signing() const { return signing_; }
  const http::Timeouts& timeouts() const { return timeouts_; }
  // Authorization for basic / API-key auth; empty for aws and none.
  const http::Headers& auth_headers() const { return auth_headers_; }

  // A new transport stack on this connection (signed with --auth aws). Thread-safe.
  std::unique_ptr<http::Transport> make_transport() const;
  // A new client with its own transport stack. Thread-safe: one per worker thread.
  std::unique_ptr<Client> make_client() const;

 private:
  friend Result<std::shared_ptr<const Connection>> open_connection(ConnectionSpec spec);
  std::string url_;
  http::TransportOptions transport_;
  std::optional<aws::SigningOptions> signing_;
  http::Headers auth_headers_;
  http::Timeouts timeouts_;
};

Result<std::shared_ptr<const Connection>> open_connection(ConnectionSpec spec);

// The credential options of the AWS chain for `profile` and `region`, with a traced transport
// under verbose > 0 and short budgets for metadata endpoints that do not answer.
aws::CredentialOptions credential_options(const std::string& profile, const std::string& region,
                                          int verbose);

}  // namespace essnap::cluster
