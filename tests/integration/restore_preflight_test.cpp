// essnap restore's pre-flight checks on every stack engine: each refusal is made before the
// first close or delete, and the cluster is asserted unchanged afterwards (the live index still
// open, its documents and aliases as they were). Names start with "restwt-"; every test has its
// own repository and indices. Absent stack: FAIL when CI=true, else skip.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>

#include "essnap/cluster/client.hpp"
#include "essnap/http/factory.hpp"
#include "support/cluster_fixture.hpp"
#include "support/process.hpp"
#include "support/stack_engines.hpp"
#include "support/stack_env.hpp"

namespace essnap {
namespace {

using test::stack_var;

class RestorePreflight : public ::testing::TestWithParam<test::StackEngine> {
 protected:
  void SetUp() override {
    ESSNAP_REQUIRE_STACK(GetParam().url_var, GetParam().repo_var);
    url_ = stack_var(GetParam().url_var);
    id_ = test::test_id("restwt");
    repo_ = "repo-" + id_;
    client_ = test::test_client(url_);
    ASSERT_TRUE(test::register_fs_repository(*client_, repo_,
                                             stack_var(GetParam().repo_var) + "/" + repo_));
  }
  void TearDown() override {
    if (!client_) return;
    test::drop_repository(*client_, repo_);
    // By exact names: Elasticsearch 8 refuses wildcard deletes.
    auto found =
        client_->json("GET", "/_cat/indices/" + id_ + "*?format=json&h=index&expand_wildcards=all");
    if (found.ok() && found->is_array())
      for (const auto& row : *found)
        if (row.contains("index"))
          (void)client_->json("DELETE", "/" + row["index"].get<std::string>());
  }
  std::string idx(const std::string& suffix) const { return id_ + "-" + suffix; }
  void create_index(const std::string& index, int shards, const nlohmann::json& aliases = {}) {
    nlohmann::json body{{"settings", {{"number_of_shards", shards}, {"number_of_replicas", 0}}}};
    if (!aliases.is_null()) body["aliases"] = aliases;
    ASSERT_TRUE(client_->json("PUT", "/" + index, body).ok()) << index;
  }
  void put_docs(const std::string& index, int from, int n) {
    for (int i = from; i < from + n; ++i)
      ASSERT_TRUE(client_
                      ->json("PUT", "/" + index + "/_doc/" + std::to_string(i) + "?refresh=true",
                             nlohmann::json{{"n", i}})
                      .ok());
  }
  long count(const std::string& index_or_alias) {
    auto j = client_->json("GET", "/" + index_or_alias + "/_count");
    return j.ok() ? (*j)["count"].get<long>() : -1;
  }
  std::string status(const std::string& index) {
    auto j = client_->json("GET",
                           "/_cat/indices/" + index + "?format=json&h=status&expand_wildcards=all");
    return j.ok() && j->is_array() && !j->empty() ? (*j)[0].value("status", "") : "missing";
  }
  // The alias -> index map of an index, as the cluster reports it now.
  nlohmann::json aliases_of(const std::string& alias) {
    auto j = client_->json("GET", "/_alias/" + alias);
    return j.ok() ? *j : nlohmann::json();
  }
  test::ProcessResult essnap(const std::string& args) {
    test::Command c;  // stdin: /dev/null
    c.clear_env = true;
    c.env = {{"PATH", "/usr/bin:/bin"}, {"HOME", "/nonexistent"}, {"ESSNAP_URL", url_}};
    c.argv = test::argv({ESSNAP_BINARY}, args);
    return test::run(c);
  }
  void snapshot(const std::string& name, const std::string& index) {
    auto r = essnap("snapshot create " + name + " -r " + repo_ + " -i " + index + " --wait");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  std::string url_, id_, repo_;
  std::unique_ptr<cluster::Client> client_;
};

TEST_P(RestorePreflight, UnmodifiableSettingIsRefusedBeforeTheDelete) {
  const auto index = idx("orders");
  create_index(index, 1);
  put_docs(index, 0, 2);
  snapshot("s", index);
  put_docs(index, 2, 1);  // 3 documents live
  for (const char* flag :
       {"--index-settings index.number_of_shards=3", "--index-settings number_of_shards=3",
        "--ignore-index-settings index.number_of_replicas"}) {
    auto r = essnap("restore s -r " + repo_ + " -i " + index + " --delete-existing --yes --wait " +
                    flag);
    EXPECT_EQ(r.exit_code, 2) << flag << "\n" << r.err;
    EXPECT_NE(r.err.find("number_of_"), std::string::npos) << r.err;
    EXPECT_EQ(status(index), "open") << flag;
    EXPECT_EQ(count(index), 3) << flag << ": nothing was deleted";
  }
}

TEST_P(RestorePreflight, CloseExistingWithAnotherShardCountIsRefusedBeforeClosing) {
  const auto index = idx("orders");
  create_index(index, 1);
  put_docs(index, 0, 1);
  snapshot("s", index);
  ASSERT_TRUE(client_->json("DELETE", "/" + index).ok());
  create_index(index, 2, {{idx("read"), nlohmann::json::object()}});
  put_docs(index, 0, 4);
  const auto before = aliases_of(idx("read"));
  auto r = essnap("restore s -r " + repo_ + " -i " + index + " --close-existing --wait");
  EXPECT_EQ(r.exit_code, 8) << r.err;
  EXPECT_NE(r.err.find("2 primary shard(s)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--rename-suffix"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--delete-existing"), std::string::npos) << r.err;
  EXPECT_EQ(status(index), "open");
  EXPECT_EQ(count(index), 4);
  EXPECT_EQ(aliases_of(idx("read")), before);
  // The way out it names works.
  auto d = essnap("restore s -r " + repo_ + " -i " + index + " --delete-existing --yes --wait");
  ASSERT_EQ(d.exit_code, 0) << d.err;
  EXPECT_EQ(count(index), 1);
}

TEST_P(RestorePreflight, RenameSuffixLeavesTheReadAliasAlone) {
  const auto index = idx("orders");
  const auto alias = idx("orders-read");
  create_index(index, 1, {{alias, nlohmann::json::object()}});
  put_docs(index, 0, 3);
  snapshot("s", index);
  auto r = essnap("restore s -r " + repo_ + " -i " + index + " --rename-suffix _copy --wait");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count(index + "_copy"), 3);
  EXPECT_EQ(count(alias), 3) << "the copy did not join the production alias";
  auto a = aliases_of(alias);
  EXPECT_TRUE(a.contains(index));
  EXPECT_FALSE(a.contains(index + "_copy")) << a.dump();
  // Asked for, the aliases come along (a read alias is allowed to grow).
  auto with = essnap("restore s -r " + repo_ + " -i " + index +
                     " --rename-suffix _copy2 --include-aliases --wait");
  ASSERT_EQ(with.exit_code, 0) << with.err;
  EXPECT_EQ(count(alias), 6);
}

TEST_P(RestorePreflight, SecondWriteIndexForAnAliasExits8NamingIt) {
  const auto index = idx("logs");
  const auto alias = idx("logs-write");
  create_index(index, 1, {{alias, {{"is_write_index", true}}}});
  put_docs(index, 0, 2);
  snapshot("s", index);
  const auto before = aliases_of(alias);
  auto r = essnap("restore s -r " + repo_ + " -i " + index +
                  " --rename-suffix _copy --include-aliases --wait");
  EXPECT_EQ(r.exit_code, 8) << r.err;
  EXPECT_NE(r.err.find(alias), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("500"), std::string::npos) << r.err;
  EXPECT_EQ(status(index + "_copy"), "missing");
  EXPECT_EQ(aliases_of(alias), before);
  EXPECT_EQ(count(alias), 2);
  // Without --include-aliases (the default with a rename) the copy is restored beside it.
  auto ok = essnap("restore s -r " + repo_ + " -i " + index + " --rename-suffix _copy --wait");
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(count(index + "_copy"), 2);
  EXPECT_EQ(aliases_of(alias), before);
}

// Every check passes but the engine refuses the restore after essnap closed the index: it says
// what it changed and reopens it.
TEST_P(RestorePreflight, EngineRefusalAfterCloseReopensAndSaysSo) {
  const auto index = idx("orders");
  create_index(index, 1);
  put_docs(index, 0, 2);
  snapshot("s", index);
  put_docs(index, 2, 1);
  auto r = essnap("restore s -r " + repo_ + " -i " + index +
                  " --close-existing --index-settings index.number_of_replicas=notanumber --wait");
  EXPECT_NE(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("closed " + index + " and has reopened it"), std::string::npos) << r.err;
  EXPECT_EQ(status(index), "open");
  EXPECT_EQ(count(index), 3);
}

INSTANTIATE_TEST_SUITE_P(Engines, RestorePreflight, test::stack_engines(), test::stack_engine_name);

}  // namespace
}  // namespace essnap
