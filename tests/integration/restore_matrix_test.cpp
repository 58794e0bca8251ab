// The cross-version restore matrix, measured: every stack engine snapshots a small index into its
// own repository in the S3 mount; every engine then registers every repository read-only and
//   (a) asks the engine itself: the restore request, sent directly (restored, or refused + why);
//   (b) asks essnap: `essnap restore --dry-run` (exit 0: would restore; exit 8: refused).
// The two must agree on every ordered pair; where they differ essnap's rules (snapshot/compat)
// are wrong, not the test. With ESSNAP_WRITE_COMPAT_TABLE=FILE the measured table is written to
// FILE as markdown; docs/COMPATIBILITY.md holds the table of the last full run (see its header).
// A second test checks the index created-version rule with an index that crossed a major.
// Names start with "engmx-". Absent engines: FAIL when CI=true, else skip.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "essnap/cluster/client.hpp"
#include "support/cluster_fixture.hpp"
#include "support/essnap_cli.hpp"
#include "support/process.hpp"
#include "support/stack_engines.hpp"
#include "support/stack_env.hpp"

namespace essnap {
namespace {

using test::stack_var;

struct MatrixEngine {
  test::StackEngine ref;
  bool source_only = false;  // a row of the matrix, not a column (stack_source_engine_list)
  std::string key, label, url, location;  // location: its repository in the S3 mount
  std::unique_ptr<cluster::Client> client;
};

struct Outcome {
  bool restored = false;
  std::string reason;  // the engine's error type and reason, or essnap's message
};

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The engine's root cause, "type: reason", from an error body; the raw body when not JSON.
std::string engine_reason(const http::Response& r) {
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    const auto& e = j["error"];
    const auto& rc =
        e.contains("root_cause") && e["root_cause"].is_array() && !e["root_cause"].empty()
            ? e["root_cause"][0]
            : e;
    return rc.value("type", "") + ": " + rc.value("reason", "");
  }
  return "HTTP " + std::to_string(r.status) + ": " + r.body.substr(0, 200);
}

// essnap's one-line refusal: the first line of stderr that says "refused", else the first line.
std::string essnap_reason(const std::string& err) {
  std::string first;
  size_t pos = 0;
  while (pos < err.size()) {
    auto nl = err.find('\n', pos);
    std::string line = err.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    if (line.rfind("essnap: ", 0) == 0) line = line.substr(8);
    if (first.empty() && !line.empty()) first = line;
    if (line.find("refused") != std::string::npos) return line;
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  return first;
}

// Stable across runs: without this run's pid in names, and without the engines'
// "[repo:snapshot/uuid] " prefix.
std::string md_cell(std::string s) {
  static const std::regex pid("-" + std::to_string(::getpid()) + "\\b");
  static const std::regex where(R"(\[[^\] ]*/[A-Za-z0-9_-]{22}\] )");
  s = std::regex_replace(std::regex_replace(s, where, ""), pid, "");
  for (auto& c : s)
    if (c == '|' || c == '\n') c = ' ';
  if (s.size() > 420) s = s.substr(0, 417) + "...";
  return s;
}

class RestoreMatrix : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<std::pair<test::StackEngine, bool>> refs;
    for (const auto& ref : test::stack_engine_list()) refs.emplace_back(ref, false);
    for (const auto& ref : test::stack_source_engine_list()) refs.emplace_back(ref, true);
    for (const auto& [ref, source_only] : refs) {
      const std::string key = test::stack_engine_key(ref);
      const std::string s3 = "ESSNAP_TEST_" + key + "_S3_REPO_PATH";
      if (auto missing = test::stack_missing({ref.url_var, s3.c_str()})) {
        if (test::in_ci()) FAIL() << *missing << " (CI=true: integration tests do not skip)";
        skipped_.push_back(key);
        continue;
      }
      MatrixEngine e;
      e.ref = ref;
      e.source_only = source_only;
      e.key = key;
      e.label = test::stack_engine_label(ref);
      e.url = stack_var(ref.url_var);
      e.location = stack_var(s3) + "/engmx-" + std::to_string(::getpid());
      e.client = test::test_client(e.url);
      engines_.push_back(std::move(e));
    }
    if (engines_.size() < 2) GTEST_SKIP() << "fewer than two engines in the stack";
    // Table order: Elasticsearch, then OpenSearch, each by version.
    std::sort(engines_.begin(), engines_.end(), [](const MatrixEngine& a, const MatrixEngine& b) {
      auto v = [](const MatrixEngine& e) {
        auto p = cluster::Version::parse(stack_var("ESSNAP_TEST_" + e.key + "_VERSION"));
        return p.ok() ? *p : cluster::Version{};
      };
      const bool ao = a.key.rfind("OPENSEARCH", 0) == 0, bo = b.key.rfind("OPENSEARCH", 0) == 0;
      if (ao != bo) return bo;
      return v(a) < v(b);
    });
  }
  void TearDown() override {
    for (auto& t : engines_) {
      for (auto& s : engines_) (void)t.client->json("DELETE", "/_snapshot/" + repo_from(s));
      for (const auto& i : made_indices_[t.key]) (void)t.client->json("DELETE", "/" + i);
    }
    for (auto& s : engines_) {
      test::drop_repository(*s.client, own_repo());
      std::error_code ec;
      std::filesystem::remove_all(s.location, ec);
    }
  }

