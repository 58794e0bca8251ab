// `essnap doctor` against a simulated account (S3, STS, IAM) and cluster behind one recording fake
// transport: a correct set-up is all ok; each misconfiguration planted alone is found by exactly
// its check (the others stay ok); no run makes a mutating call. Also the pieces: the local policy
// evaluator, the bucket configuration readers and the sample keys.
#include "essnap/doctor/doctor.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>

#include "essnap/doctor/policy_eval.hpp"
#include "essnap/doctor/write_paths.hpp"
#include "essnap/s3/bucket_config.hpp"
#include "essnap/setup/documents.hpp"
#include "essnap/util/url.hpp"
#include "setup_world.hpp"
#include "support/recording_transport.hpp"

namespace essnap::doctor {
namespace {

using nlohmann::json;
using testing::RecordingTransport;

class Forward : public http::Transport {
 public:
  explicit Forward(http::Transport& t) : t_(t) {}
  Result<http::Response> send(http::Request r) override { return t_.send(std::move(r)); }

 private:
  http::Transport& t_;
};

using setup::fake::form;

http::Response res(int status, std::string body, http::Headers h = {}) {
  return {status, std::move(h), std::move(body), 1};
}
http::Response js(int status, const json& body) {
  return res(status, body.dump());
}
http::Response s3_error(int status, const std::string& code) {
  return res(status, "<Error><Code>" + code + "</Code><Message>m</Message></Error>");
}

const char* kAccount = "111122223333";
const char* kBucket = "acme-snapshots";
const char* kPrefix = "prod/logs";
const char* kRole = "essnap-snapshots-nightly";

// The simulated account and cluster, set up correctly; tests plant one thing wrong.
struct World {
  std::string caller = "arn:aws:iam::111122223333:user/ops";
  std::string bucket_region = "us-east-1";
  std::vector<std::string> owned = {kBucket};
  json trust = setup::trust_policy(kAccount);
  bool role_exists = true;
  json inline_policy = setup::role_policy(aws::partition_for_region(""), kBucket, kPrefix);
  bool simulate_available = true;
  std::set<std::string> denied_actions;  // what simulation denies
  json repo = {
      {"type", "s3"},
      {"settings",
       {{"bucket", kBucket}, {"base_path", kPrefix}, {"readonly", "false"}, {"compress", "true"}}}};
  bool repo_registered = true;
  json nodes_plugins = {{"nodes",
                         {{"n1",
                           {{"name", "node-1"},
                            {"plugins", json::array()},
                            {"modules", {{{"name", "repository-s3"}}}}}}}}};
  json authinfo = nullptr;  // null: no security plugin (400 no handler)
  json running = json::array();
  json sm_policies = nullptr;  // null: no SM plugin
  bool cluster_down = false;
  std::string lifecycle;  // "" none; else <Rule> elements
  std::string tiering;    // <IntelligentTieringConfiguration> elements
  std::string versioning = "";
  std::string object_lock;  // "" none; else the configuration's inner XML
  std::string replication;  // <Rule> elements
  std::string encryption = "<SSEAlgorithm>AES256</SSEAlgorithm>";  // "" none
  std::optional<json> bucket_policy;

  Result<http::Response> handle(const http::Request& r) {
    auto u = util::parse_url(r.url, util::UrlChars::kRaw).value();
    if (u.host == "cluster.local") return cluster(r, u);
    if (u.host == "sts.local")
      return res(200, "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>" + caller +
                          "</Arn><Account>" + kAccount +
                          "</Account><UserId>AIDA</UserId></GetCallerIdentityResult>"
                          "</GetCallerIdentityResponse>");
    if (u.host == "iam.local") return iam(form(r.body.data()));
    if (u.host == "s3.local") return s3(r, u);
    return res(599, "unexpected host " + u.host);
  }

