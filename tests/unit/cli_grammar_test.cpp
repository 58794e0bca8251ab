// One grammar (issue 20, items 5 and 7), through the binary against loopback clusters: unknown
// flags and commands answered with the nearest that exists and the subcommand's own --help;
// -r/--repository wherever a registered repository is named; one rename grammar for restore,
// import and copy; --dry-run on every command that changes something, saying so in its first
// line and with "dry_run": true; -o yaml; `restore latest`; `snapshot list -i/--since/--until`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "essnap/cli/rename_flags.hpp"
#include "essnap/cli/usage.hpp"
#include "essnap/transfer/import.hpp"
#include "support/essnap_cli.hpp"
#include "support/loopback_server.hpp"
#include "support/process.hpp"

namespace essnap {
namespace {

using test::LoopbackServer;
using test::ServerRequest;
using test::ServerResponse;

test::ProcessResult run_line(const LoopbackServer& server, const std::string& line) {
  return test::run(test::essnap_command(server.url(), line));
}

std::string first_line(const std::string& s) {
  return s.substr(0, s.find('\n'));
}

// A copy: requests() is a snapshot, not a reference into the server.
std::optional<ServerRequest> request_to(const LoopbackServer& s, const std::string& method,
                                        const std::string& prefix) {
  for (const auto& q : s.requests())
    if (q.method == method && q.target.starts_with(prefix)) return q;
  return std::nullopt;
}

// --- parser errors ---------------------------------------------------------------------------

TEST(CliGrammar, UnknownFlagNamesTheNearestAndTheSubcommandsHelp) {
  LoopbackServer server(test::scripted_cluster);
  auto r = run_line(server, "snapshot create s -r repo --indicies orders");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("unknown flag --indicies; did you mean --indices?"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("run 'essnap snapshot create --help'"), std::string::npos) << r.err;
  EXPECT_TRUE(server.requests().empty());
  EXPECT_EQ(r.out, "");
}

TEST(CliGrammar, UnknownFlagIsNeverTakenForAPositional) {
  // snapshot show takes any number of NAMEs: --indicies used to become a snapshot name.
  LoopbackServer server(test::scripted_cluster);
  auto r = run_line(server, "snapshot show old -r repo --verbos");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("unknown flag --verbos; did you mean --verbose?"), std::string::npos)
      << r.err;
  EXPECT_TRUE(server.requests().empty());
}

TEST(CliGrammar, UnknownCommandNamesTheNearest) {
  LoopbackServer server(test::scripted_cluster);
  auto r = run_line(server, "snapshot creat s -r repo");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("unknown command creat; did you mean create?"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("run 'essnap snapshot --help'"), std::string::npos) << r.err;

  r = run_line(server, "snapshots list");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown command snapshots; did you mean snapshot?"), std::string::npos)
      << r.err;
  r = run_line(server, "xyzzy");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown command xyzzy"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("did you mean"), std::string::npos) << "nothing near: " << r.err;
  EXPECT_TRUE(server.requests().empty());
}

TEST(CliGrammar, EveryParserErrorNamesTheSubcommandsHelp) {
  LoopbackServer server(test::scripted_cluster);
  for (const auto& [line, help] : std::vector<std::pair<std::string, std::string>>{
           {"snapshot list -r repo --limit 0", "essnap snapshot list --help"},
           {"restore old -r repo --wait --no-wait", "essnap restore --help"},
           {"snapshot delete -r repo", "essnap snapshot delete --help"},
       }) {
    auto r = run_line(server, line);
    EXPECT_EQ(r.exit_code, 2) << line << "\n" << r.err;
    EXPECT_NE(r.err.find(help), std::string::npos) << line << "\n" << r.err;
  }
}

TEST(CliGrammar, ValuesThatLookLikeFlagsStayValues) {
  LoopbackServer server(test::scripted_cluster);
  // "-logs-debug*" is an -i value (an exclusion), "-1" a number: neither is an unknown flag.
  auto r = run_line(server, "snapshot list -r repo -i 'orders,-x*'");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = run_line(server, "snapshot list -r repo --limit -1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.find("unknown flag"), std::string::npos) << r.err;
}

TEST(CliGrammar, NearestIsATypoDistanceAway) {
  EXPECT_EQ(cli::edit_distance("indicies", "indices"), 1u);
  EXPECT_EQ(cli::edit_distance("craete", "create"), 1u) << "a swap is one edit";
  EXPECT_EQ(cli::nearest("--indicies", {"--indices", "--include-global-state"}).value_or(""),
            "--indices");
  EXPECT_EQ(cli::nearest("creat", {"create", "clone", "list"}).value_or(""), "create");
  EXPECT_FALSE(cli::nearest("zz", {"ls", "rm"}).has_value());
}

// --- -r/--repository everywhere ----------------------------------------------------------------

TEST(CliGrammar, RepoCommandsTakeDashR) {
  for (const char* line : {"repo show -r repo", "repo show repo", "repo show --repository repo",
                           "repo verify -r repo", "repo cleanup -r repo --dry-run"}) {
    LoopbackServer server(test::scripted_cluster);
    auto r = run_line(server, line);
    EXPECT_EQ(r.exit_code, 0) << line << "\n" << r.err;
    bool named = false;
    for (const auto& q : server.requests())
      named = named || q.target.starts_with("/_snapshot/repo");
    EXPECT_TRUE(named) << line;
  }
  LoopbackServer server(test::scripted_cluster);
  auto r = run_line(server, "repo show repo -r other");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(server.requests().empty());
}

// --- -o yaml -----------------------------------------------------------------------------------

TEST(CliGrammar, OutputYamlIsTheJsonDocumentAsYaml) {
  LoopbackServer server(test::scripted_cluster);
  auto r = run_line(server, "-o yaml repo show repo");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("name: repo"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find('{'), std::string::npos) << "YAML, not JSON: " << r.out;
  r = run_line(server, "repo show repo --no-such -o yaml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("error:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("exit_code: 2"), std::string::npos) << r.out;
}

// --- one rename grammar ------------------------------------------------------------------------

cli::Renames renames(std::vector<std::string> rename, std::string regex = "") {
  cli::RenameFlags f;
  f.renames = std::move(rename);
  f.regex = std::move(regex);
  auto r = cli::parse_renames(f);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? *r : cli::Renames{};
}

TEST(CliGrammar, RenameFormsAreToldApartBySyntax) {
  auto r = renames({"orders=orders-old", "logs=logs-old"});
  ASSERT_EQ(r.exact.size(), 2u);
  EXPECT_EQ(r.exact[1], (std::pair<std::string, std::string>{"logs", "logs-old"}));
  EXPECT_TRUE(r.regex_pattern.empty());
  r = renames({"(.+):copy-$1"});  // restore's original form: index names hold no ':'
  EXPECT_EQ(r.regex_pattern, "(.+)");
  EXPECT_EQ(r.regex_replacement, "copy-$1");
  r = renames({}, "^logs-(.+)=archive-$1");
  EXPECT_EQ(r.regex_pattern, "^logs-(.+)");
  EXPECT_EQ(r.regex_replacement, "archive-$1");
  cli::RenameFlags two;
  two.renames = {"a:b"};
  two.regex = "c=d";
  EXPECT_FALSE(cli::parse_renames(two).ok()) << "one regex at most";
  cli::RenameFlags bad;
  bad.regex = "([=x";
  EXPECT_FALSE(cli::parse_renames(bad).ok());
}

TEST(CliGrammar, TransferTargetsFollowTheRegex) {
  transfer::RenameOptions o;
  o.exact = {{"logs-1", "kept"}};
  o.regex_pattern = "^logs-(.+)";
  o.regex_replacement = "archive-$1";
  o.suffix = "-x";
  EXPECT_EQ(transfer::target_name("logs-1", o), "kept");
  EXPECT_EQ(transfer::target_name("logs-2", o), "archive-2");
  EXPECT_EQ(transfer::target_name("orders", o), "orders-x");
}

std::string restore_body(const std::string& rename) {
  LoopbackServer server(test::scripted_cluster);
  auto r = run_line(server, "restore old -r repo -i orders --no-wait " + rename);
  EXPECT_EQ(r.exit_code, 0) << rename << "\n" << r.err;
  const auto q = request_to(server, "POST", "/_snapshot/repo/old/_restore");
  EXPECT_TRUE(q) << rename << ": no restore request\n" << r.err;
  return q ? q->body : "{}";
}

TEST(CliGrammar, RestoreTakesEveryRenameForm) {
  auto body = nlohmann::json::parse(restore_body("--rename orders=orders-old"), nullptr, false);
  EXPECT_EQ(body.value("rename_pattern", ""), "^orders$") << body;
  EXPECT_EQ(body.value("rename_replacement", ""), "orders-old") << body;
  body = nlohmann::json::parse(restore_body("--rename-regex '(.+)=copy-$1'"), nullptr, false);
  EXPECT_EQ(body.value("rename_pattern", ""), "(.+)") << body;
  EXPECT_EQ(body.value("rename_replacement", ""), "copy-$1") << body;
  body = nlohmann::json::parse(restore_body("--rename '(.+):copy-$1'"), nullptr, false);
  EXPECT_EQ(body.value("rename_pattern", ""), "(.+)") << "the old spelling: " << body;

  LoopbackServer server(test::scripted_cluster);
  auto r = run_line(server, "restore old -r repo --rename a=b --rename c=d");
  EXPECT_EQ(r.exit_code, 2) << "one rename per restore request: " << r.err;
  EXPECT_FALSE(test::changed_anything(server));
}

// --- dry runs ----------------------------------------------------------------------------------

TEST(CliGrammar, SnapshotCreateAndCloneDryRunsChangeNothingAndSaySo) {
  for (const char* line : {"snapshot create s -r repo -i orders --dry-run",
                           "snapshot clone old new -r repo --dry-run"}) {
    LoopbackServer server(test::scripted_cluster);
    auto r = run_line(server, line);
    EXPECT_EQ(r.exit_code, 0) << line << "\n" << r.err;
    EXPECT_EQ(first_line(r.out).rfind("dry run", 0), 0u) << line << "\n" << r.out;
    EXPECT_FALSE(test::changed_anything(server)) << line;
    LoopbackServer again(test::scripted_cluster);
    r = run_line(again, std::string("-o json ") + line);
    EXPECT_EQ(r.exit_code, 0) << line << "\n" << r.err;
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_TRUE(j.is_object() && j.value("dry_run", false)) << line << ": " << r.out;
    EXPECT_TRUE(j.is_object() && j.contains("plan")) << line << ": " << r.out;
    EXPECT_FALSE(test::changed_anything(again)) << line;
  }
  LoopbackServer server(test::scripted_cluster);
  auto r = run_line(server, "snapshot clone nosuch new -r repo --dry-run");
  EXPECT_NE(r.exit_code, 0) << "the dry run checks the source";
}

// The engine of cli_transfer_read_test, smaller: index "logs" of 3 documents; HEAD of any other
// index is 404 (a target that does not exist yet).
ServerResponse grammar_engine(const ServerRequest& r) {
  if (r.target == "/") return test::os2_root();
  if (r.target.starts_with("/_cat/indices"))
    return ServerResponse::json(200, R"([{"index":"logs","pri":"1"}])");
  if (r.target.starts_with("/_resolve/index"))
    return ServerResponse::json(200, R"({"indices":[],"data_streams":[]})");
  if (r.target == "/logs/_count") return ServerResponse::json(200, R"({"count":3})");
  if (r.method == "GET" && r.target == "/logs")
    return ServerResponse::json(
        200,
        R"({"logs":{"settings":{"index":{"number_of_shards":"1"}},"mappings":{},"aliases":{}}})");
  if (r.target == "/logs/_search") {
    const auto body = nlohmann::json::parse(r.body, nullptr, false);
    nlohmann::json hits = nlohmann::json::array();
    if (!body.contains("search_after"))
      for (const char* id : {"a", "b", "c"})
        hits.push_back({{"_index", "logs"}, {"_id", id}, {"_source", {{"n", 1}}}, {"sort", {id}}});
    return ServerResponse::json(200, nlohmann::json{{"timed_out", false},
                                                    {"_shards", {{"total", 1}, {"failed", 0}}},
                                                    {"hits", {{"hits", hits}}}}
                                         .dump());
  }
  if (r.method == "HEAD" && r.target == "/logs") return ServerResponse::json(200, "{}");
  return ServerResponse::json(
      404, R"({"error":{"type":"index_not_found_exception","reason":"no"},"status":404})");
}

class CliGrammarTransfer : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("essnap-grammar-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(CliGrammarTransfer, ExportImportAndCopyDryRunsWriteNothing) {
  LoopbackServer source(grammar_engine);
  const std::string out = (dir_ / "out").string(), state = (dir_ / "state").string();
  auto r =
      run_line(source, "export -i logs --to " + out + " --read-strategy search-after --dry-run");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(first_line(r.out).rfind("dry run", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("logs"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(out)) << "a dry run writes nothing";

  r = run_line(source, "export -i logs --to " + out + " --read-strategy search-after -q");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_line(source, "export -i logs --to " + out + " --read-strategy search-after --dry-run");
  EXPECT_EQ(r.exit_code, 8) << "a non-empty --to is refused, dry run or not: " << r.err;

  LoopbackServer target(grammar_engine);
  r = run_line(target, "import --from " + out + " --state-dir " + state +
                           " --rename-regex '^(.+)=archive-$1' --dry-run");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(first_line(r.out).rfind("dry run", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("logs -> archive-logs (3 documents)"), std::string::npos) << r.out;
  EXPECT_FALSE(test::changed_anything(target));

  r = run_line(target, "-o json import --from " + out + " --state-dir " + state + " --dry-run");
  EXPECT_EQ(r.exit_code, 8) << "logs exists on the target: the dry run says so: " << r.err;

  LoopbackServer copy_target(grammar_engine);
  r = run_line(source, "-o json copy --to-url " + copy_target.url() + " -i logs --state-dir " +
                           state + " --rename logs=logs-copy --dry-run");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_TRUE(j.value("dry_run", false)) << r.out;
  EXPECT_EQ(j["plan"]["indices"][0]["target"], "logs-copy") << r.out;
  EXPECT_FALSE(test::changed_anything(copy_target));
}

// --- restore latest, snapshot list filters -----------------------------------------------------

// Repository "repo" with four snapshots: a (SUCCESS, orders, 2026-11-01), b (SUCCESS, logs,
// 2026-11-20), c (PARTIAL, orders, 2026-11-25), d (SUCCESS, orders + logs, 2026-11-10).
ServerResponse history(const ServerRequest& r) {
  if (r.method == "GET" && r.target.starts_with("/_snapshot/repo/_all"))
    return ServerResponse::json(200, R"({"snapshots":[
      {"snapshot":"a","state":"SUCCESS","indices":["orders"],"start_time_in_millis":1793491200000,"version":"2.19.6","version_id":136407827},
      {"snapshot":"b","state":"SUCCESS","indices":["logs"],"start_time_in_millis":1795132800000,"version":"2.19.6","version_id":136407827},
      {"snapshot":"c","state":"PARTIAL","indices":["orders"],"start_time_in_millis":1795564800000,"version":"2.19.6","version_id":136407827},
      {"snapshot":"d","state":"SUCCESS","indices":["orders","logs"],"start_time_in_millis":1794268800000,"version":"2.19.6","version_id":136407827}]})");
  if (r.method == "GET" && r.target.starts_with("/_snapshot/repo/") &&
      r.target.find("_status") == std::string::npos) {
    std::string name = r.target.substr(16);
    name = name.substr(0, name.find_first_of("/?"));
    return ServerResponse::json(200,
                                R"({"snapshots":[{"snapshot":")" + name +
                                    R"(","state":"SUCCESS","version":"2.19.6",)"
                                    R"("version_id":136407827,"indices":["orders","logs"]}]})");
  }
  if (r.target.starts_with("/_cat/indices")) return ServerResponse::json(200, "[]");
  return test::scripted_cluster(r);
}

TEST(CliGrammar, RestoreLatestIsTheNewestSuccessHoldingTheIndices) {
  for (const auto& [indices, want] : std::vector<std::pair<std::string, std::string>>{
           {"-i orders", "d"}, {"-i logs", "b"}, {"", "b"}, {"-i 'ord*'", "d"}}) {
    LoopbackServer server(history);
    auto r = run_line(server, "restore latest -r repo --no-wait " + indices);
    EXPECT_EQ(r.exit_code, 0) << indices << "\n" << r.err;
    EXPECT_TRUE(request_to(server, "POST", "/_snapshot/repo/" + want + "/_restore"))
        << indices << ": expected snapshot " << want << "\n"
        << r.err;
  }
  LoopbackServer server(history);
  auto r = run_line(server, "restore latest -r repo -i nothing-here --no-wait");
  EXPECT_EQ(r.exit_code, 6) << r.err;
  EXPECT_FALSE(test::changed_anything(server));
}

std::vector<std::string> listed(const std::string& flags) {
  LoopbackServer server(history);
  auto r = run_line(server, "-o json snapshot list -r repo " + flags);
  EXPECT_EQ(r.exit_code, 0) << flags << "\n" << r.err;
  std::vector<std::string> names;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  if (j.is_array())
    for (const auto& s : j) names.push_back(s.value("snapshot", ""));
  return names;
}

TEST(CliGrammar, SnapshotListFiltersByIndexAndTime) {
  using V = std::vector<std::string>;
  EXPECT_EQ(listed("-i orders"), (V{"a", "d", "c"}));
  EXPECT_EQ(listed("-i 'l*'"), (V{"d", "b"}));
  EXPECT_EQ(listed("--since 2026-11-10"), (V{"d", "b", "c"}));
  EXPECT_EQ(listed("--until 2026-11-20"), (V{"a", "d"}));
  EXPECT_EQ(listed("--since 2026-11-05T00:00:00Z --until 2026-11-21 -i orders"), (V{"d"}));
  EXPECT_EQ(listed("--since 1d"), V{}) << "all of them are older than a day";
  LoopbackServer server(history);
  auto r = run_line(server, "snapshot list -r repo --since yesterday");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--since"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace essnap
