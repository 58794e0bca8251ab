// Issue 20, item 3 (contexts): the one cluster definition and its parser (context/definition.hpp),
// the user's config file (context/file.hpp): a good file read in full, each bad field reported
// as FILE:LINE, inline secrets refused without being echoed, an unknown context named with the
// known ones, the file's location, `context use`'s edit, and the scheduler reading its clusters
// through the same parser.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "essnap/context/file.hpp"
#include "essnap/schedule/config.hpp"

namespace essnap::context {
namespace {

const char* kGood = R"(# my clusters
contexts:
  - name: prod
    url: https://search-logs.us-east-1.es.amazonaws.com
    auth: aws
    service: es
    region: us-east-1
    profile: backup
    repository: nightly
  - name: onprem
    url: https://es.internal:9200
    auth: basic
    user: backup
    password_command: pass show es/backup
    cacert: /etc/ssl/ca.pem
    connect_timeout: 5
    timeout: 2min
  - name: cloud
    url: https://c.es.io:443
    auth: apikey
    api_key_file: /run/secrets/key
    insecure: true
current_context: onprem
)";

std::string errors(const std::string& yaml) {
  auto f = parse_context_file(yaml, "c.yaml");
  return f.ok() ? "OK" : f.error().message;
}

std::string entry(const std::string& fields) {
  return "contexts:\n  - name: a\n    url: http://127.0.0.1:9200\n" + fields;
}

TEST(ContextFile, ReadsEveryField) {
  auto f = parse_context_file(kGood, "c.yaml");
  ASSERT_TRUE(f.ok()) << f.error().message;
  ASSERT_EQ(f->contexts.size(), 3u);
  EXPECT_EQ(f->current_context, "onprem");
  EXPECT_EQ(f->names(), "prod, onprem, cloud");
  const auto& p = f->contexts[0];
  EXPECT_EQ(p.line, 3);
  EXPECT_EQ(p.auth, "aws");
  EXPECT_EQ(p.service, "es");
  EXPECT_EQ(p.region, "us-east-1");
  EXPECT_EQ(p.profile, "backup");
  EXPECT_EQ(p.repository, "nightly");
  const auto& o = *f->find("onprem");
  EXPECT_EQ(o.user, "backup");
  EXPECT_EQ(o.password_command, "pass show es/backup");
  EXPECT_EQ(o.cacert, "/etc/ssl/ca.pem");
  EXPECT_EQ(o.connect_timeout, std::chrono::seconds(5));
  EXPECT_EQ(o.timeout, std::chrono::minutes(2));
  const auto& c = *f->find("cloud");
  EXPECT_TRUE(c.insecure);
  EXPECT_EQ(c.api_key_source().file, "/run/secrets/key");

  auto spec = to_connection_spec(o, 0, std::chrono::seconds(0));
  EXPECT_EQ(spec.auth, cluster::AuthKind::kBasic);
  EXPECT_EQ(spec.password.command, "pass show es/backup");
  EXPECT_EQ(spec.timeouts.connect, std::chrono::seconds(5));
  EXPECT_EQ(spec.timeouts.overall, std::chrono::minutes(2));
}

TEST(ContextFile, EachBadFieldNamesItsLine) {
  const std::map<std::string, std::string> cases = {
      {"    usr: x\n", "c.yaml:4: unknown key 'usr' in context 'a' (known: name, url, auth"},
      {"    auth: kerberos\n",
       "c.yaml:4: auth 'kerberos' of context 'a' must be aws, basic, apikey or none"},
      {"    service: ec2\n", "c.yaml:4: service 'ec2' of context 'a' must be es, aoss or s3"},
      {"    insecure: maybe\n", "c.yaml:4: insecure of context 'a' must be true or false"},
      {"    user: [a, b]\n", "c.yaml:4: user of context 'a' must be a string"},
      {"    repository: a/b\n", "c.yaml:4: "},
      {"    connect_timeout: soon\n", "c.yaml:4: connect_timeout of context 'a' 'soon'"},
      {"    timeout: 0\n", "c.yaml:4: timeout of context 'a' must be more than 0 seconds"},
      {"    timeout: 30m\n", "c.yaml:4: timeout of context 'a' '30m' is ambiguous"},
      {"    password_env: A\n    password_file: /b\n",
       "c.yaml:2: context 'a': give one of password_env, password_file, password_command"},
  };
  for (const auto& [fields, want] : cases) {
    const std::string e = errors(entry(fields));
    EXPECT_EQ(e.rfind(want, 0), 0u) << fields << " -> " << e;
  }
  EXPECT_EQ(errors("contexts:\n  - name: a\n    url: 'http://h:99999'\n")
                .rfind("c.yaml:3: url of "
                       "context 'a': ",
                       0),
            0u);
  EXPECT_EQ(errors("contexts:\n  - {url: 'http://h'}\n"), "c.yaml:2: context has no name");
  EXPECT_EQ(errors("contexts:\n  - name: a\n"), "c.yaml:2: context 'a' has no url");
  EXPECT_EQ(errors("contexts:\n  - name: a\n    url: http://h\n  - name: a\n    url: http://g\n"),
            "c.yaml:4: context 'a' is defined twice (first on line 2)");
  EXPECT_EQ(errors("contexts: []\ncurent_context: a\n"),
            "c.yaml:2: unknown key 'curent_context' (known: contexts, current_context)");
  EXPECT_EQ(errors("contexts: {}\n"), "OK");
  EXPECT_EQ(errors(""), "OK");
  EXPECT_EQ(errors("contexts: [\n").rfind("c.yaml:", 0), 0u);
}

TEST(ContextFile, InlineSecretsAreRefusedAndNeverEchoed) {
  for (const char* key : {"password", "api_key", "apikey", "token", "secret"}) {
    const std::string e = errors(entry("    " + std::string(key) + ": hunter2-secret\n"));
    EXPECT_EQ(e.rfind("c.yaml:4: inline secrets are refused: '" + std::string(key) +
                          "' in context 'a'; use ",
                      0),
              0u)
        << e;
    EXPECT_EQ(e.find("hunter2"), std::string::npos) << e;
  }
  const std::string e =
      errors("contexts:\n  - name: a\n    url: https://admin:hunter2-secret@es:9200\n");
  EXPECT_EQ(e.rfind("c.yaml:3: inline secrets are refused: the url of context 'a' holds "
                    "user:password@",
                    0),
            0u)
      << e;
  EXPECT_EQ(e.find("hunter2"), std::string::npos) << e;
}

TEST(ContextFile, UnknownContextIsNamedWithTheKnownOnes) {
  auto f = parse_context_file(kGood, "c.yaml");
  ASSERT_TRUE(f.ok());
  auto s = select_context(*f, "staging", "");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(s.error().message,
            "unknown context 'staging' (--context); c.yaml has: prod, onprem, cloud");
  auto e = select_context(*f, "", "stage");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("(ESSNAP_CONTEXT)"), std::string::npos);
  std::string bad = kGood;
  bad.replace(bad.find("current_context: onprem"), 23, "current_context: qa");
  EXPECT_EQ(errors(bad),
            "c.yaml:23: current_context 'qa' is not one of the contexts (known: prod, onprem, "
            "cloud)");
  ContextFile none;
  none.path = "/nowhere/config.yaml";
  auto missing = select_context(none, "prod", "");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("no config file at /nowhere/config.yaml"),
            std::string::npos);
}