  Result<http::Response> cluster(const http::Request& r, const util::Url& u) {
    if (cluster_down) return make_error(ErrorCode::kNetwork, "connection timed out");
    const std::string p = u.path;
    if (p == "/")
      return js(200, {{"cluster_name", "c"},
                      {"version", {{"distribution", "opensearch"}, {"number", "2.19.6"}}}});
    if (p == "/_nodes/plugins") return js(200, nodes_plugins);
    if (p == "/_plugins/_security/authinfo" || p == "/_opendistro/_security/authinfo")
      return authinfo.is_null() ? js(400, {{"error", "no handler found for uri"}})
                                : js(200, authinfo);
    if (p == "/_snapshot/_status") return js(200, {{"snapshots", running}});
    if (p == "/_tasks") return js(200, {{"nodes", json::object()}});
    if (p == "/_plugins/_sm/policies")
      return sm_policies.is_null() ? js(400, {{"error", "no handler found for uri"}})
                                   : js(200, {{"policies", sm_policies}});
    if (p == "/_snapshot/nightly" && r.method == "GET") {
      if (!repo_registered)
        return js(
            404,
            {{"error", {{"type", "repository_missing_exception"}, {"reason", "[nightly] missing"}}},
             {"status", 404}});
      return js(200, {{"nightly", repo}});
    }
    return js(400, {{"error", "unexpected " + r.method + " " + p}});
  }

  http::Response iam(const std::map<std::string, std::string>& f) {
    const std::string action = f.at("Action");
    auto no_such = [] {
      return res(404,
                 "<ErrorResponse><Error><Code>NoSuchEntity</Code><Message>not found</Message>"
                 "</Error></ErrorResponse>");
    };
    if (action == "GetRole") {
      if (!role_exists || f.at("RoleName") != kRole) return no_such();
      return res(200, std::string("<GetRoleResponse><GetRoleResult><Role><RoleName>") + kRole +
                          "</RoleName><Arn>arn:aws:iam::111122223333:role/" + kRole +
                          "</Arn><AssumeRolePolicyDocument>" + util::uri_encode(trust.dump()) +
                          "</AssumeRolePolicyDocument></Role></GetRoleResult></GetRoleResponse>");
    }
    if (action == "GetRolePolicy") {
      if (!role_exists || inline_policy.is_null()) return no_such();
      return res(200, "<GetRolePolicyResponse><GetRolePolicyResult><PolicyDocument>" +
                          util::uri_encode(inline_policy.dump()) +
                          "</PolicyDocument></GetRolePolicyResult></GetRolePolicyResponse>");
    }
    if (action == "SimulatePrincipalPolicy") {
      if (!simulate_available)
        return res(400,
                   "<ErrorResponse><Error><Code>InvalidAction</Code><Message>not "
                   "implemented</Message></Error></ErrorResponse>");
      std::string members;
      for (int a = 1; f.count("ActionNames.member." + std::to_string(a)); ++a)
        for (int r = 1; f.count("ResourceArns.member." + std::to_string(r)); ++r) {
          const std::string act = f.at("ActionNames.member." + std::to_string(a));
          members += "<member><EvalActionName>" + act + "</EvalActionName><EvalResourceName>" +
                     f.at("ResourceArns.member." + std::to_string(r)) +
                     "</EvalResourceName><EvalDecision>" +
                     (denied_actions.count(act) ? "implicitDeny" : "allowed") +
                     "</EvalDecision></member>";
        }
      return res(200,
                 "<SimulatePrincipalPolicyResponse><SimulatePrincipalPolicyResult>"
                 "<EvaluationResults>" +
                     members +
                     "</EvaluationResults></SimulatePrincipalPolicyResult>"
                     "</SimulatePrincipalPolicyResponse>");
    }
    return res(400, "<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>");
  }

