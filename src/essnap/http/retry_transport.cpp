// The one retry loop every remote call goes through: truncated exponential backoff with full
// jitter, bounded by an attempt count and by elapsed time, honouring Retry-After.
#include <curl/curl.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <random>
#include <thread>

#include "essnap/http/factory.hpp"
#include "essnap/http/redact.hpp"

namespace essnap::http {

namespace {

bool contains(std::string_view hay, std::string_view needle) {
  return hay.find(needle) != std::string_view::npos;
}

}  // namespace

namespace {

// The server explicitly refused the work (throttling), so nothing was applied.
bool is_throttled(const Response& r) {
  if (r.status == 429) return true;
  if (r.status < 400) return false;
  // S3 throttles with <Code>SlowDown</Code> and Elasticsearch with a rejected-execution
  // error; either can come with a status a proxy has rewritten.
  std::string_view body(r.body);
  if (body.size() > 64 * 1024) body = body.substr(0, 64 * 1024);
  return contains(body, "<Code>SlowDown</Code>") ||
         contains(body, "es_rejected_execution_exception");
}

// A 500 that is the engine's verdict on the request, the same on every attempt: it could not
// parse what it read (a repository written by a newer engine: "unknown field [uuid]") or it
// refused the restore (a version or shard-count rule). Or a server that does not implement the
// call at all (AWS's <Code>NotImplemented</Code>; moto's "The X action has not been implemented",
// e.g. IAM SimulatePrincipalPolicy): no attempt will change that.
bool is_deterministic_500(const Response& r) {
  if (r.status != 500) return false;
  std::string_view body(r.body);
  if (body.size() > 64 * 1024) body = body.substr(0, 64 * 1024);
  return contains(body, "\"type\":\"parsing_exception\"") ||
         contains(body, "\"type\":\"x_content_parse_exception\"") ||
         contains(body, "\"type\":\"snapshot_restore_exception\"") ||
         contains(body, "<Code>NotImplemented</Code>") ||
         contains(body, "action has not been implemented");
}

}  // namespace

Retryable classify_response(const Response& r) {
  if (is_deterministic_500(r)) return Retryable::kNo;
  switch (r.status) {
    case 429:
    case 500:
    case 502:
    case 503:
    case 504:
      return Retryable::kYes;
    default:
      break;
  }
  return is_throttled(r) ? Retryable::kYes : Retryable::kNo;
}

Retryable classify_error(const Error& e) {
  return e.code == ErrorCode::kNetwork || e.code == ErrorCode::kTimeout ? Retryable::kYes
                                                                        : Retryable::kNo;
}

std::optional<std::chrono::milliseconds> parse_retry_after(
    const Headers& headers, std::chrono::system_clock::time_point now) {
  const std::string* v = find_header(headers, "Retry-After");
  if (!v || v->empty()) return std::nullopt;
  if (std::all_of(v->begin(), v->end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (v->size() > 9) return std::chrono::milliseconds(std::chrono::hours(24));
    return std::chrono::milliseconds(std::stoll(*v) * 1000);
  }
  // HTTP-date (IMF-fixdate, RFC 850 or asctime); curl_getdate parses all three.
  const time_t when = curl_getdate(v->c_str(), nullptr);
  if (when == -1) return std::nullopt;
  const auto delta = std::chrono::system_clock::from_time_t(when) - now;
  if (delta <= std::chrono::milliseconds(0)) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(delta);
}

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int attempt, double random01) {
  const double cap = static_cast<double>(policy.max_backoff.count());
  const double exp = static_cast<double>(policy.initial_backoff.count()) *
                     std::pow(2.0, static_cast<double>(std::max(attempt, 1) - 1));
  return std::chrono::milliseconds(static_cast<std::int64_t>(random01 * std::min(cap, exp)));
}

namespace {

class RetryTransport final : public Transport {
 public:
  RetryTransport(std::unique_ptr<Transport> inner, RetryPolicy policy, RetryHooks hooks)
      : inner_(std::move(inner)), policy_(policy), hooks_(std::move(hooks)) {
    if (!hooks_.sleep)
      hooks_.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
    if (!hooks_.now) hooks_.now = [] { return std::chrono::steady_clock::now(); };
    if (!hooks_.wall_now) hooks_.wall_now = [] { return std::chrono::system_clock::now(); };
    if (!hooks_.random) {
      auto rng = std::make_shared<std::mt19937_64>(std::random_device{}());
      hooks_.random = [rng] { return std::uniform_real_distribution<double>(0.0, 1.0)(*rng); };
    }
    policy_.max_attempts = std::max(1, policy_.max_attempts);
  }

