// Issue 20, item 3 (contexts) in the CLI: the precedence flag → environment → context →
// default for every connection field (each level, each field that has it), the default
// repository, the secrets' sources, and the `essnap context` command and `--context` run as the
// binary against a loopback cluster (a context's password_command reaching the server, `show`
// never printing a secret, `use` rewriting the file).
#include <gtest/gtest.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>

#include "essnap/cli/cluster_flags.hpp"
#include "essnap/cli/command.hpp"
#include "essnap/cli/repository_flag.hpp"
#include "essnap/http/request_target.hpp"
#include "support/essnap_cli.hpp"
#include "support/loopback_server.hpp"
#include "support/process.hpp"
#include "support/scoped_env.hpp"

namespace essnap {
namespace {

using test::LoopbackServer;
using test::ServerRequest;
using test::ServerResponse;

using test::ScopedEnv;

const char* kConfig = R"(contexts:
  - name: full
    url: http://127.0.0.1:1/
    auth: basic
    service: aoss
    region: eu-ctx-1
    profile: ctx-profile
    user: ctx-user
    password_env: CTX_PASSWORD
    cacert: /ctx/ca.pem
    insecure: true
    repository: ctx-repo
    connect_timeout: 7
    timeout: 70
  - name: bare
    url: http://127.0.0.1:2
current_context: full
)";

// Every variable the precedence reads, unset; ESSNAP_CONFIG at a file of kConfig.
class ContextPrecedence : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "essnap-contexts-cli-" + std::to_string(::getpid());
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ + "/config.yaml") << kConfig;
    config_.emplace("ESSNAP_CONFIG", (dir_ + "/config.yaml").c_str());
    for (const char* v : {"ESSNAP_CONTEXT", "ESSNAP_URL", "ESSNAP_AUTH", "ESSNAP_USER",
                          "ESSNAP_REPOSITORY", "ESSNAP_PASSWORD", "ESSNAP_API_KEY", "AWS_REGION",
                          "AWS_DEFAULT_REGION", "AWS_PROFILE", "CTX_PASSWORD"})
      unset_.emplace_back(std::make_unique<ScopedEnv>(v, nullptr));
    cli::set_context_flag("");
  }
  void TearDown() override {
    cli::set_context_flag("");
    std::filesystem::remove_all(dir_);
  }

  // The spec for a command line of cluster flags (parsed by add_cluster_flags, as a command's).
  Result<cluster::ConnectionSpec> spec(const std::string& args,
                                       const cli::GlobalOptions& global = {}) {
    CLI::App app;
    cli::ClusterFlags flags;
    cli::add_cluster_flags(&app, &flags);
    app.parse("essnap " + args, true);
    return cli::connection_spec(global, flags);
  }

  std::string dir_;
  std::optional<ScopedEnv> config_;
  std::vector<std::unique_ptr<ScopedEnv>> unset_;
};

const char* auth_text(cluster::AuthKind a) {
  switch (a) {
    case cluster::AuthKind::kAws:
      return "aws";
    case cluster::AuthKind::kBasic:
      return "basic";
    case cluster::AuthKind::kApiKey:
      return "apikey";
    case cluster::AuthKind::kNone:
      return "none";
    case cluster::AuthKind::kAuto:
      break;
  }
  return "auto";
}

// A field with all four levels: its flag, its variable, the context's value, the default.
struct FourLevels {
  const char* field;
  std::string flag_args;  // sets the flag (command-line words)
  std::function<void(cli::GlobalOptions&)> global_flag;
  const char* variable;
  std::string flag_value, env_value, context_value, default_value;
  std::function<std::string(const cluster::ConnectionSpec&)> get;
};

