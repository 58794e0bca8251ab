#include "essnap/cli/exit_codes.hpp"

namespace essnap::cli {

int exit_code_for(const Error& error) {
  switch (error.code) {
    case ErrorCode::kInvalidArgument:
      return kExitUsage;
    case ErrorCode::kNoCredentials:
      return kExitCredentials;
    case ErrorCode::kNetwork:
    case ErrorCode::kTimeout:
    case ErrorCode::kDeadline:
      return kExitNetwork;
    case ErrorCode::kRemote:
      return kExitRemote;
    case ErrorCode::kNotFound:
      return kExitNotFound;
    case ErrorCode::kIo:
      return kExitIo;
    case ErrorCode::kConflict:
      return kExitConflict;
    case ErrorCode::kIncomplete:
      return kExitIncomplete;
    case ErrorCode::kParse:
      return kExitRemote;
    case ErrorCode::kInterrupted:
      return kExitInterrupted;
    case ErrorCode::kInternal:
      return kExitFailure;
  }
  return kExitFailure;
}

const char* exit_status_help() {
  return "EXIT STATUS:\n"
         "  0    success\n"
         "  1    unexpected internal error; essnap doctor: a check warned\n"
         "  2    usage error: unknown flag, malformed URL, date, JSON or config\n"
         "  3    no usable AWS credentials (every source tried is listed)\n"
         "  4    network error or timeout: the server could not be reached, or --timeout ran\n"
         "       out (a snapshot or restore being waited for keeps running in the cluster)\n"
         "  5    the server answered with an HTTP error (>= 400) or unparseable bytes\n"
         "  6    not found: repository, snapshot, index or local file\n"
         "  7    local I/O error: a file could not be read or written\n"
         "  8    refused by a pre-flight check (conflict, version, running snapshot) or by\n"
         "       the user (a destructive command without --yes or confirmation); essnap\n"
         "       doctor: a check failed\n"
         "  9    a snapshot or restore finished PARTIAL or FAILED (the failures are listed),\n"
         "       an import or copy left documents out (rejected ones are in the errors file), or\n"
         "       a drill disproved its snapshot\n"
         "  130  interrupted (SIGINT/SIGTERM); a snapshot or restore being waited for keeps\n"
         "       running in the cluster\n";
}

}  // namespace essnap::cli
