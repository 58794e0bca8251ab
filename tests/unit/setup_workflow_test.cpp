// `essnap setup` against a simulated account (S3, STS, IAM) and cluster behind one recording
// fake transport: exact least-privilege documents, idempotence (a second run and a dry run make
// no mutating call), and every refusal leaving everything unchanged.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "essnap/cluster/repository.hpp"
#include "essnap/setup/setup.hpp"
#include "essnap/util/url.hpp"
#include "support/recording_transport.hpp"

namespace essnap::setup {
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

std::map<std::string, std::string> form(const std::string& body) {
  std::map<std::string, std::string> out;
  size_t start = 0;
  while (start <= body.size()) {
    auto amp = body.find('&', start);
    std::string pair =
        body.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    auto eq = pair.find('=');
    std::string v = pair.substr(eq + 1);
    for (auto& ch : v)
      if (ch == '+') ch = ' ';
    out[pair.substr(0, eq)] = util::percent_decode(v).value();
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  return out;
}

http::Response xml(int status, std::string body) {
  return {status, {}, std::move(body), 1};
}
http::Response js(int status, const json& body) {
  return {status, {}, body.dump(), 1};
}

// The simulated account and cluster.
struct World {
  std::string account = "111122223333";
  std::string caller = "arn:aws:iam::111122223333:user/ops";
  std::map<std::string, std::string> buckets;  // name -> region
  std::set<std::string> foreign_buckets;       // exist, other account
  std::set<std::string> taken_names;           // CreateBucket answers 409 BucketAlreadyExists
  std::map<std::string, bool> pab;
  std::map<std::string, std::string> encryption;
  std::map<std::string, json> role_trust;
  std::map<std::string, json> role_policies;  // role/policy -> doc
  std::map<std::string, json> repos;
  std::string simulate = "allowed";  // "allowed", "implicitDeny", "missing"
  bool cluster_down = false;
  bool fgac_forbids_put = false;

  Result<http::Response> handle(const http::Request& r) {
    auto u = util::parse_url(r.url, util::UrlChars::kRaw).value();
    if (u.host == "cluster.local") return cluster(r, u);
    if (u.host == "sts.local")
      return xml(200, "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>" + caller +
                          "</Arn><Account>" + account +
                          "</Account><UserId>AIDA</UserId></GetCallerIdentityResult>"
                          "</GetCallerIdentityResponse>");
    if (u.host == "iam.local") return iam(form(r.body.data));
    if (u.host == "s3.local") return s3(r, u);
    return xml(599, "unexpected host " + u.host);
  }

  Result<http::Response> cluster(const http::Request& r, const util::Url& u) {
    if (cluster_down) return make_error(ErrorCode::kNetwork, "connection refused");
    if (u.path == "/")
      return js(200, {{"cluster_name", "c"},
                      {"version", {{"distribution", "opensearch"}, {"number", "2.19.6"}}}});
    const std::string prefix = "/_snapshot/";
    std::string rest = u.path.substr(prefix.size());
    if (rest.size() > 8 && rest.substr(rest.size() - 8) == "/_verify") {
      std::string name = rest.substr(0, rest.size() - 8);
      if (!repos.count(name))
        return js(404, {{"error", {{"type", "repository_missing_exception"}}}});
      return js(200, {{"nodes", {{"n1", {{"name", "node-1"}}}}}});
    }
    if (r.method == "GET") {
      if (!repos.count(rest))
        return js(
            404,
            {{"error",
              {{"type", "repository_missing_exception"}, {"reason", "[" + rest + "] missing"}}},
             {"status", 404}});
      json settings = json::object();
      for (auto& [k, v] : repos[rest]["settings"].items())
        settings[k] = v.is_string() ? v.get<std::string>() : v.dump();
      return js(200, {{rest, {{"type", repos[rest]["type"]}, {"settings", settings}}}});
    }
    if (r.method == "PUT") {
      if (fgac_forbids_put) {
        std::string reason =
            "no permissions for [cluster:admin/repository/put] and User [name=" + caller +
            ", backend_roles=[], requestedTenant=null]";
        return js(403, {{"error",
                         {{"root_cause", {{{"type", "security_exception"}, {"reason", reason}}}},
                          {"type", "security_exception"},
                          {"reason", reason}}},
                        {"status", 403}});
      }
      repos[rest] = json::parse(r.body.data);
      return js(200, {{"acknowledged", true}});
    }
    return js(400, {{"error", "unexpected"}});
  }

  http::Response iam(const std::map<std::string, std::string>& f) {
    const std::string action = f.at("Action");
    auto role_xml = [&](const std::string& name) {
      return "<Role><RoleName>" + name + "</RoleName><Arn>arn:aws:iam::" + account + ":role/" +
             name + "</Arn><AssumeRolePolicyDocument>" + util::uri_encode(role_trust[name].dump()) +
             "</AssumeRolePolicyDocument></Role>";
    };
    auto no_such = [] {
      return xml(404,
                 "<ErrorResponse><Error><Code>NoSuchEntity</Code><Message>not found</Message>"
                 "</Error></ErrorResponse>");
    };
    if (action == "GetRole") {
      if (!role_trust.count(f.at("RoleName"))) return no_such();
      return xml(200, "<GetRoleResponse><GetRoleResult>" + role_xml(f.at("RoleName")) +
                          "</GetRoleResult></GetRoleResponse>");
    }
    if (action == "CreateRole") {
      role_trust[f.at("RoleName")] = json::parse(f.at("AssumeRolePolicyDocument"));
      return xml(200, "<CreateRoleResponse><CreateRoleResult>" + role_xml(f.at("RoleName")) +
                          "</CreateRoleResult></CreateRoleResponse>");
    }
    if (action == "UpdateAssumeRolePolicy") {
      role_trust[f.at("RoleName")] = json::parse(f.at("PolicyDocument"));
      return xml(200, "<UpdateAssumeRolePolicyResponse/>");
    }
    if (action == "PutRolePolicy") {
      role_policies[f.at("RoleName") + "/" + f.at("PolicyName")] =
          json::parse(f.at("PolicyDocument"));
      return xml(200, "<PutRolePolicyResponse/>");
    }
    if (action == "GetRolePolicy") {
      auto key = f.at("RoleName") + "/" + f.at("PolicyName");
      if (!role_policies.count(key)) return no_such();
      return xml(200, "<GetRolePolicyResponse><GetRolePolicyResult><PolicyDocument>" +
                          util::uri_encode(role_policies[key].dump()) +
                          "</PolicyDocument></GetRolePolicyResult></GetRolePolicyResponse>");
    }
    if (action == "SimulatePrincipalPolicy") {
      if (simulate == "missing")
        return xml(400,
                   "<ErrorResponse><Error><Code>InvalidAction</Code><Message>not "
                   "implemented</Message></Error></ErrorResponse>");
      return xml(200,
                 "<SimulatePrincipalPolicyResponse><SimulatePrincipalPolicyResult>"
                 "<EvaluationResults><member><EvalActionName>" +
                     f.at("ActionNames.member.1") + "</EvalActionName><EvalDecision>" + simulate +
                     "</EvalDecision></member></EvaluationResults>"
                     "</SimulatePrincipalPolicyResult></SimulatePrincipalPolicyResponse>");
    }
    return xml(400, "<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>");
  }

  http::Response s3(const http::Request& r, const util::Url& u) {
    std::string bucket = u.path.substr(1);
    if (auto s = bucket.find('/'); s != std::string::npos) bucket = bucket.substr(0, s);
    const std::string& q = u.query;
    if (r.method == "HEAD") {
      if (foreign_buckets.count(bucket)) return xml(403, "");
      if (!buckets.count(bucket)) return xml(404, "");
      return {200, {{"x-amz-bucket-region", buckets[bucket]}}, "", 1};
    }
    if (r.method == "PUT" && q.empty()) {
      if (taken_names.count(bucket))
        return xml(409,
                   "<Error><Code>BucketAlreadyExists</Code><Message>The requested bucket "
                   "name is not available.</Message></Error>");
      std::string region = "us-east-1";
      auto pos = r.body.data.find("<LocationConstraint>");
      if (pos != std::string::npos)
        region = r.body.data.substr(pos + 20, r.body.data.find("</Loc") - pos - 20);
      buckets[bucket] = region;
      return xml(200, "");
    }
    if (q == "location=")
      return xml(200, "<LocationConstraint>" +
                          (buckets[bucket] == "us-east-1" ? "" : buckets[bucket]) +
                          "</LocationConstraint>");
    if (q == "publicAccessBlock=") {
      if (r.method == "PUT") {
        pab[bucket] = true;
        return xml(200, "");
      }
      if (!pab[bucket])
        return xml(404, "<Error><Code>NoSuchPublicAccessBlockConfiguration</Code></Error>");
      return xml(200,
                 "<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls>"
                 "<IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true"
                 "</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets>"
                 "</PublicAccessBlockConfiguration>");
    }
    if (q == "encryption=") {
      if (r.method == "PUT") {
        encryption[bucket] =
            r.body.data.find("aws:kms") != std::string::npos ? "aws:kms" : "AES256";
        return xml(200, "");
      }
      if (!encryption.count(bucket))
        return xml(404,
                   "<Error><Code>ServerSideEncryptionConfigurationNotFoundError</Code></Error>");
      return xml(200,
                 "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>"
                 "<SSEAlgorithm>" +
                     encryption[bucket] +
                     "</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule>"
                     "</ServerSideEncryptionConfiguration>");
    }
    return xml(400, "<Error><Code>Unexpected</Code></Error>");
  }
};

// Query-protocol reads and _verify are POSTs that change nothing.
bool is_read(const http::Request& r) {
  if (r.url.find("/_verify") != std::string::npos) return true;
  const auto& b = r.body.data;
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
  SetupClients clients() { return {s3c.get(), iamc.get(), stsc.get(), cc.get()}; }
  size_t mutating() const { return transport.mutating(is_read).size(); }
  // Reset between runs: a fresh cluster client forgets its cached info, like a new process.
  void new_process() {
    transport.requests.clear();
    cc = std::make_unique<cluster::Client>(std::make_unique<Forward>(transport),
                                           "http://cluster.local");
  }
};

SetupOptions aws_options() {
  SetupOptions o;
  o.mode = SetupMode::kAwsManaged;
  o.repository = "nightly";
  o.bucket = "acme-snapshots";
  o.prefix = "prod/logs";
  o.region = "us-east-1";
  o.domain_endpoint = "https://search-logs-abc123xyz.us-east-1.es.amazonaws.com";
  return o;
}

const json kTrust = json::parse(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
  "Principal":{"Service":"es.amazonaws.com"},"Action":"sts:AssumeRole",
  "Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}}]})");
const json kRolePolicy = json::parse(R"({"Version":"2012-10-17","Statement":[
  {"Sid":"ListSnapshotBucket","Effect":"Allow","Action":"s3:ListBucket",
   "Resource":"arn:aws:s3:::acme-snapshots",
   "Condition":{"StringLike":{"s3:prefix":"prod/logs/*"}}},
  {"Sid":"ReadWriteSnapshots","Effect":"Allow",
   "Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],
   "Resource":"arn:aws:s3:::acme-snapshots/prod/logs/*"}]})");