  http::Response s3(const http::Request& r, const util::Url& u) {
    std::string bucket = u.path.size() > 1 ? u.path.substr(1) : "";
    if (auto s = bucket.find('/'); s != std::string::npos) bucket = bucket.substr(0, s);
    const std::string& q = u.query;
    if (bucket.empty()) {
      std::string names;
      for (const auto& b : owned) names += "<Bucket><Name>" + b + "</Name></Bucket>";
      return res(
          200, "<ListAllMyBucketsResult><Buckets>" + names + "</Buckets></ListAllMyBucketsResult>");
    }
    if (bucket != kBucket) return s3_error(404, "NoSuchBucket");
    if (r.method == "HEAD") return res(200, "", {{"x-amz-bucket-region", bucket_region}});
    if (q == "location=")
      return res(200, "<LocationConstraint>" + (bucket_region == "us-east-1" ? "" : bucket_region) +
                          "</LocationConstraint>");
    if (q == "lifecycle=")
      return lifecycle.empty()
                 ? s3_error(404, "NoSuchLifecycleConfiguration")
                 : res(200, "<LifecycleConfiguration>" + lifecycle + "</LifecycleConfiguration>");
    if (q == "intelligent-tiering=")
      return res(200, "<ListBucketIntelligentTieringConfigurationsOutput>" + tiering +
                          "<IsTruncated>false</IsTruncated>"
                          "</ListBucketIntelligentTieringConfigurationsOutput>");
    if (q == "versioning=")
      return res(200, "<VersioningConfiguration>" +
                          (versioning.empty() ? "" : "<Status>" + versioning + "</Status>") +
                          "</VersioningConfiguration>");
    if (q == "object-lock=")
      return object_lock.empty() ? s3_error(404, "ObjectLockConfigurationNotFoundError")
                                 : res(200, "<ObjectLockConfiguration>" + object_lock +
                                                "</ObjectLockConfiguration>");
    if (q == "replication=")
      return replication.empty() ? s3_error(404, "ReplicationConfigurationNotFoundError")
                                 : res(200, "<ReplicationConfiguration><Role>arn:r</Role>" +
                                                replication + "</ReplicationConfiguration>");
    if (q == "encryption=")
      return encryption.empty() ? s3_error(404, "ServerSideEncryptionConfigurationNotFoundError")
                                : res(200,
                                      "<ServerSideEncryptionConfiguration><Rule>"
                                      "<ApplyServerSideEncryptionByDefault>" +
                                          encryption +
                                          "</ApplyServerSideEncryptionByDefault></Rule>"
                                          "</ServerSideEncryptionConfiguration>");
    if (q == "policy=")
      return bucket_policy ? res(200, bucket_policy->dump()) : s3_error(404, "NoSuchBucketPolicy");
    return s3_error(400, "Unexpected");
  }
};

// Reads only: GET / HEAD, and the query protocol's Get* / Simulate* actions (POSTs).
bool is_read(const http::Request& r) {
  const auto& b = r.body.data();
  return b.rfind("Action=Get", 0) == 0 || b.rfind("Action=Simulate", 0) == 0;
}

struct Harness {
  World world;
  RecordingTransport transport;
  std::shared_ptr<aws::CredentialsProvider> creds =
      aws::make_static_provider({"AKIDEXAMPLE", "secret", "", std::nullopt, "t"});
  std::unique_ptr<s3::Client> s3c;
  std::unique_ptr<iam::IamClient> iamc;
  std::unique_ptr<aws::StsClient> stsc;
  std::unique_ptr<cluster::Client> cc;
  std::vector<std::string> addresses = {"54.1.2.3"};
  std::set<std::string> skip;

