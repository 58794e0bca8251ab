// Turns the global flags into what the aws/ library needs (credential options with a traced
// transport under -v), so every command that talks to AWS resolves credentials the same way.
#pragma once

#include "essnap/aws/credentials.hpp"
#include "essnap/cli/command.hpp"

namespace essnap::cli {

aws::CredentialOptions credential_options(const GlobalOptions& global);

}  // namespace essnap::cli
