// The engines the cluster suites run on, one parameter each: the .stack/env variables of the
// engine's URL and of the repository path its snapshots go to. One list for every suite.
#pragma once

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace essnap::test {

struct StackEngine {
  const char* url_var;   // e.g. ESSNAP_TEST_OPENSEARCH_URL
  const char* repo_var;  // a path in the engine's path.repo (the S3 mount, or a local fs repo)
};
inline void PrintTo(const StackEngine& e, std::ostream* os) { *os << e.url_var; }

inline auto stack_engines() {
  return ::testing::Values(
      StackEngine{"ESSNAP_TEST_OPENSEARCH_URL", "ESSNAP_TEST_S3_REPO_PATH"},
      StackEngine{"ESSNAP_TEST_ELASTICSEARCH_URL", "ESSNAP_TEST_FS_REPO_PATH"},
      StackEngine{"ESSNAP_TEST_OPENSEARCH3_URL", "ESSNAP_TEST_OPENSEARCH3_S3_REPO_PATH"});
}

// gtest's name for a parameter: OpenSearchS3Repo, ElasticsearchFsRepo, OpenSearch3S3Repo.
inline std::string stack_engine_name(const ::testing::TestParamInfo<StackEngine>& info) {
  const std::string v = info.param.url_var;
  if (v.find("OPENSEARCH3") != std::string::npos) return "OpenSearch3S3Repo";
  return v.find("OPENSEARCH") != std::string::npos ? "OpenSearchS3Repo" : "ElasticsearchFsRepo";
}

}  // namespace essnap::test
