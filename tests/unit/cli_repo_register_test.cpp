// `essnap repo register` (issue 20, item 5: --dry-run on every command that changes something):
// a new name registered at once, the same settings again changing nothing, other settings under
// a registered name refused unless --replace, a missing plugin refused before anything is sent,
// and a dry run that sends no PUT. Against a scripted loopback cluster; the CLI runs as a process.
#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/essnap_cli.hpp"
#include "support/loopback_server.hpp"
#include "support/process.hpp"

namespace essnap {
namespace {

using test::LoopbackServer;
using test::ServerRequest;
using test::ServerResponse;

struct Cluster {
  std::mutex mu;
  std::vector<std::string> puts;
  nlohmann::json repos = nlohmann::json::object();
  bool s3_plugin = false;
  LoopbackServer server{[this](const ServerRequest& r) { return answer(r); }};

  ServerResponse answer(const ServerRequest& r) {
    std::lock_guard lock(mu);
    if (r.target == "/") return test::os2_root();
    if (r.target == "/_nodes/plugins") {
      nlohmann::json plugins = nlohmann::json::array();
      if (s3_plugin) plugins.push_back({{"name", "repository-s3"}});
      return ServerResponse::json(200, nlohmann::json{{"nodes",
                                                       {{"n1",
                                                         {{"name", "node-1"},
                                                          {"plugins", plugins},
                                                          {"modules", nlohmann::json::array()}}}}}}
                                           .dump());
    }
    const std::string prefix = "/_snapshot/";
    if (!r.target.starts_with(prefix)) return ServerResponse::json(404, "{}");
    std::string name = r.target.substr(prefix.size());
    name = name.substr(0, name.find('?'));
    if (r.method == "GET") {
      if (!repos.contains(name))
        return ServerResponse::json(
            404, R"({"error":{"type":"repository_missing_exception","reason":"[)" + name +
                     R"(] missing"},"status":404})");
      return ServerResponse::json(200, nlohmann::json{{name, repos[name]}}.dump());
    }
    if (r.method == "PUT") {
      puts.push_back(name + " " + r.body);
      repos[name] = nlohmann::json::parse(r.body);
      return ServerResponse::json(200, R"({"acknowledged":true})");
    }
    return ServerResponse::json(400, "{}");
  }
  std::size_t put_count() {
    std::lock_guard lock(mu);
    return puts.size();
  }
};

test::ProcessResult run_on(Cluster& c, const std::string& args) {
  return test::run(test::essnap_command(c.server.url(), args));
}

TEST(CliRepoRegister, NewNameIsRegisteredAtOnce) {
  Cluster c;
  auto r = run_on(c, "repo register backups --type fs --location /mnt/b --setting compress=true");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(c.put_count(), 1u);
  EXPECT_EQ(
      c.repos["backups"],
      nlohmann::json::parse(R"({"type":"fs","settings":{"location":"/mnt/b","compress":"true"}})"));
  EXPECT_NE(r.out.find("registered"), std::string::npos) << r.out;
}

TEST(CliRepoRegister, DryRunSaysSoFirstAndSendsNothing) {
  Cluster c;
  auto r = run_on(c, "repo register backups --type fs --location /mnt/b --dry-run");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(c.put_count(), 0u);
  const std::string all = r.out + r.err;
  EXPECT_EQ(all.rfind("dry run", 0), 0u) << all;
  auto j = run_on(c, "-o json repo register backups --type fs --location /mnt/b --dry-run");
  ASSERT_EQ(j.exit_code, 0) << j.err;
  EXPECT_TRUE(nlohmann::json::parse(j.out).value("dry_run", false)) << j.out;
  EXPECT_EQ(c.put_count(), 0u);
}

TEST(CliRepoRegister, SameSettingsChangeNothingOtherSettingsNeedReplace) {
  Cluster c;
  c.repos["backups"] = {{"type", "fs"}, {"settings", {{"location", "/mnt/b"}}}};
  auto same = run_on(c, "repo register backups --type fs --location /mnt/b");
  ASSERT_EQ(same.exit_code, 0) << same.err;
  EXPECT_EQ(c.put_count(), 0u);

  auto other = run_on(c, "repo register backups --type fs --location /mnt/other");
  EXPECT_EQ(other.exit_code, 8) << other.err;
  EXPECT_NE(other.err.find("--replace"), std::string::npos) << other.err;
  EXPECT_EQ(c.put_count(), 0u);

  // --replace without a terminal asks and, unasked, refuses; --yes goes ahead.
  auto asked = run_on(c, "repo register backups --type fs --location /mnt/other --replace");
  EXPECT_EQ(asked.exit_code, 8) << asked.err;
  EXPECT_EQ(c.put_count(), 0u);
  auto yes = run_on(c, "repo register backups --type fs --location /mnt/other --replace --yes");
  ASSERT_EQ(yes.exit_code, 0) << yes.err;
  EXPECT_EQ(c.put_count(), 1u);
}

TEST(CliRepoRegister, MissingPluginAndBadInputAreRefusedBeforeAnyPut) {
  Cluster c;
  auto s3 = run_on(c, "repo register archive --type s3 --bucket b");
  EXPECT_EQ(s3.exit_code, 8) << s3.err;
  EXPECT_NE(s3.err.find("repository-s3"), std::string::npos) << s3.err;
  EXPECT_EQ(run_on(c, "repo register x --type fs").exit_code, 2);  // no --location
  EXPECT_EQ(run_on(c, "repo register x --type fs --location /a --setting nokey").exit_code, 2);
  EXPECT_EQ(run_on(c, "repo register _all --type fs --location /a").exit_code, 2);
  EXPECT_EQ(c.put_count(), 0u);
  c.s3_plugin = true;
  auto ok = run_on(c, "repo register archive --type s3 --bucket b --base-path prod --readonly");
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(c.repos["archive"]["settings"],
            nlohmann::json::parse(R"({"bucket":"b","base_path":"prod","readonly":true})"));
}

}  // namespace
}  // namespace essnap
