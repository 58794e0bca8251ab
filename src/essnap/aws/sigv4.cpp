#include "essnap/aws/sigv4.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>

#include "essnap/util/crypto.hpp"
#include "essnap/util/strings.hpp"
#include "essnap/util/url.hpp"

namespace essnap::aws {
namespace {

using util::EncodeSlash;

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kTerminator = "aws4_request";
constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// Hop-by-hop and proxy-rewritten headers that botocore never signs (SIGNED_HEADERS_BLACKLIST).
constexpr std::array<std::string_view, 11> kUnsignedHeaders = {"connection",
                                                               "expect",
                                                               "keep-alive",
                                                               "proxy-authenticate",
                                                               "proxy-authorization",
                                                               "te",
                                                               "trailer",
                                                               "transfer-encoding",
                                                               "upgrade",
                                                               "user-agent",
                                                               "x-amzn-trace-id"};

bool never_signed(std::string_view lower_name) {
  return std::find(kUnsignedHeaders.begin(), kUnsignedHeaders.end(), lower_name) !=
         kUnsignedHeaders.end();
}

// RFC 9110 token characters (header names, methods).
bool is_tchar(unsigned char c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != 0;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (!is_tchar(c)) return false;
  }
  return true;
}

bool is_lower_hex_sha256(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Error invalid(std::string message, std::string hint = {}) {
  return make_error(ErrorCode::kInvalidArgument, "cannot sign the request: " + std::move(message),
                    std::move(hint));
}

// Quote user-supplied, non-secret text in a message only when it is short and printable.
std::string in_quotes(std::string_view s) {
  if (s.size() > 64) return "(too long to show)";
  for (unsigned char c : s) {
    if (c < 0x20 || c >= 0x7f) return "(unprintable)";
  }
  return "'" + std::string(s) + "'";
}

// A scope element (region, service) must not break the "date/region/service/aws4_request"
// scope or the Authorization header.
bool valid_scope_part(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (c <= 0x20 || c >= 0x7f || c == '/' || c == ',' || c == '=') return false;
  }
  return true;
}

Result<Ok> validate(const Credentials& credentials, const SigningParams& params) {
  // Never quote the key id or the secret: they are credentials.
  if (credentials.access_key_id.empty()) {
    return invalid("the credentials have no access key id",
                   "check AWS_ACCESS_KEY_ID or the profile's aws_access_key_id");
  }
  for (unsigned char c : credentials.access_key_id) {
    if (c <= 0x20 || c >= 0x7f || c == '/' || c == ',') {
      return invalid("the access key id contains whitespace, '/', ',' or a non-ASCII byte",
                     "check AWS_ACCESS_KEY_ID or the profile's aws_access_key_id for stray "
                     "characters");
    }
  }
  if (credentials.secret_access_key.empty()) {
    return invalid("the credentials have no secret access key",
                   "check AWS_SECRET_ACCESS_KEY or the profile's aws_secret_access_key");
  }
  for (char c : credentials.session_token) {
    if (c == '\r' || c == '\n' || c == '\0') {
      return invalid("the session token contains a line break or NUL",
                     "check AWS_SESSION_TOKEN or the profile's aws_session_token");
    }
  }
  if (!valid_scope_part(params.region)) {
    return invalid(
        params.region.empty() ? "no region" : "invalid region " + in_quotes(params.region),
        "pass --region, e.g. --region us-east-1");
  }
  if (!valid_scope_part(params.service)) {
    return invalid(
        params.service.empty() ? "no service" : "invalid service " + in_quotes(params.service),
        "pass --service, e.g. es, aoss, s3, sts or iam");
  }
  return Ok{};
}

Result<std::string> canonical_method(std::string_view method) {
  if (!is_token(method)) {
    return invalid("invalid HTTP method " + in_quotes(method),
                   "use GET, PUT, POST, DELETE or HEAD");
  }
  // botocore upper-cases the method; the HTTP layer sends it upper-cased too.
  std::string out(method);
  for (char& c : out) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  return out;
}

struct CanonicalHeader {
  std::string name;   // lower-case
  std::string value;  // folded
};

Result<Ok> check_header(std::string_view name, std::string_view value) {
  if (!is_token(name)) {
    return invalid("invalid header name " + in_quotes(name),
                   "header names are letters, digits and !#$%&'*+-.^_`|~");
  }
  for (unsigned char c : value) {
    if ((c < 0x20 && c != '\t') || c == 0x7f) {
      // The value may be a secret (an API key, a cookie): name the header only.
      return invalid("the value of header " + in_quotes(name) +
                         " contains a control character (a line break?)",
                     "header values must be one line");
    }
  }
  return Ok{};
}

// The signing time, checked to fit the 4-digit year of an X-Amz-Date.
Result<std::string> amz_date_for(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const year_month_day ymd{floor<days>(t)};
  if (static_cast<int>(ymd.year()) < 1 || static_cast<int>(ymd.year()) > 9999) {
    return invalid("the signing time is outside the years 0001-9999");
  }
  return format_amz_date(t);
}

// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
// It changes once a day, so each thread keeps the last one, pre-keyed: a cache hit saves four
// HMACs plus the key set-up of the fifth.
struct SigningKeyCache {
  std::string secret, date, region, service;
  std::unique_ptr<util::HmacSha256Key> key;
  ~SigningKeyCache() { forget_secret(); }
  void forget_secret() {
    if (!secret.empty()) util::secure_wipe(secret.data(), secret.size());
    secret.clear();
  }
};
thread_local SigningKeyCache t_key_cache;

const util::HmacSha256Key& signing_key(const std::string& secret, std::string_view date,
                                       const std::string& region, const std::string& service) {
  SigningKeyCache& c = t_key_cache;
  if (c.key != nullptr && c.date == date && c.region == region && c.service == service &&
      c.secret == secret) {
    return *c.key;
  }
  std::string seed;
  seed.reserve(4 + secret.size());
  seed.append("AWS4").append(secret);
  auto k = util::hmac_sha256(seed, date);
  util::secure_wipe(seed.data(), seed.size());
  k = util::hmac_sha256(k, region);
  k = util::hmac_sha256(k, service);
  k = util::hmac_sha256(k, kTerminator);
  c.key = std::make_unique<util::HmacSha256Key>(k);
  util::secure_wipe(k.data(), k.size());
  c.forget_secret();
  c.secret = secret;
  c.date.assign(date);
  c.region = region;
  c.service = service;
  return *c.key;
}

using QueryPairs = std::vector<std::pair<std::string, std::string>>;

// Splits a raw query into (encoded name, encoded value) pairs in canonical encoding.
bool append_query_pairs(QueryPairs& out, std::string_view raw) {
  std::string decoded;
  while (!raw.empty()) {
    const std::size_t amp = raw.find('&');
    const std::string_view pair = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view() : raw.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    const std::string_view name = pair.substr(0, eq);
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    auto& [n, v] = out.emplace_back();
    decoded.clear();
    if (!util::percent_decode_append(decoded, name)) return false;
    util::uri_encode_append(n, decoded, EncodeSlash::kYes);
    decoded.clear();
    if (!util::percent_decode_append(decoded, value)) return false;
    util::uri_encode_append(v, decoded, EncodeSlash::kYes);
  }
  return true;
}

void append_sorted_query(std::string& out, QueryPairs& pairs) {
  std::sort(pairs.begin(), pairs.end());
  bool first = true;
  for (const auto& [n, v] : pairs) {
    if (!first) out += '&';
    first = false;
    out += n;
    out += '=';
    out += v;
  }
}

Error malformed_query() {
  return invalid("a '%' in the query does not start a %XX escape", "write a literal '%' as %25");
}

// Caller headers in canonical form, minus the never-signed ones and those in `drop`.
// Sets *has_host when the caller gave a Host header (it then overrides the URL's host).
Result<std::vector<CanonicalHeader>> caller_headers(const HeaderList& headers,
                                                    std::initializer_list<std::string_view> drop,
                                                    bool* has_host) {
  std::vector<CanonicalHeader> out;
  out.reserve(headers.size() + 4);
  for (const auto& [name, value] : headers) {
    if (auto s = check_header(name, value); !s.ok()) return std::move(s).error();
    std::string lname = util::to_lower(name);
    if (never_signed(lname)) continue;
    if (std::find(drop.begin(), drop.end(), std::string_view(lname)) != drop.end()) continue;
    if (lname == "host") *has_host = true;
    out.push_back({std::move(lname), canonical_header_value(value)});
  }
  return out;
}

// Sorts (stably: repeated headers keep their order), then appends the CanonicalHeaders block,
// blank line included, and fills `signed_headers`.
void append_headers(std::string& creq, std::string& signed_headers,
                    std::vector<CanonicalHeader>& headers) {
  std::stable_sort(
      headers.begin(), headers.end(),
      [](const CanonicalHeader& a, const CanonicalHeader& b) { return a.name < b.name; });
  for (std::size_t i = 0; i < headers.size(); ++i) {
    const bool repeat = i > 0 && headers[i].name == headers[i - 1].name;
    if (repeat) {
      creq += ',';
    } else {
      if (i > 0) creq += '\n';
      creq += headers[i].name;
      creq += ':';
      if (!signed_headers.empty()) signed_headers += ';';
      signed_headers += headers[i].name;
    }
    creq += headers[i].value;
  }
  creq += "\n\n";
}

std::string make_scope(std::string_view date, const SigningParams& params) {
  std::string scope;
  scope.reserve(8 + params.region.size() + params.service.size() + 16);
  scope.append(date).append("/").append(params.region).append("/").append(params.service);
  scope.append("/").append(kTerminator);
  return scope;
}

std::string make_string_to_sign(std::string_view amz_date, std::string_view scope,
                                std::string_view canonical_request) {
  std::string sts;
  sts.reserve(kAlgorithm.size() + amz_date.size() + scope.size() + 64 + 3);
  sts.append(kAlgorithm).append("\n").append(amz_date).append("\n").append(scope).append("\n");
  util::hex_encode_append(sts, util::sha256(canonical_request));
  return sts;
}

std::string make_signature(const Credentials& credentials, std::string_view amz_date,
                           const SigningParams& params, std::string_view string_to_sign) {
  const auto& key = signing_key(credentials.secret_access_key, amz_date.substr(0, 8), params.region,
                                params.service);
  return util::hex_encode(key.mac(string_to_sign));
}

// The payload hash when the body is signed: the caller's precomputed digest, else the body's.
Result<std::string> signed_payload_hash(const SigningRequest& request) {
  if (!request.payload_sha256.empty()) {
    if (!is_lower_hex_sha256(request.payload_sha256)) {
      return invalid("payload_sha256 is not a lower-case hex SHA-256 digest (64 characters)");
    }
    return request.payload_sha256;
  }
  // Most signed requests (GET, HEAD, DELETE) have no body: skip hashing nothing.
  if (request.body.empty()) return std::string(kEmptySha256);
  return util::sha256_hex(request.body);
}

Error unsigned_over_http() {
  return invalid("an unsigned payload needs https: over plain http nothing would protect the body",
                 "use an https:// URL, or sign the payload (drop --unsigned-payload)");
}

}  // namespace