  std::string own_repo() const { return "engmx-own-" + std::to_string(::getpid()); }
  std::string repo_from(const MatrixEngine& s) const {
    return "engmx-from-" + lower(s.key) + "-" + std::to_string(::getpid());
  }
  std::string index_of(const MatrixEngine& s) const { return "engmx-" + lower(s.key); }

  // A one-document index, snapshotted into the engine's repository in the S3 mount.
  void snapshot_source(MatrixEngine& s, const std::string& index, const std::string& snap) {
    auto& c = *s.client;
    ASSERT_TRUE(
        c.json("PUT", "/" + index,
               nlohmann::json{{"settings", {{"number_of_shards", 1}, {"number_of_replicas", 0}}}})
            .ok())
        << s.label;
    made_indices_[s.key].push_back(index);
    ASSERT_TRUE(
        c.json("PUT", "/" + index + "/_doc/1?refresh=true", nlohmann::json{{"from", s.label}})
            .ok());
    auto r = c.json("PUT", "/_snapshot/" + snap + "?wait_for_completion=true",
                    nlohmann::json{{"indices", index}, {"include_global_state", false}});
    ASSERT_TRUE(r.ok()) << s.label << ": " << r.error().message;
    ASSERT_EQ((*r)["snapshot"].value("state", ""), "SUCCESS") << r->dump();
  }

  // (a) the engine: POST _restore with a rename, then the restored document is there.
  Outcome engine_restores(MatrixEngine& t, const std::string& repo, const std::string& snap,
                          const std::string& index, const std::string& as) {
    cluster::Call call;
    call.method = "POST";
    call.path = "/_snapshot/" + repo + "/" + snap + "/_restore?wait_for_completion=true";
    call.body = nlohmann::json{
        {"indices", index},
        {"rename_pattern", "(.+)"},
        {"rename_replacement", as},
        {"include_aliases", false},
        {"include_global_state",
         false}}.dump();
    call.idempotency = http::Idempotency::kNonIdempotent;
    auto r = t.client->send(call);
    if (!r.ok()) return {false, "no answer: " + r.error().message};
    if (r->status >= 300) return {false, engine_reason(*r)};
    made_indices_[t.key].push_back(as);
    auto n = t.client->json("GET", "/" + as + "/_count");
    if (!n.ok() || (*n).value("count", -1) != 1)
      return {false, "restore answered " + std::to_string(r->status) + " but " + as +
                         " does not hold the document"};
    return {true, ""};
  }

  // (b) essnap: restore --dry-run against the target; exit 0 = would restore, 8 = refused.
  Outcome essnap_decides(MatrixEngine& t, const std::string& repo, const std::string& snap,
                         const std::string& index, const std::string& suffix) {
    auto r = test::run(test::essnap_command(t.url, "restore " + snap + " -r " + repo + " -i " +
                                                       index + " --rename-suffix " + suffix +
                                                       " --dry-run --auth none"));
    if (r.exit_code == 0) return {true, ""};
    std::string why = essnap_reason(r.err);
    if (r.exit_code != 8) why = "exit " + std::to_string(r.exit_code) + ": " + why;
    return {false, why};
  }