std::vector<FourLevels> four_level_fields() {
  return {
      {"url",
       "--url http://127.0.0.1:3/",
       {},
       "ESSNAP_URL",
       "http://127.0.0.1:3/",
       "http://127.0.0.1:4/",
       "http://127.0.0.1:1/",
       "",
       [](const auto& s) { return s.url; }},
      {"auth",
       "--auth none",
       {},
       "ESSNAP_AUTH",
       "none",
       "apikey",
       "basic",
       "auto",
       [](const auto& s) { return std::string(auth_text(s.auth)); }},
      {"user",
       "--user flag-user",
       {},
       "ESSNAP_USER",
       "flag-user",
       "env-user",
       "ctx-user",
       "",
       [](const auto& s) { return s.user; }},
      {"region (the command's flag)",
       "--region flag-region-1",
       {},
       "AWS_REGION",
       "flag-region-1",
       "env-region-1",
       "eu-ctx-1",
       "",
       [](const auto& s) { return s.region; }},
      {"region (the global flag)", "", [](auto& g) { g.region = "global-region-1"; },
       "AWS_DEFAULT_REGION", "global-region-1", "env-region-2", "eu-ctx-1", "",
       [](const auto& s) { return s.region; }},
      {"profile", "", [](auto& g) { g.profile = "flag-profile"; }, "AWS_PROFILE", "flag-profile",
       "env-profile", "ctx-profile", "", [](const auto& s) { return s.profile; }},
  };
}

TEST_F(ContextPrecedence, FlagThenEnvironmentThenContextThenDefault) {
  for (const auto& f : four_level_fields()) {
    SCOPED_TRACE(f.field);
    cli::GlobalOptions with_flag;
    if (f.global_flag) f.global_flag(with_flag);
    {  // default: a context that does not set the field (for url: no context at all)
      const bool url = std::string(f.field) == "url";
      const std::string config = url ? "/nonexistent/c.yaml" : dir_ + "/config.yaml";
      ScopedEnv select("ESSNAP_CONTEXT", url ? nullptr : "bare");
      ScopedEnv file("ESSNAP_CONFIG", config.c_str());
      auto s = spec("");
      if (url) {
        ASSERT_FALSE(s.ok());
        EXPECT_EQ(s.error().message, "no cluster URL");
      } else {
        ASSERT_TRUE(s.ok()) << s.error().message;
        EXPECT_EQ(f.get(*s), f.default_value) << "default";
      }
    }
    auto ctx = spec("");  // the current context, "full"
    ASSERT_TRUE(ctx.ok()) << ctx.error().message;
    EXPECT_EQ(f.get(*ctx), f.context_value) << "context";
    ScopedEnv var(f.variable, f.env_value.c_str());
    auto env = spec("");
    ASSERT_TRUE(env.ok()) << env.error().message;
    EXPECT_EQ(f.get(*env), f.env_value) << "environment";
    auto flag = spec(f.flag_args, with_flag);
    ASSERT_TRUE(flag.ok()) << flag.error().message;
    EXPECT_EQ(f.get(*flag), f.flag_value) << "flag";
  }
}

TEST_F(ContextPrecedence, RepositoryFlagThenEnvironmentThenContext) {
  EXPECT_EQ(cli::resolve_repository("flag-repo").value(), "flag-repo");
  EXPECT_EQ(cli::resolve_repository("").value(), "ctx-repo");  // the current context's
  {
    ScopedEnv env("ESSNAP_REPOSITORY", "env-repo");
    EXPECT_EQ(cli::resolve_repository("").value(), "env-repo");
    EXPECT_EQ(cli::resolve_repository("flag-repo").value(), "flag-repo");
  }
  ScopedEnv bare("ESSNAP_CONTEXT", "bare");
  EXPECT_EQ(cli::resolve_optional_repository("").value(), "");  // the default: none
  EXPECT_EQ(cli::resolve_repository("").error().message, "no repository");
  cli::set_context_flag("full");  // --context beats ESSNAP_CONTEXT
  EXPECT_EQ(cli::resolve_repository("").value(), "ctx-repo");
}

// Fields with no variable of their own: flag → context → default.
TEST_F(ContextPrecedence, FlagThenContextThenDefaultForTheOthers) {
  auto ctx = spec("").value();
  EXPECT_EQ(ctx.service, "aoss");
  EXPECT_EQ(ctx.cacert, "/ctx/ca.pem");
  EXPECT_TRUE(ctx.insecure);
  EXPECT_EQ(ctx.timeouts.connect, std::chrono::seconds(7));
  // --timeout (and a context's timeout) bounds the whole command: a deadline, not an attempt.
  ASSERT_TRUE(ctx.deadline.has_value());
  EXPECT_EQ(ctx.deadline->label, "--timeout 70 s");
  auto flag = spec("--service es --cacert /flag.pem --connect-timeout 10 --timeout 0").value();
  EXPECT_EQ(flag.service, "es");
  EXPECT_EQ(flag.cacert, "/flag.pem");
  EXPECT_EQ(flag.timeouts.connect, std::chrono::seconds(10));  // typed, though the default
  EXPECT_FALSE(flag.deadline.has_value());  // --timeout 0: none, though the context has one
  ScopedEnv bare("ESSNAP_CONTEXT", "bare");
  auto def = spec("").value();
  EXPECT_EQ(def.service, "");
  EXPECT_EQ(def.cacert, "");
  EXPECT_FALSE(def.insecure);
  EXPECT_EQ(def.timeouts.connect, std::chrono::seconds(10));
  EXPECT_EQ(def.timeouts.overall, std::chrono::seconds(0));
}

