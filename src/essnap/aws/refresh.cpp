#include "essnap/aws/refresh.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

#include "essnap/aws/timestamp.hpp"

namespace essnap::aws {
namespace {

using SystemClock = std::chrono::system_clock;

class RefreshingProvider final : public CredentialsProvider {
 public:
  RefreshingProvider(CredentialsFetch fetch, RefreshWindows windows,
                     std::optional<Credentials> initial)
      : fetch_(std::move(fetch)), windows_(windows), cached_(std::move(initial)) {}

  ~RefreshingProvider() override {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [&] { return !refreshing_; });
    lk.unlock();
    if (worker_.joinable()) worker_.join();
  }

  Result<Credentials> credentials() override {
    std::unique_lock lk(mu_);
    const auto now = SystemClock::now();
    if (cached_ && !within(*cached_, windows_.mandatory, now)) {
      if (within(*cached_, windows_.advisory, now) && !refreshing_) start_background(lk);
      return *cached_;
    }
    if (refreshing_) {
      // Someone is already fetching; wait for that result rather than fetching twice.
      const auto gen = generation_;
      cv_.wait(lk, [&] { return generation_ != gen; });
      return settle(SystemClock::now());
    }
    refreshing_ = true;
    lk.unlock();
    auto fetched = fetch_();
    lk.lock();
    store(std::move(fetched));
    return settle(SystemClock::now());
  }

 private:
  static bool within(const Credentials& c, std::chrono::milliseconds window,
                     SystemClock::time_point now) {
    return c.expiration && *c.expiration - window <= now;
  }

  // After a refresh attempt: fresh credentials, else the old ones while they are still valid,
  // else the refresh error.
  Result<Credentials> settle(SystemClock::time_point now) {
    if (cached_ && (!cached_->expiration || *cached_->expiration > now)) return *cached_;
    if (last_error_) return *last_error_;
    return make_error(ErrorCode::kNoCredentials,
                      "temporary credentials expired and could not be renewed");
  }

  void store(Result<Credentials> fetched) {
    if (fetched.ok()) {
      const auto& c = fetched.value();
      if (c.expiration && *c.expiration <= SystemClock::now()) {
        last_error_ = make_error(ErrorCode::kNoCredentials,
                                 "the " + c.provider +
                                     " credential source returned credentials that expired at " +
                                     format_iso8601(*c.expiration),
                                 "check the source's clock and its session duration");
      } else {
        cached_ = std::move(fetched).value();
        last_error_.reset();
      }
    } else {
      last_error_ = std::move(fetched).error();
    }
    refreshing_ = false;
    ++generation_;
    cv_.notify_all();
  }

  void start_background(std::unique_lock<std::mutex>&) {
    refreshing_ = true;
    // The previous worker has already stored its result (refreshing_ was false), so this join
    // returns at once.
    if (worker_.joinable()) worker_.join();
    worker_ = std::thread([this] {
      auto fetched = fetch_();
      std::lock_guard g(mu_);
      store(std::move(fetched));
    });
  }

  CredentialsFetch fetch_;
  RefreshWindows windows_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<Credentials> cached_;
  std::optional<Error> last_error_;
  bool refreshing_ = false;
  unsigned long generation_ = 0;
  std::thread worker_;
};

}  // namespace

std::shared_ptr<CredentialsProvider> make_refreshing_provider(CredentialsFetch fetch,
                                                              RefreshWindows windows,
                                                              std::optional<Credentials> initial) {
  return std::make_shared<RefreshingProvider>(std::move(fetch), windows, std::move(initial));
}

}  // namespace essnap::aws