  std::vector<MatrixEngine> engines_;
  std::vector<std::string> skipped_;
  std::map<std::string, std::vector<std::string>> made_indices_;
  std::vector<std::string> created_rows_;
};

TEST_F(RestoreMatrix, EssnapDecidesAsTheEngineOnEveryPair) {
  const std::string snap = "m1";
  for (auto& s : engines_) {
    ASSERT_TRUE(test::register_fs_repository(*s.client, own_repo(), s.location)) << s.label;
    ASSERT_NO_FATAL_FAILURE(snapshot_source(s, index_of(s), own_repo() + "/" + snap));
  }
  struct Cell {
    Outcome engine, essnap;
  };
  std::map<std::pair<std::string, std::string>, Cell> cells;  // (source, target)
  for (auto& t : engines_) {
    if (t.source_only) continue;
    for (auto& s : engines_) {
      const std::string repo = repo_from(s);
      auto reg = t.client->json(
          "PUT", "/_snapshot/" + repo,
          nlohmann::json{{"type", "fs"},
                         {"settings", {{"location", s.location}, {"readonly", true}}}});
      ASSERT_TRUE(reg.ok()) << t.label << " registering " << s.label
                            << "'s repository read-only: " << reg.error().message;
      const std::string as = index_of(s) + "-into-" + lower(t.key);
      Cell cell;
      // essnap first: a dry run changes nothing, so the engine's restore cannot influence it.
      cell.essnap = essnap_decides(t, repo, snap, index_of(s), "-into-" + lower(t.key));
      cell.engine = engine_restores(t, repo, snap, index_of(s), as);
      EXPECT_EQ(cell.essnap.restored, cell.engine.restored)
          << s.label << " -> " << t.label << "\n  engine: "
          << (cell.engine.restored ? "restored" : "refused: " + cell.engine.reason)
          << "\n  essnap: " << (cell.essnap.restored ? "would restore" : cell.essnap.reason);
      if (!cell.essnap.restored)
        EXPECT_NE(cell.essnap.reason.find("refused"), std::string::npos)
            << s.label << " -> " << t.label << ": essnap's refusal is a pre-flight refusal (exit "
            << "8), not an error: " << cell.essnap.reason;
      (void)t.client->json("DELETE", "/" + as);
      (void)t.client->json("DELETE", "/_snapshot/" + repo);
      cells[{s.key, t.key}] = cell;
    }
  }

  std::ostringstream grid;
  grid << "| source \\ target |";
  for (auto& t : engines_)
    if (!t.source_only) grid << " " << t.label << " |";
  grid << "\n|---|";
  for (auto& t : engines_)
    if (!t.source_only) grid << "---|";
  grid << "\n";
  for (auto& s : engines_) {
    grid << "| **" << s.label << "** |";
    for (auto& t : engines_) {
      if (t.source_only) continue;
      const auto& c = cells[{s.key, t.key}];
      grid << " " << (c.engine.restored ? "restored" : "refused") << " |";
    }
    grid << "\n";
  }
  // With every engine of the list, the measured grid is the one docs/COMPATIBILITY.md shows.
  if (skipped_.empty()) {
    std::ifstream doc(std::string(ESSNAP_SOURCE_DIR) + "/docs/COMPATIBILITY.md");
    std::stringstream text;
    text << doc.rdbuf();
    EXPECT_NE(text.str().find(grid.str()), std::string::npos)
        << "docs/COMPATIBILITY.md does not hold the measured table; regenerate it with "
           "scripts/compat-table.sh. Measured:\n"
        << grid.str();
  }
  const std::string out = stack_var("ESSNAP_WRITE_COMPAT_TABLE");
  if (out.empty()) return;
  std::ofstream f(out);
  f << grid.str();
  f << "\nEvery refusal, the engine's reason and essnap's (`restore --dry-run`) message:\n\n"
    << "| source | target | the engine says | essnap says |\n|---|---|---|---|\n";
  for (auto& s : engines_)
    for (auto& t : engines_) {
      if (t.source_only) continue;
      const auto& c = cells[{s.key, t.key}];
      if (c.engine.restored && c.essnap.restored) continue;
      f << "| " << s.label << " | " << t.label << " | "
        << md_cell(c.engine.restored ? "restored" : c.engine.reason) << " | "
        << md_cell(c.essnap.restored ? "would restore" : c.essnap.reason) << " |\n";
    }
  if (!skipped_.empty()) {
    f << "\nNot in this run's stack:";
    for (const auto& k : skipped_) f << " " << k;
    f << "\n";
  }
}

