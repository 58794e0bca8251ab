// Signer behaviour beyond the AWS suite: path normalisation, header folding, payload modes,
// presigned URLs, dates and errors (which must never carry a secret).
#include "essnap/aws/sigv4.hpp"

#include <gtest/gtest.h>

#include "essnap/util/crypto.hpp"

namespace essnap::aws {
namespace {

constexpr char kSigv4Secret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr char kSigv4Token[] = "FwoGZXIvYXdzEXAMPLETOKEN//+==";

Credentials sigv4_creds(std::string token = {}) {
  Credentials c;
  c.access_key_id = "AKIAIOSFODNN7EXAMPLE";
  c.secret_access_key = kSigv4Secret;
  c.session_token = std::move(token);
  return c;
}

SigningParams params(std::string service, std::string_view date = "20130524T000000Z",
                     PayloadSigning payload = PayloadSigning::kSigned) {
  SigningParams p;
  p.region = "us-east-1";
  p.service = std::move(service);
  p.time = *parse_amz_date(date);
  p.payload = payload;
  return p;
}

SigningRequest req(std::string method, std::string url, HeaderList headers = {}) {
  SigningRequest r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.headers = std::move(headers);
  return r;
}

std::string signed_header(const SignedRequest& s, std::string_view name) {
  for (const auto& [n, v] : s.headers_to_add) {
    if (n == name) return v;
  }
  return "<absent>";
}

// Every error path: neither the secret nor the token may appear in what the user sees.
void expect_no_secret(const Error& e) {
  for (const std::string* text : {&e.message, &e.hint}) {
    EXPECT_EQ(text->find(kSigv4Secret), std::string::npos) << *text;
    EXPECT_EQ(text->find(kSigv4Token), std::string::npos) << *text;
  }
}

// RFC 4231 test cases 1 and 6 (a key longer than the block), and FIPS 180-2 "abc".
TEST(Crypto, Sha256AndHmacMatchPublishedVectors) {
  EXPECT_EQ(util::sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(util::sha256_hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  util::Sha256 incremental;
  incremental.update("a");
  incremental.update("bc");
  EXPECT_EQ(util::hex_encode(incremental.finish()), util::sha256_hex("abc"));

  const std::string key1(20, '\x0b');
  const std::string mac1 = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7";
  EXPECT_EQ(util::hex_encode(util::hmac_sha256(key1, "Hi There")), mac1);
  EXPECT_EQ(util::hex_encode(util::HmacSha256Key(key1).mac("Hi There")), mac1);

  const std::string key6(131, '\xaa');
  const std::string data6 = "Test Using Larger Than Block-Size Key - Hash Key First";
  const std::string mac6 = "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54";
  EXPECT_EQ(util::hex_encode(util::hmac_sha256(key6, data6)), mac6);
  const util::HmacSha256Key prepared(key6);
  EXPECT_EQ(util::hex_encode(prepared.mac(data6)), mac6);
  EXPECT_EQ(util::hex_encode(prepared.mac(data6)), mac6);  // reusable
}

TEST(NormalizePath, RemovesDotSegmentsAndCollapsesEmptyOnes) {
  EXPECT_EQ(normalize_path(""), "/");
  EXPECT_EQ(normalize_path("/"), "/");
  EXPECT_EQ(normalize_path("//"), "/");
  EXPECT_EQ(normalize_path("/./"), "/");
  EXPECT_EQ(normalize_path("/a/./b"), "/a/b");
  EXPECT_EQ(normalize_path("/a/../b"), "/b");
  EXPECT_EQ(normalize_path("/a/b/.."), "/a");  // as botocore, not RFC 3986's "/a/"
  EXPECT_EQ(normalize_path("/a/b/../"), "/a/");
  EXPECT_EQ(normalize_path("/../../a"), "/a");
  EXPECT_EQ(normalize_path("//a//b//"), "/a/b/");
  EXPECT_EQ(normalize_path("/a/."), "/a");
  EXPECT_EQ(normalize_path("/..."), "/...");
  EXPECT_EQ(normalize_path("/%2E%2E/a"), "/%2E%2E/a");  // encoded dots are not dot segments
}

TEST(CanonicalUri, DoubleEncodesForEveryServiceButS3) {
  EXPECT_EQ(canonical_uri("/_snapshot/r/%3Csnap-%7Bnow%2Fd%7D%3E", "es"),
            "/_snapshot/r/%253Csnap-%257Bnow%252Fd%257D%253E");
  EXPECT_EQ(canonical_uri("/a b/*/\xE1\x88\xB4/~", "aoss"), "/a%20b/%2A/%E1%88%B4/~");
  EXPECT_EQ(canonical_uri("/bucket//a/../%2Fkey", "s3"), "/bucket//a/../%2Fkey");
}

TEST(CanonicalQuery, SortsByEncodedNameThenValue) {
  EXPECT_EQ(*canonical_query("b=2&a=9&a=1&acl&%41=x"), "A=x&a=1&a=9&acl=&b=2");
  EXPECT_EQ(*canonical_query(""), "");
  EXPECT_EQ(*canonical_query("&&x=1&&"), "x=1");
  EXPECT_EQ(*canonical_query("q=a+b*c&p=%7e%2f"), "p=~%2F&q=a%2Bb%2Ac");
  EXPECT_EQ(*canonical_query("=v&k="), "=v&k=");
  auto bad = canonical_query("x=%zz");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

TEST(CanonicalHeaderValue, TrimsAndFoldsBlanks) {
  EXPECT_EQ(canonical_header_value("  a   b \t c  "), "a b c");
  EXPECT_EQ(canonical_header_value("\"a   b\""), "\"a b\"");
  EXPECT_EQ(canonical_header_value("   "), "");
  EXPECT_EQ(canonical_header_value(""), "");
}

// AWS's documented S3 example (GET Object with Range), header-based signing.
TEST(Sign, S3GetObjectExampleFromTheS3Documentation) {
  auto s =
      sign(req("GET", "https://examplebucket.s3.amazonaws.com/test.txt", {{"Range", "bytes=0-9"}}),
           sigv4_creds(), params("s3"));
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->canonical_request,
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
            "x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(s->signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(s->credential_scope, "20130524/us-east-1/s3/aws4_request");
  EXPECT_EQ(s->signed_headers, "host;range;x-amz-content-sha256;x-amz-date");
  ASSERT_EQ(s->headers_to_add.size(), 3u);
  EXPECT_EQ(s->headers_to_add[0].first, "Authorization");
  EXPECT_EQ(s->headers_to_add[1],
            (std::pair<std::string, std::string>("X-Amz-Date", "20130524T000000Z")));
  EXPECT_EQ(s->headers_to_add[2].first, "X-Amz-Content-SHA256");
}

TEST(Sign, FoldsRepeatsAndSkipsHopByHopHeaders) {
  auto s = sign(req("get", "https://Search-X.us-east-1.es.amazonaws.com/",
                    {{"X-Thing", "  a   b  "},
                     {"x-thing", "c"},
                     {"User-Agent", "essnap/1"},
                     {"Connection", "keep-alive"},
                     {"Expect", "100-continue"},
                     {"X-Amzn-Trace-Id", "Root=1"},
                     {"Transfer-Encoding", "chunked"},
                     {"Content-Type", "application/json"}}),
                sigv4_creds(), params("es"));
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->signed_headers, "content-type;host;x-amz-date;x-thing");
  EXPECT_NE(s->canonical_request.find("\nx-thing:a b,c\n"), std::string::npos);
  EXPECT_NE(s->canonical_request.find("\nhost:search-x.us-east-1.es.amazonaws.com\n"),
            std::string::npos);
  EXPECT_EQ(s->canonical_request.substr(0, 4), "GET\n");
  // es with a signed payload carries no X-Amz-Content-SHA256.
  EXPECT_EQ(signed_header(*s, "X-Amz-Content-SHA256"), "<absent>");
}

TEST(Sign, HostLeavesOutTheDefaultPortOnly) {
  auto s = sign(req("GET", "https://h.example:443/"), sigv4_creds(), params("es"));
  EXPECT_NE(s->canonical_request.find("\nhost:h.example\n"), std::string::npos);
  s = sign(req("GET", "http://h.example:443/"), sigv4_creds(), params("es"));
  EXPECT_NE(s->canonical_request.find("\nhost:h.example:443\n"), std::string::npos);
  s = sign(req("GET", "http://[::1]:9200/"), sigv4_creds(), params("es"));
  EXPECT_NE(s->canonical_request.find("\nhost:[::1]:9200\n"), std::string::npos);
}

TEST(Sign, SessionTokenIsSentAndSigned) {
  auto s = sign(req("GET", "https://h/", {{"X-Amz-Security-Token", "stale"}}),
                sigv4_creds(kSigv4Token), params("sts"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(signed_header(*s, "X-Amz-Security-Token"), kSigv4Token);
  EXPECT_EQ(s->signed_headers, "host;x-amz-date;x-amz-security-token");
  EXPECT_EQ(s->canonical_request.find("stale"), std::string::npos);
}

TEST(Sign, CallerDateAndAuthorizationAreReplaced) {
  auto s = sign(
      req("GET", "https://h/", {{"X-Amz-Date", "19990101T000000Z"}, {"Authorization", "AWS4 old"}}),
      sigv4_creds(), params("es"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->signed_headers, "host;x-amz-date");
  EXPECT_EQ(s->canonical_request.find("1999"), std::string::npos);
}

TEST(Sign, AossAndS3AlwaysSendThePayloadHash) {
  SigningRequest r = req("PUT", "https://x.us-east-1.aoss.amazonaws.com/i/_doc/1");
  r.body = "{\"a\":1}";
  auto s = sign(r, sigv4_creds(), params("aoss"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(signed_header(*s, "X-Amz-Content-SHA256"), util::sha256_hex(r.body));
  EXPECT_EQ(s->signed_headers, "host;x-amz-content-sha256;x-amz-date");
  EXPECT_TRUE(s->canonical_request.ends_with("\n" + util::sha256_hex(r.body)));
}

TEST(Sign, PrecomputedPayloadHashIsUsedAndChecked) {
  SigningRequest r = req("PUT", "https://b.s3.amazonaws.com/k");
  r.body = "ignored";
  r.payload_sha256 = util::sha256_hex("streamed body");
  auto s = sign(r, sigv4_creds(), params("s3"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(signed_header(*s, "X-Amz-Content-SHA256"), r.payload_sha256);
  r.payload_sha256 = "ABC";
  auto bad = sign(r, sigv4_creds(), params("s3"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("payload_sha256"), std::string::npos);
}

TEST(Sign, UnsignedPayloadOverHttpsOnly) {
  SigningRequest r = req("PUT", "https://h/i/_doc/1");
  r.body = "{}";
  auto s = sign(r, sigv4_creds(), params("es", "20130524T000000Z", PayloadSigning::kUnsigned));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(signed_header(*s, "X-Amz-Content-SHA256"), "UNSIGNED-PAYLOAD");
  EXPECT_TRUE(s->canonical_request.ends_with("\nUNSIGNED-PAYLOAD"));
  EXPECT_NE(s->signed_headers.find("x-amz-content-sha256"), std::string::npos);

  r.url = "http://h/i/_doc/1";
  auto refused =
      sign(r, sigv4_creds(), params("es", "20130524T000000Z", PayloadSigning::kUnsigned));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.error().message.find("needs https"), std::string::npos);
}

TEST(Sign, RejectsBadInputWithoutLeakingSecrets) {
  const auto fails = [](const SigningRequest& r, const Credentials& c, const SigningParams& p,
                        std::string_view needle) {
    auto s = sign(r, c, p);
    ASSERT_FALSE(s.ok()) << needle;
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(s.error().message.find(needle), std::string::npos) << s.error().message;
    expect_no_secret(s.error());
  };
  const Credentials c = sigv4_creds(kSigv4Token);
  fails(req("GET", "not a url"), c, params("es"), "malformed URL");
  fails(req("GET", "https://h/?a=%zz"), c, params("es"), "%XX");
  fails(req("GE T", "https://h/"), c, params("es"), "invalid HTTP method");
  fails(req("GET", "https://h/", {{"Bad Name", "v"}}), c, params("es"), "invalid header name");
  fails(req("GET", "https://h/", {{"X-Api-Key", std::string(kSigv4Secret) + "\r\nX: y"}}), c,
        params("es"), "control character");
  SigningParams p = params("es");
  p.region = "";
  fails(req("GET", "https://h/"), c, p, "no region");
  p = params("e s");
  fails(req("GET", "https://h/"), c, p, "invalid service");
  Credentials no_key = c;
  no_key.access_key_id.clear();
  fails(req("GET", "https://h/"), no_key, params("es"), "no access key id");
  Credentials no_secret = c;
  no_secret.secret_access_key.clear();
  fails(req("GET", "https://h/"), no_secret, params("es"), "no secret access key");
  Credentials bad_key = c;
  bad_key.access_key_id = "AKIA/" + std::string(kSigv4Secret);
  fails(req("GET", "https://h/"), bad_key, params("es"), "access key id contains");
}

TEST(Sign, SigningKeyCacheFollowsSecretDateRegionAndService) {
  const SigningRequest r = req("GET", "https://h/");
  const auto sig = [&](const Credentials& c, const SigningParams& p) {
    return sign(r, c, p)->signature;
  };
  const std::string base = sig(sigv4_creds(), params("es"));
  EXPECT_EQ(sig(sigv4_creds(), params("es")), base);
  Credentials other = sigv4_creds();
  other.secret_access_key += "x";
  EXPECT_NE(sig(other, params("es")), base);
  EXPECT_EQ(sig(sigv4_creds(), params("es")), base);
  SigningParams p = params("es");
  p.region = "eu-west-1";
  EXPECT_NE(sig(sigv4_creds(), p), base);
  EXPECT_EQ(sig(sigv4_creds(), params("es")), base);
}

// AWS's documented S3 presigned URL example (sigv4-query-string-auth).
TEST(Presign, S3ExampleFromTheS3Documentation) {
  auto p = presign(req("GET", "https://examplebucket.s3.amazonaws.com/test.txt"), sigv4_creds(),
                   params("s3"), 86400);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->canonical_request,
            "GET\n/test.txt\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
            "AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date="
            "20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\n"
            "host:examplebucket.s3.amazonaws.com\n\nhost\nUNSIGNED-PAYLOAD");
  EXPECT_EQ(p->signature, "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
  EXPECT_EQ(p->url,
            "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

TEST(Presign, KeepsTheCallersQueryAndSignsTheToken) {
  auto p = presign(req("PUT", "https://b.s3.amazonaws.com/k?uploadId=7&partNumber=2"),
                   sigv4_creds(kSigv4Token), params("s3"), 60);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->url.starts_with("https://b.s3.amazonaws.com/k?uploadId=7&partNumber=2&"));
  EXPECT_NE(p->url.find("&X-Amz-Security-Token=FwoGZXIvYXdzEXAMPLETOKEN%2F%2F%2B%3D%3D"),
            std::string::npos);
  EXPECT_NE(p->canonical_request.find("&partNumber=2&uploadId=7\n"), std::string::npos);
  EXPECT_NE(p->canonical_request.find("X-Amz-Security-Token="), std::string::npos);
}

TEST(Presign, ExpiresMustBeOneSecondToSevenDays) {
  const SigningRequest r = req("GET", "https://b.s3.amazonaws.com/k");
  EXPECT_TRUE(presign(r, sigv4_creds(), params("s3"), 1).ok());
  EXPECT_TRUE(presign(r, sigv4_creds(), params("s3"), 604800).ok());
  for (int bad : {0, -1, 604801}) {
    auto p = presign(r, sigv4_creds(), params("s3"), bad);
    ASSERT_FALSE(p.ok());
    EXPECT_NE(p.error().message.find("out of range"), std::string::npos);
    EXPECT_NE(p.error().hint.find("604800"), std::string::npos);
  }
}

TEST(Presign, RefusesAnAlreadyPresignedUrl) {
  auto p = presign(req("GET", "https://b.s3.amazonaws.com/k?X-Amz-Signature=abc"), sigv4_creds(),
                   params("s3"), 60);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message.find("presigned already"), std::string::npos);
}

TEST(AmzDate, ParsesStrictlyAndRoundTrips) {
  auto t = parse_amz_date("20150830T123600Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch()).count(),
            1440938160);
  EXPECT_EQ(format_amz_date(*t), "20150830T123600Z");
  EXPECT_EQ(format_amz_date(*t + std::chrono::milliseconds(999)), "20150830T123600Z");
  EXPECT_TRUE(parse_amz_date("20240229T235959Z").ok());
  EXPECT_EQ(format_amz_date(*parse_amz_date("19691231T235959Z")), "19691231T235959Z");
}

TEST(AmzDate, RejectsMalformedOrImpossibleDates) {
  const auto rejects = [](std::string_view text, std::string_view why) {
    auto t = parse_amz_date(text);
    ASSERT_FALSE(t.ok()) << text;
    EXPECT_EQ(t.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(t.error().message.find(why), std::string::npos) << t.error().message;
    EXPECT_NE(t.error().hint.find("YYYYMMDDTHHMMSSZ"), std::string::npos);
  };
  rejects("", "expected the form");
  rejects("2015-08-30T12:36:00Z", "expected the form");
  rejects("20150830t123600z", "expected the form");
  rejects("20150830T123600", "expected the form");
  rejects("20150830T123600Z ", "expected the form");
  rejects("2015083OT123600Z", "expected digits");
  rejects("2O150830T123600Z", "expected digits");
  rejects("20151330T123600Z", "month 13");
  rejects("20230229T000000Z", "day 29");
  rejects("20150431T000000Z", "day 31");
  rejects("20150830T243600Z", "hour 24");
  rejects("20150830T126000Z", "minute 60");
  rejects("20150830T123660Z", "second 60");
  rejects("00000101T000000Z", "year 0000");
}

}  // namespace
}  // namespace essnap::aws
