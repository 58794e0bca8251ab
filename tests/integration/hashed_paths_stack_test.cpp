// OpenSearch's hashed shard paths with a base path, end to end on the stack: OpenSearch 3.3.0
// writes a real repository (an fs repository with base_path "<id>/snaps" and shard_path_type
// hashed_prefix or hashed_infix, two shards, two snapshots); its blobs are laid out in the stack's
// S3 exactly as OpenSearch's S3 repository with base_path "<id>/snaps" lays them out (the fs
// location is the engine's blob-store root, as the bucket is: every blob at its path from the
// location, so hashed_prefix shard folders land at <hash>/<id>/snaps/indices/... beside the
// prefix). Then `essnap inspect` over s3://BUCKET/<id>/snaps lists the snapshots as the engine
// lists them, verifies every data blob (--read-data), accounts them (du: the engine's _status
// sizes) and finds no orphan; `repo sync` copies it into another prefix in the same layout, which
// verifies. And `essnap setup`'s role policy allows every PUT of that layout and nothing outside
// the bucket, by moto's SimulatePrincipalPolicy.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <string>

#include "essnap/aws/credentials.hpp"
#include "essnap/blob/s3_store.hpp"
#include "essnap/cluster/client.hpp"
#include "essnap/iam/iam.hpp"
#include "essnap/setup/documents.hpp"
#include "support/cluster_fixture.hpp"
#include "support/stack_env.hpp"
#include "support/stack_s3_process.hpp"