// The created-version rule: an index keeps the version that created it through a restore, and
// the engines check that version, not the snapshot's. Elasticsearch 7.17 -> 8.19 -> snapshot ->
// 9.2, and Elasticsearch 7.10.2 -> OpenSearch 2 -> snapshot -> OpenSearch 3: the snapshot is
// from the major before the target, the index is not. essnap's dry run cannot see the created
// version (the snapshot listing does not carry it) and says it would restore; the engine
// refuses, and essnap's real restore reports that refusal as one (exit 8) with the way out.
TEST_F(RestoreMatrix, AnIndexKeepsItsCreatedVersionAcrossARestore) {
  auto find = [&](const std::string& key) -> MatrixEngine* {
    for (auto& e : engines_)
      if (e.key == key) return &e;
    return nullptr;
  };
  const std::vector<std::array<const char*, 3>> chains{
      {"ELASTICSEARCH6", "ELASTICSEARCH7", "ELASTICSEARCH"},
      {"ELASTICSEARCH7", "ELASTICSEARCH", "ELASTICSEARCH9"},
      {"ELASTICSEARCH710", "OPENSEARCH", "OPENSEARCH3"}};
  int ran = 0;
  for (const auto& [first, middle, last] : chains) {
    MatrixEngine* a = find(first);
    MatrixEngine* b = find(middle);
    MatrixEngine* c = find(last);
    if (!a || !b || !c) continue;
    ++ran;
    const std::string index = "engmx-created-" + lower(a->key);
    const std::string carried = index + "-in-" + lower(b->key);
    ASSERT_TRUE(test::register_fs_repository(*a->client, own_repo(), a->location));
    ASSERT_NO_FATAL_FAILURE(snapshot_source(*a, index, own_repo() + "/c1"));
    // Into the middle engine (a major up): restored, created version still the first engine's.
    const std::string from_a = repo_from(*a);
    ASSERT_TRUE(
        b->client
            ->json("PUT", "/_snapshot/" + from_a,
                   nlohmann::json{{"type", "fs"},
                                  {"settings", {{"location", a->location}, {"readonly", true}}}})
            .ok());
    auto into_b = engine_restores(*b, from_a, "c1", index, carried);
    ASSERT_TRUE(into_b.restored) << a->label << " -> " << b->label << ": " << into_b.reason;
    (void)b->client->json("DELETE", "/_snapshot/" + from_a);
    auto settings = b->client->json("GET", "/" + carried + "/_settings/index.version.created");
    ASSERT_TRUE(settings.ok());
    const std::string created =
        (*settings)[carried]["settings"]["index"]["version"].value("created", "");
    EXPECT_EQ(created.substr(0, 1), stack_var("ESSNAP_TEST_" + a->key + "_VERSION").substr(0, 1))
        << "the restored index keeps its created version: " << settings->dump();
    // The middle engine snapshots it; the last engine is asked.
    ASSERT_TRUE(test::register_fs_repository(*b->client, own_repo(), b->location));
    auto snap =
        b->client->json("PUT", "/_snapshot/" + own_repo() + "/c2?wait_for_completion=true",
                        nlohmann::json{{"indices", carried}, {"include_global_state", false}});
    ASSERT_TRUE(snap.ok()) << snap.error().message;
    const std::string from_b = repo_from(*b);
    ASSERT_TRUE(
        c->client
            ->json("PUT", "/_snapshot/" + from_b,
                   nlohmann::json{{"type", "fs"},
                                  {"settings", {{"location", b->location}, {"readonly", true}}}})
            .ok());
    auto dry = essnap_decides(*c, from_b, "c2", carried, "-final");
    auto engine = engine_restores(*c, from_b, "c2", carried, carried + "-direct");
    EXPECT_FALSE(engine.restored) << a->label << " index via " << b->label << " into " << c->label;
    EXPECT_TRUE(dry.restored) << "the dry run sees the snapshot's version only: " << dry.reason;
    // The real restore: refused by the engine, reported as a refusal with the way out.
    auto real = test::run(
        test::essnap_command(c->url, "restore c2 -r " + from_b + " -i " + carried +
                                         " --rename-suffix -final --no-wait --auth none"));
    EXPECT_EQ(real.exit_code, 8) << real.err;
    EXPECT_NE(real.err.find("created"), std::string::npos) << real.err;
    EXPECT_NE(real.err.find("reindex"), std::string::npos) << real.err;
    created_rows_.push_back("| " + a->label + " | " + b->label + " | " + c->label + " | " +
                            md_cell(engine.restored ? "restored" : engine.reason) + " | " +
                            md_cell(essnap_reason(real.err)) + " |");
    (void)c->client->json("DELETE", "/_snapshot/" + from_b);
    (void)c->client->json("DELETE", "/" + carried + "-final");
    test::drop_repository(*b->client, own_repo());
    test::drop_repository(*a->client, own_repo());
  }
  if (ran == 0) GTEST_SKIP() << "the stack runs neither chain of three engines";
  const std::string out = stack_var("ESSNAP_WRITE_COMPAT_TABLE");
  if (out.empty()) return;
  std::ofstream f(out, std::ios::app);
  f << "\nAn index created one major before the snapshot's (the created-version rule):\n\n"
    << "| index created in | restored into, then snapshotted | restored into | the engine says "
       "| essnap restore says |\n|---|---|---|---|---|\n";
  for (const auto& row : created_rows_) f << row << "\n";
}

