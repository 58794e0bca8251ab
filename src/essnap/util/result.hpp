// Result<T>: the error-as-value type every library function returns.
// An Error carries a category (mapped to an exit code only in cli/), a message for humans,
// a hint saying what to do next, and the remote detail when a server answered.
#pragma once

#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace essnap {

enum class ErrorCode {
  kInvalidArgument,  // bad flag, malformed URL / date / JSON / config: the user's input
  kNoCredentials,    // no credential source produced credentials
  kNetwork,          // connect, DNS, TLS, reset: we never got an HTTP answer
  kTimeout,          // a named timeout expired (one attempt's: worth another attempt)
  kDeadline,         // the command's own time bound (--timeout) ran out: nothing retries it
  kRemote,           // the server answered with an error status
  kNotFound,         // a named thing does not exist (remote or local)
  kIo,               // local file could not be read or written
  kConflict,         // a precondition refused the operation (name clash, running snapshot, ...)
  kIncomplete,       // it ran but did not fully succeed (PARTIAL / FAILED snapshot, failed shards)
  kParse,            // bytes from a server or a file did not parse
  kInterrupted,      // SIGINT / SIGTERM stopped us (the cluster may still be working)
  kInternal,         // a bug: should not happen
};

const char* to_string(ErrorCode code);

// What the remote side said, when it said anything.
struct RemoteDetail {
  int http_status = 0;
  std::string error_type;  // e.g. "index_not_found_exception", "SignatureDoesNotMatch"
  std::string reason;      // the service's own message
  std::string request_id;  // x-amzn-RequestId / x-amz-request-id / X-Opaque-Id
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;  // what failed and why, one line
  std::string hint;     // what to do next; may be empty
  std::optional<RemoteDetail> remote;

  Error() = default;
  Error(ErrorCode c, std::string m, std::string h = {})
      : code(c), message(std::move(m)), hint(std::move(h)) {}

  // Prefix context ("reading --data-file: ...") while keeping code and detail.
  Error&& with_context(const std::string& ctx) && {
    message = ctx + ": " + message;
    return std::move(*this);
  }
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

// Result<void> equivalent.
struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() {
  return Ok{};
}

inline Error make_error(ErrorCode code, std::string message, std::string hint = {}) {
  return Error(code, std::move(message), std::move(hint));
}

}  // namespace essnap

// ESSNAP_TRY(var, expr): evaluate a Result, return its error early, else bind the value.
#define ESSNAP_CONCAT_INNER(a, b) a##b
#define ESSNAP_CONCAT(a, b) ESSNAP_CONCAT_INNER(a, b)
#define ESSNAP_TRY(var, expr)                                       \
  auto ESSNAP_CONCAT(essnap_try_, __LINE__) = (expr);               \
  if (!ESSNAP_CONCAT(essnap_try_, __LINE__).ok())                   \
    return std::move(ESSNAP_CONCAT(essnap_try_, __LINE__)).error(); \
  var = std::move(ESSNAP_CONCAT(essnap_try_, __LINE__)).value()
// ESSNAP_TRY_STATUS(expr): for Status-returning calls.
#define ESSNAP_TRY_STATUS(expr)                               \
  do {                                                        \
    auto essnap_s_ = (expr);                                  \
    if (!essnap_s_.ok()) return std::move(essnap_s_).error(); \
  } while (0)