const json kRepo = json::parse(R"({"type":"s3","settings":{"bucket":"acme-snapshots",
  "base_path":"prod/logs","region":"us-east-1",
  "role_arn":"arn:aws:iam::111122223333:role/essnap-snapshots-nightly",
  "server_side_encryption":true,"readonly":false}})");

TEST(SetupWorkflow, EmptyAccountGetsExactlyTheLeastPrivilegeDocuments) {
  Harness h;
  auto rep = run_setup(aws_options(), h.clients());
  ASSERT_TRUE(rep.ok()) << rep.error().message << " / " << rep.error().hint;
  EXPECT_EQ(h.world.buckets.at("acme-snapshots"), "us-east-1");
  EXPECT_TRUE(h.world.pab["acme-snapshots"]);
  EXPECT_EQ(h.world.encryption["acme-snapshots"], "AES256");
  // Exactly these documents, compared as JSON (not just "equivalent").
  EXPECT_EQ(h.world.role_trust.at("essnap-snapshots-nightly"), kTrust);
  EXPECT_EQ(h.world.role_policies.at("essnap-snapshots-nightly/essnap-snapshot-s3"), kRolePolicy);
  EXPECT_EQ(h.world.repos.at("nightly"), kRepo);
  EXPECT_EQ(rep->role_arn, "arn:aws:iam::111122223333:role/essnap-snapshots-nightly");
  EXPECT_EQ(rep->mutating_calls, 6);  // bucket, PAB, encryption, role, policy, repository
  // The caller's statement puts iam:PassRole on the caller, scoped to the role and domain.
  EXPECT_EQ(rep->caller_policy["Statement"][0]["Action"], "iam:PassRole");
  EXPECT_EQ(rep->caller_policy["Statement"][0]["Resource"], rep->role_arn);
  EXPECT_EQ(rep->caller_policy["Statement"][1]["Resource"],
            "arn:aws:es:us-east-1:111122223333:domain/logs/*");
  EXPECT_EQ(rep->items.back().step, "verify");
  EXPECT_EQ(rep->items.back().outcome, Outcome::kChecked);
}

