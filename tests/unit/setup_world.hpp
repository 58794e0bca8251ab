// A simulated account (S3, STS, IAM) and cluster behind one recording fake transport, for the
// `essnap setup` unit tests: World holds the state, Harness the clients pointed at it.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>

#include "essnap/setup/setup.hpp"
#include "essnap/util/url.hpp"
#include "support/recording_transport.hpp"

namespace essnap::setup::fake {

using nlohmann::json;
using testing::RecordingTransport;

class Forward : public http::Transport {
 public:
  explicit Forward(http::Transport& t) : t_(t) {}
  Result<http::Response> send(http::Request r) override { return t_.send(std::move(r)); }

 private:
  http::Transport& t_;
};

// An AWS query-protocol form body ("Action=GetRole&RoleName=snap") as its fields, decoded.
inline std::map<std::string, std::string> form(std::string_view body) {
  std::map<std::string, std::string> out;
  size_t start = 0;
  while (start <= body.size()) {
    auto amp = body.find('&', start);
    std::string pair(
        body.substr(start, amp == std::string::npos ? std::string::npos : amp - start));
    auto eq = pair.find('=');
    if (eq != std::string::npos) {
      std::string v = pair.substr(eq + 1);
      for (auto& ch : v)
        if (ch == '+') ch = ' ';
      out[pair.substr(0, eq)] = util::percent_decode(v).value();
    }
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  return out;
}

inline http::Response xml(int status, std::string body) {
  return {status, {}, std::move(body), 1};
}
inline http::Response js(int status, const json& body) {
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
  json engine_version = {{"distribution", "opensearch"}, {"number", "2.19.6"}};  // GET /
  bool cluster_down = false;
  bool fgac_forbids_put = false;
  json nodes_plugins = nullptr;       // the GET _nodes/plugins answer; null: 404 as before
  bool repository_put_fails = false;  // PUT _snapshot/NAME answers a raw 500

  Result<http::Response> handle(const http::Request& r) {
    auto u = util::parse_url(r.url, util::UrlChars::kRaw).value();
    if (u.host == "cluster.local") return cluster(r, u);
    if (u.host == "sts.local")
      return xml(200, "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>" + caller +
                          "</Arn><Account>" + account +
                          "</Account><UserId>AIDA</UserId></GetCallerIdentityResult>"
                          "</GetCallerIdentityResponse>");
    if (u.host == "iam.local") return iam(form(r.body.data()));
    if (u.host == "s3.local") return s3(r, u);
    return xml(599, "unexpected host " + u.host);
  }

  Result<http::Response> cluster(const http::Request& r, const util::Url& u) {
    if (cluster_down) return make_error(ErrorCode::kNetwork, "connection refused");
    if (u.path == "/") return js(200, {{"cluster_name", "c"}, {"version", engine_version}});
    if (u.path == "/_nodes/plugins")
      return nodes_plugins.is_null() ? js(404, {{"error", "no handler"}}) : js(200, nodes_plugins);
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
      if (repository_put_fails)
        return js(500, {{"error",
                         {{"type", "repository_exception"},
                          {"reason", "[" + rest + "] repository type [s3] does not exist"}}},
                        {"status", 500}});
      repos[rest] = json::parse(r.body.data());
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
      auto pos = r.body.data().find("<LocationConstraint>");
      if (pos != std::string::npos)
        region = r.body.data().substr(pos + 20, r.body.data().find("</Loc") - pos - 20);
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
            r.body.data().find("aws:kms") != std::string::npos ? "aws:kms" : "AES256";
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
inline bool is_read(const http::Request& r) {
  if (r.url.find("/_verify") != std::string::npos) return true;
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

}  // namespace essnap::setup::fake