  Harness() {
    transport.set_handler([this](const http::Request& r) { return world.handle(r); });
    s3::ClientOptions so;
    so.endpoint = {"http://s3.local", "test"};
    so.region = "us-east-1";
    so.credentials = creds;
    s3c = std::make_unique<s3::Client>(transport, so);
    iamc = std::make_unique<iam::IamClient>(
        transport, iam::IamEndpoint{"http://iam.local", "us-east-1", "t"}, creds);
    stsc = std::make_unique<aws::StsClient>(
        transport, aws::StsEndpoint{"http://sts.local", "us-east-1", "t"}, creds);
    cc = std::make_unique<cluster::Client>(std::make_unique<Forward>(transport),
                                           "http://cluster.local");
  }
  DoctorOptions options() const {
    DoctorOptions o;
    o.setup.mode = setup::SetupMode::kAwsManaged;
    o.setup.repository = "nightly";
    o.setup.bucket = kBucket;
    o.setup.prefix = kPrefix;
    o.setup.region = "us-east-1";
    o.setup.domain_endpoint = "https://search-logs-abc123xyz.us-east-1.es.amazonaws.com";
    o.target_words = " --domain-endpoint https://search-logs-abc123xyz.us-east-1.es.amazonaws.com";
    o.request_words = " --url https://search-logs-abc123xyz.us-east-1.es.amazonaws.com";
    o.skip = skip;
    return o;
  }
  DoctorReport run(std::optional<DoctorOptions> o = std::nullopt) {
    DoctorClients c{cc.get(), s3c.get(), iamc.get(), stsc.get(),
                    [this](const std::string&) { return addresses; }};
    auto rep = run_doctor(o ? *o : options(), c);
    EXPECT_TRUE(rep.ok()) << rep.error().message;
    return rep.ok() ? *rep : DoctorReport{};
  }
};

std::map<std::string, Check> by_id(const DoctorReport& r) {
  std::map<std::string, Check> out;
  for (const auto& c : r.checks) out[c.id] = c;
  return out;
}

std::string not_ok(const DoctorReport& r) {
  std::string out;
  for (const auto& c : r.checks)
    if (c.status != CheckStatus::kOk)
      out += c.id + "=" + to_string(c.status) + " (" + c.saw + ")\n";
  return out;
}

TEST(Doctor, CorrectSetupIsAllOkEveryCheckRunsAndNothingIsChanged) {
  Harness h;
  auto rep = h.run();
  EXPECT_EQ(not_ok(rep), "");
  std::vector<std::string> ids;
  for (const auto& c : rep.checks) ids.push_back(c.id);
  EXPECT_EQ(ids, check_ids());
  EXPECT_EQ(rep.worst(), CheckStatus::kOk);
  EXPECT_EQ(rep.role_arn, "arn:aws:iam::111122223333:role/essnap-snapshots-nightly");
  EXPECT_TRUE(h.transport.mutating(is_read).empty());
  for (const auto& c : rep.checks) EXPECT_TRUE(c.fix.empty()) << c.id;
}

struct Plant {
  std::string name;
  std::function<void(Harness&)> plant;
  std::string id;
  CheckStatus status;
  std::string saw_has;  // a phrase the check's "saw" contains
  std::string fix_has;  // a phrase its fix contains
};

class DoctorPlanted : public ::testing::TestWithParam<Plant> {};

TEST_P(DoctorPlanted, FoundByExactlyItsCheckWithAFix) {
  const Plant& p = GetParam();
  Harness h;
  p.plant(h);
  auto rep = h.run();
  auto checks = by_id(rep);
  ASSERT_TRUE(checks.count(p.id)) << not_ok(rep);
  const Check& c = checks[p.id];
  EXPECT_EQ(c.status, p.status) << c.saw;
  EXPECT_NE(c.saw.find(p.saw_has), std::string::npos) << c.saw;
  EXPECT_NE(c.fix.find(p.fix_has), std::string::npos) << c.fix;
  for (const auto& other : rep.checks) {
    if (other.id != p.id) {
      EXPECT_EQ(other.status, CheckStatus::kOk) << other.id << ": " << other.saw;
    }
  }
  EXPECT_TRUE(h.transport.mutating(is_read).empty());
}

const std::string kGlacierRule =
    "<Rule><ID>to-glacier</ID><Status>Enabled</Status><Filter><Prefix>prod/</Prefix></Filter>"
    "<Transition><Days>30</Days><StorageClass>GLACIER</StorageClass></Transition></Rule>";
const std::string kNoncurrentRule =
    "<Rule><ID>nc</ID><Status>Enabled</Status><Filter><Prefix></Prefix></Filter>"
    "<NoncurrentVersionExpiration><NoncurrentDays>7</NoncurrentDays>"
    "</NoncurrentVersionExpiration></Rule>";

std::vector<Plant> plants() {
  using S = CheckStatus;
  return {
      {"VpcDomainFromOutside",
       [](Harness& h) {
         h.world.cluster_down = true;
         h.addresses = {"10.0.3.17", "10.0.4.2"};
       },
       "cluster-reachable", S::kFail, "a VPC domain: run this from inside the VPC",
       "aws ssm start-session"},
      {"RepositoryS3Missing",
       [](Harness& h) {
         h.world.nodes_plugins["nodes"]["n2"] = {
             {"name", "node-2"}, {"plugins", json::array()}, {"modules", json::array()}};
       },
       "repository-plugin", S::kFail, "node-2", "opensearch-plugin install repository-s3"},
      {"FgacWithoutManageSnapshots",
       [](Harness& h) {
         h.world.authinfo = {{"user_name", "arn:aws:iam::111122223333:user/ops"},
                             {"backend_roles", json::array()},
                             {"roles", {"readall"}}};
       },
       "fgac-mapping", S::kFail, "not to manage_snapshots",
       "essnap request PATCH /_plugins/_security/api/rolesmapping/manage_snapshots"},
      {"RepositoryReadonly", [](Harness& h) { h.world.repo["settings"]["readonly"] = "true"; },
       "repository-settings", S::kWarn, "readonly: true", "--fix"},
      {"RepositoryNotRegistered", [](Harness& h) { h.world.repo_registered = false; },
       "repository-settings", S::kFail, "is not registered",
       "essnap setup --domain-endpoint https://search-logs-abc123xyz.us-east-1.es.amazonaws.com "
       "--bucket s3://acme-snapshots/prod/logs --repository nightly"},
      {"RepositoryOnAnotherBucket",
       [](Harness& h) { h.world.repo["settings"]["bucket"] = "other-bucket"; },
       "repository-settings", S::kFail, "s3://other-bucket/prod/logs", "--fix"},
      {"HashedShardPathsOutsideBasePath",
       [](Harness& h) { h.world.repo["settings"]["shard_path_type"] = "hashed_prefix"; },
       "repository-settings", S::kWarn, "outside base_path", "\"shard_path_type\":\"fixed\""},
      {"SnapshotInFlight",
       [](Harness& h) {
         h.world.running = {
             {{"snapshot", "cs-2026"}, {"repository", "cs-automated-enc"}, {"state", "STARTED"}}};
       },
       "in-flight", S::kWarn, "cs-automated-enc", "start hour"},
      {"SmPolicyWritesHere",
       [](Harness& h) {
         h.world.sm_policies = {
             {{"_id", "daily"},
              {"sm_policy",
               {{"name", "daily"}, {"snapshot_config", {{"repository", "nightly"}}}}}}};
       },
       "snapshot-policies", S::kWarn, "Snapshot Management policy daily",
       "essnap request DELETE /_plugins/_sm/policies/daily"},
      {"TrustOfAnotherService",
       [](Harness& h) {
         h.world.trust["Statement"][0]["Principal"]["Service"] = "ec2.amazonaws.com";
       },
       "role-trust", S::kFail, "does not trust es.amazonaws.com",
       "aws iam update-assume-role-policy --role-name essnap-snapshots-nightly"},
      {"TrustWithoutSourceAccount",
       [](Harness& h) { h.world.trust["Statement"][0].erase("Condition"); }, "role-trust", S::kWarn,
       "no aws:SourceAccount", "aws:SourceAccount"},
      {"RoleMayNotDelete", [](Harness& h) { h.world.denied_actions = {"s3:DeleteObject"}; },
       "role-s3-permissions", S::kFail, "s3:DeleteObject on arn:aws:s3:::acme-snapshots/prod/logs/",
       "aws iam put-role-policy --role-name essnap-snapshots-nightly --policy-name "
       "essnap-snapshot-s3"},
      {"RolePolicyMissingSlashStarEvaluatedLocally",
       [](Harness& h) {
         h.world.simulate_available = false;
         h.world.inline_policy["Statement"][1]["Resource"] =
             "arn:aws:s3:::acme-snapshots/prod/logs";
         // Simulation is unavailable for the caller too: leave that check's warning out.
         h.skip = {"caller-permissions"};
       },
       "role-s3-permissions", S::kFail, "evaluated locally", "prod/logs/*"},
      {"CallerMayNotPassRole", [](Harness& h) { h.world.denied_actions = {"iam:PassRole"}; },
       "caller-permissions", S::kFail, "iam:PassRole",
       "aws iam put-user-policy --user-name ops --policy-name essnap-snapshot-caller"},
      {"BucketInAnotherRegion", [](Harness& h) { h.world.bucket_region = "eu-west-1"; },
       "bucket-region", S::kFail, "is in eu-west-1, the domain in us-east-1", "essnap setup"},
      {"BucketOfAnotherAccountWithoutGrant", [](Harness& h) { h.world.owned = {"mine"}; },
       "bucket-owner", S::kFail, "belongs to another account", "\"Principal\""},
      {"LifecycleToGlacier", [](Harness& h) { h.world.lifecycle = kGlacierRule; }, "lifecycle",
       S::kFail, "moves objects to GLACIER after 30 days",
       "aws s3api delete-bucket-lifecycle --bucket acme-snapshots"},
      {"LifecycleExpiresWholeBucket",
       [](Harness& h) {
         h.world.lifecycle = kNoncurrentRule +
                             "<Rule><ID>expire</ID><Status>Enabled</Status><Prefix></Prefix>"
                             "<Expiration><Days>90</Days></Expiration></Rule>";
       },
       "lifecycle", S::kFail, "expires (deletes) objects after 90 days",
       "remove the rule(s) 'expire'"},
      {"IntelligentTieringArchive",
       [](Harness& h) {
         h.world.tiering =
             "<IntelligentTieringConfiguration><Id>arch</Id><Status>Enabled</Status>"
             "<Tiering><AccessTier>ARCHIVE_ACCESS</AccessTier><Days>90</Days></Tiering>"
             "</IntelligentTieringConfiguration>";
       },
       "intelligent-tiering", S::kFail, "ARCHIVE_ACCESS after 90 days",
       "delete-bucket-intelligent-tiering-configuration --bucket acme-snapshots --id arch"},
      {"VersioningWithoutNoncurrentExpiry", [](Harness& h) { h.world.versioning = "Enabled"; },
       "versioning", S::kWarn, "no lifecycle rule expires noncurrent versions",
       "put-bucket-lifecycle-configuration"},
      {"ObjectLockDefaultRetention",
       [](Harness& h) {
         h.world.object_lock =
             "<ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention>"
             "<Mode>COMPLIANCE</Mode><Days>30</Days></DefaultRetention></Rule>";
       },
       "object-lock", S::kWarn, "COMPLIANCE 30 days", "put-object-lock-configuration"},
      {"Replication",
       [](Harness& h) {
         h.world.replication =
             "<Rule><ID>dr</ID><Status>Enabled</Status><Destination><Bucket>arn:aws:s3:::dr"
             "</Bucket></Destination></Rule>";
       },
       "replication", S::kWarn, "rule 'dr' -> arn:aws:s3:::dr", "essnap repo sync"},
      {"NoDefaultEncryption", [](Harness& h) { h.world.encryption = ""; }, "encryption", S::kWarn,
       "no default encryption", "put-bucket-encryption"},
      {"KmsKeyTheRoleMayNotUse",
       [](Harness& h) {
         h.world.encryption =
             "<SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>1234abcd-12ab</KMSMasterKeyID>";
         h.world.denied_actions = {"kms:GenerateDataKey", "kms:Decrypt"};
       },
       "encryption", S::kFail, "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab",
       "kms:GenerateDataKey"},
  };
}

INSTANTIATE_TEST_SUITE_P(Each, DoctorPlanted, ::testing::ValuesIn(plants()),
                         [](const auto& info) { return info.param.name; });

TEST(Doctor, WithoutSimulationTheRoleIsEvaluatedLocallyAndTheCallerWarns) {
  Harness h;
  h.world.simulate_available = false;
  auto rep = h.run();
  auto c = by_id(rep);
  EXPECT_EQ(c["role-s3-permissions"].status, CheckStatus::kOk);
  EXPECT_NE(c["role-s3-permissions"].saw.find("evaluated locally"), std::string::npos);
  EXPECT_EQ(c["caller-permissions"].status, CheckStatus::kWarn);
  EXPECT_NE(c["caller-permissions"].saw.find("could not check"), std::string::npos);
  // --skip leaves it out.
  auto o = h.options();
  o.skip = {"caller-permissions"};
  auto skipped = h.run(o);
  EXPECT_EQ(skipped.worst(), CheckStatus::kOk) << not_ok(skipped);
}

// hashed_prefix writes shard data at <hash>/prod/logs/indices/…: a role scoped to prod/logs/*
// cannot write it, and the fix is the policy with the hashed grant, which passes.
TEST(Doctor, AHashedPrefixRepositoryNeedsTheRoleToReachBesideThePrefix) {
  Harness h;
  h.world.simulate_available = false;  // the local evaluator reads the inline policy
  h.world.repo["settings"]["shard_path_type"] = "hashed_prefix";
  auto c = by_id(h.run());
  EXPECT_EQ(c["role-s3-permissions"].status, CheckStatus::kFail) << c["role-s3-permissions"].saw;
  EXPECT_NE(c["role-s3-permissions"].saw.find("/prod/logs/indices/"), std::string::npos)
      << c["role-s3-permissions"].saw;
  EXPECT_NE(c["role-s3-permissions"].fix.find("*/prod/logs/indices/*"), std::string::npos)
      << c["role-s3-permissions"].fix;

  h.world.inline_policy = setup::role_policy(aws::partition_for_region(""), kBucket, kPrefix, {},
                                             setup::HashedPrefixGrant::kYes);
  auto fixed = by_id(h.run());
  EXPECT_EQ(fixed["role-s3-permissions"].status, CheckStatus::kOk)
      << fixed["role-s3-permissions"].saw;
}

TEST(Doctor, ForeignBucketWhosePolicyGrantsTheRoleIsOk) {
  Harness h;
  h.world.owned = {"mine"};
  json grant = setup::role_policy(aws::partition_for_region(""), kBucket, kPrefix);
  for (auto& st : grant["Statement"])
    st["Principal"] = {{"AWS", "arn:aws:iam::111122223333:role/essnap-snapshots-nightly"}};
  h.world.bucket_policy = grant;
  auto c = by_id(h.run());
  EXPECT_EQ(c["bucket-owner"].status, CheckStatus::kOk) << c["bucket-owner"].saw;
}

TEST(Doctor, RulesElsewhereInTheBucketAndNoncurrentExpiryAreOk) {
  Harness h;
  h.world.versioning = "Enabled";
  h.world.lifecycle = kNoncurrentRule +
                      "<Rule><ID>logs</ID><Status>Enabled</Status><Filter><Prefix>other/"
                      "</Prefix></Filter><Transition><Days>1</Days><StorageClass>DEEP_ARCHIVE"
                      "</StorageClass></Transition></Rule>";
  auto rep = h.run();
  EXPECT_EQ(not_ok(rep), "");
}

TEST(Doctor, MissingRoleFailsOnceAndTheRoleChecksThatNeedItStayQuiet) {
  Harness h;
  h.world.role_exists = false;
  auto rep = h.run();
  auto c = by_id(rep);
  EXPECT_EQ(c["role-trust"].status, CheckStatus::kFail);
  EXPECT_FALSE(c.count("role-s3-permissions"));
  EXPECT_EQ(rep.worst(), CheckStatus::kFail);
}

TEST(Doctor, UnknownSkipIsAUsageError) {
  Harness h;
  auto o = h.options();
  o.skip = {"nope"};
  DoctorClients c{h.cc.get(), h.s3c.get(), h.iamc.get(), h.stsc.get(), {}};
  auto rep = run_doctor(o, c);
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(rep.error().code, ErrorCode::kInvalidArgument);
}

TEST(Doctor, PrivateAddresses) {
  EXPECT_TRUE(is_private_address("10.1.2.3"));
  EXPECT_TRUE(is_private_address("172.31.255.1"));
  EXPECT_FALSE(is_private_address("172.32.0.1"));
  EXPECT_TRUE(is_private_address("192.168.0.1"));
  EXPECT_TRUE(is_private_address("fd12::1"));
  EXPECT_FALSE(is_private_address("127.0.0.1"));
  EXPECT_FALSE(is_private_address("54.239.28.85"));
  EXPECT_FALSE(is_private_address("2600:1f18::1"));
}

TEST(DoctorPolicyEval, ActionsResourcesConditionsAndDeny) {
  const json p = setup::role_policy(aws::partition_for_region(""), "b", "snap");
  EXPECT_EQ(evaluate_policy(p, "s3:PutObject", "arn:aws:s3:::b/snap/indices/x/0/__a"), "allowed");
  EXPECT_EQ(evaluate_policy(p, "S3:putobject", "arn:aws:s3:::b/snap/index-0"), "allowed");
  EXPECT_EQ(evaluate_policy(p, "s3:PutObject", "arn:aws:s3:::b/other/x"), "implicitDeny");
  EXPECT_EQ(evaluate_policy(p, "s3:ListBucket", "arn:aws:s3:::b", {{"s3:prefix", "snap/index-"}}),
            "allowed");
  EXPECT_EQ(evaluate_policy(p, "s3:ListBucket", "arn:aws:s3:::b"), "implicitDeny");
  EXPECT_EQ(evaluate_policy(p, "s3:ListBucket", "arn:aws:s3:::b", {{"s3:prefix", "x/"}}),
            "implicitDeny");
  json deny = p;
  deny["Statement"].push_back({{"Effect", "Deny"}, {"Action", "s3:Delete*"}, {"Resource", "*"}});
  EXPECT_EQ(evaluate_policy(deny, "s3:DeleteObject", "arn:aws:s3:::b/snap/a"), "explicitDeny");
  EXPECT_EQ(evaluate_policy(json::parse(R"({"Statement":{"Effect":"Allow","NotAction":"iam:*",
      "Resource":"*"}})"),
                            "s3:GetObject", "arn:aws:s3:::b/k"),
            "allowed");
  EXPECT_TRUE(iam_wildcard("a*b?d", "axxxbcd"));
  EXPECT_FALSE(iam_wildcard("a*b?d", "axxxbd"));
}