std::string normalize_path(std::string_view path) {
  if (path.empty()) return "/";
  std::vector<std::string_view> segments;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    const std::string_view seg = path.substr(pos, slash - pos);
    pos = slash + 1;
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
      continue;
    }
    segments.push_back(seg);
  }
  std::string out;
  out.reserve(path.size());
  if (path.front() == '/') out += '/';
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out += '/';
    out += segments[i];
  }
  // Only a literal trailing "/" survives: "/a/b/.." gives "/a", as in botocore.
  if (path.back() == '/' && !segments.empty()) out += '/';
  return out;
}

std::string canonical_uri(std::string_view wire_path, std::string_view service) {
  if (service == "s3") return std::string(wire_path);
  return util::uri_encode(normalize_path(wire_path), EncodeSlash::kNo);
}

Result<std::string> canonical_query(std::string_view raw_query) {
  QueryPairs pairs;
  if (!append_query_pairs(pairs, raw_query)) return malformed_query();
  std::string out;
  append_sorted_query(out, pairs);
  return out;
}

std::string canonical_header_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

Result<SignedRequest> sign(const SigningRequest& request, const Credentials& credentials,
                           const SigningParams& params) {
  ESSNAP_TRY_STATUS(validate(credentials, params));
  ESSNAP_TRY(std::string method, canonical_method(request.method));
  ESSNAP_TRY(const util::Url url, util::parse_url(request.url, util::UrlChars::kRaw));
  ESSNAP_TRY(const std::string amz_date, amz_date_for(params.time));

  const bool has_token = !credentials.session_token.empty();
  // S3 and OpenSearch Serverless refuse requests without X-Amz-Content-SHA256; for every other
  // service it only carries the UNSIGNED-PAYLOAD marker.
  const bool content_header = params.service == "s3" || params.service == "aoss" ||
                              params.payload == PayloadSigning::kUnsigned;

  std::string payload_hash;
  if (params.payload == PayloadSigning::kUnsigned) {
    if (url.scheme != util::Scheme::kHttps) return unsigned_over_http();
    payload_hash = kUnsignedPayload;
  } else if (!content_header && request.payload_sha256.empty()) {
    // Like botocore: a caller-sent X-Amz-Content-SHA256 is the payload hash it vouches for.
    for (const auto& [name, value] : request.headers) {
      if (util::iequals(name, "x-amz-content-sha256")) {
        payload_hash = value;
        break;
      }
    }
  }
  if (payload_hash.empty()) {
    ESSNAP_TRY(payload_hash, signed_payload_hash(request));
  }

  // Headers this function adds replace the caller's of the same name (a re-signed retry must
  // not sign a stale date or token).
  bool has_host = false;
  ESSNAP_TRY(std::vector<CanonicalHeader> headers,
             caller_headers(request.headers,
                            {"authorization", "x-amz-date",
                             has_token ? std::string_view("x-amz-security-token") : "",
                             content_header ? std::string_view("x-amz-content-sha256") : ""},
                            &has_host));
  if (!has_host) headers.push_back({"host", url.host_header()});
  headers.push_back({"x-amz-date", amz_date});
  if (has_token) headers.push_back({"x-amz-security-token", credentials.session_token});
  if (content_header) headers.push_back({"x-amz-content-sha256", payload_hash});

  SignedRequest out;
  std::string& creq = out.canonical_request;
  creq.reserve(256 + url.path.size() * 3 + url.query.size() * 3 + 64 * headers.size());
  creq.append(method).append("\n");
  if (params.service == "s3") {
    creq.append(url.path);
  } else {
    util::uri_encode_append(creq, normalize_path(url.path), EncodeSlash::kNo);
  }
  creq += '\n';
  {
    QueryPairs pairs;
    if (!append_query_pairs(pairs, url.query)) return malformed_query();
    append_sorted_query(creq, pairs);
  }
  creq += '\n';
  append_headers(creq, out.signed_headers, headers);
  creq.append(out.signed_headers).append("\n").append(payload_hash);

  const std::string_view date = std::string_view(amz_date).substr(0, 8);
  out.credential_scope = make_scope(date, params);
  out.string_to_sign = make_string_to_sign(amz_date, out.credential_scope, creq);
  out.signature = make_signature(credentials, amz_date, params, out.string_to_sign);

  std::string authorization;
  authorization.reserve(200 + credentials.access_key_id.size() + out.signed_headers.size());
  authorization.append(kAlgorithm)
      .append(" Credential=")
      .append(credentials.access_key_id)
      .append("/")
      .append(out.credential_scope)
      .append(", SignedHeaders=")
      .append(out.signed_headers)
      .append(", Signature=")
      .append(out.signature);

  out.headers_to_add.reserve(4);
  out.headers_to_add.emplace_back("Authorization", std::move(authorization));
  out.headers_to_add.emplace_back("X-Amz-Date", amz_date);
  if (has_token) out.headers_to_add.emplace_back("X-Amz-Security-Token", credentials.session_token);
  if (content_header) out.headers_to_add.emplace_back("X-Amz-Content-SHA256", payload_hash);
  return out;
}

