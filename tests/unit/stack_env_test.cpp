// The .stack/env reader (tests/support/stack_env.hpp) and the shell-word rules under it: the
// sample file's quoting cases read exactly as bash and the Python reader read them, refusals for
// what bash would expand, and ESSNAP_REQUIRE_STACK failing in CI but skipping elsewhere.
#include "support/stack_env.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <optional>

#include "support/process.hpp"
#include "support/shell_words.hpp"

namespace essnap {
namespace {

const std::string kSample = std::string(ESSNAP_TEST_DATA_DIR) + "/stack_env_sample";

TEST(StackEnv, SampleQuotingCases) {
  const auto env = test::read_stack_env(kSample);
  ASSERT_TRUE(env.has_value()) << kSample;
  const std::map<std::string, std::string> expected = {
      {"SPACES", "a value with  spaces"},
      {"SQ_SPACES", "a value with  spaces"},
      {"SINGLE_QUOTE", "it's"},
      {"SQ_QUOTE", "it's"},
      {"DQ_QUOTE", "it's \"quoted\""},
      {"DOLLAR", "costs $5, not $HOME or $(id)"},
      {"SQ_DOLLAR", "$HOME $(id) `id`"},
      {"DQ_DOLLAR", "costs $5 `id` \\ $ and \\n stays"},
      {"EMPTY", ""},
      {"SQ_EMPTY", ""},
      {"DQ_EMPTY", ""},
      {"BARE_EMPTY", ""},
      {"EQUALS", "a=b=c"},
      {"EQUALS_SQ", "--opt=x=y"},
      {"URL", "http://127.0.0.1:19200/_snapshot?wait=true&x=[1]"},
      {"PATH_TILDE", "~/x:~/y"},
      {"NEWLINE", "line one\nline two\ttabbed"},
      {"UTF8", "caf\xc3\xa9 \xe2\x98\x95"},
      {"SECRET", "wJalr/K7+bPx=="},
      {"MIXED", "\"double\" 'single' \\back\\slash `tick` #hash"},
      {"CONCAT", "singledoublebare word"},
      {"ANSI_C", "tab\thereAA\x1b[0m\x01"},
      {"TWO_A", "1"},
      {"TWO_B", "two words"},
      {"LATER", "exported below"},
      {"INDENTED", "yes"},
      {"CONTINUED", "partone"},
  };
  EXPECT_EQ(*env, expected);
  EXPECT_EQ(env->count("NOT_EXPORTED"), 0u) << "a plain assignment is not exported";
}

TEST(StackEnv, SampleReadsAsBashSourcesIt) {
  const auto env = test::read_stack_env(kSample);
  ASSERT_TRUE(env.has_value());
  EXPECT_EQ(*env, test::exported_by_bash(kSample));
}

TEST(StackEnv, SampleReadsAsThePythonReaderReadsIt) {
  const auto env = test::read_stack_env(kSample);
  ASSERT_TRUE(env.has_value());
  EXPECT_EQ(*env, test::parsed_by_python(kSample));
}

TEST(StackEnv, RefusesWhatBashWouldExpandOrCouldNotRead) {
  for (const char* text :
       {"export X=$HOME", "export X=\"$HOME\"", "export X=${HOME}", "export X=$(id)",
        "export X=`id`", "export X=\"`id`\"", "export X=~", "export X=a:~/b", "export X=*",
        "export X={a,b}", "export X='open", "export X=\"open", "export X=$'open", "export X=a;b",
        "export X=a|b", "export -n X", "echo hi"}) {
    EXPECT_THROW(test::parse_stack_env(text), test::ShellSyntaxError) << text;
  }
}

TEST(StackEnv, MissingFileIsNulloptAndTheMessageSaysMakeStackUp) {
  EXPECT_FALSE(test::read_stack_env("/nonexistent/.stack/env").has_value());
  const auto missing = test::stack_missing({"ESSNAP_TEST_NO_SUCH_VARIABLE"});
  ASSERT_TRUE(missing.has_value());
  EXPECT_NE(missing->find("ESSNAP_TEST_NO_SUCH_VARIABLE"), std::string::npos) << *missing;
  EXPECT_NE(missing->find("make stack-up"), std::string::npos) << *missing;
}

TEST(StackEnv, PathHonoursStackEnvThenSourceDir) {
  const auto saved = [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    return v ? std::optional<std::string>(v) : std::nullopt;
  };
  const auto restore = [](const char* name, const std::optional<std::string>& v) {
    if (v)
      ::setenv(name, v->c_str(), 1);
    else
      ::unsetenv(name);
  };
  const auto stack_env = saved("ESSNAP_STACK_ENV"), source_dir = saved("ESSNAP_SOURCE_DIR");
  ::setenv("ESSNAP_STACK_ENV", "/x/env", 1);
  ::setenv("ESSNAP_SOURCE_DIR", "/src", 1);
  EXPECT_EQ(test::stack_env_path(), "/x/env");
  ::unsetenv("ESSNAP_STACK_ENV");
  EXPECT_EQ(test::stack_env_path(), "/src/.stack/env");
  ::unsetenv("ESSNAP_SOURCE_DIR");
  EXPECT_EQ(test::stack_env_path(), std::string(ESSNAP_SOURCE_DIR) + "/.stack/env");
  restore("ESSNAP_STACK_ENV", stack_env);
  restore("ESSNAP_SOURCE_DIR", source_dir);
}

// Run only as a child of RequireStackFailsInCiAndSkipsElsewhere.
TEST(StackEnvRequire, DISABLED_Probe) {
  ESSNAP_REQUIRE_STACK("ESSNAP_TEST_NO_SUCH_VARIABLE");
}

TEST(StackEnvRequire, FailsInCiAndSkipsElsewhere) {
  test::Command c;
  c.argv = {std::filesystem::read_symlink("/proc/self/exe").string(),
            "--gtest_also_run_disabled_tests", "--gtest_filter=StackEnvRequire.DISABLED_Probe"};
  c.env["CI"] = "true";
  const auto ci = test::run(c);
  EXPECT_EQ(ci.exit_code, 1) << ci.out;
  EXPECT_NE(ci.out.find("CI=true: integration tests do not skip"), std::string::npos) << ci.out;
  c.env["CI"] = "false";
  const auto local = test::run(c);
  EXPECT_EQ(local.exit_code, 0) << local.out;
  EXPECT_NE(local.out.find("[  SKIPPED ]"), std::string::npos) << local.out;
  EXPECT_NE(local.out.find("make stack-up"), std::string::npos) << local.out;
}

TEST(ShellWords, SplitLikeTheShellWithoutExpanding) {
  EXPECT_EQ(test::shell_words("GET '/a b?x=1' --data '{\"q\":\"it'\\''s\"}'  -H \"X: \\\"y\\\"\""),
            (std::vector<std::string>{"GET", "/a b?x=1", "--data", "{\"q\":\"it's\"}", "-H",
                                      "X: \"y\""}));
  EXPECT_EQ(test::shell_words("a\\ b '' \"\" c$ $'\\n'"),
            (std::vector<std::string>{"a b", "", "", "c$", "\n"}));
  EXPECT_EQ(test::shell_words(""), std::vector<std::string>{});
  EXPECT_THROW(test::shell_words("x $(id)"), test::ShellSyntaxError);
  EXPECT_THROW(test::shell_words("/_bulk?refresh=true"), test::ShellSyntaxError);
}

TEST(ShellWords, EnvWordsAreAssignments) {
  EXPECT_EQ(test::env_words("A=1 B='x y' C="),
            (std::map<std::string, std::string>{{"A", "1"}, {"B", "x y"}, {"C", ""}}));
  EXPECT_THROW(test::env_words("A=1 notanassignment"), std::invalid_argument);
}

}  // namespace
}  // namespace essnap
