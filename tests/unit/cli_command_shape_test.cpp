// Issue 19, item 5 ("one command shape") and the logic it moved out of cli/: the repository flag
// (-r or ESSNAP_REPOSITORY, one hint), a registered repository's location, the import/copy state
// files, snapshot::clone_snapshot, and errors reported once by run_command (text and -o json).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>

#include "essnap/cli/repository_flag.hpp"
#include "essnap/cluster/client.hpp"
#include "essnap/cluster/repository.hpp"
#include "essnap/http/factory.hpp"
#include "essnap/snapshot/create.hpp"
#include "essnap/transfer/state_paths.hpp"
#include "support/essnap_cli.hpp"
#include "support/loopback_server.hpp"
#include "support/process.hpp"
#include "support/scoped_env.hpp"

namespace essnap {
namespace {

using test::LoopbackServer;
using test::ServerRequest;
using test::ServerResponse;

const char* const kHint =
    "pass --repository NAME or set ESSNAP_REPOSITORY ('essnap repo list' shows them)";

using test::ScopedEnv;

// --- the repository flag ------------------------------------------------------------------

TEST(RepositoryFlag, FlagThenVariableThenOneHint) {
  ScopedEnv env("ESSNAP_REPOSITORY", "from-env");
  auto flag = cli::resolve_repository("from-flag");
  ASSERT_TRUE(flag.ok());
  EXPECT_EQ(*flag, "from-flag");
  auto from_env = cli::resolve_repository("");
  ASSERT_TRUE(from_env.ok());
  EXPECT_EQ(*from_env, "from-env");

  ScopedEnv none("ESSNAP_REPOSITORY", nullptr);
  auto missing = cli::resolve_repository("");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(missing.error().message, "no repository");
  EXPECT_EQ(missing.error().hint, kHint);
  auto optional = cli::resolve_optional_repository("");
  ASSERT_TRUE(optional.ok());
  EXPECT_EQ(*optional, "");
}

TEST(RepositoryFlag, EmptyVariableIsUnsetAndNamesAreChecked) {
  ScopedEnv empty("ESSNAP_REPOSITORY", "");
  EXPECT_FALSE(cli::resolve_repository("").ok());
  ScopedEnv bad("ESSNAP_REPOSITORY", "a/b");
  auto r = cli::resolve_repository("");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(cli::resolve_optional_repository("").ok());
}

// The same hint and exit 2 from every command that needs a repository.
TEST(RepositoryFlag, EveryCommandGivesTheSameHint) {
  LoopbackServer server([](const ServerRequest&) { return ServerResponse::json(200, "{}"); });
  for (const char* args :
       {"snapshot list", "snapshot create s", "snapshot show s", "snapshot delete s --yes",
        "snapshot clone a b", "restore s --no-wait", "prune --policy p --keep-last 1 --yes"}) {
    auto r = test::run(test::essnap_command(server.url(), args));
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
    EXPECT_NE(r.err.find("essnap: no repository"), std::string::npos) << args << "\n" << r.err;
    EXPECT_NE(r.err.find(std::string("hint: ") + kHint), std::string::npos) << args << "\n"
                                                                            << r.err;
  }
  EXPECT_TRUE(server.requests().empty()) << "refused before anything was sent";
}

// --- a registered repository's location ---------------------------------------------------

cluster::RepositoryInfo repo(const std::string& type, nlohmann::json settings) {
  return {"r1", type, std::move(settings)};
}

TEST(RepositoryLocation, S3AndFs) {
  auto s3 = cluster::repository_location(repo("s3", {{"bucket", "b"}, {"base_path", "/a/b"}}));
  ASSERT_TRUE(s3.ok()) << s3.error().message;
  EXPECT_EQ(*s3, "s3://b/a/b");
  auto bare = cluster::repository_location(repo("s3", {{"bucket", "b"}}));
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(*bare, "s3://b");
  auto fs = cluster::repository_location(repo("fs", {{"location", "/mnt/snaps"}}));
  ASSERT_TRUE(fs.ok());
  EXPECT_EQ(*fs, "/mnt/snaps");
}

TEST(RepositoryLocation, NoneItCanReadIsAnError) {
  auto no_bucket = cluster::repository_location(repo("s3", {{"base_path", "x"}}));
  ASSERT_FALSE(no_bucket.ok());
  EXPECT_EQ(no_bucket.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(no_bucket.error().message, "repository r1 has type s3 but no bucket setting");
  auto relative = cluster::repository_location(repo("fs", {{"location", "backups"}}));
  ASSERT_FALSE(relative.ok());
  EXPECT_NE(relative.error().message.find("relative fs location 'backups'"), std::string::npos);
  auto url = cluster::repository_location(repo("url", {{"url", "http://x/"}}));
  ASSERT_FALSE(url.ok());
  EXPECT_NE(url.error().message.find("has type url"), std::string::npos);
  auto not_text = cluster::repository_location(repo("s3", {{"bucket", 3}}));
  EXPECT_FALSE(not_text.ok());
}

TEST(RepositoryLocation, RepoListPrintsIt) {
  LoopbackServer server([](const ServerRequest& r) {
    if (r.target == "/") return test::os2_root();
    if (r.target == "/_snapshot")
      return ServerResponse::json(
          200, R"({"a":{"type":"s3","settings":{"bucket":"b","base_path":"/p"}},)"
               R"("b":{"type":"fs","settings":{"location":"rel"}}})");
    return ServerResponse::json(404, "{}");
  });
  auto r = test::run(test::essnap_command(server.url(), "repo list"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("a  s3  s3://b/p\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("b  fs  -\n"), std::string::npos) << r.out;
}

// --- import / copy state files ------------------------------------------------------------

TEST(StatePaths, NamedByKindAndPair) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("essnap-state-paths-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto a = transfer::state_paths(dir.string(), "import", "s3://b/x", "http://t:9200", "");
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_TRUE(std::filesystem::is_directory(dir)) << "created";
  const std::string prefix = dir.string() + "/import-";
  ASSERT_EQ(a->state.rfind(prefix, 0), 0u) << a->state;
  const std::string id = a->state.substr(prefix.size(), 12);
  EXPECT_TRUE(std::regex_match(id, std::regex("[0-9a-f]{12}"))) << id;
  EXPECT_EQ(a->state, prefix + id + ".json");
  EXPECT_EQ(a->errors, prefix + id + "-errors.ndjson");

  auto again = transfer::state_paths(dir.string(), "import", "s3://b/x", "http://t:9200", "");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->state, a->state);
  auto other = transfer::state_paths(dir.string(), "import", "s3://b/y", "http://t:9200", "");
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->state, a->state);
  auto copy = transfer::state_paths(dir.string(), "copy", "s3://b/x", "http://t:9200", "/e.nd");
  ASSERT_TRUE(copy.ok());
  EXPECT_EQ(copy->state, dir.string() + "/copy-" + id + ".json");
  EXPECT_EQ(copy->errors, "/e.nd");
  std::filesystem::remove_all(dir);
}

TEST(StatePaths, DefaultDirectory) {
  ScopedEnv xdg("XDG_STATE_HOME", "/xdg");
  EXPECT_EQ(transfer::default_state_dir(), "/xdg/essnap");
  ScopedEnv no_xdg("XDG_STATE_HOME", nullptr);
  ScopedEnv home("HOME", "/home/u");
  EXPECT_EQ(transfer::default_state_dir(), "/home/u/.local/state/essnap");
  ScopedEnv no_home("HOME", nullptr);
  EXPECT_EQ(transfer::default_state_dir(), ".essnap-state");
}

// --- snapshot::clone_snapshot -------------------------------------------------------------

ServerResponse clone_cluster(const ServerRequest& r) {
  if (r.target == "/") return test::os2_root();
  if (r.method == "PUT" && r.target == "/_snapshot/repo/src/_clone/dst")
    return ServerResponse::json(200, R"({"acknowledged":true})");
  if (r.target == "/_snapshot/repo/_status")
    return ServerResponse::json(200, R"({"snapshots":[]})");
  if (r.target.starts_with("/_snapshot/repo/dst"))
    return ServerResponse::json(
        200, R"({"snapshots":[{"snapshot":"dst","state":"SUCCESS",)"
             R"("shards":{"total":1,"successful":1,"failed":0},"indices":["a"]}]})");
  return ServerResponse::json(404, "{}");
}

TEST(CloneSnapshot, NoWaitReturnsOnceAccepted) {
  LoopbackServer server(clone_cluster);
  cluster::Client c(http::make_transport(http::TransportOptions{}), server.url());
  snapshot::CloneOptions o;
  o.request = {"repo", "src", "dst", ""};
  o.wait = snapshot::WaitMode::kNoWait;
  auto r = snapshot::clone_snapshot(c, o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->info.name, "dst");
  EXPECT_TRUE(r->info.state == cluster::SnapshotStateKind::kInProgress);
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].body, R"({"indices":"*"})");
}

TEST(CloneSnapshot, WaitsThroughTheOneWaitLoop) {
  LoopbackServer server(clone_cluster);
  cluster::Client c(http::make_transport(http::TransportOptions{}), server.url());
  snapshot::CloneOptions o;
  o.request = {"repo", "src", "dst", "a*"};
  auto r = snapshot::clone_snapshot(c, o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->info.state == cluster::SnapshotStateKind::kSuccess);
  auto cli = test::run(test::essnap_command(server.url(), "snapshot clone src dst -r repo --wait"));
  EXPECT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_NE(cli.out.find("snapshot dst SUCCESS"), std::string::npos) << cli.out;
}

// --- errors reported once ------------------------------------------------------------------

TEST(RunCommand, AnErrorIsReportedOnceInTextAndJson) {
  LoopbackServer server([](const ServerRequest&) { return ServerResponse::json(200, "{}"); });
  const std::string args = "snapshot create s -r repo --metadata bad";
  auto text = test::run(test::essnap_command(server.url(), args));
  EXPECT_EQ(text.exit_code, 2) << text.err;
  EXPECT_EQ(text.err, "essnap: --metadata 'bad' is not k=v\n");
  auto json = test::run(test::essnap_command(server.url(), "-o json " + args));
  EXPECT_EQ(json.exit_code, 2) << json.err;
  auto doc = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << json.out;
  EXPECT_EQ(doc["error"]["message"], "--metadata 'bad' is not k=v");
  EXPECT_EQ(doc["error"]["exit_code"], 2);
  EXPECT_EQ(json.out.find("\n"), json.out.size() - 1) << "one document: " << json.out;
  EXPECT_EQ(json.err, "");

  // inspect's own mapping: could not read is 2 whatever the error's category.
  auto inspect = test::run(test::essnap_command(server.url(), "inspect snapshots /nonexistent/x"));
  EXPECT_EQ(inspect.exit_code, 2) << inspect.err;
  EXPECT_EQ(inspect.err.find("essnap: "), inspect.err.rfind("essnap: ")) << inspect.err;
}

}  // namespace
}  // namespace essnap
