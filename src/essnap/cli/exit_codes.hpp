// Exit codes: the one place errors become numbers. Documented in `essnap --help` and README.
#pragma once

#include "essnap/util/result.hpp"

namespace essnap::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,      // unexpected / internal error
  kExitWarning = 1,      // essnap doctor: a check warned (none failed)
  kExitUsage = 2,        // bad flags or malformed input (URL, date, JSON, config)
  kExitCredentials = 3,  // no usable credentials found
  kExitNetwork = 4,      // could not reach the server, a timeout expired, or --timeout ran out
  kExitRemote = 5,       // the server answered with an HTTP error (>= 400)
  kExitNotFound = 6,     // a named repository, snapshot, index or file does not exist
  kExitIo = 7,           // a local file could not be read or written
  kExitConflict = 8,     // refused by a pre-flight check (name clash, running snapshot, ...);
                         // essnap doctor: a check failed
  kExitIncomplete =
      9,  // a snapshot or restore PARTIAL / FAILED, or an import that left documents out
  kExitInterrupted = 130,  // SIGINT / SIGTERM
};

int exit_code_for(const Error& error);

// The EXIT STATUS section of --help.
const char* exit_status_help();

}  // namespace essnap::cli
