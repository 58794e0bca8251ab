// No exception crosses the library boundary, part 1: the parsers of what AWS services answer.
// Every input of the shared malformed corpus (tests/support/malformed_corpus.hpp) goes to the
// XML and JSON error readers directly, and as the body of a 200, a 400 and a 500 answer to
// every STS, IAM and S3 operation that reads a body or a header. Each call must return — an
// error of the expected kind or a sane value — and never throw. The cluster's own response
// parsers are covered by cluster_snapshots_parse_test.cpp; part 2 (malformed_input_local_test)
// covers files, timestamps, URLs and the credential sources.
#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <set>
#include <string>

#include "essnap/aws/credentials.hpp"
#include "essnap/aws/sts.hpp"
#include "essnap/aws/xml_error.hpp"
#include "essnap/cluster/client.hpp"
#include "essnap/cluster/error.hpp"
#include "essnap/iam/iam.hpp"
#include "essnap/s3/client.hpp"
#include "essnap/util/url.hpp"
#include "support/malformed_corpus.hpp"
#include "support/recording_transport.hpp"

namespace essnap {
namespace {

using testing::malformed_corpus;
using testing::RecordingTransport;

// An error message quotes at most a line of what the server said: never the whole body (it may
// be 1 MiB, or carry whatever the server echoed back).
constexpr size_t kMaxMessage = 4096;

// The call returned; if it failed, with a message, a bounded one, and one of `codes` (empty:
// any code but kInternal, which would mean a bug).
template <typename T>
void expect_returns(const std::string& what, const std::function<Result<T>()>& call,
                    const std::set<ErrorCode>& codes = {}) {
  std::optional<Result<T>> r;
  EXPECT_NO_THROW(r.emplace(call())) << what;
  if (!r || r->ok()) return;
  const Error& e = r->error();
  EXPECT_FALSE(e.message.empty()) << what;
  EXPECT_LT(e.message.size(), kMaxMessage) << what;
  EXPECT_LT(e.hint.size(), kMaxMessage) << what;
  if (codes.empty())
    EXPECT_NE(e.code, ErrorCode::kInternal) << what << ": " << e.message;
  else
    EXPECT_TRUE(codes.count(e.code)) << what << ": " << to_string(e.code) << ": " << e.message;
}

// Must fail, with one of `codes`.
template <typename T>
void expect_error(const std::string& what, const std::function<Result<T>()>& call,
                  const std::set<ErrorCode>& codes) {
  std::optional<Result<T>> r;
  EXPECT_NO_THROW(r.emplace(call())) << what;
  if (!r) return;
  ASSERT_FALSE(r->ok()) << what << " accepted it";
  expect_returns<T>(
      what, [&]() -> Result<T> { return std::move(*r); }, codes);
}

// --- The error readers ---------------------------------------------------------------------

TEST(MalformedInput, XmlErrorReader) {
  for (const auto& in : malformed_corpus()) {
    RemoteDetail d;
    d.request_id = "kept";
    bool parsed = true;
    EXPECT_NO_THROW(parsed = aws::parse_xml_error(in.bytes, d)) << in.name;
    if (!parsed) {
      // False leaves the detail untouched, as documented.
      EXPECT_EQ(d.request_id, "kept") << in.name;
      EXPECT_TRUE(d.error_type.empty() && d.reason.empty()) << in.name;
    }
    EXPECT_LT(d.reason.size(), kMaxMessage) << in.name;
  }
  // An entity the document declares itself is not expanded into the Code: nothing outside the
  // literal text of the answer ends up in an error.
  RemoteDetail d;
  (void)aws::parse_xml_error(R"(<!DOCTYPE x [<!ENTITY a "INJECTED">]><Error><Code>&a;</Code>)"
                             R"(<Message>m</Message></Error>)",
                             d);
  EXPECT_EQ(d.error_type.find("INJECTED"), std::string::npos) << d.error_type;
}

TEST(MalformedInput, ClusterErrorReaders) {
  const http::Headers headers = {{"x-amzn-ErrorType", "\xff\xfe junk:x"},
                                 {"x-amzn-RequestId", std::string("a\0b", 3)}};
  for (const auto& in : malformed_corpus()) {
    for (int status : {0, 200, 400, 403, 404, 500, 599, 999}) {
      const std::string what = in.name + " HTTP " + std::to_string(status);
      RemoteDetail d;
      EXPECT_NO_THROW(d = cluster::parse_error_body(status, in.bytes, headers)) << what;
      EXPECT_EQ(d.http_status, status) << what;
      EXPECT_LT(d.reason.size(), kMaxMessage) << what;
      EXPECT_NO_THROW(d = cluster::parse_error_body(status, in.bytes)) << what;
      Error e;
      EXPECT_NO_THROW(e = cluster::error_from_response({status, headers, in.bytes, 1})) << what;
      EXPECT_FALSE(e.message.empty()) << what;
      EXPECT_LT(e.message.size(), kMaxMessage) << what;
      EXPECT_NO_THROW(e = cluster::error_for_status({status, {}, in.bytes, 1}, "GET /x")) << what;
      EXPECT_LT(e.message.size(), kMaxMessage) << what;
      EXPECT_NO_THROW(e = s3::error_from_response("GetObject", "bucket", {status, {}, in.bytes, 1}))
          << what;
      EXPECT_LT(e.message.size(), kMaxMessage) << what;
    }
  }
}

// --- STS and IAM through a transport that answers junk --------------------------------------

std::shared_ptr<aws::CredentialsProvider> keys() {
  return aws::make_static_provider({"AKIDEXAMPLE", "secret", "", std::nullopt, "test"});
}

// Every request answered with `status` and `body`.
RecordingTransport::Handler answer(int status, const std::string& body,
                                   http::Headers headers = {}) {
  return [status, body, headers](const http::Request&) -> Result<http::Response> {
    return http::Response{status, headers, body, 1};
  };
}

// For a 200 with junk a body parser is due to fail with kParse (or accept it, when the
// operation has no body worth reading); for an error status the answer is an error, never a
// parse failure of the error body.
const std::set<ErrorCode> kBadBody = {ErrorCode::kParse};
const std::set<ErrorCode> kErrorStatus = {ErrorCode::kRemote, ErrorCode::kNotFound,
                                          ErrorCode::kConflict, ErrorCode::kNoCredentials};

TEST(MalformedInput, StsAnswers) {
  for (const auto& in : malformed_corpus()) {
    for (int status : {200, 400, 500}) {
      RecordingTransport t(answer(status, in.bytes, {{"Content-Type", "text/xml"}}));
      aws::StsClient sts(t, {"http://sts.local", "us-east-1", "test"}, keys());
      const std::string what = in.name + " HTTP " + std::to_string(status);
      // No junk is a valid STS answer: every call fails.
      const auto& codes = status == 200 ? kBadBody : kErrorStatus;
      expect_error<aws::GetCallerIdentityResponse>(
          "GetCallerIdentity " + what, [&] { return sts.get_caller_identity({}); }, codes);
      expect_error<aws::AssumedRoleResponse>(
          "AssumeRole " + what,
          [&] {
            return sts.assume_role({"arn:aws:iam::123456789012:role/r", "s", "", {}, "", ""});
          },
          codes);
      expect_error<aws::AssumedRoleResponse>(
          "AssumeRoleWithWebIdentity " + what,
          [&] {
            return sts.assume_role_with_web_identity(
                {"arn:aws:iam::123456789012:role/r", "s", "oidc-token", {}});
          },
          codes);
    }
  }
}

TEST(MalformedInput, IamAnswers) {
  const nlohmann::json policy = {{"Version", "2012-10-17"}, {"Statement", nlohmann::json::array()}};
  for (const auto& in : malformed_corpus()) {
    for (int status : {200, 400, 500}) {
      RecordingTransport t(answer(status, in.bytes, {{"Content-Type", "text/xml"}}));
      iam::IamClient iam(t, {"http://iam.local", "us-east-1", "test"}, keys());
      const std::string what = in.name + " HTTP " + std::to_string(status);
      const auto& codes = status == 200 ? kBadBody : kErrorStatus;
      // Calls whose answer carries data: junk never passes for it.
      expect_error<iam::GetRoleResponse>(
          "GetRole " + what, [&] { return iam.get_role({"r"}); }, codes);
      expect_error<iam::CreateRoleResponse>(
          "CreateRole " + what,
          [&] {
            return iam.create_role({"r", policy, "d", ""});
          },
          codes);
      expect_error<iam::GetRolePolicyResponse>(
          "GetRolePolicy " + what,
          [&] {
            return iam.get_role_policy({"r", "p"});
          },
          codes);
      // A simulation that names no results is a sane (empty) answer; junk must not be more.
      expect_returns<iam::SimulatePrincipalPolicyResponse>(
          "SimulatePrincipalPolicy " + what,
          [&]() -> Result<iam::SimulatePrincipalPolicyResponse> {
            auto r = iam.simulate_principal_policy(
                {"arn:aws:iam::123456789012:user/u", {"s3:GetObject"}, {}});
            if (r.ok()) EXPECT_TRUE(r->results.empty()) << what;
            return r;
          },
          status == 200 ? kBadBody : kErrorStatus);
      // Writes: the answer has nothing to read, so a 200 may well succeed; an error may not.
      auto write_codes = status == 200 ? kBadBody : kErrorStatus;
      expect_returns<iam::UpdateAssumeRolePolicyResponse>(
          "UpdateAssumeRolePolicy " + what,
          [&] {
            return iam.update_assume_role_policy({"r", policy});
          },
          write_codes);
      expect_returns<iam::PutRolePolicyResponse>(
          "PutRolePolicy " + what,
          [&] {
            return iam.put_role_policy({"r", "p", policy});
          },
          write_codes);
      if (status != 200) {
        expect_error<iam::UpdateAssumeRolePolicyResponse>(
            "UpdateAssumeRolePolicy " + what,
            [&] {
              return iam.update_assume_role_policy({"r", policy});
            },
            write_codes);
      }
    }
  }
}

TEST(MalformedInput, IamPolicyDocuments) {
  for (const auto& in : malformed_corpus()) {
    expect_returns<nlohmann::json>(
        "decode_policy_document " + in.name, [&] { return iam::decode_policy_document(in.bytes); },
        kBadBody);
    // URL-encoded junk decodes to junk: still kParse.
    expect_returns<nlohmann::json>(
        "decode_policy_document encoded " + in.name,
        [&] { return iam::decode_policy_document(util::uri_encode(in.bytes)); }, kBadBody);
  }
  // A policy document is an object; the other JSON shapes are not policies.
  for (const char* doc : {"[]", "\"x\"", "42", "null", "%5B%5D"})
    expect_error<nlohmann::json>(
        std::string("decode_policy_document ") + doc,
        [&] { return iam::decode_policy_document(doc); }, kBadBody);
  for (const char* arn : {"", "arn:", "arn:aws:sts::", "x:assumed-role/",
                          "arn:aws:sts::1:assumed-role/", "\xff:assumed-role/\xfe"})
    EXPECT_NO_THROW((void)iam::simulation_source_arn(arn)) << arn;
}

// --- S3 through a transport that answers junk ----------------------------------------------

s3::ClientOptions s3_options() {
  s3::ClientOptions o;
  o.endpoint = {"http://s3.local", "test"};
  o.region = "us-east-1";
  o.credentials = keys();
  return o;
}

// Every S3 call that reads a body or a header, fed `status` + `body` + `headers`.
void s3_calls(int status, const std::string& body, const http::Headers& headers,
              const std::string& what) {
  RecordingTransport t(answer(status, body, headers));
  s3::Client c(t, s3_options());
  // S3 reports some failures inside a 200 (CopyObject, CompleteMultipartUpload): a body that
  // reads as an <Error> is then a remote error, anything else unreadable is kParse.
  const std::set<ErrorCode> ok_codes = {ErrorCode::kParse, ErrorCode::kRemote};
  const auto& codes = status == 200 ? ok_codes : kErrorStatus;
  expect_returns<s3::ListObjectsV2Response>(
      "ListObjectsV2 " + what,
      [&] {
        return c.list_objects_v2({"bucket", "p/", "/", "", 1000});
      },
      codes);
  expect_returns<std::vector<s3::ObjectSummary>>(
      "list_all " + what, [&] { return c.list_all("bucket", "p/"); }, codes);
  expect_returns<s3::GetBucketLocationResponse>(
      "GetBucketLocation " + what, [&] { return c.get_bucket_location({"bucket"}); }, codes);
  expect_returns<s3::GetPublicAccessBlockResponse>(
      "GetPublicAccessBlock " + what, [&] { return c.get_public_access_block({"bucket"}); }, codes);
  expect_returns<s3::GetBucketEncryptionResponse>(
      "GetBucketEncryption " + what, [&] { return c.get_bucket_encryption({"bucket"}); }, codes);
  expect_returns<s3::CreateMultipartUploadResponse>(
      "CreateMultipartUpload " + what,
      [&]() -> Result<s3::CreateMultipartUploadResponse> {
        auto r = c.create_multipart_upload({"bucket", "k", ""});
        // An upload without an id cannot continue: that is a parse failure, not a success.
        if (r.ok()) EXPECT_FALSE(r->upload_id.empty()) << what;
        return r;
      },
      codes);
  expect_returns<s3::CompleteMultipartUploadResponse>(
      "CompleteMultipartUpload " + what,
      [&] {
        return c.complete_multipart_upload({"bucket", "k", "u", {{1, "\"e\""}}});
      },
      codes);
  expect_returns<s3::CopyObjectResponse>(
      "CopyObject " + what,
      [&] {
        return c.copy_object({"src", "a", "bucket", "b"});
      },
      codes);
  expect_returns<s3::GetObjectResponse>(
      "GetObject " + what,
      [&] {
        return c.get_object({"bucket", "k", {}});
      },
      codes);
  expect_returns<s3::HeadBucketResponse>("HeadBucket " + what,
                                         [&] { return c.head_bucket({"bucket"}); });
  expect_returns<s3::CreateBucketResponse>(
      "CreateBucket " + what,
      [&] {
        return c.create_bucket({"bucket", "eu-west-1"});
      },
      codes);
  expect_returns<s3::PutObjectResponse>(
      "PutObject " + what,
      [&] {
        return c.put_object({"bucket", "k", {}, ""});
      },
      codes);
  expect_returns<s3::UploadPartResponse>(
      "UploadPart " + what,
      [&] {
        return c.upload_part({"bucket", "k", "u", 1, {}});
      },
      codes);
}

TEST(MalformedInput, S3Bodies) {
  for (const auto& in : malformed_corpus())
    for (int status : {200, 400, 500})
      s3_calls(status, in.bytes, {}, in.name + " body HTTP " + std::to_string(status));
}

TEST(MalformedInput, S3Headers) {
  // The headers S3 clients read: sizes, ETags and the bucket's region, each set to junk. The
  // 1 MiB input is left out: no HTTP stack delivers a header that long.
  for (const auto& in : malformed_corpus()) {
    if (in.bytes.size() > 8192) continue;
    const http::Headers junk = {{"Content-Length", in.bytes},
                                {"ETag", in.bytes},
                                {"x-amz-bucket-region", in.bytes},
                                {"x-amz-request-id", in.bytes},
                                {"Location", in.bytes}};
    for (int status : {200, 301, 307, 400, 403, 404, 500})
      s3_calls(status, "", junk, in.name + " headers HTTP " + std::to_string(status));
  }
}

TEST(MalformedInput, S3GetObjectContentLength) {
  for (const char* len : {" ", "-1", "abc", "12abc", "18446744073709551616",
                          "99999999999999999999999", "1e3", "0x10", "+5", " 5", "5 ", "\xff"}) {
    RecordingTransport t(answer(200, "hello", {{"Content-Length", len}}));
    s3::Client c(t, s3_options());
    expect_error<s3::GetObjectResponse>(
        std::string("GetObject Content-Length '") + len + "'",
        [&] {
          return c.get_object({"bucket", "k", {}});
        },
        kBadBody);
  }
}

}  // namespace
}  // namespace essnap