TEST(ContextFile, SelectionIsFlagThenEnvironmentThenCurrentContext) {
  auto f = parse_context_file(kGood, "c.yaml");
  ASSERT_TRUE(f.ok());
  auto flag = select_context(*f, "prod", "cloud").value();
  EXPECT_EQ(flag.context->name, "prod");
  EXPECT_EQ(flag.by, SelectedBy::kFlag);
  auto env = select_context(*f, "", "cloud").value();
  EXPECT_EQ(env.context->name, "cloud");
  EXPECT_EQ(env.by, SelectedBy::kEnvironment);
  auto file = select_context(*f, "", "").value();
  EXPECT_EQ(file.context->name, "onprem");
  EXPECT_EQ(file.by, SelectedBy::kFile);
  f->current_context.clear();
  EXPECT_EQ(select_context(*f, "", "").value().context, nullptr);
}

TEST(ContextFile, LocationRules) {
  auto env = [](std::map<std::string, std::string> m) {
    return [m](const char* k) -> std::optional<std::string> {
      auto it = m.find(k);
      return it == m.end() ? std::nullopt : std::optional(it->second);
    };
  };
  EXPECT_EQ(config_path(env({{"ESSNAP_CONFIG", "/x.yaml"}, {"XDG_CONFIG_HOME", "/xdg"}})),
            "/x.yaml");
  EXPECT_EQ(config_path(env({{"XDG_CONFIG_HOME", "/xdg"}, {"HOME", "/h"}})),
            "/xdg/essnap/config.yaml");
  EXPECT_EQ(config_path(env({{"XDG_CONFIG_HOME", "relative"}, {"HOME", "/h"}})),
            "/h/.config/essnap/config.yaml");
  EXPECT_EQ(config_path(env({})), "");
  auto missing = load_context_file("/nonexistent/essnap/config.yaml");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->exists);
  EXPECT_TRUE(missing->contexts.empty());
}

