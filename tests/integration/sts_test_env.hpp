// The local stack's AWS emulator (moto) for integration tests: read from the environment or
// from .stack/env (support/stack_env.hpp). Absent: the test fails when CI=true, else it is skipped.
#pragma once

#include <optional>
#include <string>

#include "support/stack_env.hpp"

namespace essnap::testing {

struct StackAws {
  std::string endpoint, access_key_id, secret_access_key, region, account_id;
};

inline std::optional<StackAws> stack_aws() {
  using test::stack_var;
  StackAws s{stack_var("ESSNAP_TEST_AWS_ENDPOINT"), stack_var("ESSNAP_TEST_AWS_ACCESS_KEY_ID"),
             stack_var("ESSNAP_TEST_AWS_SECRET_ACCESS_KEY"), stack_var("ESSNAP_TEST_AWS_REGION"),
             stack_var("ESSNAP_TEST_AWS_ACCOUNT_ID")};
  if (s.endpoint.empty() || s.access_key_id.empty() || s.secret_access_key.empty())
    return std::nullopt;
  if (s.region.empty()) s.region = "us-east-1";
  return s;
}

#define ESSNAP_REQUIRE_STACK_AWS(var)                                               \
  ESSNAP_REQUIRE_STACK("ESSNAP_TEST_AWS_ENDPOINT", "ESSNAP_TEST_AWS_ACCESS_KEY_ID", \
                       "ESSNAP_TEST_AWS_SECRET_ACCESS_KEY");                        \
  const ::essnap::testing::StackAws var = *::essnap::testing::stack_aws()

}  // namespace essnap::testing
