// One flag grammar (issue 14, item 6): contradictory and out-of-range flags are usage errors
// (exit 2) before any request, and --output json makes every command, and every error, exactly
// one JSON document on stdout (events go to stderr), whatever the command and however it ends.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/essnap_cli.hpp"
#include "support/loopback_server.hpp"
#include "support/process.hpp"

namespace essnap {
namespace {

using test::LoopbackServer;
using test::run;

const char* const kRefusedLines[] = {
    "restore old -r repo --wait --no-wait",
    "restore old -r repo --include-aliases --no-aliases",
    "restore old -r repo --close-existing --delete-existing --yes",
    "restore old -r repo --verify --no-wait",
    "restore old -r repo --rename 'a:b' --rename-suffix _x",
    "snapshot create s -r repo --wait --no-wait",
    "snapshot list -r repo --limit -1",
    "snapshot list -r repo --limit 0",
    "snapshot list -r repo --limit 2.5",
    "snapshot list -r repo --timeout -5",
    "snapshot list -r repo --timeout nan",
    "snapshot list -r repo --connect-timeout 0",
    "repo list --connect-timeout -1",
    "prune -r repo --match 'x*' --keep-last -2 --dry-run",
    "import --from /nonexistent-export --concurrency 0",
    "copy --to-url http://127.0.0.1:1 -i x --concurrency 33",
    "copy --to-url http://127.0.0.1:1 -i x --chunk-docs 0",
};

TEST(CliFlagGrammar, ContradictoryAndOutOfRangeFlagsExit2BeforeAnyRequest) {
  for (const char* line : kRefusedLines) {
    LoopbackServer server(test::scripted_cluster);
    auto r = run(test::essnap_command(server.url(), line));
    EXPECT_EQ(r.exit_code, 2) << line << "\n" << r.err;
    EXPECT_TRUE(server.requests().empty()) << line << ": sent " << server.requests().size();
    EXPECT_NE(r.err.find("--"), std::string::npos) << line << ": the flag is named\n" << r.err;
    EXPECT_EQ(r.out, "") << line;
  }
}

// stdout parsed as a whole: trailing bytes after the first document make parse fail.
nlohmann::json one_document(const test::ProcessResult& r, const std::string& line) {
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << line << ": stdout is not one JSON document:\n" << r.out;
  if (r.exit_code != 0 && !j.is_discarded()) {
    EXPECT_TRUE(j.is_object() && j.contains("error")) << line << ": " << r.out;
    if (j.is_object() && j.contains("error"))
      EXPECT_EQ(j["error"].value("exit_code", -1), r.exit_code) << line << ": " << r.out;
  }
  return j;
}

TEST(CliFlagGrammar, JsonUsageErrorsAreOneDocumentOnStdout) {
  std::vector<std::string> lines(std::begin(kRefusedLines), std::end(kRefusedLines));
  lines.insert(lines.end(), {"snapshots list", "snapshot list -r repo --no-such-flag", "restore",
                             "snapshot list -r repo --format xml"});
  for (const auto& base : lines) {
    for (const std::string& line : {"-o json " + base, base + " --output=json"}) {
      LoopbackServer server(test::scripted_cluster);
      auto r = run(test::essnap_command(server.url(), line));
      EXPECT_EQ(r.exit_code, 2) << line << "\n" << r.err;
      auto j = one_document(r, line);
      if (j.is_object() && j.contains("error"))
        EXPECT_EQ(j["error"].value("code", ""), "invalid argument") << line;
    }
  }
}

TEST(CliFlagGrammar, EveryCommandPrintsOneJsonDocumentWhateverTheOutcome) {
  struct Case {
    const char* line;
    int exit_code;
    const char* key;  // a member the document must have ("" for an array answer)
  };
  for (const Case c : {
           Case{"snapshot list -r repo", 0, ""},
           Case{"snapshot show old -r repo", 0, "snapshot"},
           Case{"snapshot status -r repo", 0, ""},
           Case{"snapshot create s -r repo --no-wait", 0, "snapshot"},
           Case{"snapshot delete old -r repo --dry-run", 0, "dry_run"},
           Case{"snapshot delete old -r repo --yes", 0, "deleted"},
           Case{"snapshot delete old -r repo", 8, "delete"},  // not confirmed: the plan + error
           Case{"restore old -r repo --delete-existing --dry-run", 0, "plan"},
           Case{"restore old -r repo --no-wait", 8, "error"},  // the live index is in the way
           Case{"repo list", 0, ""},
           Case{"repo show repo", 0, "name"},
           Case{"repo remove repo --yes", 0, "unregistered"},
           Case{"repo cleanup repo --dry-run", 0, "cleanup"},
           Case{"snapshot show old -r '..'", 2, "error"},
       }) {
    LoopbackServer server(test::scripted_cluster);
    auto r = run(test::essnap_command(server.url(), std::string("-o json ") + c.line));
    EXPECT_EQ(r.exit_code, c.exit_code) << c.line << "\n" << r.out << r.err;
    auto j = one_document(r, c.line);
    if (*c.key)
      EXPECT_TRUE(j.is_object() && j.contains(c.key)) << c.line << ": " << r.out;
    else
      EXPECT_TRUE(j.is_array() || (j.is_object() && j.contains("result")))
          << c.line << ": " << r.out;
    // Events, if any, are JSON lines on stderr.
    std::size_t at = 0;
    while (at < r.err.size()) {
      const auto nl = r.err.find('\n', at);
      const auto ln = r.err.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
      if (!ln.empty())
        EXPECT_FALSE(nlohmann::json::parse(ln, nullptr, false).is_discarded())
            << c.line << ": a stderr line is not JSON: " << ln;
      at = nl == std::string::npos ? r.err.size() : nl + 1;
    }
  }
}

// copy's target takes its secrets from ESSNAP_TO_PASSWORD when set, the source from
// ESSNAP_PASSWORD; without ESSNAP_TO_PASSWORD both use ESSNAP_PASSWORD.
TEST(CliFlagGrammar, CopyTargetHasItsOwnSecrets) {
  for (const bool own : {true, false}) {
    LoopbackServer source(test::scripted_cluster), target(test::scripted_cluster);
    auto c =
        test::essnap_command(source.url(), "copy --auth basic --user su --to-url " + target.url() +
                                               " --to-auth basic --to-user tu -i orders");
    c.env["ESSNAP_PASSWORD"] = "src-secret";
    if (own) c.env["ESSNAP_TO_PASSWORD"] = "dst-secret";
    (void)run(c);
    auto auth_of = [](const LoopbackServer& s) {
      for (const auto& q : s.requests())
        if (const auto* v = q.header("Authorization")) return *v;
      return std::string();
    };
    // "Basic base64(user:password)"
    EXPECT_EQ(auth_of(source), "Basic c3U6c3JjLXNlY3JldA==") << own;  // su:src-secret
    EXPECT_EQ(auth_of(target), own ? "Basic dHU6ZHN0LXNlY3JldA=="     // tu:dst-secret
                                   : "Basic dHU6c3JjLXNlY3JldA==")    // tu:src-secret
        << own;
  }
}

}  // namespace
}  // namespace essnap
