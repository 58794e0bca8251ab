// Absolute http(s) URLs, parsed strictly, and RFC 3986 percent-encoding.
//
// Grammar accepted by parse_url (a strict subset of RFC 3986):
//   url       = scheme "://" authority path-abempty [ "?" query ] [ "#" fragment ]
//   scheme    = "http" / "https"                     (case-insensitive)
//   authority = host [ ":" port ]                    (no userinfo: credentials never go in URLs)
//   host      = "[" IPv6address "]" / 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" )
//   port      = 1*5DIGIT, 1..65535
// The path and query are kept raw, exactly as they will be sent; every "%" must start a valid
// "%XX" escape. UrlChars::kWire also demands that they hold only characters RFC 3986 allows there
// (user input: "a b" or "{" must be percent-encoded first); UrlChars::kRaw accepts any byte but
// control characters (the signer, which signs whatever path the caller will send).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "essnap/util/result.hpp"

namespace essnap::util {

enum class Scheme { kHttp, kHttps };

struct Url {
  Scheme scheme = Scheme::kHttps;
  std::string host;        // lower-case; an IPv6 literal keeps its brackets: "[::1]"
  std::uint16_t port = 0;  // as written; 0 when the URL names no port
  std::string path;        // raw, as on the wire; "/" when the URL has none
  std::string query;       // raw, without the "?"; empty when absent
  std::string fragment;    // raw, without the "#"; never sent to a server

  std::string_view scheme_name() const { return scheme == Scheme::kHttps ? "https" : "http"; }
  std::uint16_t default_port() const { return scheme == Scheme::kHttps ? 443 : 80; }
  std::uint16_t effective_port() const { return port != 0 ? port : default_port(); }
  // The Host header: host, plus ":port" unless the port is the scheme's default.
  std::string host_header() const;
  // scheme://host[:port] — the default port left out.
  std::string origin() const;
  // path[?query] — what goes in the request line.
  std::string target() const;
  // origin() + target(); the fragment is dropped.
  std::string to_string() const;
};

enum class UrlChars { kWire, kRaw };

// Errors are kInvalidArgument and quote only the offending part, never the whole URL (it may
// carry a presigned signature or a token in its query).
Result<Url> parse_url(std::string_view text, UrlChars chars = UrlChars::kWire);

// RFC 3986 unreserved: ALPHA / DIGIT / "-" / "." / "_" / "~".
constexpr bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// RFC 3986 pchar minus "%" (escapes are checked separately), plus "/" and, in the query, "?":
// the characters that may appear raw in a request target.
bool is_wire_char(unsigned char c, bool in_query);

enum class EncodeSlash { kYes, kNo };

// Percent-encode every byte outside the unreserved set (and "/" unless EncodeSlash::kNo),
// with upper-case hex, as SigV4 and S3 require.
std::string uri_encode(std::string_view in, EncodeSlash slash = EncodeSlash::kYes);
void uri_encode_append(std::string& out, std::string_view in,
                       EncodeSlash slash = EncodeSlash::kYes);

// Decode "%XX" escapes ("+" stays "+": this is RFC 3986, not HTML forms). A "%" not followed by
// two hex digits is an error.
Result<std::string> percent_decode(std::string_view in);
// As percent_decode, appending to out; false on a malformed escape (out is then unspecified).
bool percent_decode_append(std::string& out, std::string_view in);

}  // namespace essnap::util
