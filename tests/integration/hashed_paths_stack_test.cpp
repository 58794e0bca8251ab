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
// the bucket, by moto's IAM evaluation of real requests.
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
#include "essnap/aws/query_protocol.hpp"
#include "essnap/blob/s3_store.hpp"
#include "essnap/cluster/client.hpp"
#include "essnap/setup/documents.hpp"
#include "essnap/util/url.hpp"
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
// DELETE) of a hashed_prefix repository's layout — root blobs, metadata and snapshot_shard_paths/
// under the prefix, shard folders at format::engine_shard_folder beside it — and nothing outside
// the bucket, nor beside the prefix outside the engine's folders. moto 5.2 does not implement
// SimulatePrincipalPolicy (HTTP 500 "not been implemented"), so the policy is proven on moto's own
// IAM evaluation of real requests: the stack's moto authorizes every request
// (INITIAL_NO_AUTH_ACTION_COUNT), and a user holding exactly that policy PUTs each key to moto's
// S3.
class HashedPathsPolicy : public ::testing::Test {
 protected:
  void SetUp() override {
    ESSNAP_REQUIRE_STACK("ESSNAP_TEST_AWS_ENDPOINT", "ESSNAP_TEST_AWS_ACCESS_KEY_ID",
                         "ESSNAP_TEST_AWS_SECRET_ACCESS_KEY");
    endpoint_ = stack_var("ESSNAP_TEST_AWS_ENDPOINT");
    transport_ = http::make_transport({});
    aws::Credentials admin;
    admin.access_key_id = stack_var("ESSNAP_TEST_AWS_ACCESS_KEY_ID");
    admin.secret_access_key = stack_var("ESSNAP_TEST_AWS_SECRET_ACCESS_KEY");
    admin_ = aws::make_static_provider(admin);
    suffix_ = std::to_string(::getpid());
    user_ = "hashed-policy-user-" + suffix_;
    bucket_ = "hashed-policy-" + suffix_;
    other_ = "hashed-policy-other-" + suffix_;
  }
  void TearDown() override {
    if (!transport_) return;
    auto s3 = client(admin_);
    for (const auto& b : {bucket_, other_}) {
      s3::ListObjectsV2Request list;
      list.bucket = b;
      auto l = s3.list_objects_v2(list);
      if (l.ok())
        for (const auto& o : l->objects) (void)s3.delete_object({b, o.key});
      (void)s3.delete_bucket({b});
    }
    if (!key_id_.empty())
      (void)iam("DeleteAccessKey", "&UserName=" + user_ + "&AccessKeyId=" + key_id_);
    (void)iam("DeleteUserPolicy", "&UserName=" + user_ + "&PolicyName=essnap-snapshot-s3");
    (void)iam("DeleteUser", "&UserName=" + user_);
  }

  // One IAM query call as the stack's admin; the <ACTIONResult> text of `field`, if asked.
  Result<std::string> iam(const std::string& action, const std::string& form,
                          const std::string& field = "") {
    aws::QueryCall call{endpoint_, "us-east-1", "iam", action, "2010-05-08", form};
    ESSNAP_TRY(auto req, aws::make_query_request(call, admin_.get()));
    ESSNAP_TRY(auto resp, transport_->send(std::move(req)));
    if (resp.status != 200)
      return Error(ErrorCode::kRemote,
                   aws::describe_query_failure("IAM", action, endpoint_, resp).message);
    if (field.empty()) return std::string();  // some answers have no <ACTIONResult>
    pugi::xml_document doc;
    ESSNAP_TRY(auto result, aws::query_result(doc, resp.body, "IAM", action));
    return std::string(result.select_node((".//" + field).c_str()).node().text().get());
  }
  s3::Client client(std::shared_ptr<aws::CredentialsProvider> creds) {
    s3::ClientOptions o;
    o.endpoint = {endpoint_, "us-east-1"};
    o.addressing = s3::AddressingStyle::kPath;
    o.credentials = std::move(creds);
    return s3::Client(*transport_, o);
  }
  static std::string form(const std::string& v) { return util::uri_encode(v); }
  // The user's one key (id, secret): held in memory only.
  Result<std::pair<std::string, std::string>> create_access_key() {
    aws::QueryCall call{endpoint_,         "us-east-1",  "iam",
                        "CreateAccessKey", "2010-05-08", "&UserName=" + user_};
    ESSNAP_TRY(auto req, aws::make_query_request(call, admin_.get()));
    ESSNAP_TRY(auto resp, transport_->send(std::move(req)));
    pugi::xml_document doc;
    ESSNAP_TRY(auto r, aws::query_result(doc, resp.body, "IAM", "CreateAccessKey"));
    return std::pair<std::string, std::string>{
        r.select_node(".//AccessKeyId").node().text().get(),
        r.select_node(".//SecretAccessKey").node().text().get()};
  }

  std::string endpoint_, suffix_, user_, bucket_, other_, key_id_;
  std::unique_ptr<http::Transport> transport_;
  std::shared_ptr<aws::CredentialsProvider> admin_;
};

