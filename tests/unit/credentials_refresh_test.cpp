// Refresh ahead of expiry: credentials that live for seconds, windows scaled down, callers on
// several threads for several lifetimes — never an expired key, never a stall on the
// advisory window.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "essnap/aws/credentials.hpp"
#include "essnap/aws/refresh.hpp"
#include "support/aws_test_util.hpp"

namespace essnap::aws {
namespace {

using SysClock = std::chrono::system_clock;
using namespace std::chrono_literals;
using essnap::testing::TempHome;

Credentials short_lived(int n, std::chrono::milliseconds life) {
  Credentials c;
  c.access_key_id = "ASIAREFRESH" + std::to_string(n);
  c.secret_access_key = "s";
  c.session_token = "t";
  c.expiration = SysClock::now() + life;
  c.provider = "test";
  return c;
}

TEST(CredentialsRefresh, AdvisoryWindowServesOldWhileRefreshingInBackground) {
  std::atomic<int> fetches{0};
  auto provider = make_refreshing_provider(
      [&]() -> Result<Credentials> {
        int n = ++fetches;
        std::this_thread::sleep_for(300ms);  // a slow STS
        return short_lived(n, 2000ms);
      },
      RefreshWindows{1000ms, 200ms});
  auto first = provider->credentials();  // nothing cached: blocks
  ASSERT_TRUE(first.ok());
  std::this_thread::sleep_for(1200ms);  // now 800 ms left: advisory, not mandatory
  auto t0 = SysClock::now();
  auto second = provider->credentials();
  auto waited = SysClock::now() - t0;
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->access_key_id, first->access_key_id) << "old ones served meanwhile";
  EXPECT_LT(waited, 100ms) << "advisory refresh must not block";
  std::this_thread::sleep_for(500ms);
  auto third = provider->credentials();
  EXPECT_EQ(fetches.load(), 2);
  EXPECT_NE(third->access_key_id, first->access_key_id);
}

TEST(CredentialsRefresh, FailedRefreshKeepsValidOldOnesThenErrors) {
  std::atomic<int> fetches{0};
  auto provider = make_refreshing_provider(
      [&]() -> Result<Credentials> {
        if (++fetches == 1) return short_lived(1, 800ms);
        return make_error(ErrorCode::kNetwork, "sts unreachable");
      },
      RefreshWindows{600ms, 500ms});
  ASSERT_TRUE(provider->credentials().ok());
  std::this_thread::sleep_for(400ms);  // mandatory window, still valid
  auto served = provider->credentials();
  ASSERT_TRUE(served.ok());
  std::this_thread::sleep_for(500ms);  // expired now
  auto gone = provider->credentials();
  ASSERT_FALSE(gone.ok());
  EXPECT_NE(gone.error().message.find("sts unreachable"), std::string::npos);
}

TEST(CredentialsRefresh, NeverServesExpiredAcrossManyLifetimes) {
  // credential_process issuing keys valid for 3 s (a new key id each time), 15/10-minute
  // windows scaled to 1.5/1 s; 4 threads keep asking for 12 s = 4 lifetimes.
  TempHome home;
  auto script =
      home.script("bin/short.sh",
                  "#!/bin/sh\nn=$(date +%s%N)\nexp=$(date -u -d @$(( $(date +%s) + 3 )) "
                  "+%Y-%m-%dT%H:%M:%SZ)\n"
                  "printf '{\"Version\":1,\"AccessKeyId\":\"ASIA%s\",\"SecretAccessKey\":\"x\","
                  "\"SessionToken\":\"y\",\"Expiration\":\"%s\"}' \"$n\" \"$exp\"\n");
  home.write(".aws/config", "[default]\ncredential_process = " + script + "\n");
  MapEnvironment env({{"HOME", home.path()}, {"AWS_EC2_METADATA_DISABLED", "true"}});
  CredentialOptions o;
  o.refresh = RefreshWindows{1500ms, 1000ms};
  auto provider = make_default_chain(o, env);

  std::mutex mu;
  std::set<std::string> keys;
  std::atomic<long> calls{0}, expired{0}, errors{0};
  std::atomic<long long> max_wait_us{0};
  const auto end = SysClock::now() + 12s;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      while (SysClock::now() < end) {
        auto t0 = SysClock::now();
        auto c = provider->credentials();
        auto now = SysClock::now();
        long long us = std::chrono::duration_cast<std::chrono::microseconds>(now - t0).count();
        long long prev = max_wait_us.load();
        while (us > prev && !max_wait_us.compare_exchange_weak(prev, us)) {
        }
        ++calls;
        if (!c.ok()) {
          ++errors;
          continue;
        }
        if (!c->expiration || *c->expiration <= now) ++expired;
        {
          std::lock_guard g(mu);
          keys.insert(c->access_key_id);
        }
        std::this_thread::sleep_for(5ms);
      }
    });
  for (auto& t : threads) t.join();
  std::cout << "[refresh] calls=" << calls << " distinct_keys=" << keys.size()
            << " expired=" << expired << " errors=" << errors
            << " max_wait_ms=" << max_wait_us / 1000 << "\n";
  EXPECT_EQ(expired.load(), 0);
  EXPECT_EQ(errors.load(), 0);
  EXPECT_GE(keys.size(), 4u) << "a 3 s key must have been replaced at least every ~1.5-2 s";
}

}  // namespace
}  // namespace essnap::aws