Result<PresignedUrl> presign(const SigningRequest& request, const Credentials& credentials,
                             const SigningParams& params, int expires_seconds) {
  ESSNAP_TRY_STATUS(validate(credentials, params));
  if (expires_seconds < 1 || expires_seconds > 604800) {
    return invalid("--expires " + std::to_string(expires_seconds) + " is out of range",
                   "a presigned URL lives from 1 second to 604800 seconds (7 days)");
  }
  ESSNAP_TRY(std::string method, canonical_method(request.method));
  ESSNAP_TRY(const util::Url url, util::parse_url(request.url, util::UrlChars::kRaw));
  ESSNAP_TRY(const std::string amz_date, amz_date_for(params.time));

  // S3 never hashes a presigned body (it is not known yet); other services (an STS
  // GetCallerIdentity token, say) sign it as botocore's SigV4QueryAuth does.
  std::string payload_hash;
  if (params.service == "s3") {
    payload_hash = kUnsignedPayload;
  } else if (params.payload == PayloadSigning::kUnsigned) {
    if (url.scheme != util::Scheme::kHttps) return unsigned_over_http();
    payload_hash = kUnsignedPayload;
  } else {
    ESSNAP_TRY(payload_hash, signed_payload_hash(request));
  }

  bool has_host = false;
  ESSNAP_TRY(std::vector<CanonicalHeader> headers,
             caller_headers(request.headers, {"authorization"}, &has_host));
  if (!has_host) headers.push_back({"host", url.host_header()});

  PresignedUrl out;
  std::string creq;
  std::string signed_headers;
  {
    // Build the header block first: SignedHeaders is itself a query parameter.
    std::string header_block;
    append_headers(header_block, signed_headers, headers);
    const std::string_view date = std::string_view(amz_date).substr(0, 8);
    const std::string scope = make_scope(date, params);

    std::string credential = credentials.access_key_id + "/" + scope;
    std::vector<std::pair<std::string_view, std::string_view>> auth = {
        {"X-Amz-Algorithm", kAlgorithm},
        {"X-Amz-Credential", credential},
        {"X-Amz-Date", amz_date},
    };
    const std::string expires = std::to_string(expires_seconds);
    auth.emplace_back("X-Amz-Expires", expires);
    auth.emplace_back("X-Amz-SignedHeaders", signed_headers);
    if (!credentials.session_token.empty()) {
      auth.emplace_back("X-Amz-Security-Token", credentials.session_token);
    }

    QueryPairs pairs;
    if (!append_query_pairs(pairs, url.query)) return malformed_query();
    for (const auto& [n, v] : pairs) {
      if (n.starts_with("X-Amz-") &&
          (n == "X-Amz-Signature" || n == "X-Amz-Credential" || n == "X-Amz-Algorithm" ||
           n == "X-Amz-Date" || n == "X-Amz-Expires" || n == "X-Amz-SignedHeaders" ||
           n == "X-Amz-Security-Token")) {
        return invalid("the URL already carries " + n + ": it is presigned already",
                       "presign the URL without its X-Amz-* query parameters");
      }
    }
    std::string auth_query;
    for (const auto& [n, v] : auth) {
      if (!auth_query.empty()) auth_query += '&';
      auth_query.append(n).append("=");
      util::uri_encode_append(auth_query, v, EncodeSlash::kYes);
      pairs.emplace_back(std::string(n), util::uri_encode(v, EncodeSlash::kYes));
    }

    creq.append(method).append("\n");
    creq.append(canonical_uri(url.path, params.service)).append("\n");
    append_sorted_query(creq, pairs);
    creq.append("\n").append(header_block).append(signed_headers).append("\n");
    creq.append(payload_hash);

    out.string_to_sign = make_string_to_sign(amz_date, scope, creq);
    out.signature = make_signature(credentials, amz_date, params, out.string_to_sign);

    out.url = url.origin();
    out.url += url.path;
    out.url += '?';
    if (!url.query.empty()) out.url.append(url.query).append("&");
    out.url.append(auth_query).append("&X-Amz-Signature=").append(out.signature);
  }
  out.canonical_request = std::move(creq);
  return out;
}