TEST_F(HashedPathsPolicy, SetupsRolePolicyAllowsEveryPutOfTheLayoutAndNothingOutsideTheBucket) {
  const std::string prefix = "clusters/logs";
  setup::SetupOptions o;
  o.bucket = bucket_;
  o.prefix = prefix;
  o.region = "us-east-1";
  const auto engine = setup::engine_shard_paths(true, 3, 3);  // OpenSearch 3.3
  ASSERT_EQ(setup::hashed_prefix_grant(o, engine), setup::HashedPrefixGrant::kYes);
  const json policy = setup::role_policy(aws::partition_for_region("us-east-1"), bucket_, prefix,
                                         "", setup::hashed_prefix_grant(o, engine));

  auto s3admin = client(admin_);
  for (const auto& b : {bucket_, other_})
    ASSERT_TRUE(s3admin.create_bucket({b, "", false}).ok()) << b;
  ASSERT_TRUE(iam("CreateUser", "&UserName=" + user_).ok());
  auto put = iam("PutUserPolicy", "&UserName=" + user_ + "&PolicyName=essnap-snapshot-s3" +
                                      "&PolicyDocument=" + form(policy.dump()));
  ASSERT_TRUE(put.ok()) << put.error().message;
  auto pair = create_access_key();
  ASSERT_TRUE(pair.ok()) << pair.error().message;
  key_id_ = pair->first;
  aws::Credentials user;
  user.access_key_id = pair->first;
  user.secret_access_key = pair->second;
  auto s3user = client(aws::make_static_provider(user));

  auto put_as_user = [&](const std::string& bucket, const std::string& key) {
    s3::PutObjectRequest r;
    r.bucket = bucket;
    r.key = key;
    r.body = http::Body::from_string("x");
    auto got = s3user.put_object(r);
    if (got.ok()) return std::string("allowed");
    const Error& e = got.error();
    return e.remote && e.remote->http_status == 403 ? std::string("denied") : e.message;
  };

  // The keys OpenSearch 3.3 writes for a repository with that base path.
  std::vector<std::string> keys = {
      prefix + "/index-0",
      prefix + "/index.latest",
      prefix + "/snap-oW5I_JI7Qz-B8iQ_Cd6WLw.dat",
      prefix + "/meta-oW5I_JI7Qz-B8iQ_Cd6WLw.dat",
      prefix + "/indices/aItlkA8fS0-MNYGrId24vw/meta-nUgEMaIBccRiRU4FORXF.dat",
      prefix + "/snapshot_shard_paths/snapshot_path_aItlkA8fS0-MNYGrId24vw.logs.2.1.1",
      prefix + "/tests-Xb9/master.dat",
  };
  for (const char* id : {"aItlkA8fS0-MNYGrId24vw", "FIEQyEdrQsSOyseLOC0tkw"})
    for (int shard = 0; shard < 3; ++shard) {
      const std::string folder = format::engine_shard_folder(
          format::ShardPathType::kHashedPrefix, format::PathHashAlgorithm::kFnv1aComposite1, prefix,
          id, shard);
      for (const char* blob : {"index-3WEnYZxfQbGE4XJ0prea7w", "snap-oW5I_JI7Qz-B8iQ_Cd6WLw.dat",
                               "__y3gCNa8ZS0iPk4pl6wBzyQ", "__y3gCNa8ZS0iPk4pl6wBzyQ.part1"})
        keys.push_back(folder + blob);
    }
  for (const auto& key : keys) EXPECT_EQ(put_as_user(bucket_, key), "allowed") << key;

  // Nothing outside the bucket, nor beside the prefix outside the engine's folders.
  for (const auto& key :
       {prefix + "/index-0", std::string("b01010000110011/") + prefix + "/indices/I/0/__x"})
    EXPECT_EQ(put_as_user(other_, key), "denied") << other_ << "/" << key;
  for (const std::string& key : {std::string("index-0"), std::string("elsewhere/x"),
                                 std::string("b01010000110011/other/indices/I/0/__x"),
                                 std::string("b01010000110011/") + prefix + "/x"})
    EXPECT_EQ(put_as_user(bucket_, key), "denied") << key;

  // hashed_infix needs no reach beside the prefix: its policy grants none.
  o.shard_path_type = format::ShardPathType::kHashedInfix;
  ASSERT_EQ(setup::hashed_prefix_grant(o, engine), setup::HashedPrefixGrant::kNo);
  const json infix = setup::role_policy(aws::partition_for_region("us-east-1"), bucket_, prefix, "",
                                        setup::hashed_prefix_grant(o, engine));
  ASSERT_TRUE(iam("PutUserPolicy", "&UserName=" + user_ + "&PolicyName=essnap-snapshot-s3" +
                                       "&PolicyDocument=" + form(infix.dump()))
                  .ok());
  EXPECT_EQ(
      put_as_user(bucket_, format::engine_shard_folder(format::ShardPathType::kHashedInfix,
                                                       format::PathHashAlgorithm::kFnv1aComposite1,
                                                       prefix, "aItlkA8fS0-MNYGrId24vw", 0) +
                               "__x"),
      "allowed");
  EXPECT_EQ(put_as_user(bucket_, std::string("b01010000110011/") + prefix + "/indices/I/0/__x"),
            "denied");
}

}  // namespace
}  // namespace essnap