  Result<Response> send(Request request) override {
    const auto start = hooks_.now();
    const bool idempotent = request.idempotency == Idempotency::kIdempotent;
    for (int attempt = 1;; ++attempt) {
      auto info = std::make_shared<AttemptInfo>();
      Request copy = request;
      copy.attempt = info;
      if (policy_.deadline) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            policy_.deadline->at - hooks_.now());
        if (left.count() <= 0) return deadline_error(request, std::nullopt);
        cut(copy.timeouts, left);
      }
      Result<Response> r = inner_->send(std::move(copy));

      // Decide whether this outcome may be repeated.
      bool retry = false;
      std::optional<std::chrono::milliseconds> server_wait;
      if (r.ok()) {
        r->attempts = attempt;
        if (classify_response(*r) == Retryable::kYes) {
          // The rule: a request the server answered is repeated only when the answer is
          // retryable and the request idempotent. The one answer that says the work was not
          // done is a 429 (the engines' es_rejected_execution_exception, AWS throttling): that
          // is not an answer to the request but a refusal to take it. A 5xx, or a throttling
          // word somewhere in a 5xx body (a nested cause), says nothing of the kind.
          retry = idempotent || r->status == 429;
          server_wait = parse_retry_after(r->headers, hooks_.wall_now());
        }
      } else {
        // An attempt the deadline cut short: the command's bound, not the server's slowness.
        if (r.error().code == ErrorCode::kTimeout && past_deadline(std::chrono::milliseconds(50)))
          return deadline_error(request, std::nullopt);
        retry = classify_error(r.error()) == Retryable::kYes &&
                (idempotent || !info->request_may_have_been_sent);
      }
      // Bytes already handed to the caller's sink cannot be taken back.
      if (info->body_bytes_to_sink > 0) retry = false;
      if (!retry) return finish(std::move(r), attempt, false);
      if (attempt >= policy_.max_attempts) return finish(std::move(r), attempt, true);

      auto delay = backoff_delay(policy_, attempt, hooks_.random());
      if (server_wait) delay = std::max(delay, *server_wait);

      const auto elapsed =
          std::chrono::duration_cast<std::chrono::milliseconds>(hooks_.now() - start);
      if (elapsed + delay > policy_.max_elapsed) return finish(std::move(r), attempt, true);
      // No attempt would start before the deadline: say so now rather than sleep into it.
      if (policy_.deadline && hooks_.now() + delay >= policy_.deadline->at)
        return deadline_error(request, r.ok() ? std::nullopt : std::optional<Error>(r.error()),
                              r.ok() ? r->status : 0);
      hooks_.sleep(delay);
    }
  }

 private:
  static Result<Response> finish(Result<Response> r, int attempts, bool budget_exhausted) {
    if (r.ok() || attempts == 1) return r;
    Error e = std::move(r).error();
    e.message += " (gave up after " + std::to_string(attempts) + " attempts" +
                 (budget_exhausted ? ")" : ": not safe to repeat)");
    return e;
  }

  // Every timeout of one attempt at most what is left of the deadline.
  static void cut(Timeouts& t, std::chrono::milliseconds left) {
    t.connect = std::min(t.connect, left);
    if (t.stall.count() > 0) t.stall = std::min(t.stall, left);
    t.overall = t.overall.count() > 0 ? std::min(t.overall, left) : left;
  }

  bool past_deadline(std::chrono::milliseconds slack) const {
    return policy_.deadline && hooks_.now() + slack >= policy_.deadline->at;
  }

  // kDeadline: the request (never its query or user info), the bound, and what the last attempt
  // got, if anything.
  Error deadline_error(const Request& req, const std::optional<Error>& last,
                       int last_status = 0) const {
    std::string what =
        req.method + " " + redact_url(std::string_view(req.url).substr(0, req.url.find('?')));
    std::string msg = what + ": gave up: " + policy_.deadline->label + " ran out";
    if (last)
      msg += " (last attempt: " + last->message + ")";
    else if (last_status > 0)
      msg += " (last answer: HTTP " + std::to_string(last_status) + ")";
    return Error(ErrorCode::kDeadline, msg);
  }

  std::unique_ptr<Transport> inner_;
  RetryPolicy policy_;
  RetryHooks hooks_;
};

}  // namespace

std::unique_ptr<Transport> make_retry_transport(std::unique_ptr<Transport> inner,
                                                RetryPolicy policy, RetryHooks hooks) {
  return std::make_unique<RetryTransport>(std::move(inner), policy, std::move(hooks));
}

}  // namespace essnap::http
