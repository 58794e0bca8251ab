// Index patterns of any number in requests of bounded length (issue 21, item 7): 600 `-i`
// patterns became one 9 KB request line that the engines refuse (HTTP 400). The loopback
// cluster here refuses a request line over 4 KiB the way the engines do, and resolves patterns
// with the engines' glob and exclusion rules.
#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "essnap/cluster/client.hpp"
#include "essnap/cluster/pattern_chunks.hpp"
#include "essnap/cluster/search.hpp"
#include "essnap/cluster/snapshots.hpp"
#include "essnap/http/factory.hpp"
#include "essnap/util/glob.hpp"
#include "essnap/util/strings.hpp"
#include "essnap/util/url.hpp"
#include "support/loopback_server.hpp"

namespace essnap::cluster {
namespace {

using test::LoopbackServer;
using test::ServerRequest;
using test::ServerResponse;

std::vector<std::string> many_patterns(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back("logs-" + std::to_string(i) + "-*");
  return out;
}

TEST(PatternChunks, FewPatternsGoOutAsGiven) {
  const std::vector<std::string> p{"a*", "-ab*", "abc"};
  const auto chunks = pattern_chunks(p);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks.front(), p);
}

TEST(PatternChunks, ManyAreSplitBoundedAndInclusionsOnly) {
  auto p = many_patterns(600);
  p.push_back("-logs-1*");
  const auto chunks = pattern_chunks(p, 3000);
  ASSERT_GT(chunks.size(), 1u);
  std::size_t count = 0;
  for (const auto& c : chunks) {
    EXPECT_LE(util::join(c, ",").size(), 3000u);
    for (const auto& x : c) EXPECT_FALSE(x.starts_with("-")) << x;
    count += c.size();
  }
  EXPECT_EQ(count, 600u);
}

TEST(PatternChunks, ExclusionsApplyInOrderLikeTheEngines) {
  const std::vector<std::string> p{"a*", "-ab*", "abc"};
  EXPECT_TRUE(kept_after_exclusions(p, "ax"));
  EXPECT_FALSE(kept_after_exclusions(p, "abd"));
  EXPECT_TRUE(kept_after_exclusions(p, "abc"));  // added back by the later inclusion
  // A date-math or other non-glob inclusion that the engine resolved keeps its name.
  EXPECT_TRUE(kept_after_exclusions({"<logs-{now/d}>"}, "logs-2026.12.07"));
  EXPECT_FALSE(kept_after_exclusions({"<logs-{now/d}>", "-logs-*"}, "logs-2026.12.07"));
}

// A cluster that resolves `_resolve/index/...` and `_cat/indices/...` over a fixed set of names
// and refuses request lines over 4 KiB with the engines' 400.
struct ChunksFakeCluster {
  std::vector<std::string> indices;
  std::mutex mu;
  std::vector<std::string> targets;
  LoopbackServer server{[this](const ServerRequest& r) { return answer(r); }};

  std::vector<std::string> resolve(const std::string& list) {
    std::vector<std::string> out;
    for (const auto& name : indices) {
      bool in = false;
      for (const auto& raw : util::split(list, ',')) {
        const std::string p = util::percent_decode(raw).value();
        if (p.starts_with("-")) {
          if (util::glob_match(p.substr(1), name)) in = false;
        } else if (util::glob_match(p, name)) {
          in = true;
        }
      }
      if (in) out.push_back(name);
    }
    return out;
  }

  ServerResponse answer(const ServerRequest& r) {
    {
      std::lock_guard lock(mu);
      targets.push_back(r.target);
    }
    if (r.method.size() + 1 + r.target.size() + 9 > 4096)
      return ServerResponse::json(400, R"({"error":{"type":"too_long_http_line_exception",)"
                                       R"("reason":"An HTTP line is larger than 4096 bytes."},)"
                                       R"("status":400})");
    const std::string path = r.target.substr(0, r.target.find('?'));
    if (path.starts_with("/_resolve/index/")) {
      nlohmann::json j{{"indices", nlohmann::json::array()},
                       {"aliases", nlohmann::json::array()},
                       {"data_streams", nlohmann::json::array()}};
      for (const auto& n : resolve(path.substr(16))) j["indices"].push_back({{"name", n}});
      return ServerResponse::json(200, j.dump());
    }
    if (path.starts_with("/_cat/indices/")) {
      nlohmann::json j = nlohmann::json::array();
      for (const auto& n : resolve(path.substr(14)))
        j.push_back({{"index", n}, {"pri", "1"}, {"status", "open"}, {"docs.count", "1"}});
      return ServerResponse::json(200, j.dump());
    }
    return ServerResponse::json(404, "{}");
  }

  Client client() {
    http::TransportOptions o;
    o.retry.max_attempts = 1;
    return Client(http::make_transport(o), server.url());
  }
};

TEST(PatternChunks, SixHundredPatternsResolveInBoundedRequests) {
  ChunksFakeCluster cluster;
  for (int i = 0; i < 700; ++i) cluster.indices.push_back("logs-" + std::to_string(i) + "-a");
  auto patterns = many_patterns(600);
  patterns.push_back("-logs-1*");  // removes logs-1-a, logs-10-a, ..., logs-199-a (111 names)
  patterns.push_back("logs-150-*");
  auto c = cluster.client();

  auto names = resolve_indices(c, patterns);
  ASSERT_TRUE(names.ok()) << names.error().message;
  EXPECT_EQ(names->size(), 600u - 111u + 1u);
  EXPECT_NE(std::find(names->begin(), names->end(), "logs-150-a"), names->end());
  EXPECT_EQ(std::find(names->begin(), names->end(), "logs-15-a"), names->end());
  EXPECT_NE(std::find(names->begin(), names->end(), "logs-599-a"), names->end());

  auto open = resolve_open_indices(c, patterns);
  ASSERT_TRUE(open.ok()) << open.error().message;
  EXPECT_EQ(open->size(), names->size());
  EXPECT_TRUE(std::is_sorted(open->begin(), open->end(),
                             [](const auto& a, const auto& b) { return a.name < b.name; }));

  auto listed = list_indices(c, util::join(patterns, ","));
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  EXPECT_EQ(listed->size(), names->size());

  std::lock_guard lock(cluster.mu);
  EXPECT_GT(cluster.targets.size(), 3u);
  for (const auto& t : cluster.targets) EXPECT_LE(t.size(), 3100u) << t.substr(0, 80);
}

}  // namespace
}  // namespace essnap::cluster
