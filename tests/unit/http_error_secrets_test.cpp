// No error message from the transport stack carries a signature, a presigned query string,
// a session token or URL user info, whatever way the request fails.
#include <gtest/gtest.h>

#include "essnap/http/factory.hpp"

namespace essnap::http {
namespace {

constexpr const char* kSecretsSignature =
    "d3adb33fd3adb33fd3adb33fd3adb33fd3adb33fd3adb33fd3adb33fd3adb33f";
constexpr const char* kSecretsToken = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN";

std::string presigned(const std::string& base) {
  return base +
         "/bucket/key?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE" +
         "%2F20261201%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Security-Token=" + kSecretsToken +
         "&X-Amz-Signature=" + kSecretsSignature;
}

void expect_clean(const Error& e) {
  const std::string all = e.message + "\n" + e.hint;
  EXPECT_EQ(all.find(kSecretsSignature), std::string::npos) << all;
  EXPECT_EQ(all.find(kSecretsToken), std::string::npos) << all;
  EXPECT_EQ(all.find("AKIAIOSFODNN7EXAMPLE"), std::string::npos) << all;
  EXPECT_EQ(all.find("hunter2"), std::string::npos) << all;
}

Result<Response> send_once(const std::string& url) {
  TransportOptions o;
  o.retry.max_attempts = 1;
  Request r;
  r.url = url;
  r.timeouts.connect = std::chrono::milliseconds(2000);
  return make_transport(o)->send(r);
}

TEST(TransportErrorSecrets, RefusedConnectionToPresignedUrl) {
  auto r = send_once(presigned("http://127.0.0.1:1"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNetwork);
  EXPECT_NE(r.error().message.find("127.0.0.1"), std::string::npos) << "still says where";
  expect_clean(r.error());
}

TEST(TransportErrorSecrets, MalformedPresignedUrl) {
  auto r = send_once(presigned("http://127.0.0.1:99999"));
  ASSERT_FALSE(r.ok());
  expect_clean(r.error());
}

TEST(TransportErrorSecrets, UnsupportedSchemeWithUserInfo) {
  auto r = send_once("gopher://admin:hunter2@127.0.0.1:1/x?X-Amz-Signature=" +
                     std::string(kSecretsSignature));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  expect_clean(r.error());
}

TEST(TransportErrorSecrets, UserInfoInAnUnreachableUrl) {
  auto r = send_once("http://admin:hunter2@127.0.0.1:1/_cluster/health");
  ASSERT_FALSE(r.ok());
  expect_clean(r.error());
}

}  // namespace
}  // namespace essnap::http