Result<std::chrono::system_clock::time_point> parse_amz_date(std::string_view text) {
  using namespace std::chrono;
  const auto bad = [&](std::string why) -> Error {
    return make_error(ErrorCode::kInvalidArgument, "invalid date " + in_quotes(text) + ": " + why,
                      "write the date as YYYYMMDDTHHMMSSZ in UTC, e.g. 20150830T123600Z");
  };
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') {
    return bad("expected the form YYYYMMDDTHHMMSSZ");
  }
  const auto digits = [&](std::size_t pos, std::size_t n, int* out) {
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      v = v * 10 + (text[i] - '0');
    }
    *out = v;
    return true;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!digits(0, 4, &y) || !digits(4, 2, &mo) || !digits(6, 2, &d) || !digits(9, 2, &h) ||
      !digits(11, 2, &mi) || !digits(13, 2, &s)) {
    return bad("expected digits in YYYYMMDDTHHMMSSZ");
  }
  if (y < 1) return bad("year 0000 does not exist");
  if (mo < 1 || mo > 12) return bad("month " + std::to_string(mo) + " does not exist");
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                           day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return bad("day " + std::to_string(d) + " does not exist in that month");
  if (h > 23) return bad("hour " + std::to_string(h) + " is past 23");
  if (mi > 59) return bad("minute " + std::to_string(mi) + " is past 59");
  if (s > 59) return bad("second " + std::to_string(s) + " is past 59");
  return system_clock::time_point(sys_days(ymd).time_since_epoch() + hours(h) + minutes(mi) +
                                  seconds(s));
}

std::string format_amz_date(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(t);
  const auto dp = floor<days>(secs);
  const year_month_day ymd{dp};
  const hh_mm_ss hms{secs - dp};
  char buf[17];
  const auto put = [&](int pos, int width, long long v) {
    for (int i = pos + width - 1; i >= pos; --i) {
      buf[i] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
  };
  put(0, 4, static_cast<int>(ymd.year()));
  put(4, 2, static_cast<unsigned>(ymd.month()));
  put(6, 2, static_cast<unsigned>(ymd.day()));
  buf[8] = 'T';
  put(9, 2, hms.hours().count());
  put(11, 2, hms.minutes().count());
  put(13, 2, hms.seconds().count());
  buf[15] = 'Z';
  buf[16] = '\0';
  return std::string(buf, 16);
}

}  // namespace essnap::aws