// OpenSearch 1.x and 2.x with compatibility.override_main_response_version (the setting managed
// domains turn on for old Elasticsearch clients) say "7.10.2" on GET /. essnap must still see
// OpenSearch, or it would refuse an OpenSearch 1 -> 2 restore as "Elasticsearch cannot read
// OpenSearch indices". The setting is reset whatever happens.
TEST_F(RestoreMatrix, OpenSearchInCompatibilityModeIsStillOpenSearch) {
  MatrixEngine* os1 = nullptr;
  MatrixEngine* os2 = nullptr;
  for (auto& e : engines_) {
    if (e.key == "OPENSEARCH1") os1 = &e;
    if (e.key == "OPENSEARCH") os2 = &e;
  }
  if (!os1 || !os2) GTEST_SKIP() << "needs OpenSearch 1 and 2";
  const auto compat = [&](MatrixEngine& e, bool on) {
    return e.client
        ->json("PUT", "/_cluster/settings",
               nlohmann::json{{"persistent",
                               {{"compatibility.override_main_response_version",
                                 on ? nlohmann::json(true) : nlohmann::json(nullptr)}}}})
        .ok();
  };
  struct Reset {
    std::function<void()> f;
    ~Reset() { f(); }
  } reset{[&] {
    (void)compat(*os1, false);
    (void)compat(*os2, false);
  }};
  ASSERT_TRUE(test::register_fs_repository(*os1->client, own_repo(), os1->location));
  ASSERT_NO_FATAL_FAILURE(snapshot_source(*os1, index_of(*os1), own_repo() + "/k1"));
  const std::string repo = repo_from(*os1);
  ASSERT_TRUE(
      os2->client
          ->json("PUT", "/_snapshot/" + repo,
                 nlohmann::json{{"type", "fs"},
                                {"settings", {{"location", os1->location}, {"readonly", true}}}})
          .ok());
  ASSERT_TRUE(compat(*os1, true));
  ASSERT_TRUE(compat(*os2, true));
  auto root = os2->client->send(cluster::Call{});
  ASSERT_TRUE(root.ok());
  ASSERT_NE(root->body.find("\"7.10.2\""), std::string::npos) << "the mode is on: " << root->body;

  for (MatrixEngine* t : {os2, os1}) {
    const std::string r = t == os1 ? own_repo() : repo;
    auto plan = test::run(
        test::essnap_command(t->url, "restore k1 -r " + r + " -i " + index_of(*os1) +
                                         " --rename-suffix -compat --dry-run --auth none"));
    EXPECT_EQ(plan.exit_code, 0) << t->label << ": " << plan.err;
    EXPECT_NE((plan.out + plan.err).find("into " + t->label), std::string::npos)
        << "essnap names the real engine: " << plan.out << plan.err;
  }
  (void)os2->client->json("DELETE", "/_snapshot/" + repo);
}

}  // namespace
}  // namespace essnap
