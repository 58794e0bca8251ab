// Turns the global flags into what the aws/ library needs (credential options with a traced
// transport under -v), so every command that talks to AWS resolves credentials the same way.
#pragma once

#include "essnap/aws/credentials.hpp"
#include "essnap/blob/open.hpp"
#include "essnap/cli/command.hpp"

namespace essnap::cli {

aws::CredentialOptions credential_options(const GlobalOptions& global);

// The S3 flags every command that opens s3:// places takes.
struct S3Flags {
  std::string endpoint_url;  // --s3-endpoint-url (else AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)
  bool path_style = false;   // --s3-path-style
};

// What blob::open_blob_store needs, from the global flags, the S3 flags and a command's own
// --region (which wins over the global one).
blob::OpenOptions blob_open_options(const GlobalOptions& global, const S3Flags& s3,
                                    const std::string& region_flag = {});

}  // namespace essnap::cli