// A secret: ESSNAP_PASSWORD when set, else the context's source, else ESSNAP_PASSWORD (a prompt
// when it is unset) — and the context's source only for the context's own URL.
TEST_F(ContextPrecedence, SecretsSourcesAndTheContextsOwnUrl) {
  EXPECT_EQ(spec("").value().password.env, "CTX_PASSWORD");
  {
    ScopedEnv pw("ESSNAP_PASSWORD", "from-env");
    EXPECT_EQ(spec("").value().password.env, "ESSNAP_PASSWORD");
  }
  ScopedEnv bare("ESSNAP_CONTEXT", "bare");
  EXPECT_EQ(spec("").value().password.env, "ESSNAP_PASSWORD");
  ScopedEnv full("ESSNAP_CONTEXT", "full");
  auto other = spec("--url http://127.0.0.1:9/").value();
  EXPECT_EQ(other.user, "ctx-user");                 // a name is no secret
  EXPECT_EQ(other.password.env, "ESSNAP_PASSWORD");  // the context's is not sent elsewhere
  EXPECT_EQ(spec("--url http://127.0.0.1:1").value().password.env, "CTX_PASSWORD");  // same
}

TEST_F(ContextPrecedence, ASecondClusterTakesNoContextAndBadInputIsNamed) {
  cli::ClusterFlags target;  // copy's --to-*: not registered by add_cluster_flags
  target.url = "http://127.0.0.1:5";
  auto t = cli::connection_spec({}, target).value();
  EXPECT_EQ(t.auth, cluster::AuthKind::kAuto);
  EXPECT_EQ(t.user, "");
  EXPECT_FALSE(t.insecure);

  {
    ScopedEnv auth("ESSNAP_AUTH", "kerberos");
    auto s = spec("");
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().message, "ESSNAP_AUTH='kerberos' is not aws, basic, apikey or none");
  }
  cli::set_context_flag("staging");
  auto unknown = spec("");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(unknown.error().message.find("unknown context 'staging' (--context); "),
            std::string::npos);
  EXPECT_NE(unknown.error().message.find("has: full, bare"), std::string::npos);
  cli::set_context_flag("");
  std::ofstream(dir_ + "/config.yaml") << "contexts:\n  - name: x\n    url: http://h\n    pw: 1\n";
  auto broken = spec("--url http://127.0.0.1:1");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().message.rfind(dir_ + "/config.yaml:4: unknown key 'pw'", 0), 0u)
      << broken.error().message;
}

// --- the binary --------------------------------------------------------------------------

test::Command essnap_with(const std::string& config, const std::string& args) {
  test::Command c = test::essnap_command("", args);
  c.env.erase("ESSNAP_URL");
  c.env["ESSNAP_CONFIG"] = config;
  return c;
}

class ContextCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "essnap-contexts-cmd-" + std::to_string(::getpid());
    std::filesystem::create_directories(dir_);
    config_ = dir_ + "/config.yaml";
    secret_file_ = dir_ + "/secret";
    std::ofstream(secret_file_) << "s3cr3t-from-file\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& text) { std::ofstream(config_) << text; }
  std::string read() {
    std::stringstream s;
    s << std::ifstream(config_).rdbuf();
    return s.str();
  }
  std::string dir_, config_, secret_file_;
};