TEST(SetupWorkflow, SecondRunMakesNoMutatingCallAndSaysAlreadyInPlace) {
  Harness h;
  ASSERT_TRUE(run_setup(aws_options(), h.clients()).ok());
  h.new_process();
  auto rep = run_setup(aws_options(), h.clients());
  ASSERT_TRUE(rep.ok()) << rep.error().message;
  EXPECT_EQ(h.mutating(), 0u);
  EXPECT_EQ(rep->mutating_calls, 0);
  for (const auto& item : rep->items)
    EXPECT_TRUE(item.outcome == Outcome::kInPlace || item.outcome == Outcome::kChecked)
        << item.step << " " << item.what << ": " << to_string(item.outcome);
}

TEST(SetupWorkflow, DryRunMakesNoMutatingCallAndShowsEveryDocument) {
  Harness h;
  auto o = aws_options();
  o.execution = Execution::kDryRun;
  auto rep = run_setup(o, h.clients());
  ASSERT_TRUE(rep.ok()) << rep.error().message;
  EXPECT_EQ(h.mutating(), 0u);
  EXPECT_TRUE(h.world.buckets.empty());
  EXPECT_TRUE(h.world.role_trust.empty());
  EXPECT_TRUE(h.world.repos.empty());
  int would = 0;
  for (const auto& item : rep->items)
    if (item.outcome == Outcome::kWouldCreate) {
      ++would;
      EXPECT_FALSE(item.call.empty()) << item.what;
    }
  EXPECT_EQ(would, 6);
  EXPECT_EQ(rep->trust_policy, kTrust);
  EXPECT_EQ(rep->role_policy, kRolePolicy);
  EXPECT_EQ(rep->repository_body, kRepo);
}

