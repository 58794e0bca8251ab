// The AWS SigV4 test suite (tests/data/sigv4/suite, see SOURCE.md there): each case is a raw
// HTTP request (.req) and the expected canonical request (.creq), string to sign (.sts) and
// Authorization header (.authz). All three are asserted, so a failure shows the first step
// that diverges.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "essnap/aws/sigv4.hpp"

namespace essnap::aws {
namespace {

namespace fs = std::filesystem;

const fs::path kSuiteDir = fs::path(ESSNAP_TEST_DATA_DIR) / "sigv4" / "suite";

std::string read_suite_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string strip_cr(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), '\r'), s.end());
  return s;
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::recursive_directory_iterator(kSuiteDir)) {
    if (entry.path().extension() == ".req") {
      names.push_back(fs::relative(entry.path().parent_path(), kSuiteDir).generic_string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

struct ParsedRequest {
  SigningRequest request;
  std::string body;
  std::string amz_date;
};

// A minimal HTTP/1.1 request parser for the .req files. The request target may contain a raw
// space (normalize-path/get-space), so the method ends at the first space and the version
// starts at the last. Obsolete line folding is unfolded to one space, as RFC 9112 §5.2 tells a
// recipient to do.
ParsedRequest parse_req(const std::string& raw_text) {
  const std::string raw = strip_cr(raw_text);
  ParsedRequest out;
  std::size_t pos = raw.find('\n');
  const std::string line = raw.substr(0, pos);
  const std::size_t first = line.find(' ');
  const std::size_t last = line.rfind(' ');
  out.request.method = line.substr(0, first);
  const std::string target = line.substr(first + 1, last - first - 1);

  std::string host;
  while (pos != std::string::npos && pos + 1 <= raw.size()) {
    const std::size_t start = pos + 1;
    const std::size_t end = raw.find('\n', start);
    const std::string l = raw.substr(start, end == std::string::npos ? end : end - start);
    pos = end;
    if (l.empty()) {
      if (end != std::string::npos) out.body = raw.substr(end + 1);
      break;
    }
    if (l.front() == ' ' || l.front() == '\t') {
      const std::size_t b = l.find_first_not_of(" \t");
      out.request.headers.back().second += " " + l.substr(b);
      continue;
    }
    const std::size_t colon = l.find(':');
    std::string name = l.substr(0, colon);
    std::string value = l.substr(colon + 1);
    if (name == "Host" || name == "host") host = value;
    if (name == "X-Amz-Date") out.amz_date = value;
    out.request.headers.emplace_back(std::move(name), std::move(value));
  }
  out.request.url = "https://" + host + target;
  return out;
}

class AwsSigV4Suite : public ::testing::TestWithParam<std::string> {};

TEST_P(AwsSigV4Suite, MatchesCanonicalRequestStringToSignAndAuthorization) {
  const std::string name = GetParam();
  const fs::path base = kSuiteDir / name / fs::path(name).filename();
  const auto file = [&](const char* ext) { return strip_cr(read_suite_file(base.string() + ext)); };

  ParsedRequest parsed = parse_req(read_suite_file(base.string() + ".req"));
  parsed.request.body = parsed.body;
  const std::string creq = file(".creq");

  Credentials credentials;
  credentials.access_key_id = "AKIDEXAMPLE";
  credentials.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  // As in botocore's runner: a case uses a session token exactly when its canonical request
  // signs one (post-sts-header-after adds it after signing, so it is not a credential there).
  const std::string token_prefix = "\nx-amz-security-token:";
  if (const auto at = creq.find(token_prefix); at != std::string::npos) {
    const auto from = at + token_prefix.size();
    credentials.session_token = creq.substr(from, creq.find('\n', from) - from);
  }

  SigningParams params;
  params.region = "us-east-1";
  params.service = "service";
  auto when = parse_amz_date(parsed.amz_date);
  ASSERT_TRUE(when.ok()) << when.error().message;
  params.time = *when;

  auto signed_request = sign(parsed.request, credentials, params);
  ASSERT_TRUE(signed_request.ok()) << signed_request.error().message;
  EXPECT_EQ(signed_request->canonical_request, creq);
  EXPECT_EQ(signed_request->string_to_sign, file(".sts"));
  ASSERT_FALSE(signed_request->headers_to_add.empty());
  EXPECT_EQ(signed_request->headers_to_add.front().first, "Authorization");
  EXPECT_EQ(signed_request->headers_to_add.front().second, file(".authz"));
}

INSTANTIATE_TEST_SUITE_P(Cases, AwsSigV4Suite, ::testing::ValuesIn(case_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           for (char& c : n) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return n;
                         });

TEST(AwsSigV4SuiteData, IsPresent) {
  EXPECT_GE(case_names().size(), 30u);
}

}  // namespace
}  // namespace essnap::aws
