// essnap run as a user would against the stack's S3 server: a clean environment holding only
// PATH, a HOME with no config, the metadata lookup off, and the stack's S3 keys, region and
// endpoint as AWS_* variables. For the integration suites that read repositories through S3.
#pragma once

#include <string>

#include "support/essnap_process.hpp"
#include "support/stack_env.hpp"

namespace essnap::test {

inline ProcessResult run_essnap_with_stack_s3(const std::string& args) {
  return run_essnap_clean(args,
                          {{"AWS_ACCESS_KEY_ID", stack_var("ESSNAP_TEST_S3_ACCESS_KEY_ID")},
                           {"AWS_SECRET_ACCESS_KEY", stack_var("ESSNAP_TEST_S3_SECRET_ACCESS_KEY")},
                           {"AWS_REGION", "us-east-1"},
                           {"AWS_ENDPOINT_URL_S3", stack_var("ESSNAP_TEST_S3_ENDPOINT")}});
}

}  // namespace essnap::test