TEST(SetupWorkflow, InvalidBucketNameRefusedBeforeAnyCall) {
  Harness h;
  auto o = aws_options();
  o.bucket = "Acme_Snapshots";
  auto rep = run_setup(o, h.clients());
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(rep.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(h.transport.requests.empty());
}

TEST(SetupWorkflow, ReservedCsRepositoryNameRefusedBeforeAnyCall) {
  Harness h;
  auto o = aws_options();
  o.repository = "cs-automated";
  auto rep = run_setup(o, h.clients());
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(rep.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(rep.error().message.find("reserved"), std::string::npos);
  EXPECT_TRUE(h.transport.requests.empty());
}

TEST(SetupWorkflow, UnreachableClusterStopsBeforeAnythingElse) {
  Harness h;
  h.world.cluster_down = true;
  auto rep = run_setup(aws_options(), h.clients());
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(rep.error().code, ErrorCode::kNetwork);
  EXPECT_NE(rep.error().hint.find("nothing was changed"), std::string::npos);
  EXPECT_EQ(h.mutating(), 0u);
  for (const auto& r : h.transport.requests)
    EXPECT_NE(r.url.find("cluster.local"), std::string::npos) << r.url;
}

TEST(SetupWorkflow, BucketOfAnotherAccountIsAConflict) {
  Harness h;
  h.world.foreign_buckets.insert("acme-snapshots");
  auto rep = run_setup(aws_options(), h.clients());
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(rep.error().code, ErrorCode::kConflict);
  EXPECT_EQ(h.mutating(), 0u);
}

TEST(SetupWorkflow, BucketNameTakenGlobally409ChangesNothingElse) {
  Harness h;
  h.world.taken_names.insert("acme-snapshots");
  auto rep = run_setup(aws_options(), h.clients());
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(rep.error().code, ErrorCode::kConflict);
  EXPECT_NE(rep.error().hint.find("another account"), std::string::npos);
  // Only the refused CreateBucket went out: no role, no repository.
  ASSERT_EQ(h.mutating(), 1u);
  EXPECT_TRUE(h.world.role_trust.empty());
  EXPECT_TRUE(h.world.repos.empty());
}

TEST(SetupWorkflow, BucketInAnotherRegionIsAConflict) {
  Harness h;
  h.world.buckets["acme-snapshots"] = "eu-west-1";
  auto rep = run_setup(aws_options(), h.clients());
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(rep.error().code, ErrorCode::kConflict);
  EXPECT_NE(rep.error().message.find("eu-west-1"), std::string::npos);
  EXPECT_EQ(h.mutating(), 0u);
}

TEST(SetupWorkflow, RoleTrustingTheWrongServiceIsADiffFixedOnlyWithFix) {
  Harness h;
  h.world.role_trust["essnap-snapshots-nightly"] = json::parse(
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
      "Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]})");
  auto rep = run_setup(aws_options(), h.clients());
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(rep.error().code, ErrorCode::kConflict);
  EXPECT_NE(rep.error().message.find("does not trust es.amazonaws.com"), std::string::npos);
  EXPECT_NE(rep.error().message.find("ec2.amazonaws.com"), std::string::npos);  // the diff
  EXPECT_NE(rep.error().hint.find("--fix"), std::string::npos);
  EXPECT_EQ(h.mutating(), 0u);

  h.new_process();
  auto o = aws_options();
  o.fix = FixDrift::kYes;
  auto fixed = run_setup(o, h.clients());
  ASSERT_TRUE(fixed.ok()) << fixed.error().message;
  EXPECT_EQ(h.world.role_trust["essnap-snapshots-nightly"], kTrust);
}

TEST(SetupWorkflow, PassRoleDeniedPrintsTheStatementAndChangesNothing) {
  Harness h;
  h.world.simulate = "implicitDeny";
  auto rep = run_setup(aws_options(), h.clients());
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(rep.error().code, ErrorCode::kConflict);
  EXPECT_NE(rep.error().hint.find("\"iam:PassRole\""), std::string::npos);
  EXPECT_NE(rep.error().hint.find("role/essnap-snapshots-nightly"), std::string::npos);
  EXPECT_EQ(h.mutating(), 0u);
}

TEST(SetupWorkflow, SimulationUnavailableIsANoteWithTheStatement) {
  Harness h;
  h.world.simulate = "missing";
  auto rep = run_setup(aws_options(), h.clients());
  ASSERT_TRUE(rep.ok()) << rep.error().message;
  bool noted = false;
  for (const auto& i : rep->items)
    if (i.step == "permissions") {
      noted = i.outcome == Outcome::kNote && i.detail.find("iam:PassRole") != std::string::npos;
    }
  EXPECT_TRUE(noted);
}

TEST(SetupWorkflow, FineGrainedAccessControl403NamesManageSnapshotsMapping) {
  Harness h;
  h.world.fgac_forbids_put = true;
  auto rep = run_setup(aws_options(), h.clients());
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(rep.error().code, ErrorCode::kRemote);
  EXPECT_NE(rep.error().hint.find("manage_snapshots"), std::string::npos);
  EXPECT_NE(rep.error().hint.find("rolesmapping"), std::string::npos);
  EXPECT_NE(rep.error().hint.find(h.world.caller), std::string::npos);
}

TEST(SetupWorkflow, DifferingRepositoryNeedsFix) {
  Harness h;
  h.world.repos["nightly"] = {{"type", "fs"}, {"settings", {{"location", "/elsewhere"}}}};
  auto rep = run_setup(aws_options(), h.clients());
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(rep.error().code, ErrorCode::kConflict);
  EXPECT_NE(rep.error().message.find("/elsewhere"), std::string::npos);
  EXPECT_EQ(h.mutating(), 0u);
}

TEST(SetupWorkflow, SelfManagedS3SkipsIamAndUsesTheClusterClient) {
  Harness h;
  SetupOptions o;
  o.mode = SetupMode::kSelfManagedS3;
  o.repository = "backups";
  o.bucket = "own-bucket";
  o.region = "us-east-1";
  o.s3_client = "secondary";
  SetupClients c = h.clients();
  c.iam = nullptr;
  c.sts = nullptr;
  auto rep = run_setup(o, c);
  ASSERT_TRUE(rep.ok()) << rep.error().message;
  EXPECT_EQ(h.world.repos.at("backups"),
            json::parse(R"({"type":"s3","settings":{"bucket":"own-bucket","client":"secondary",
              "server_side_encryption":true,"readonly":false}})"));
  for (const auto& r : h.transport.requests) EXPECT_EQ(r.url.find("iam.local"), std::string::npos);
}

TEST(SetupWorkflow, SelfManagedFsRegistersLocation) {
  Harness h;
  SetupOptions o;
  o.mode = SetupMode::kSelfManagedFs;
  o.repository = "local";
  o.fs_location = "/mnt/backups/local";
  o.readonly = true;
  auto rep = run_setup(o, {nullptr, nullptr, nullptr, h.cc.get()});
  ASSERT_TRUE(rep.ok()) << rep.error().message;
  EXPECT_EQ(
      h.world.repos.at("local"),
      json::parse(R"({"type":"fs","settings":{"location":"/mnt/backups/local","readonly":true}})"));
}

TEST(SetupWorkflow, KmsKeyAndReadonlyReachTheBucketAndTheRepository) {
  Harness h;
  auto o = aws_options();
  o.kms_key = "arn:aws:kms:us-east-1:111122223333:key/abcd";
  o.readonly = true;
  auto rep = run_setup(o, h.clients());
  ASSERT_TRUE(rep.ok()) << rep.error().message;
  EXPECT_EQ(h.world.encryption["acme-snapshots"], "aws:kms");
  bool kms_sent = false;
  for (const auto& r : h.transport.requests)
    if (r.url.find("?encryption=") != std::string::npos && r.method == "PUT")
      kms_sent = r.body.data.find("<KMSMasterKeyID>arn:aws:kms:us-east-1:111122223333:key/abcd<") !=
                 std::string::npos;
  EXPECT_TRUE(kms_sent);
  EXPECT_EQ(h.world.repos.at("nightly")["settings"]["readonly"], true);
  // The role may use the key, and nothing else beyond the S3 grants.
  const auto& pol = h.world.role_policies.at("essnap-snapshots-nightly/essnap-snapshot-s3");
  ASSERT_EQ(pol["Statement"].size(), 3u);
  EXPECT_EQ(pol["Statement"][2], json::parse(R"({"Sid":"UseSnapshotKey","Effect":"Allow",
              "Action":["kms:GenerateDataKey","kms:Decrypt"],
              "Resource":"arn:aws:kms:us-east-1:111122223333:key/abcd"})"));
}

TEST(SetupDocuments, NoPrefixMeansWholeBucketAndNoCondition) {
  auto p = role_policy("aws", "b-1", "");
  EXPECT_FALSE(p["Statement"][0].contains("Condition"));
  EXPECT_EQ(p["Statement"][1]["Resource"], "arn:aws:s3:::b-1/*");
  EXPECT_EQ(role_policy("aws-cn", "b-1", "x")["Statement"][0]["Resource"], "arn:aws-cn:s3:::b-1");
  EXPECT_FALSE(trust_policy("")["Statement"][0].contains("Condition"));
}

TEST(SetupDocuments, KmsAndCustomEndpointInRepositoryBody) {
  auto o = aws_options();
  o.s3_endpoint = "http://127.0.0.1:8333";
  auto body = repository_body(o, "arn:aws:iam::1:role/r");
  EXPECT_EQ(body["settings"]["endpoint"], "http://127.0.0.1:8333");
  EXPECT_FALSE(body["settings"].contains("region"));
}

TEST(SetupDocuments, DomainNameFromEndpoint) {
  EXPECT_EQ(domain_name_from_endpoint("https://search-my-logs-abc123.eu-west-1.es.amazonaws.com"),
            "my-logs");
  EXPECT_EQ(domain_name_from_endpoint("https://vpc-logs-xyz.us-east-1.es.amazonaws.com"), "logs");
  EXPECT_EQ(domain_name_from_endpoint("http://localhost:9200"), "");
}

}  // namespace
}  // namespace essnap::setup
