// IAM client against a recording fake transport: the form it sends, URL-encoded policy
// documents decoded, semantic policy comparison, NoSuchEntity as not-found.
#include <gtest/gtest.h>

#include <map>

#include "essnap/iam/iam.hpp"
#include "essnap/util/url.hpp"
#include "support/recording_transport.hpp"

namespace essnap::iam {
namespace {

using testing::RecordingTransport;

IamClient client(RecordingTransport& t) {
  return IamClient(t, {"http://iam.local", "us-east-1", "test"},
                   aws::make_static_provider({"AKIDEXAMPLE", "secret", "", std::nullopt, "t"}));
}

TEST(IamEndpoint, OverridesAndPartitions) {
  aws::MapEnvironment env(std::map<std::string, std::string>{
      {"AWS_ENDPOINT_URL_IAM", "http://moto:5000/"}, {"AWS_ENDPOINT_URL", "http://all:1"}});
  EXPECT_EQ(resolve_iam_endpoint("eu-west-1", env).url, "http://moto:5000");
  EXPECT_EQ(resolve_iam_endpoint("eu-west-1", env).region, "us-east-1");
  aws::MapEnvironment none(std::map<std::string, std::string>{});
  EXPECT_EQ(resolve_iam_endpoint("eu-west-1", none).url, "https://iam.amazonaws.com");
  EXPECT_EQ(resolve_iam_endpoint("cn-northwest-1", none).region, "cn-north-1");
  EXPECT_EQ(resolve_iam_endpoint("x", none, "http://flag").source, "--iam-endpoint-url");
}

TEST(IamPolicy, DecodesUrlEncodedDocuments) {
  auto p =
      decode_policy_document("%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ((*p)["Version"], "2012-10-17");
  EXPECT_TRUE(decode_policy_document(R"({"a":1})").ok());
  EXPECT_FALSE(decode_policy_document("%7Bnot json").ok());
}

TEST(IamPolicy, ComparesSemantically) {
  auto a = nlohmann::json::parse(R"({"Version":"2012-10-17","Statement":[
    {"Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":"arn:aws:s3:::b/*"},
    {"Effect":"Allow","Action":"s3:ListBucket","Resource":["arn:aws:s3:::b"]}]})");
  auto b = nlohmann::json::parse(R"({"Statement":[
    {"Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","Effect":"Allow"},
    {"Resource":["arn:aws:s3:::b/*"],"Action":["s3:GetObject","s3:PutObject"],"Effect":"Allow"}],
    "Version":"2012-10-17"})");
  EXPECT_TRUE(policies_equal(a, b));
  auto c = b;
  c["Statement"][1]["Action"].push_back("s3:DeleteObject");
  EXPECT_FALSE(policies_equal(a, c));
}

TEST(IamSimulationArn, AssumedRoleBecomesRole) {
  EXPECT_EQ(simulation_source_arn("arn:aws:sts::123456789012:assumed-role/Admin/me@x"),
            "arn:aws:iam::123456789012:role/Admin");
  EXPECT_EQ(simulation_source_arn("arn:aws:iam::123456789012:user/bob"),
            "arn:aws:iam::123456789012:user/bob");
}

TEST(IamClient, GetRoleDecodesTrustPolicy) {
  RecordingTransport t;
  t.push(200,
         "<GetRoleResponse><GetRoleResult><Role><RoleName>snap</RoleName>"
         "<Arn>arn:aws:iam::123456789012:role/snap</Arn><Path>/</Path>"
         "<AssumeRolePolicyDocument>%7B%22Version%22%3A%222012-10-17%22%7D"
         "</AssumeRolePolicyDocument></Role></GetRoleResult></GetRoleResponse>");
  auto c = client(t);
  auto r = c.get_role({"snap"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->role.arn, "arn:aws:iam::123456789012:role/snap");
  EXPECT_EQ(r->role.assume_role_policy["Version"], "2012-10-17");
  EXPECT_EQ(t.requests[0].method, "POST");
  EXPECT_EQ(t.requests[0].body.data(), "Action=GetRole&Version=2010-05-08&RoleName=snap");
  ASSERT_NE(http::find_header(t.requests[0].headers, "Authorization"), nullptr);
  EXPECT_NE(http::find_header(t.requests[0].headers, "Authorization")
                ->find("/us-east-1/iam/aws4_request"),
            std::string::npos);
}

TEST(IamClient, NoSuchEntityIsNotFound) {
  RecordingTransport t;
  t.push(404,
         "<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The role "
         "with name x cannot be found.</Message></Error><RequestId>R9</RequestId></ErrorResponse>");
  auto c = client(t);
  auto r = c.get_role({"x"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(r.error().remote->request_id, "R9");
}

TEST(IamClient, PutRolePolicySendsEncodedDocument) {
  RecordingTransport t;
  t.push(200, "<PutRolePolicyResponse/>");
  auto c = client(t);
  nlohmann::json doc = {{"Version", "2012-10-17"}, {"Statement", nlohmann::json::array()}};
  ASSERT_TRUE(c.put_role_policy({"snap", "essnap-s3", doc}).ok());
  const auto& body = t.requests[0].body.data();
  auto pos = body.find("&PolicyDocument=");
  ASSERT_NE(pos, std::string::npos);
  auto decoded = util::percent_decode(body.substr(pos + 16));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(nlohmann::json::parse(*decoded), doc);
}

TEST(IamClient, SimulatePrincipalPolicyParsesDecisions) {
  RecordingTransport t;
  t.push(200,
         "<SimulatePrincipalPolicyResponse><SimulatePrincipalPolicyResult><EvaluationResults>"
         "<member><EvalActionName>iam:PassRole</EvalActionName><EvalResourceName>arn:r"
         "</EvalResourceName><EvalDecision>implicitDeny</EvalDecision></member>"
         "</EvaluationResults></SimulatePrincipalPolicyResult></SimulatePrincipalPolicyResponse>");
  auto c = client(t);
  auto r = c.simulate_principal_policy({"arn:aws:iam::1:user/u", {"iam:PassRole"}, {"arn:r"}});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->results.size(), 1u);
  EXPECT_EQ(r->results[0].decision, "implicitDeny");
  EXPECT_NE(t.requests[0].body.data().find("ActionNames.member.1=iam%3APassRole"),
            std::string::npos);
}

}  // namespace
}  // namespace essnap::iam
