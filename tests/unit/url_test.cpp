#include "essnap/util/url.hpp"

#include <gtest/gtest.h>

namespace essnap::util {
namespace {

Url url_ok(std::string_view text, UrlChars chars = UrlChars::kWire) {
  auto r = parse_url(text, chars);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : Url{};
}

// Returns "message | hint" of the expected error.
std::string url_err(std::string_view text, UrlChars chars = UrlChars::kWire) {
  auto r = parse_url(text, chars);
  EXPECT_FALSE(r.ok()) << text << " was accepted";
  if (r.ok()) return {};
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(r.error().hint.empty());
  return r.error().message + " | " + r.error().hint;
}

TEST(ParseUrl, SplitsAndKeepsPathAndQueryRaw) {
  const Url u = url_ok("HTTPS://Search-X.US-East-1.es.amazonaws.com:9200/a%2Fb/_search?q=a%20b&x");
  EXPECT_EQ(u.scheme, Scheme::kHttps);
  EXPECT_EQ(u.host, "search-x.us-east-1.es.amazonaws.com");
  EXPECT_EQ(u.port, 9200);
  EXPECT_EQ(u.path, "/a%2Fb/_search");
  EXPECT_EQ(u.query, "q=a%20b&x");
  EXPECT_EQ(u.host_header(), "search-x.us-east-1.es.amazonaws.com:9200");
  EXPECT_EQ(u.target(), "/a%2Fb/_search?q=a%20b&x");
}

TEST(ParseUrl, DefaultsAndDefaultPorts) {
  Url u = url_ok("http://localhost");
  EXPECT_EQ(u.scheme, Scheme::kHttp);
  EXPECT_EQ(u.path, "/");
  EXPECT_EQ(u.port, 0);
  EXPECT_EQ(u.effective_port(), 80);
  EXPECT_EQ(u.to_string(), "http://localhost/");

  u = url_ok("https://host:443/x");
  EXPECT_EQ(u.port, 443);
  EXPECT_EQ(u.host_header(), "host");
  u = url_ok("http://host:443/x");
  EXPECT_EQ(u.host_header(), "host:443");
  u = url_ok("https://host?x=1");
  EXPECT_EQ(u.path, "/");
  EXPECT_EQ(u.query, "x=1");
}

TEST(ParseUrl, Ipv6LiteralsKeepBrackets) {
  Url u = url_ok("https://[2001:DB8::1]:8443/p");
  EXPECT_EQ(u.host, "[2001:db8::1]");
  EXPECT_EQ(u.port, 8443);
  EXPECT_EQ(u.host_header(), "[2001:db8::1]:8443");
  EXPECT_EQ(url_ok("http://[::1]/").host_header(), "[::1]");
  EXPECT_EQ(url_ok("http://[::ffff:127.0.0.1]/").host, "[::ffff:127.0.0.1]");
}

TEST(ParseUrl, FragmentIsSplitOffAndNeverSent) {
  const Url u = url_ok("https://h/p?q=1#frag");
  EXPECT_EQ(u.query, "q=1");
  EXPECT_EQ(u.fragment, "frag");
  EXPECT_EQ(u.to_string(), "https://h/p?q=1");
}

TEST(ParseUrl, RejectsMalformedUrlsClearly) {
  EXPECT_NE(url_err("").find("empty"), std::string::npos);
  EXPECT_NE(url_err("search-x.es.amazonaws.com/_cat").find("no scheme"), std::string::npos);
  EXPECT_NE(url_err("ftp://host/").find("unsupported scheme 'ftp'"), std::string::npos);
  EXPECT_NE(url_err("https:///path").find("no host"), std::string::npos);
  EXPECT_NE(url_err("https://:9200/").find("empty host"), std::string::npos);
  EXPECT_NE(url_err("https://host:/").find("empty port"), std::string::npos);
  EXPECT_NE(url_err("https://host:0/").find("invalid port '0'"), std::string::npos);
  EXPECT_NE(url_err("https://host:65536/").find("invalid port"), std::string::npos);
  EXPECT_NE(url_err("https://host:92a0/").find("invalid port"), std::string::npos);
  EXPECT_NE(url_err("https://[::1/").find("closing ']'"), std::string::npos);
  EXPECT_NE(url_err("https://[1:2]/").find("invalid IPv6"), std::string::npos);
  EXPECT_NE(url_err("https://[::1]x/").find("after the IPv6"), std::string::npos);
  EXPECT_NE(url_err("https://ho st/").find("in the host name"), std::string::npos);
  EXPECT_NE(url_err("https://h/a%zzb").find("%XX"), std::string::npos);
  EXPECT_NE(url_err("https://h/a?x=%2").find("%XX"), std::string::npos);
}

TEST(ParseUrl, WireModeDemandsPercentEncoding) {
  std::string e = url_err("https://h/my index/_search");
  EXPECT_NE(e.find("a space at offset 12 in the path"), std::string::npos) << e;
  EXPECT_NE(e.find("%20"), std::string::npos) << e;
  e = url_err("https://h/_snapshot/r/<snap-{now/d}>");
  EXPECT_NE(e.find("'<'"), std::string::npos) << e;
  EXPECT_NE(e.find("%3C"), std::string::npos) << e;
  e = url_err("https://h/caf\xC3\xA9");
  EXPECT_NE(e.find("byte 0xC3"), std::string::npos) << e;
  e = url_err("https://h/?q=a|b");
  EXPECT_NE(e.find("in the query"), std::string::npos) << e;
  // Everything RFC 3986 allows passes.
  url_ok("https://h/a-._~!$&'()*+,;=:@b/%20?q=/?:@!$'()*+,;=");
}

TEST(ParseUrl, RawModeAcceptsWhatACallerWillSendButNoControls) {
  const Url u = url_ok("https://h/example space/\xE1\x88\xB4?a=b c", UrlChars::kRaw);
  EXPECT_EQ(u.path, "/example space/\xE1\x88\xB4");
  EXPECT_EQ(u.query, "a=b c");
  const std::string e = url_err(std::string("https://h/a\r\nX-Evil: 1"), UrlChars::kRaw);
  EXPECT_NE(e.find("control character"), std::string::npos) << e;
}

TEST(ParseUrl, ErrorsNeverEchoUserInfoOrQuery) {
  std::string e = url_err("https://admin:hunter2@h/");
  EXPECT_EQ(e.find("hunter2"), std::string::npos) << e;
  EXPECT_NE(e.find("--auth"), std::string::npos) << e;
  e = url_err("https://h:99999/?X-Amz-Security-Token=SECRETTOKEN");
  EXPECT_EQ(e.find("SECRETTOKEN"), std::string::npos) << e;
  e = url_err("https://h/?X-Amz-Signature=SECRETSIG&bad=%zz");
  EXPECT_EQ(e.find("SECRETSIG"), std::string::npos) << e;
}

TEST(UriEncode, EncodesAllButUnreservedWithUpperCaseHex) {
  EXPECT_EQ(uri_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(uri_encode("a b/c*d+e%f"), "a%20b%2Fc%2Ad%2Be%25f");
  EXPECT_EQ(uri_encode("a b/c", EncodeSlash::kNo), "a%20b/c");
  EXPECT_EQ(uri_encode("\xE1\x88\xB4"), "%E1%88%B4");
  EXPECT_EQ(uri_encode(std::string_view("\0\xff", 2)), "%00%FF");
}

TEST(PercentDecode, StrictAndPlusIsLiteral) {
  EXPECT_EQ(*percent_decode("a%20b+c%2f%2F"), "a b+c//");
  EXPECT_EQ(*percent_decode("%E1%88%b4"), "\xE1\x88\xB4");
  EXPECT_FALSE(percent_decode("%").ok());
  EXPECT_FALSE(percent_decode("%4").ok());
  EXPECT_FALSE(percent_decode("%G0").ok());
  EXPECT_EQ(*percent_decode(uri_encode("any \x01\xff bytes/")), "any \x01\xff bytes/");
}

}  // namespace
}  // namespace essnap::util