TEST(DoctorWritePaths, EveryKindOfBlobUnderThePrefix) {
  auto keys = engine_write_keys("prod/logs");
  std::set<std::string> kinds;
  for (const auto& k : keys) {
    EXPECT_EQ(k.key.rfind("prod/logs/", 0), 0u) << k.key;
    kinds.insert(k.what);
  }
  EXPECT_TRUE(kinds.count("shard data"));
  EXPECT_TRUE(kinds.count("root index-N"));
  EXPECT_EQ(engine_write_keys("").front().key, "index-0");
}

// OpenSearch's hashed_prefix puts shard folders at <hash>/<prefix>/indices/…, beside the prefix:
// the keys doctor simulates are where the engine writes (format::engine_shard_folder), and only
// the policy setup writes for that layout allows them.
TEST(DoctorWritePaths, HashedLayoutsPutShardKeysWhereTheEngineWritesThem) {
  const auto keys = engine_write_keys("prod/logs", format::ShardPathType::kHashedPrefix);
  const json fixed_only = setup::role_policy(aws::partition_for_region("us-east-1"), "b",
                                             "prod/logs", {}, setup::HashedPrefixGrant::kNo);
  const json hashed = setup::role_policy(aws::partition_for_region("us-east-1"), "b", "prod/logs",
                                         {}, setup::HashedPrefixGrant::kYes);
  int beside = 0;
  for (const auto& k : keys) {
    const bool shard = k.what.starts_with("shard ") && k.what != "shard paths";
    if (shard) {
      ++beside;
      EXPECT_NE(k.key.rfind("prod/logs/", 0), 0u) << k.key;
      EXPECT_NE(k.key.find("/prod/logs/indices/Kq3lXb2dQ1u8vYzW4nRt0A/0/"), std::string::npos)
          << k.key;
      EXPECT_EQ(evaluate_policy(fixed_only, "s3:PutObject", "arn:aws:s3:::b/" + k.key),
                "implicitDeny")
          << k.key;
    } else {
      EXPECT_EQ(k.key.rfind("prod/logs/", 0), 0u) << k.key;
    }
    EXPECT_EQ(evaluate_policy(hashed, "s3:PutObject", "arn:aws:s3:::b/" + k.key), "allowed")
        << k.key;
  }
  EXPECT_EQ(beside, 3);
  for (const auto& k : engine_write_keys("prod/logs", format::ShardPathType::kHashedInfix))
    EXPECT_EQ(k.key.rfind("prod/logs/", 0), 0u) << "hashed_infix stays under the prefix: " << k.key;
}

