#include "essnap/util/result.hpp"

namespace essnap {

const char* to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid argument";
    case ErrorCode::kNoCredentials:
      return "no credentials";
    case ErrorCode::kNetwork:
      return "network error";
    case ErrorCode::kTimeout:
      return "timeout";
    case ErrorCode::kDeadline:
      return "deadline";
    case ErrorCode::kRemote:
      return "remote error";
    case ErrorCode::kNotFound:
      return "not found";
    case ErrorCode::kIo:
      return "I/O error";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kIncomplete:
      return "incomplete";
    case ErrorCode::kParse:
      return "parse error";
    case ErrorCode::kInterrupted:
      return "interrupted";
    case ErrorCode::kInternal:
      return "internal error";
  }
  return "error";
}

}  // namespace essnap