TEST_F(ContextCommand, OnlyContextReachesTheClusterWithItsPasswordCommand) {
  LoopbackServer server([](const ServerRequest& r) {
    if (r.target == "/") return test::os2_root();
    return ServerResponse::json(200, R"({"cluster_name":"c","status":"green"})");
  });
  write("contexts:\n  - name: lab\n    url: " + server.url() +
        "\n    auth: basic\n    user: backup\n    password_command: cat " + secret_file_ + "\n");
  for (const std::string args : {"--context lab request GET /_cluster/health",
                                 "request GET /_cluster/health --context lab"}) {
    auto r = test::run(essnap_with(config_, args));
    ASSERT_EQ(r.exit_code, 0) << args << "\n" << r.err;
    EXPECT_NE(r.out.find("green"), std::string::npos) << r.out;
  }
  const auto requests = server.requests();
  ASSERT_FALSE(requests.empty());
  const std::string* authz = requests.back().header("Authorization");
  ASSERT_NE(authz, nullptr);
  EXPECT_EQ(*authz, http::basic_authorization("backup", "s3cr3t-from-file").value());

  // A command that fails says so, and never shows the secret.
  write("contexts:\n  - name: lab\n    url: " + server.url() +
        "\n    auth: basic\n    user: backup\n    password_command: 'false'\n");
  auto failed = test::run(essnap_with(config_, "--context lab request GET /"));
  EXPECT_EQ(failed.exit_code, 3) << failed.err;
  EXPECT_NE(failed.err.find("the command 'false' exited with status 1"), std::string::npos)
      << failed.err;
}

TEST_F(ContextCommand, ListShowAndUse) {
  write(
      "# mine\ncontexts:\n  - name: a\n    url: http://127.0.0.1:1\n    auth: basic\n"
      "    user: u\n    password_file: " +
      secret_file_ +
      "\n    repository: ra\n  - name: b\n    url: http://127.0.0.1:2\n    auth: apikey\n"
      "    password_env: B_KEY\ncurrent_context: a  # default\n");
  auto list = test::run(essnap_with(config_, "-o json context list"));
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto j = nlohmann::json::parse(list.out);
  EXPECT_EQ(j["selected"], "a");
  EXPECT_EQ(j["selected_by"], "current_context");
  ASSERT_EQ(j["contexts"].size(), 2u);
  EXPECT_TRUE(j["contexts"][0]["current"].get<bool>());

  auto text = test::run(essnap_with(config_, "context list"));
  EXPECT_NE(text.out.find("*        a"), std::string::npos) << text.out;

  test::Command show = essnap_with(config_, "context show");
  show.env["ESSNAP_PASSWORD"] = "s3cr3t-from-env";
  show.env["B_KEY"] = "s3cr3t-key";
  auto shown = test::run(show);
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("password:   password_file: " + secret_file_), std::string::npos)
      << shown.out;
  EXPECT_NE(shown.out.find("ESSNAP_PASSWORD is set and takes precedence"), std::string::npos);
  show.argv = test::argv({ESSNAP_BINARY}, "-o json context show b");
  auto shown_b = test::run(show);
  ASSERT_EQ(shown_b.exit_code, 0) << shown_b.err;
  EXPECT_EQ(nlohmann::json::parse(shown_b.out)["api_key"]["password_env"], "B_KEY");
  for (const auto& out : {shown.out + shown.err, shown_b.out + shown_b.err})
    EXPECT_EQ(out.find("s3cr3t"), std::string::npos) << "a secret was printed:\n" << out;

  auto used = test::run(essnap_with(config_, "context use b"));
  ASSERT_EQ(used.exit_code, 0) << used.err;
  EXPECT_EQ(read().substr(read().find("current_context")), "current_context: b  # default\n");
  EXPECT_EQ(read().rfind("# mine\ncontexts:\n", 0), 0u);
  auto after = test::run(essnap_with(config_, "-o json context show"));
  EXPECT_EQ(nlohmann::json::parse(after.out)["name"], "b");

  auto unknown = test::run(essnap_with(config_, "context use c"));
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown context 'c'; " + config_ + " has: a, b"), std::string::npos)
      << unknown.err;
  auto unknown_flag = test::run(essnap_with(config_, "--context zz snapshot list"));
  EXPECT_EQ(unknown_flag.exit_code, 2);
  EXPECT_NE(unknown_flag.err.find("unknown context 'zz' (--context); "), std::string::npos)
      << unknown_flag.err;
}

}  // namespace
}  // namespace essnap