TEST(BucketConfig, ParsesLifecycleTieringReplicationAndNames) {
  auto lc = s3::parse_lifecycle(
      "<LifecycleConfiguration><Rule><ID>a</ID><Status>Enabled</Status><Filter><And><Prefix>p/"
      "</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></And></Filter><Expiration><Date>"
      "2027-01-01T00:00:00Z</Date></Expiration></Rule><Rule><ID>b</ID><Status>Disabled</Status>"
      "<Prefix>q/</Prefix><NoncurrentVersionTransition><NoncurrentDays>3</NoncurrentDays>"
      "<StorageClass>GLACIER</StorageClass></NoncurrentVersionTransition>"
      "<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>"
      "</Rule></LifecycleConfiguration>");
  ASSERT_TRUE(lc.ok());
  ASSERT_EQ(lc->rules.size(), 2u);
  EXPECT_EQ(lc->rules[0].prefix, "p/");
  EXPECT_TRUE(lc->rules[0].has_tag_filter);
  EXPECT_TRUE(lc->rules[0].expires);
  EXPECT_FALSE(lc->rules[1].enabled);
  EXPECT_FALSE(lc->rules[1].expires);
  EXPECT_TRUE(lc->rules[1].expired_object_delete_marker);
  EXPECT_EQ(lc->rules[1].noncurrent_transitions.at(0).storage_class, "GLACIER");
  EXPECT_FALSE(s3::parse_lifecycle("not xml").ok());
  EXPECT_TRUE(s3::prefix_overlaps("", "a/b/"));
  EXPECT_TRUE(s3::prefix_overlaps("a/", "a/b"));
  EXPECT_TRUE(s3::prefix_overlaps("a/b/c/", "a/b"));
  EXPECT_FALSE(s3::prefix_overlaps("a/c", "a/b"));
  EXPECT_FALSE(s3::prefix_overlaps("a/bc", "a/b"));
  auto names = s3::parse_bucket_names(
      "<ListAllMyBucketsResult><Buckets><Bucket><Name>x</Name></Bucket><Bucket><Name>y</Name>"
      "</Bucket></Buckets></ListAllMyBucketsResult>");
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"x", "y"}));
}

}  // namespace
}  // namespace essnap::doctor