TEST(ContextFile, UseRewritesOnlyTheCurrentContextLine) {
  const std::string head =
      "# contexts\ncontexts:  # two\n  - {name: a, url: 'http://a:1'}\n  - name: b-2\n"
      "    url: http://b:2\n";
  auto replaced =
      with_current_context(head + "current_context: a   # the usual\n# end\n", "b-2", "c.yaml");
  ASSERT_TRUE(replaced.ok()) << replaced.error().message;
  EXPECT_EQ(*replaced, head + "current_context: b-2   # the usual\n# end\n");
  auto appended = with_current_context(head.substr(0, head.size() - 1), "a", "c.yaml");
  ASSERT_TRUE(appended.ok());
  EXPECT_EQ(*appended, head + "current_context: a\n");
  auto crlf = with_current_context(
      "contexts: [{name: a, url: 'http://a'}]\r\n"
      "current_context: a\r\n",
      "a", "c.yaml");
  ASSERT_TRUE(crlf.ok());
  EXPECT_EQ(*crlf, "contexts: [{name: a, url: 'http://a'}]\r\ncurrent_context: a\r\n");
  // A name a plain scalar would misread is quoted.
  auto quoted = with_current_context("contexts: [{name: 'yes', url: 'http://a'}]\n", "yes", "c");
  ASSERT_TRUE(quoted.ok()) << quoted.error().message;
  EXPECT_EQ(*quoted, "contexts: [{name: 'yes', url: 'http://a'}]\ncurrent_context: \"yes\"\n");
  // Not on a line of its own: refused rather than guessed.
  auto flow = with_current_context(
      "{contexts: [{name: a, url: 'http://a'}, {name: b, url: 'http://b'}], current_context: a}",
      "b", "c.yaml");
  ASSERT_FALSE(flow.ok());
  EXPECT_NE(flow.error().message.find("write 'current_context:' at the start of a line"),
            std::string::npos);
}

TEST(ContextFile, UseWritesTheFileAndKeepsItsMode) {
  const std::string dir =
      ::testing::TempDir() + "essnap-contexts-use-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/config.yaml";
  const std::string text =
      "contexts:\n  - {name: a, url: 'http://a:1'}\n  - {name: b, url: 'http://b:1'}\n"
      "current_context: a\n";
  std::ofstream(path) << text;
  ::chmod(path.c_str(), 0640);
  ASSERT_TRUE(use_context(path, "b").ok());
  std::stringstream now;
  now << std::ifstream(path).rdbuf();
  EXPECT_EQ(now.str(),
            "contexts:\n  - {name: a, url: 'http://a:1'}\n  - {name: b, url: "
            "'http://b:1'}\ncurrent_context: b\n");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  auto unknown = use_context(path, "c");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message, "unknown context 'c'; " + path + " has: a, b");
  EXPECT_EQ(use_context(dir + "/none.yaml", "a").error().code, ErrorCode::kNotFound);
  std::filesystem::remove_all(dir);
}

// The scheduler's clusters are the same definitions, read by the same parser.
TEST(ContextFile, TheSchedulerReadsItsClustersThroughTheSameParser) {
  const std::string policies = "policies:\n  p: {cluster: a, schedule: '@daily', prune: never}\n";
  auto listed = schedule::parse_config(
      "clusters:\n  - name: a\n    url: http://127.0.0.1:9200\n    auth: basic\n    user: u\n"
      "    password_command: cat /run/pw\n    repository: nightly\n" +
          policies,
      "s.yaml");
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  EXPECT_EQ(listed->clusters.at("a").password_command, "cat /run/pw");
  EXPECT_EQ(listed->policies[0].repository, "nightly");  // the cluster's default repository
  auto spec = schedule::connection_spec(listed->clusters.at("a"), 0);
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->password.command, "cat /run/pw");
  EXPECT_EQ(spec->timeouts.overall, std::chrono::seconds(120));
  // The same messages as a context's, with the scheduler's word for it.
  auto bad =
      schedule::parse_config("clusters:\n  a: {url: 'http://h', usr: x}\n" + policies, "s.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(
      bad.error().message.rfind("s.yaml:2: unknown key 'usr' in cluster 'a' (known: name,", 0), 0u)
      << bad.error().message;
  auto no_repo = schedule::parse_config("clusters:\n  a: {url: 'http://h'}\n" + policies, "s.yaml");
  ASSERT_FALSE(no_repo.ok());
  EXPECT_EQ(no_repo.error().message, "s.yaml:4: policy 'p' has no repository");
  // A scheduler has no terminal: basic auth needs its password's source in the file.
  auto incomplete = schedule::parse_config(
      "clusters:\n  a: {url: 'http://h', auth: basic, user: u}\n" + policies, "s.yaml");
  ASSERT_FALSE(incomplete.ok());
  EXPECT_NE(incomplete.error().message.find("auth basic needs user and exactly one of"),
            std::string::npos);
}

}  // namespace
}  // namespace essnap::context