namespace essnap {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::stack_var;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::unique_ptr<blob::S3Store> bucket_store() {
  aws::Credentials creds;
  creds.access_key_id = stack_var("ESSNAP_TEST_S3_ACCESS_KEY_ID");
  creds.secret_access_key = stack_var("ESSNAP_TEST_S3_SECRET_ACCESS_KEY");
  blob::S3StoreOptions o;
  o.bucket = stack_var("ESSNAP_TEST_S3_BUCKET");
  o.client.endpoint = {stack_var("ESSNAP_TEST_S3_ENDPOINT"), "us-east-1"};
  o.client.addressing = s3::AddressingStyle::kPath;
  o.client.credentials = aws::make_static_provider(creds);
  return std::make_unique<blob::S3Store>(o);
}

// One repository written by OpenSearch 3.3 with `type`, laid out in the bucket; removed after.
class HashedPathsStack : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ESSNAP_REQUIRE_STACK("ESSNAP_TEST_OPENSEARCH3_URL", "ESSNAP_TEST_OPENSEARCH3_FS_REPO_PATH",
                         "ESSNAP_TEST_S3_ENDPOINT", "ESSNAP_TEST_S3_BUCKET",
                         "ESSNAP_TEST_S3_ACCESS_KEY_ID", "ESSNAP_TEST_S3_SECRET_ACCESS_KEY");
    id_ = test::test_id("hashed") + "-" + (GetParam() == "hashed_prefix" ? "p" : "i");
    base_ = id_ + "/snaps";
    dst_base_ = id_ + "-dst/copy";
    location_ = stack_var("ESSNAP_TEST_OPENSEARCH3_FS_REPO_PATH") + "/" + id_;
    client_ = test::test_client(stack_var("ESSNAP_TEST_OPENSEARCH3_URL"));
    bucket_ = bucket_store();
  }
  void TearDown() override {
    if (!client_) return;
    test::drop_repository(*client_, id_);
    (void)client_->json("DELETE", "/" + id_ + "-idx");
    std::error_code ec;
    fs::remove_all(location_, ec);
    // Every key this test put: its prefixes, and the hash folders beside them.
    std::vector<std::string> keys;
    auto collect = [&](const std::string& dir) {
      (void)bucket_->walk(dir, [&](const blob::BlobInfo& b) {
        keys.push_back(b.name);
        return ok_status();
      });
    };
    collect(id_);
    collect(id_ + "-dst");
    for (const auto& h : hashes_) {
      collect(h + "/" + id_);
      collect(h + "/" + id_ + "-dst");
    }
    for (std::size_t i = 0; i < keys.size(); i += 500)
      (void)bucket_->remove(std::vector<std::string>(
          keys.begin() + i, keys.begin() + std::min(keys.size(), i + 500)));
  }

  void put(const std::string& path, const json& body) {
    auto r = client_->json("PUT", path, body, http::Idempotency::kNonIdempotent);
    ASSERT_TRUE(r.ok()) << path << ": " << r.error().message;
  }
  void docs(int from, int to) {
    for (int i = from; i <= to; ++i) {
      auto r =
          client_->json("POST", "/" + id_ + "-idx/_doc",
                        json{{"n", i}, {"t", "hashed shard paths document " + std::to_string(i)}},
                        http::Idempotency::kNonIdempotent);
      ASSERT_TRUE(r.ok()) << r.error().message;
    }
    ASSERT_TRUE(client_->json("POST", "/" + id_ + "-idx/_refresh").ok());
  }

  // The engine writes; every file then goes to the bucket at its path from the location.
  void write_and_lay_out() {
    put("/" + id_ + "-idx",
        json{{"settings", {{"number_of_shards", 2}, {"number_of_replicas", 0}}}});
    put("/_snapshot/" + id_, json{{"type", "fs"},
                                  {"settings",
                                   {{"location", location_},
                                    {"base_path", base_},
                                    {"shard_path_type", GetParam()},
                                    {"compress", true},
                                    {"chunk_size", "4kb"}}}});
    docs(1, 60);
    put("/_snapshot/" + id_ + "/s1?wait_for_completion=true",
        json{{"indices", id_ + "-idx"}, {"include_global_state", false}});
    docs(61, 120);
    put("/_snapshot/" + id_ + "/s2?wait_for_completion=true",
        json{{"indices", id_ + "-idx"}, {"include_global_state", false}});
    for (const auto& e : fs::recursive_directory_iterator(location_)) {
      if (!e.is_regular_file()) continue;
      const std::string key = fs::relative(e.path(), location_).generic_string();
      const std::string first = key.substr(0, key.find('/'));
      if (first != id_) hashes_.insert(first);
      ASSERT_TRUE(bucket_->put(key, slurp(e.path())).ok()) << key;
    }
    // The layout is the engine's: hashed_prefix beside the base path, hashed_infix inside.
    ASSERT_EQ(hashes_.empty(), GetParam() == "hashed_infix");
  }

  json essnap_json(const std::string& args, int want_exit) {
    auto r = test::run_essnap_with_stack_s3("-o json " + args);
    EXPECT_EQ(r.exit_code, want_exit) << args << "\n" << r.out << r.err;
    auto j = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << args << "\n" << r.out << r.err;
    return j.is_discarded() ? json::object() : j;
  }
  std::string s3(const std::string& prefix) const {
    return "s3://" + stack_var("ESSNAP_TEST_S3_BUCKET") + "/" + prefix;
  }

  std::string id_, base_, dst_base_, location_;
  std::set<std::string> hashes_;
  std::unique_ptr<cluster::Client> client_;
  std::unique_ptr<blob::S3Store> bucket_;
};

