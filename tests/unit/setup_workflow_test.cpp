// `essnap setup` against a simulated account (S3, STS, IAM) and cluster behind one recording
// fake transport: exact least-privilege documents, idempotence (a second run and a dry run make
// no mutating call), and every refusal leaving everything unchanged.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "essnap/cluster/repository.hpp"
#include "essnap/setup/setup.hpp"
#include "essnap/util/url.hpp"
#include "setup_world.hpp"
#include "support/recording_transport.hpp"

namespace essnap::setup {
namespace {

using nlohmann::json;
using testing::RecordingTransport;

using fake::Harness;

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
const json kWorkflowRepo = json::parse(R"({"type":"s3","settings":{"bucket":"acme-snapshots",
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
  EXPECT_EQ(h.world.repos.at("nightly"), kWorkflowRepo);
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
  EXPECT_EQ(rep->repository_body, kWorkflowRepo);
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

SetupOptions self_managed_s3() {
  SetupOptions o;
  o.mode = SetupMode::kSelfManagedS3;
  o.repository = "backups";
  o.bucket = "own-bucket";
  o.region = "us-east-1";
  return o;
}

SetupClients without_iam(Harness& h) {
  SetupClients c = h.clients();
  c.iam = nullptr;
  c.sts = nullptr;
  return c;
}

json nodes(const char* plugins_of_node_2, const char* list = "plugins") {
  json n2 = {{"name", "node-2"}, {"plugins", json::array()}, {"modules", json::array()}};
  if (*plugins_of_node_2) n2[list].push_back({{"name", plugins_of_node_2}});
  return {{"nodes",
           {{"a1",
             {{"name", "node-1"},
              {"plugins", {{{"name", "repository-s3"}}}},
              {"modules", json::array()}}},
            {"b2", n2}}}};
}

// Issue 21, item 8: on a cluster without repository-s3 the dry run promised "would create: type
// s3" and the real run made the bucket, then failed with a raw 500. The plan now decides it.
TEST(SetupWorkflow, MissingRepositoryPluginIsRefusedInThePlanBeforeAnyChange) {
  for (auto execution : {Execution::kDryRun, Execution::kExecute}) {
    Harness h;
    h.world.nodes_plugins = nodes("repository-url");
    auto o = self_managed_s3();
    o.execution = execution;
    auto rep = run_setup(o, without_iam(h));
    ASSERT_FALSE(rep.ok());
    EXPECT_EQ(rep.error().code, ErrorCode::kConflict);
    EXPECT_NE(rep.error().message.find("repository-s3"), std::string::npos) << rep.error().message;
    EXPECT_NE(rep.error().message.find("node-2"), std::string::npos) << rep.error().message;
    EXPECT_EQ(rep.error().message.find("node-1"), std::string::npos) << rep.error().message;
    EXPECT_NE(rep.error().hint.find("nothing was changed"), std::string::npos);
    EXPECT_EQ(h.mutating(), 0u);
    EXPECT_TRUE(h.world.buckets.empty());
  }
}

TEST(SetupWorkflow, RepositoryModuleCountsLikeAPlugin) {
  Harness h;
  h.world.nodes_plugins = nodes("repository-s3", "modules");  // Elasticsearch 8 bundles it
  auto rep = run_setup(self_managed_s3(), without_iam(h));
  ASSERT_TRUE(rep.ok()) << rep.error().message;
  EXPECT_TRUE(h.world.repos.count("backups"));
}

TEST(SetupWorkflow, FailureAfterAChangeSaysWhatChangedAndHowToUndoIt) {
  Harness h;
  h.world.repository_put_fails = true;
  auto rep = run_setup(self_managed_s3(), without_iam(h));
  ASSERT_FALSE(rep.ok());
  const auto& m = rep.error().message;
  EXPECT_NE(m.find("already changed before the failure"), std::string::npos) << m;
  EXPECT_NE(m.find("created: bucket"), std::string::npos) << m;
  EXPECT_NE(m.find("aws s3 rb s3://own-bucket"), std::string::npos) << m;
  EXPECT_NE(rep.error().hint.find("run the same setup command again"), std::string::npos);
  EXPECT_TRUE(h.world.buckets.count("own-bucket"));
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
      kms_sent =
          r.body.data().find("<KMSMasterKeyID>arn:aws:kms:us-east-1:111122223333:key/abcd<") !=
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
