// The real .stack/env, as the running stack wrote it, reads the same in the C++ reader, the Python
// reader (scripts/stack/stackenv.py) and bash itself, and carries the variables tests rely on.
#include "support/stack_env.hpp"

#include <gtest/gtest.h>

namespace essnap {
namespace {

TEST(StackEnvFile, ReadsAsPythonAndBashReadIt) {
  ESSNAP_REQUIRE_STACK("ESSNAP_TEST_OPENSEARCH_URL");
  const std::string path = test::stack_env_path();
  const auto env = test::read_stack_env(path);
  ASSERT_TRUE(env.has_value()) << path << " is missing (the variables came from the environment)";
  EXPECT_EQ(*env, test::parsed_by_python(path));
  EXPECT_EQ(*env, test::exported_by_bash(path));
  EXPECT_TRUE(env->at("ESSNAP_TEST_OPENSEARCH_URL").starts_with("http://"));
  EXPECT_EQ(env->at("ESSNAP_TEST_AWS_ACCOUNT_ID"), "123456789012");
  EXPECT_FALSE(env->at("ESSNAP_TEST_S3_SECRET_ACCESS_KEY").empty());
}

}  // namespace
}  // namespace essnap