TEST_P(HashedPathsStack, AnS3RepositoryWithABasePathIsListedVerifiedAccountedAndSynced) {
  ASSERT_NO_FATAL_FAILURE(write_and_lay_out());
  const std::string repo = s3(base_);

  auto list = essnap_json("inspect snapshots " + repo, 0);
  ASSERT_EQ(list["snapshots"].size(), 2u) << list.dump();
  for (const auto& s : list["snapshots"]) {
    EXPECT_EQ(s["state"], "SUCCESS");
    EXPECT_EQ(s["shards"]["successful"], 2);
  }

  auto v = essnap_json("inspect verify --read-data " + repo, 0);
  EXPECT_EQ(v["intact"], true) << v.dump(2);
  EXPECT_GT(v["data_files_read"].get<int>(), 0) << v.dump();
  EXPECT_EQ(v["data_files_read"], v["data_files"]);

  // du: what the engine says each snapshot holds.
  auto du = essnap_json("inspect du " + repo, 0);
  ASSERT_EQ(du["snapshots"].size(), 2u) << du.dump();
  for (const auto& s : du["snapshots"]) {
    auto st =
        client_->json("GET", "/_snapshot/" + id_ + "/" + s["name"].get<std::string>() + "/_status");
    ASSERT_TRUE(st.ok());
    const json& stats = (*st)["snapshots"][0]["stats"];
    EXPECT_EQ(s["total_bytes"], stats["total"]["size_in_bytes"]) << s.dump();
    EXPECT_EQ(s["files"], stats["total"]["file_count"]) << s.dump();
  }
  // The same repository read as the directory the engine wrote (base_path inside location).
  auto du_dir = essnap_json("inspect du " + location_ + "/" + base_, 0);
  EXPECT_EQ(du_dir["data_bytes"], du["data_bytes"]);

  auto o = essnap_json("inspect orphans " + repo, 0);
  EXPECT_TRUE(o["orphans"].empty()) << o.dump(2);

  // repo sync into another prefix: DST in the same layout relative to its own prefix.
  auto synced = essnap_json("repo sync " + repo + " " + s3(dst_base_), 0);
  auto dv = essnap_json("inspect verify --read-data " + s3(dst_base_), 0);
  EXPECT_EQ(dv["intact"], true) << dv.dump(2);
  EXPECT_EQ(dv["data_files_read"], v["data_files_read"]);
  for (const auto& h : hashes_) {
    auto l = bucket_->list(h + "/" + dst_base_ + "/indices");
    ASSERT_TRUE(l.ok());
    EXPECT_EQ(l->children.size(), 1u) << h << ": DST's shard folder beside its prefix";
  }
  auto again = essnap_json("repo sync " + repo + " " + s3(dst_base_), 0);
  EXPECT_EQ(again["plan"]["add"].size(), 0u) << again.dump();
}

INSTANTIATE_TEST_SUITE_P(Types, HashedPathsStack,
                         ::testing::Values("hashed_prefix", "hashed_infix"), [](const auto& info) {
                           return info.param == "hashed_prefix" ? std::string("HashedPrefix")
                                                                : std::string("HashedInfix");
                         });

