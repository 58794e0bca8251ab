// The engines the cluster suites run on, one parameter each: the .stack/env variables of the
// engine's URL and of the repository path its snapshots go to. One list for every suite, the
// same engines as ENGINE_TABLE in scripts/stack/engine.sh with stack_source_engine_list()
// (tests/scripts/stack_engine_list.py holds the two together). An engine the stack does not run
// skips, or FAILS with CI=true.
#pragma once

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "support/stack_env.hpp"

namespace essnap::test {

struct StackEngine {
  const char* url_var;   // e.g. ESSNAP_TEST_OPENSEARCH_URL
  const char* repo_var;  // a path in the engine's path.repo (the S3 mount, or a local fs repo)
};
inline void PrintTo(const StackEngine& e, std::ostream* os) {
  *os << e.url_var;
}

// ENGINE_TABLE's order. The first three keep the repository variables they had before the
// table grew (an Elasticsearch 8 fs repository on local disk, OpenSearch 2 and 3 in the mount).
inline const std::vector<StackEngine>& stack_engine_list() {
  static const std::vector<StackEngine> list{
      {"ESSNAP_TEST_OPENSEARCH_URL", "ESSNAP_TEST_S3_REPO_PATH"},
      {"ESSNAP_TEST_ELASTICSEARCH_URL", "ESSNAP_TEST_FS_REPO_PATH"},
      {"ESSNAP_TEST_OPENSEARCH3_URL", "ESSNAP_TEST_OPENSEARCH3_S3_REPO_PATH"},
      {"ESSNAP_TEST_ELASTICSEARCH7_URL", "ESSNAP_TEST_ELASTICSEARCH7_S3_REPO_PATH"},
      {"ESSNAP_TEST_ELASTICSEARCH9_URL", "ESSNAP_TEST_ELASTICSEARCH9_S3_REPO_PATH"},
      {"ESSNAP_TEST_OPENSEARCH1_URL", "ESSNAP_TEST_OPENSEARCH1_S3_REPO_PATH"},
      {"ESSNAP_TEST_ELASTICSEARCH710_URL", "ESSNAP_TEST_ELASTICSEARCH710_S3_REPO_PATH"},
  };
  return list;
}

inline auto stack_engines() {
  return ::testing::ValuesIn(stack_engine_list());
}

// Engines that are only a snapshot's source in the restore matrix (essnap does not support them
// as clusters): Elasticsearch 6.8, the creator of the 6.x indices the created-version rule is
// about.
inline const std::vector<StackEngine>& stack_source_engine_list() {
  static const std::vector<StackEngine> list{
      {"ESSNAP_TEST_ELASTICSEARCH6_URL", "ESSNAP_TEST_ELASTICSEARCH6_S3_REPO_PATH"},
  };
  return list;
}

// "ESSNAP_TEST_ELASTICSEARCH7_URL" -> "ELASTICSEARCH7" (the name in ESSNAP_TEST_ENGINES).
inline std::string stack_engine_key(const StackEngine& e) {
  std::string v = e.url_var;
  const std::string head = "ESSNAP_TEST_", tail = "_URL";
  return v.substr(head.size(), v.size() - head.size() - tail.size());
}

// For messages and tables: "Elasticsearch 7.17.29" (the version from .stack/env), or the key.
inline std::string stack_engine_label(const StackEngine& e) {
  const std::string key = stack_engine_key(e);
  const std::string version = stack_var("ESSNAP_TEST_" + key + "_VERSION");
  const std::string kind = key.rfind("OPENSEARCH", 0) == 0 ? "OpenSearch" : "Elasticsearch";
  return version.empty() ? key : kind + " " + version;
}

// gtest's name for a parameter: OpenSearchS3Repo, ElasticsearchFsRepo, OpenSearch3S3Repo, then
// Elasticsearch7S3Repo, Elasticsearch9S3Repo, OpenSearch1S3Repo, Elasticsearch710S3Repo.
inline std::string stack_engine_name(const ::testing::TestParamInfo<StackEngine>& info) {
  const std::string key = stack_engine_key(info.param);
  const bool os = key.rfind("OPENSEARCH", 0) == 0;
  const std::string digits = key.substr(os ? 10 : 13);
  const std::string repo =
      std::string(info.param.repo_var).find("S3_") != std::string::npos ? "S3Repo" : "FsRepo";
  return std::string(os ? "OpenSearch" : "Elasticsearch") + digits + repo;
}

}  // namespace essnap::test
