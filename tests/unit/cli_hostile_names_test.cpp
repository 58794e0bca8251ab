// The hostile-input suite: hostile names fed through every command that puts a name into a
// request, against a loopback cluster that records what it is sent. For each (command, name)
// either the command exits 2 having sent nothing, or every request's path has exactly the
// intended structure: each raw segment is an API word or a comma list of the command's own
// names, each encoded as names::segment encodes it — so no name became "..", another API, a
// second segment, a query or a list. No run may crash (SIGABRT was exit 134).
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "essnap/cluster/names.hpp"
#include "support/loopback_server.hpp"
#include "support/process.hpp"

namespace essnap {
namespace {

using test::LoopbackServer;
using test::ServerRequest;
using test::ServerResponse;

const std::vector<std::string> kHostile = {"..",
                                           ".",
                                           "a/b",
                                           "a?b",
                                           "a#b",
                                           "%2e%2e",
                                           "_all",
                                           "*",
                                           "a,b",
                                           "a\xff\xfe",
                                           "a\xc3",
                                           std::string(300, 'a'),
                                           "",
                                           " ",
                                           ",",
                                           "a b",
                                           "Upper",
                                           "a\\b",
                                           "a\"b",
                                           "a|b",
                                           "a:b",
                                           "<x>",
                                           "a\nb",
                                           "+x",
                                           "../../_cluster/settings",
                                           "a%2Fb",
                                           "\xc0\xae\xc0\xae"};

// {argv with "@" where the hostile name goes}. The fixtures: repository "repo", snapshots
// "old" and "new", index "orders".
const std::vector<std::vector<std::string>> kCommands = {
    {"snapshot", "create", "@", "-r", "repo", "--no-wait"},
    {"snapshot", "create", "new", "-r", "@", "--no-wait"},
    {"snapshot", "create", "new", "-r", "repo", "-i", "@", "--no-wait"},
    {"snapshot", "create", "new", "-r", "repo", "-i", "orders,@", "--no-wait"},
    {"snapshot", "create", "new", "-r", "repo", "--metadata", "k=@", "--no-wait"},
    {"snapshot", "create", "new", "-r", "repo", "--metadata", "@=v", "--no-wait"},
    {"snapshot", "show", "@", "-r", "repo"},
    {"snapshot", "show", "old", "@", "-r", "repo"},
    {"snapshot", "show", "old", "-r", "@"},
    {"snapshot", "status", "-r", "@"},
    {"snapshot", "list", "-r", "@"},
    {"snapshot", "delete", "@", "-r", "repo", "--yes"},
    {"snapshot", "delete", "old", "-r", "@", "--yes"},
    {"snapshot", "clone", "@", "new", "-r", "repo"},
    {"snapshot", "clone", "old", "@", "-r", "repo"},
    {"snapshot", "clone", "old", "new", "-r", "@"},
    {"snapshot", "clone", "old", "new", "-r", "repo", "-i", "@"},
    {"restore", "@", "-r", "repo", "--no-wait", "--rename-suffix", "-copy"},
    {"restore", "old", "-r", "@", "--no-wait", "--rename-suffix", "-copy"},
    {"restore", "old", "-r", "repo", "-i", "@", "--no-wait", "--rename-suffix", "-copy"},
    {"restore", "old", "-r", "repo", "--no-wait", "--rename-suffix", "@"},
    {"restore", "old", "-r", "repo", "--no-wait", "--rename", "(.+):@"},
    {"restore", "old", "-r", "repo", "--no-wait", "--rename-suffix", "-c", "--index-settings",
     "index.x=@"},
    {"repo", "show", "@"},
    {"repo", "verify", "@"},
    {"repo", "cleanup", "@", "--yes"},
    {"repo", "remove", "@", "--yes"},
    {"prune", "-r", "@", "--policy", "p", "--keep-last", "1", "--yes"},
    {"prune", "-r", "repo", "--policy", "@", "--keep-last", "1", "--yes"},
};

ServerResponse hostile_cluster(const ServerRequest& r) {
  const std::string& t = r.target;
  if (t == "/")
    return ServerResponse::json(
        200, R"({"cluster_name":"c","version":{"distribution":"opensearch","number":"2.19.6"}})");
  if (t.starts_with("/_resolve/index"))
    return ServerResponse::json(200, R"({"indices":[{"name":"orders"}],"aliases":[]})");
  if (t.starts_with("/_cat/indices"))
    return ServerResponse::json(200, R"([{"index":"orders","status":"open","docs.count":"3"}])");
  if (t.find("/_status") != std::string::npos)
    return ServerResponse::json(200, R"({"snapshots":[]})");
  if (t.find("/_verify") != std::string::npos)
    return ServerResponse::json(200, R"({"nodes":{"n1":{"name":"node-1"}}})");
  if (t.find("/_cleanup") != std::string::npos)
    return ServerResponse::json(200, R"({"results":{"deleted_bytes":0,"deleted_blobs":0}})");
  if (r.method == "GET" && t == "/_snapshot/repo")
    return ServerResponse::json(200, R"({"repo":{"type":"fs","settings":{"location":"/x"}}})");
  if (r.method == "GET" && t.starts_with("/_snapshot/repo/"))
    return ServerResponse::json(
        200, R"({"snapshots":[{"snapshot":"old","state":"SUCCESS","version":"2.19.6",)"
             R"("version_id":136407827,"indices":["orders"],"start_time_in_millis":1,)"
             R"("metadata":{"policy":"p"}}]})");
  if (r.method == "GET") return ServerResponse::json(404, R"({"error":{"type":"x"},"status":404})");
  return ServerResponse::json(200, R"({"acknowledged":true,"accepted":true})");
}

// The raw path's segments, each either an API word or a list of the command's own names as
// names::segment writes them. Returns what is wrong, or "".
std::string structure_problem(const std::string& target, const std::string& hostile, bool in_list) {
  static const std::set<std::string> kApiWords = {
      "_snapshot", "_status",  "_clone", "_restore",  "_cat",    "indices", "_cluster",
      "health",    "_resolve", "index",  "_recovery", "_close",  "_count",  "_verify",
      "_cleanup",  "_nodes",   "_local", "_all",      "_refresh"};
  std::set<std::string> known;
  for (const char* n : {"repo", "old", "new", "orders", "orders-copy", "p", "*"})
    known.insert(cluster::names::segment(n));
  known.insert(cluster::names::segment(hostile));
  // Date math without a {now} part resolves to its text: "<x>" names snapshot "x".
  if (hostile.size() > 2 && hostile.front() == '<' && hostile.back() == '>')
    known.insert(cluster::names::segment(hostile.substr(1, hostile.size() - 2)));
  // In -i the argument is a list by definition: its elements are the intended names.
  if (in_list)
    for (std::size_t s = 0;;) {
      const auto comma = hostile.find(',', s);
      known.insert(cluster::names::segment(
          hostile.substr(s, comma == std::string::npos ? comma : comma - s)));
      if (comma == std::string::npos) break;
      s = comma + 1;
    }
  std::string path = target.substr(0, target.find('?'));
  if (path == "/") return "";
  if (!path.starts_with("/")) return "does not start with '/'";
  path.erase(0, 1);
  std::size_t start = 0;
  for (;;) {
    const auto slash = path.find('/', start);
    const std::string seg = path.substr(start, slash == std::string::npos ? slash : slash - start);
    if (seg.empty() || seg == "." || seg == "..") return "segment '" + seg + "'";
    if (!kApiWords.count(seg)) {
      std::size_t s = 0;
      for (;;) {
        const auto comma = seg.find(',', s);
        const std::string e = seg.substr(s, comma == std::string::npos ? comma : comma - s);
        if (!known.count(e)) return "segment element '" + e + "' is none of the intended names";
        if (comma == std::string::npos) break;
        s = comma + 1;
      }
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return "";
}

std::string shown(const std::string& s) {
  std::string out;
  for (unsigned char c : s)
    out += (c < 0x20 || c >= 0x7F) ? "\\x" + std::to_string(c) : std::string(1, char(c));
  return out.size() > 40 ? out.substr(0, 40) + "..." : out;
}

TEST(HostileNames, NoCommandSendsAPathOfAnotherShape) {
  int refused = 0, sent = 0;
  for (const auto& cmd : kCommands) {
    for (const auto& h : kHostile) {
      LoopbackServer server(hostile_cluster);
      test::Command c;
      c.clear_env = true;
      c.env = {{"PATH", "/usr/bin:/bin"}, {"HOME", "/nonexistent"}, {"ESSNAP_URL", server.url()}};
      c.argv = {ESSNAP_BINARY};
      bool in_list = false;
      for (const auto& a : cmd) {
        if (a.find('@') != std::string::npos) in_list = c.argv.back() == "-i";
        std::string arg = a;
        if (const auto at = arg.find('@'); at != std::string::npos) arg.replace(at, 1, h);
        c.argv.push_back(arg);
      }
      const auto r = test::run(c);
      std::string what;
      for (const auto& a : cmd) what += a + " ";
      what += "with '" + shown(h) + "'";
      ASSERT_FALSE(r.timed_out) << what;
      ASSERT_LT(r.exit_code, 128) << what << " crashed: " << r.err;
      const auto requests = server.requests();
      if (r.exit_code == 2) {
        ++refused;
        // Refused as a usage error: before any request, or (a name that only exists once the
        // snapshot is read, like a --rename target) after reads alone, each of the intended shape.
        for (const auto& q : requests) {
          EXPECT_TRUE(q.method == "GET" || q.method == "HEAD")
              << what << ": exit 2 but sent " << q.method << " " << q.target;
          EXPECT_EQ(structure_problem(q.target, h, in_list), "") << what << ": " << q.target;
        }
        continue;
      }
      ++sent;
      for (const auto& q : requests) {
        const auto problem = structure_problem(q.target, h, in_list);
        EXPECT_EQ(problem, "") << what << ": " << q.method << " " << q.target;
      }
    }
  }
  // Most hostile names are refused outright; some ("%2e%2e", a pattern where one is allowed)
  // are legal and must then travel as exactly one encoded name.
  EXPECT_GT(refused, sent);
}

TEST(HostileNames, TheIssueExamplesAreUsageErrorsWithNothingSent) {
  const std::vector<std::vector<std::string>> cases = {
      {"repo", "remove", "..", "--yes"},
      {"repo", "show", ".."},
      {"snapshot", "clone", "old", "..", "-r", "repo"},
      {"snapshot", "create", ".", "-r", "repo"},
      {"snapshot", "create", "new", "-r", "repo", "-i", ""},
      {"snapshot", "create", "new", "-r", "repo", "-i", ","},
      {"snapshot", "create", "new", "-r", "repo", "-i", " "},
      {"restore", "old", "-r", "repo", "-i", ""},
      {"restore", "old", "-r", "repo", "-i", ","},
      {"snapshot", "create", "new", "-r", "repo", "-i", "a\xff"},
      {"snapshot", "create", "new", "-r", "repo", "--metadata", "k=\xff"},
      {"restore", "old", "-r", "repo", "--rename-suffix", "\xff"},
      {"snapshot", "create", "new\xff", "-r", "repo"},
  };
  for (const auto& args : cases) {
    for (const char* output : {"text", "json"}) {
      LoopbackServer server(hostile_cluster);
      test::Command c;
      c.clear_env = true;
      c.env = {{"PATH", "/usr/bin:/bin"}, {"HOME", "/nonexistent"}, {"ESSNAP_URL", server.url()}};
      c.argv = {ESSNAP_BINARY, "-o", output};
      c.argv.insert(c.argv.end(), args.begin(), args.end());
      const auto r = test::run(c);
      std::string what;
      for (const auto& a : args) what += shown(a) + " ";
      EXPECT_EQ(r.exit_code, 2) << what << output << ": " << r.err << r.out;
      EXPECT_TRUE(server.requests().empty()) << what;
    }
  }
}

// A selection that matches nothing is refused before the PUT; a missing exact name is named.
TEST(HostileNames, SelectionsMeanWhatTheySay) {
  struct Case {
    std::vector<std::string> args;
    int exit;
    std::string says;
  };
  const Case cases[] = {
      {{"snapshot", "create", "new", "-r", "repo", "-i", "nomatch-*"}, 8, "matches nomatch-*"},
      {{"snapshot", "create", "new", "-r", "repo", "-i", "orders,missing"},
       6,
       "no index named missing"},
      {{"restore", "old", "-r", "repo", "-i", "nomatch-*"}, 8, "matches nomatch-*"},
      {{"restore", "old", "-r", "repo", "-i", "orders,missing", "--rename-suffix", "-copy"},
       6,
       "no index named missing in snapshot old"},
  };
  for (const auto& k : cases) {
    LoopbackServer server([](const ServerRequest& r) {
      if (r.target.starts_with("/_resolve/index")) {
        // The engine with ignore_unavailable: only what exists.
        if (r.target.find("orders") != std::string::npos)
          return ServerResponse::json(200, R"({"indices":[{"name":"orders"}]})");
        return ServerResponse::json(200, R"({"indices":[],"aliases":[],"data_streams":[]})");
      }
      return hostile_cluster(r);
    });
    test::Command c;
    c.clear_env = true;
    c.env = {{"PATH", "/usr/bin:/bin"}, {"HOME", "/nonexistent"}, {"ESSNAP_URL", server.url()}};
    c.argv = {ESSNAP_BINARY};
    c.argv.insert(c.argv.end(), k.args.begin(), k.args.end());
    const auto r = test::run(c);
    EXPECT_EQ(r.exit_code, k.exit) << k.args[0] << " " << k.args.back() << ": " << r.err;
    EXPECT_NE(r.err.find(k.says), std::string::npos) << r.err;
    for (const auto& q : server.requests())
      EXPECT_TRUE(q.method == "GET") << q.method << " " << q.target;
  }
  // --allow-empty takes the snapshot anyway.
  LoopbackServer server(hostile_cluster);
  test::Command c;
  c.clear_env = true;
  c.env = {{"PATH", "/usr/bin:/bin"}, {"HOME", "/nonexistent"}, {"ESSNAP_URL", server.url()}};
  c.argv = {ESSNAP_BINARY, "snapshot", "create",    "new",           "-r",
            "repo",        "-i",       "nomatch-*", "--allow-empty", "--no-wait"};
  const auto r = test::run(c);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  bool put = false;
  for (const auto& q : server.requests()) put = put || q.method == "PUT";
  EXPECT_TRUE(put);
}

}  // namespace
}  // namespace essnap