// The role policy `essnap setup` writes for a prefix on OpenSearch 3.x allows every PUT (and GET,
// DELETE) of a hashed_prefix repository's layout — the keys OpenSearch 3.3 wrote above, the root
// blobs and metadata under the prefix — and nothing outside the bucket, nor beside the prefix
// outside the engine's folders. Checked with moto's SimulatePrincipalPolicy on a user holding it.
TEST(HashedPathsPolicy, SetupsRolePolicyAllowsEveryPutOfTheLayoutAndNothingOutsideTheBucket) {
  ESSNAP_REQUIRE_STACK("ESSNAP_TEST_AWS_ENDPOINT", "ESSNAP_TEST_AWS_ACCESS_KEY_ID",
                       "ESSNAP_TEST_AWS_SECRET_ACCESS_KEY");
  auto transport = http::make_transport({});
  aws::Credentials creds;
  creds.access_key_id = stack_var("ESSNAP_TEST_AWS_ACCESS_KEY_ID");
  creds.secret_access_key = stack_var("ESSNAP_TEST_AWS_SECRET_ACCESS_KEY");
  iam::IamClient iam(*transport, {stack_var("ESSNAP_TEST_AWS_ENDPOINT"), "us-east-1", "test"},
                     aws::make_static_provider(creds));
  const std::string bucket = "hashed-policy-" + std::to_string(::getpid());
  const std::string prefix = "clusters/logs";

  setup::SetupOptions o;
  o.bucket = bucket;
  o.prefix = prefix;
  o.region = "us-east-1";
  const auto engine = setup::engine_shard_paths(true, 3, 3);  // OpenSearch 3.3
  const json policy = setup::role_policy(aws::partition_for_region("us-east-1"), bucket, prefix, "",
                                         setup::hashed_prefix_grant(o, engine));

  // A role holding exactly that policy (the role setup makes holds it inline too).
  const std::string role = "hashed-policy-role-" + std::to_string(::getpid());
  const json trust = setup::trust_policy("123456789012");
  auto made = iam.create_role({role, trust, "essnap hashed shard paths test", ""});
  ASSERT_TRUE(made.ok()) << made.error().message;
  ASSERT_TRUE(iam.put_role_policy({role, setup::kRolePolicyName, policy}).ok());
  const std::string arn = made->role.arn;

  auto decide = [&](const std::string& action, const std::string& key) {
    const std::string resource = "arn:aws:s3:::" + key;
    auto r = iam.simulate_principal_policy({arn, {action}, {resource}});
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() && !r->results.empty() ? r->results[0].decision : std::string("error");
  };
  // The keys OpenSearch 3.3 writes for a repository with that base path (hashes computed as the
  // engine computes them, checked against a real 3.3 layout in format's unit test).
  std::vector<std::string> puts = {
      bucket + "/" + prefix + "/index-0",
      bucket + "/" + prefix + "/index.latest",
      bucket + "/" + prefix + "/snap-oW5I_JI7Qz-B8iQ_Cd6WLw.dat",
      bucket + "/" + prefix + "/meta-oW5I_JI7Qz-B8iQ_Cd6WLw.dat",
      bucket + "/" + prefix + "/indices/aItlkA8fS0-MNYGrId24vw/meta-nUgEMaIBccRiRU4FORXF.dat",
      bucket + "/" + prefix +
          "/snapshot_shard_paths/snapshot_path_aItlkA8fS0-MNYGrId24vw.logs.2.1.1",
      bucket + "/" + prefix + "/tests-Xb9/master.dat",
  };
  for (const char* id : {"aItlkA8fS0-MNYGrId24vw", "FIEQyEdrQsSOyseLOC0tkw"})
    for (int shard = 0; shard < 3; ++shard) {
      const std::string folder = format::engine_shard_folder(
          format::ShardPathType::kHashedPrefix, format::PathHashAlgorithm::kFnv1aComposite1, prefix,
          id, shard);
      for (const char* blob : {"index-3WEnYZxfQbGE4XJ0prea7w", "snap-oW5I_JI7Qz-B8iQ_Cd6WLw.dat",
                               "__y3gCNa8ZS0iPk4pl6wBzyQ", "__y3gCNa8ZS0iPk4pl6wBzyQ.part1"})
        puts.push_back(bucket + "/" + folder + blob);
    }
  for (const auto& key : puts)
    for (const char* action : {"s3:PutObject", "s3:GetObject", "s3:DeleteObject"})
      EXPECT_EQ(decide(action, key), "allowed") << action << " " << key;

  // Nothing outside the bucket, nor beside the prefix outside the engine's folders.
  for (const std::string key : {
           "other-bucket/" + prefix + "/index-0",
           "other-bucket/b01010000110011/" + prefix + "/indices/I/0/__x",
           bucket + "/index-0",
           bucket + "/elsewhere/x",
           bucket + "/b01010000110011/other/indices/I/0/__x",
           bucket + "/b0101/" + prefix + "/indices/I/0/__x",
       })
    EXPECT_NE(decide("s3:PutObject", key), "allowed") << key;

  // hashed_infix (or fixed) needs no reach beside the prefix: the policy grants none.
  o.shard_path_type = format::ShardPathType::kHashedInfix;
  const json infix = setup::role_policy(aws::partition_for_region("us-east-1"), bucket, prefix, "",
                                        setup::hashed_prefix_grant(o, engine));
  ASSERT_TRUE(iam.put_role_policy({role, setup::kRolePolicyName, infix}).ok());
  EXPECT_EQ(decide("s3:PutObject",
                   bucket + "/" +
                       format::engine_shard_folder(format::ShardPathType::kHashedInfix,
                                                   format::PathHashAlgorithm::kFnv1aComposite1,
                                                   prefix, "aItlkA8fS0-MNYGrId24vw", 0) +
                       "__x"),
            "allowed");
  EXPECT_NE(decide("s3:PutObject", bucket + "/b01010000110011/" + prefix + "/indices/I/0/__x"),
            "allowed");
  (void)iam.delete_role_policy({role, setup::kRolePolicyName});
  (void)iam.delete_role({role});
}

}  // namespace
}  // namespace essnap
