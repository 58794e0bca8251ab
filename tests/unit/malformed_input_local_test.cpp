// No exception crosses the library boundary, part 2: files, dates, ARNs, URLs, YAML output,
// the credential sources that read other programs' and servers' JSON, and the cluster client's
// engine detection. Each parser gets every input of the shared malformed corpus
// (tests/support/malformed_corpus.hpp) and must return — an error of the expected kind or a sane
// value — and never throw. Part 1 (malformed_input_test) covers the AWS service answers.
#include <gtest/gtest.h>
#include <openssl/sha.h>

#include <cstdio>
#include <functional>
#include <optional>
#include <set>
#include <string>

#include "essnap/aws/config_file.hpp"
#include "essnap/aws/credential_sources.hpp"
#include "essnap/aws/credentials.hpp"
#include "essnap/aws/imds.hpp"
#include "essnap/aws/partition.hpp"
#include "essnap/aws/sigv4.hpp"
#include "essnap/aws/timestamp.hpp"
#include "essnap/cluster/client.hpp"
#include "essnap/util/url.hpp"
#include "essnap/util/yaml.hpp"
#include "support/aws_test_util.hpp"
#include "support/malformed_corpus.hpp"
#include "support/recording_transport.hpp"

namespace essnap {
namespace {

using testing::malformed_corpus;
using testing::RecordingTransport;
using testing::TempHome;

// An error quotes at most a short excerpt of the bad input, never all of it.
constexpr size_t kMaxLocalMessage = 4096;

// The call returned; if it failed, with a bounded message and one of `codes`. With
// `must_fail`, success is a failure of the test: no corpus input is a valid instance.
template <typename T>
void expect_local_returns(const std::string& what, const std::function<Result<T>()>& call,
                          const std::set<ErrorCode>& codes, bool must_fail = true) {
  std::optional<Result<T>> r;
  EXPECT_NO_THROW(r.emplace(call())) << what;
  if (!r) return;
  if (r->ok()) {
    EXPECT_FALSE(must_fail) << what << " accepted it";
    return;
  }
  const Error& e = r->error();
  EXPECT_FALSE(e.message.empty()) << what;
  EXPECT_LT(e.message.size(), kMaxLocalMessage) << what;
  EXPECT_TRUE(codes.count(e.code)) << what << ": " << to_string(e.code) << ": " << e.message;
}

const std::set<ErrorCode> kParse = {ErrorCode::kParse};
const std::set<ErrorCode> kInvalid = {ErrorCode::kInvalidArgument};

// --- Text parsers ----------------------------------------------------------------------------

TEST(MalformedInputLocal, ConfigFiles) {
  for (const auto& in : malformed_corpus()) {
    // Some junk is a valid INI file (empty, whitespace); none may throw.
    expect_local_returns<aws::IniFile>(
        "IniFile::parse " + in.name, [&] { return aws::IniFile::parse(in.bytes, "cfg"); }, kInvalid,
        /*must_fail=*/false);
    // The same bytes after a valid section, as a value, and as a section name.
    expect_local_returns<aws::IniFile>(
        "IniFile::parse value " + in.name,
        [&] { return aws::IniFile::parse("[default]\nregion = " + in.bytes, "cfg"); }, kInvalid,
        false);
    expect_local_returns<aws::IniFile>(
        "IniFile::parse section " + in.name,
        [&] { return aws::IniFile::parse("[" + in.bytes + "]\n", "cfg"); }, kInvalid, false);
    // And through the files the chain reads.
    TempHome home;
    home.write(".aws/config", in.bytes);
    home.write(".aws/credentials", in.bytes);
    aws::MapEnvironment env({{"HOME", home.path()}});
    expect_local_returns<aws::SharedConfig>(
        "load_shared_config " + in.name, [&] { return aws::load_shared_config(env); }, kInvalid,
        false);
    expect_local_returns<aws::ResolvedCredentials>(
        "resolve_credentials with junk files " + in.name,
        [&] {
          aws::MapEnvironment e({{"HOME", home.path()}, {"AWS_EC2_METADATA_DISABLED", "true"}});
          return aws::resolve_credentials({}, e);
        },
        {ErrorCode::kInvalidArgument, ErrorCode::kNoCredentials});
  }
}

TEST(MalformedInputLocal, TimestampsArnsAndVersions) {
  for (const auto& in : malformed_corpus()) {
    expect_local_returns<std::chrono::system_clock::time_point>(
        "parse_iso8601 " + in.name, [&] { return aws::parse_iso8601(in.bytes); }, kParse);
    expect_local_returns<std::chrono::system_clock::time_point>(
        "parse_amz_date " + in.name, [&] { return aws::parse_amz_date(in.bytes); }, kInvalid);
    expect_local_returns<aws::Arn>(
        "parse_arn " + in.name, [&] { return aws::parse_arn(in.bytes); }, kInvalid);
    expect_local_returns<aws::Arn>(
        "parse_arn prefixed " + in.name, [&] { return aws::parse_arn("arn:" + in.bytes); },
        kInvalid);
    // "42" is version 42; the rest is not a version.
    expect_local_returns<cluster::Version>(
        "Version::parse " + in.name, [&] { return cluster::Version::parse(in.bytes); }, kParse,
        false);
  }
  // Right length and punctuation, wrong digits and ranges.
  for (const char* t : {"9999-99-99T99:99:99Z", "2024-02-30T00:00:00Z", "0000-01-01T00:00:00Z",
                        "2024-01-01T00:00:00.Z", "2024-01-01T00:00:00+99", "2024-01-01T00:00:00+",
                        "2024-01-01T00:00:00.99999999999999999999999Z"})
    EXPECT_NO_THROW((void)aws::parse_iso8601(t)) << t;
  for (const char* t : {"99999999T999999Z", "20240230T000000Z", "0000000-T000000Z"})
    expect_local_returns<std::chrono::system_clock::time_point>(
        std::string("parse_amz_date ") + t, [&] { return aws::parse_amz_date(t); }, kInvalid);
}

TEST(MalformedInputLocal, UrlsAndPercentDecoding) {
  for (const auto& in : malformed_corpus()) {
    for (auto chars : {util::UrlChars::kWire, util::UrlChars::kRaw}) {
      expect_local_returns<util::Url>(
          "parse_url " + in.name, [&] { return util::parse_url(in.bytes, chars); }, kInvalid);
      // The junk where the host, the port and the path go.
      for (const std::string& url : {"http://" + in.bytes, "http://h:" + in.bytes,
                                     "https://[" + in.bytes + "]/", "http://h/" + in.bytes})
        expect_local_returns<util::Url>(
            "parse_url in URL " + in.name, [&] { return util::parse_url(url, chars); }, kInvalid,
            false);
    }
    // Junk without "%" decodes to itself; with a broken escape it is an error.
    expect_local_returns<std::string>(
        "percent_decode " + in.name, [&] { return util::percent_decode(in.bytes); }, kInvalid,
        false);
    expect_local_returns<std::string>(
        "percent_decode trailing % " + in.name,
        [&] { return util::percent_decode(in.bytes + "%"); }, kInvalid);
    expect_local_returns<std::string>(
        "percent_decode %G " + in.name, [&] { return util::percent_decode("%G" + in.bytes); },
        kInvalid);
  }
  for (const char* port : {"0", "65536", "99999999999999999999", "-1", "+80", "8 0"})
    expect_local_returns<util::Url>(
        std::string("parse_url port ") + port,
        [&] { return util::parse_url(std::string("http://h:") + port + "/"); }, kInvalid);
}

TEST(MalformedInputLocal, YamlOfAnyJsonValue) {
  // to_yaml prints what servers sent (snapshot names, index names, S3 keys); none of it may make
  // the printer throw, not even a string that is not UTF-8.
  for (const auto& in : malformed_corpus()) {
    nlohmann::json values[] = {
        nlohmann::json(in.bytes), nlohmann::json::object({{in.bytes, in.bytes}}),
        nlohmann::json::array({in.bytes, nlohmann::json::array({in.bytes})}),
        nlohmann::json::parse(in.bytes, nullptr, /*allow_exceptions=*/false)};
    for (const auto& v : values) {
      std::string out;
      EXPECT_NO_THROW(out = util::to_yaml(v)) << in.name;
      EXPECT_FALSE(out.empty()) << in.name;
    }
  }
}

// --- Credential sources ----------------------------------------------------------------------

// The chain with its transport replaced by one whose handler answers.
Result<aws::ResolvedCredentials> resolve_with(const std::map<std::string, std::string>& vars,
                                              RecordingTransport::Handler handler) {
  aws::CredentialOptions o;
  o.transport_factory = [handler] { return std::make_unique<RecordingTransport>(handler); };
  aws::MapEnvironment env(vars);
  return aws::resolve_credentials(o, env);
}

RecordingTransport::Handler answer_local(int status, const std::string& body) {
  return [status, body](const http::Request&) -> Result<http::Response> {
    return http::Response{status, {{"Content-Type", "application/json"}}, body, 1};
  };
}

// Not credentials: kParse (unreadable) or kNoCredentials (readable but refused, or an error
// status), never a success.
const std::set<ErrorCode> kNoCreds = {ErrorCode::kParse, ErrorCode::kNoCredentials,
                                      ErrorCode::kRemote};

TEST(MalformedInputLocal, CredentialProcessOutput) {
  TempHome home;
  for (const auto& in : malformed_corpus()) {
    const auto out = home.write("output", in.bytes);
    expect_local_returns<aws::Credentials>(
        "credential_process " + in.name,
        [&] { return aws::detail::run_credential_process("cat '" + out + "'"); }, kNoCreds);
    // Valid JSON around junk in the fields that are parsed further.
    const auto exp = home.write(
        "exp", R"({"Version":1,"AccessKeyId":"AKID","SecretAccessKey":"s","Expiration":)" +
                   nlohmann::json(in.bytes).dump(-1, ' ', false,
                                                 nlohmann::json::error_handler_t::replace) +
                   "}");
    expect_local_returns<aws::Credentials>(
        "credential_process Expiration " + in.name,
        [&] { return aws::detail::run_credential_process("cat '" + exp + "'"); }, kParse,
        /*must_fail=*/!in.bytes.empty());  // an empty Expiration means none, as in the SDKs
  }
  for (const char* doc : {R"({"Version":"1"})", R"({"Version":1.5})", R"({"Version":1e400})",
                          R"({"Version":18446744073709551617})",
                          R"({"Version":1,"AccessKeyId":5,"SecretAccessKey":[]})"}) {
    const auto out = home.write("output", doc);
    expect_local_returns<aws::Credentials>(
        std::string("credential_process ") + doc,
        [&] { return aws::detail::run_credential_process("cat '" + out + "'"); }, kNoCreds);
  }
}

TEST(MalformedInputLocal, ContainerAndImdsJson) {
  TempHome home;
  auto junk_fields = [](const std::string& bytes) {
    return nlohmann::json{{"AccessKeyId", "AKID"},
                          {"SecretAccessKey", "s"},
                          {"Code", "Success"},
                          {"Expiration", bytes}}
        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  for (const auto& in : malformed_corpus()) {
    for (const std::string& body : {in.bytes, junk_fields(in.bytes)}) {
      // An empty Expiration means "does not expire": those are valid credentials.
      const bool valid = body == junk_fields("");
      for (int status : {200, 400, 500}) {
        const std::string what = in.name + " HTTP " + std::to_string(status);
        expect_local_returns<aws::ResolvedCredentials>(
            "container " + what,
            [&] {
              return resolve_with({{"HOME", home.path()},
                                   {"AWS_EC2_METADATA_DISABLED", "true"},
                                   {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1/c"}},
                                  answer_local(status, body));
            },
            kNoCreds, !(valid && status == 200));
        // IMDS: a token, a role name, then the junk as the credentials document.
        auto imds = [&](const http::Request& r) -> Result<http::Response> {
          if (r.method == "PUT") return http::Response{200, {}, "token", 1};
          if (r.url.size() >= 1 && r.url.back() == '/') return http::Response{200, {}, "role", 1};
          return http::Response{status, {}, body, 1};
        };
        expect_local_returns<aws::ResolvedCredentials>(
            "IMDS " + what,
            [&] {
              return resolve_with({{"HOME", home.path()}}, imds);
            },
            {ErrorCode::kParse, ErrorCode::kNoCredentials, ErrorCode::kRemote,
             ErrorCode::kNotFound},
            !(valid && status == 200));
      }
      // The junk as the role listing and as the region.
      RecordingTransport t([&](const http::Request& r) -> Result<http::Response> {
        if (r.method == "PUT") return http::Response{200, {}, "token", 1};
        return http::Response{200, {}, body, 1};
      });
      aws::MapEnvironment env({{"HOME", home.path()}});
      std::optional<Result<std::optional<std::string>>> region;
      EXPECT_NO_THROW(region.emplace(aws::imds_region(t, env))) << in.name;
      expect_local_returns<aws::ResolvedCredentials>(
          "IMDS role listing " + in.name,
          [&] {
            return resolve_with({{"HOME", home.path()}},
                                [&](const http::Request& r) { return t.send(r); });
          },
          {ErrorCode::kParse, ErrorCode::kNoCredentials, ErrorCode::kRemote}, !valid);
    }
  }
}

// The SSO token cache of session "corp": ~/.aws/sso/cache/<sha1("corp")>.json.
std::string sso_cache_name(const std::string& session) {
  unsigned char md[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(session.data()), session.size(), md);
  char hex[2 * SHA_DIGEST_LENGTH + 1];
  for (int i = 0; i < SHA_DIGEST_LENGTH; ++i) std::snprintf(hex + 2 * i, 3, "%02x", md[i]);
  return ".aws/sso/cache/" + std::string(hex) + ".json";
}

TEST(MalformedInputLocal, SsoCacheAndGetRoleCredentials) {
  TempHome home;
  home.write(".aws/config",
             "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n"
             "sso_role_name = ReadOnly\n[sso-session corp]\n"
             "sso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n");
  const std::string cache = sso_cache_name("corp");
  const std::string valid_token =
      R"({"accessToken": "cached-access-token", "expiresAt": "2200-01-01T00:00:00Z"})";
  const std::map<std::string, std::string> vars = {
      {"HOME", home.path()}, {"AWS_PROFILE", "dev"}, {"AWS_EC2_METADATA_DISABLED", "true"}};
  const std::string never_called =
      R"({"roleCredentials":{"accessKeyId":"A","secretAccessKey":"s"}})";
  for (const auto& in : malformed_corpus()) {
    // Junk as the cache file, and valid JSON with junk where the token and its expiry go.
    const std::string fields =
        nlohmann::json{{"accessToken", in.bytes}, {"expiresAt", in.bytes}}.dump(
            -1, ' ', false, nlohmann::json::error_handler_t::replace);
    for (const std::string& cache_body : {in.bytes, fields}) {
      home.write(cache, cache_body);
      expect_local_returns<aws::ResolvedCredentials>(
          "SSO token cache " + in.name,
          [&] { return resolve_with(vars, answer_local(200, never_called)); }, kNoCreds);
    }
    // A valid cached token, then junk from GetRoleCredentials, also inside roleCredentials.
    home.write(cache, valid_token);
    const std::string inner =
        nlohmann::json{{"roleCredentials",
                        {{"accessKeyId", "A"}, {"secretAccessKey", "s"}, {"expiration", in.bytes}}}}
            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    for (int status : {200, 400, 401, 500}) {
      expect_local_returns<aws::ResolvedCredentials>(
          "SSO GetRoleCredentials " + in.name + " HTTP " + std::to_string(status),
          [&] { return resolve_with(vars, answer_local(status, in.bytes)); }, kNoCreds);
    }
    // An expiration that is not a number is ignored, as the SDKs do: the keys still count.
    expect_local_returns<aws::ResolvedCredentials>(
        "SSO roleCredentials.expiration " + in.name,
        [&] { return resolve_with(vars, answer_local(200, inner)); }, kNoCreds, false);
  }
  // Expirations that are numbers, but not milliseconds any clock can hold.
  home.write(cache, valid_token);
  for (const char* exp : {"1e300", "-1e300", "18446744073709551615", "-9223372036854775808",
                          "9223372036854775807", "1.5"}) {
    const std::string body = std::string(R"({"roleCredentials":{"accessKeyId":"A",)") +
                             R"("secretAccessKey":"s","expiration":)" + exp + "}}";
    expect_local_returns<aws::ResolvedCredentials>(
        std::string("SSO expiration ") + exp,
        [&] { return resolve_with(vars, answer_local(200, body)); }, kNoCreds, false);
  }
}

// --- Cluster engine detection ----------------------------------------------------------------

TEST(MalformedInputLocal, ClusterInfo) {
  std::vector<std::string> bodies;
  for (const auto& in : malformed_corpus()) bodies.push_back(in.bytes);
  // JSON of the right outline with the wrong types where info() reads.
  for (const char* b :
       {R"({"version":"8.1.0"})", R"({"version":{"number":8}})", R"({"version":{"number":null}})",
        R"({"version":{"number":"8.1.0","distribution":5},"cluster_name":"c"})",
        R"({"version":{"number":"8.1.0"},"cluster_name":["c"]})", R"({"version":{"number":"x"}})",
        R"({"nodes":[]})", R"({"nodes":{"n":5}})", R"({"nodes":{"n":{"version":8}}})",
        R"({"nodes":{"n":{"version":"x"}}})",
        R"({"nodes":{"n":{"version":"8.1.0"}},"cluster_name":1})", R"({"nodes":{"n":null}})"})
    bodies.emplace_back(b);
  for (const auto& body : bodies) {
    // GET / answers junk and so does _nodes/_local; then GET / refuses (405) and only the nodes
    // API answers junk; then both answer with an error status.
    for (int root_status : {200, 405, 500}) {
      auto t = std::make_unique<RecordingTransport>(
          [&, root_status](const http::Request& r) -> Result<http::Response> {
            const bool root = r.url.find("_nodes") == std::string::npos;
            return http::Response{root ? root_status : (root_status == 500 ? 500 : 200),
                                  {{"Content-Type", "application/json"}},
                                  body,
                                  1};
          });
      cluster::Client c(std::move(t), "http://cluster.test");
      const std::string what =
          "info() GET / HTTP " + std::to_string(root_status) + " body '" + body.substr(0, 60) + "'";
      expect_local_returns<cluster::ClusterInfo>(
          what, [&] { return c.info(); },
          root_status == 500 ? std::set<ErrorCode>{ErrorCode::kRemote}
                             : std::set<ErrorCode>{ErrorCode::kParse},
          false);
    }
  }
}

}  // namespace
}  // namespace essnap
