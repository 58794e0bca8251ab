// Builds the transport stack. make_transport() is the one entry point commands use:
//
//   no-answer watch (when given a sink: a notice after `first` of silence, then every `every`)
//   -> retry (one loop, every attempt goes through everything below; the command's deadline)
//     -> an optional caller layer (aws::make_signed_transport puts SigV4 signing here, so each
//        attempt is signed afresh; http/ itself knows nothing of AWS)
//       -> trace (when verbose: what goes on the wire, secrets redacted)
//         -> libcurl base transport (kept connections, named timeouts, TLS, proxies)
//
// The individual layers are exposed for tests and for callers that need a custom stack.
#pragma once

#include <chrono>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "essnap/http/transport.hpp"
#include "essnap/util/progress.hpp"

namespace essnap::http {

// A bound on a whole command (--timeout), not on one attempt: every attempt's timeouts are cut
// to what is left of it, no retry starts that it would not allow, and once it has passed every
// request fails at once with kDeadline (which nothing retries or waits through), naming `label`.
struct Deadline {
  std::chrono::steady_clock::time_point at;
  std::string label;  // how the user set it, for the messages: "--timeout 30 s"
};

struct RetryPolicy {
  int max_attempts = 5;                            // budget by count (1 = no retry)
  std::chrono::milliseconds max_elapsed{120'000};  // budget by time, waits included
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{20'000};  // truncation of the exponential
  std::optional<Deadline> deadline;               // the command's bound, shared by its requests
};

// Instead of silence while a request has no answer: a notice through `sink` once no byte has
// moved for `first`, and again every `every` while the silence lasts ("no answer from HOST for
// 40 s, still waiting; --timeout to bound it"). The intervals are fields so tests can shorten them.
struct NoAnswerNotice {
  util::ProgressSink sink;  // none: no watch, no notices
  std::chrono::milliseconds first{10'000};
  std::chrono::milliseconds every{30'000};
  std::string hint = "--timeout to bound it";  // what ends the wait, after "still waiting; "
};

enum class TlsVerify { kOn, kOff };

struct TransportOptions {
  RetryPolicy retry;
  TlsVerify tls_verify = TlsVerify::kOn;  // --insecure turns it off (with a warning)
  std::string ca_cert;                    // --cacert: PEM bundle to trust instead of the system's
  int verbose = 0;                        // >0: trace requests/responses, secrets redacted
  std::ostream* trace = nullptr;          // where traces and warnings go (default std::cerr)
  std::string user_agent;                 // default "essnap/<version>"
  NoAnswerNotice no_answer;               // notices while a request has no answer
};

// The one backoff of every retry loop: full jitter, uniform in [0, min(max_backoff,
// initial_backoff * 2^(attempt-1))] for attempt >= 1, `random01` uniform in [0, 1).
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int attempt, double random01);

// A decorator a caller adds to the stack (placed inside retry, outside trace).
using Layer = std::function<std::unique_ptr<Transport>(std::unique_ptr<Transport>)>;

// The full stack described above.
std::unique_ptr<Transport> make_transport(const TransportOptions& options, const Layer& layer = {});

// --- Individual layers ---------------------------------------------------------------------

// libcurl, no retry, no signing. Keeps connections alive between requests.
std::unique_ptr<Transport> make_curl_transport(const TransportOptions& options);

// What the retry loop needs from the outside world; tests replace all three.
struct RetryHooks {
  std::function<void(std::chrono::milliseconds)> sleep;        // default: this_thread::sleep_for
  std::function<std::chrono::steady_clock::time_point()> now;  // default: steady_clock::now
  std::function<double()> random;  // uniform in [0, 1); default: a seeded PRNG
  // Wall clock for Retry-After HTTP-dates; default system_clock::now.
  std::function<std::chrono::system_clock::time_point()> wall_now;
};
std::unique_ptr<Transport> make_retry_transport(std::unique_ptr<Transport> inner,
                                                RetryPolicy policy, RetryHooks hooks = {});

// The no-answer watch: one thread per watch (started at the first request), waking only when a
// notice is due; requests that answer within `first` cost two map updates. Notices go to
// `notice.sink` from that thread (the sink must be thread-safe, as cli::ProgressOutput is).
// No sink: `inner` is returned as it is.
std::unique_ptr<Transport> make_watch_transport(std::unique_ptr<Transport> inner,
                                                NoAnswerNotice notice);
// "no answer from HOST for 40 s, still waiting; <hint>": the notice's one wording.
std::string no_answer_message(const std::string& host, std::chrono::milliseconds silent,
                              const std::string& hint);

// Trace decorator: writes each request and response to `out` with secrets redacted.
// verbose 1: request line, headers, sizes, timing; verbose >= 2: bodies too (JSON secrets
// redacted, truncated).
std::unique_ptr<Transport> make_trace_transport(std::unique_ptr<Transport> inner, std::ostream& out,
                                                int verbose);

// --- Classification (exposed for tests and for callers with their own loops) ---------------

enum class Retryable { kNo, kYes };
// Transient: 429, 500, 502, 503, 504, an S3 SlowDown / es_rejected_execution_exception body.
Retryable classify_response(const Response& response);
// Transient: network errors and timeouts. Invalid arguments, I/O and the like are permanent.
Retryable classify_error(const Error& error);

// Retry-After as seconds or an HTTP-date; nullopt when absent or unparseable.
std::optional<std::chrono::milliseconds> parse_retry_after(
    const Headers& headers, std::chrono::system_clock::time_point now);

}  // namespace essnap::http
