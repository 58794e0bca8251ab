// AWS Signature Version 4: a pure function from (request, credentials, scope, time) to the
// headers to add (or a presigned URL), with the intermediate canonical request and
// string-to-sign exposed for debugging "the signature does not match".
//
// It matches botocore's SigV4Auth / S3SigV4Auth / S3SigV4QueryAuth byte for byte (proved by
// tests/scripts/sigv4_botocore_diff.py), with these deliberate choices:
//  - an unsigned payload over plain http is refused (botocore, depending on how it is asked,
//    either sends UNSIGNED-PAYLOAD over http, leaving the body unprotected, or quietly hashes
//    the body after all);
//  - X-Amz-Content-SHA256 is always sent for aoss too (OpenSearch Serverless requires it; bare
//    botocore leaves it to the caller, as opensearch-py does);
//  - query names and values are percent-decoded and re-encoded before sorting (what the service
//    does; botocore signs a URL's query verbatim, and encodes only its `params`);
//  - a caller's Date header is signed as given; X-Amz-Date is always added (botocore replaces
//    Date and drops X-Amz-Date);
//  - header values fold SP and HTAB only; control characters and line breaks are refused
//    (botocore's str.split() also folds Unicode spaces such as U+00A0).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "essnap/aws/credentials.hpp"
#include "essnap/util/result.hpp"

namespace essnap::aws {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

enum class PayloadSigning { kSigned, kUnsigned };

// The request as it will go on the wire.
struct SigningRequest {
  std::string method;  // "GET", "PUT", ...
  std::string url;     // absolute: scheme://host[:port]/path?query (path as sent on the wire)
  // Extra headers the caller will send (may repeat names). A Host header here is signed
  // instead of the URL's host. Authorization, X-Amz-Date and — when the signer adds them —
  // X-Amz-Security-Token and X-Amz-Content-SHA256 are ignored: headers_to_add replaces them.
  HeaderList headers;
  std::string_view body;       // the payload; ignored when payload_sha256 is set
  std::string payload_sha256;  // precomputed lower-case hex digest (for streamed bodies)
};

struct SigningParams {
  std::string region;
  std::string service;  // "es", "aoss", "s3", "iam", "sts", ...
  std::chrono::system_clock::time_point time;
  PayloadSigning payload = PayloadSigning::kSigned;
};

struct SignedRequest {
  HeaderList
      headers_to_add;  // Authorization, X-Amz-Date, X-Amz-Security-Token?, X-Amz-Content-SHA256?
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;         // hex
  std::string signed_headers;    // "host;x-amz-date"
  std::string credential_scope;  // "20150830/us-east-1/service/aws4_request"
};

Result<SignedRequest> sign(const SigningRequest& request, const Credentials& credentials,
                           const SigningParams& params);

struct PresignedUrl {
  std::string url;
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;
};

// Query-string signing (S3 presigned URLs). expires_seconds in [1, 604800].
Result<PresignedUrl> presign(const SigningRequest& request, const Credentials& credentials,
                             const SigningParams& params, int expires_seconds);

// "20150830T123600Z" <-> time_point. Strict: exactly that shape, a valid calendar time.
Result<std::chrono::system_clock::time_point> parse_amz_date(std::string_view text);
std::string format_amz_date(std::chrono::system_clock::time_point t);

// The steps of signing, exposed for tests and for `essnap sign --show canonical`.

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

// botocore's remove_dot_segments: "." and ".." segments resolved, empty segments dropped, a
// trailing "/" kept. Applied to every service but s3.
std::string normalize_path(std::string_view path);
// The CanonicalURI line: for s3 the wire path unchanged; otherwise normalize_path() and then
// every byte but unreserved and "/" percent-encoded (so "%2F" on the wire becomes "%252F").
std::string canonical_uri(std::string_view wire_path, std::string_view service);
// The CanonicalQueryString line from a raw query: each name and value percent-decoded and
// re-encoded, pairs sorted by name then value, "name" without "=" read as "name=", empty
// "&&" segments ignored. Fails on a malformed %-escape.
Result<std::string> canonical_query(std::string_view raw_query);
// A header value as signed: leading and trailing blanks cut, inner runs of SP/HTAB made one SP.
std::string canonical_header_value(std::string_view value);

}  // namespace essnap::aws
