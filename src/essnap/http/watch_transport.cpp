// The no-answer watch: instead of silence while a cluster does not answer, a notice after
// `first` without a byte moving and again every `every` while the silence lasts. One thread per
// watch, started at the first request and asleep until a notice is due; the base transport moves
// each request's Heard forward as bytes go and come, so a slow download is not "no answer".
#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "essnap/http/factory.hpp"
#include "essnap/util/url.hpp"

namespace essnap::http {
namespace {

using Clock = std::chrono::steady_clock;
using Ms = std::chrono::milliseconds;

std::string watched_host(std::string url) {
  // user:password@ is not the host (and never printed).
  if (const auto scheme = url.find("://"); scheme != std::string::npos) {
    const auto end = url.find_first_of("/?#", scheme + 3);
    const auto at = url.rfind('@', end == std::string::npos ? url.size() : end);
    if (at != std::string::npos && at > scheme) url.erase(scheme + 3, at - scheme - 2);
  }
  auto u = util::parse_url(url);
  if (!u.ok()) return "the server";
  return u->host + ":" + std::to_string(u->effective_port());
}

std::string describe(Ms d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + " s";
  return std::to_string(d.count()) + " ms";
}

class WatchTransport final : public Transport {
 public:
  WatchTransport(std::unique_ptr<Transport> inner, NoAnswerNotice notice)
      : inner_(std::move(inner)), notice_(std::move(notice)) {
    if (notice_.every.count() <= 0) notice_.every = notice_.first;
  }

  ~WatchTransport() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  Result<Response> send(Request request) override {
    auto heard = std::make_shared<Heard>();
    heard->now();
    request.heard = heard;
    const std::uint64_t id = watch(watched_host(request.url), heard);
    auto r = inner_->send(std::move(request));
    unwatch(id);
    return r;
  }

 private:
  struct Watched {
    std::string host;
    std::shared_ptr<Heard> heard;
    Clock::time_point since;  // the silence being counted started here
    int told = 0;             // notices given for it
  };

  std::uint64_t watch(std::string host, std::shared_ptr<Heard> heard) {
    std::lock_guard<std::mutex> lock(mu_);
    const std::uint64_t id = ++next_id_;
    const auto since = heard->when();
    watched_.emplace(id, Watched{std::move(host), std::move(heard), since, 0});
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
    cv_.notify_all();
    return id;
  }

  void unwatch(std::uint64_t id) {
    std::lock_guard<std::mutex> lock(mu_);
    watched_.erase(id);
  }

  // The silence a notice reports: exactly first + told * every, so the notices read 10 s, 40 s,
  // 70 s whatever the scheduler's jitter.
  Ms due_after(const Watched& w) const { return notice_.first + w.told * notice_.every; }

  void run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      const auto now = Clock::now();
      std::vector<std::string> notices;
      auto next = Clock::time_point::max();
      for (auto& [id, w] : watched_) {
        const auto heard = w.heard->when();
        if (heard != w.since) {  // bytes moved: a new silence starts
          w.since = heard;
          w.told = 0;
        }
        if (now >= w.since + due_after(w)) {
          notices.push_back(no_answer_message(w.host, due_after(w), notice_.hint));
          ++w.told;
        }
        next = std::min(next, w.since + due_after(w));
      }
      if (!notices.empty()) {
        // Drawn outside the lock: a request may end (unwatch) meanwhile.
        lock.unlock();
        for (const auto& n : notices) util::notify(notice_.sink, n);
        lock.lock();
        continue;
      }
      if (next == Clock::time_point::max())
        cv_.wait(lock);
      else
        cv_.wait_until(lock, next);
    }
  }

  std::unique_ptr<Transport> inner_;
  NoAnswerNotice notice_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::uint64_t, Watched> watched_;
  std::uint64_t next_id_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace

std::string no_answer_message(const std::string& host, Ms silent, const std::string& hint) {
  return "no answer from " + host + " for " + describe(silent) + ", still waiting" +
         (hint.empty() ? "" : "; " + hint);
}

std::unique_ptr<Transport> make_watch_transport(std::unique_ptr<Transport> inner,
                                                NoAnswerNotice notice) {
  if (!notice.sink || notice.first.count() <= 0) return inner;
  return std::make_unique<WatchTransport>(std::move(inner), std::move(notice));
}

}  // namespace essnap::http
