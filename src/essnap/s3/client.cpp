#include "essnap/s3/client.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <pugixml.hpp>
#include <sstream>

#include "essnap/aws/endpoint.hpp"
#include "essnap/aws/partition.hpp"
#include "essnap/aws/service_endpoint.hpp"
#include "essnap/aws/sign_request.hpp"
#include "essnap/aws/timestamp.hpp"
#include "essnap/aws/xml_error.hpp"
#include "essnap/http/payload.hpp"
#include "essnap/util/crypto.hpp"
#include "essnap/util/url.hpp"

namespace essnap::s3 {
namespace {

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

std::string child_text(const pugi::xml_node& node, const char* name) {
  return node.child(name).text().as_string();
}

std::string xml_escape(std::string_view in) {
  std::string out;
  for (char c : in) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string normalise_region(std::string r) {
  if (r.empty()) return "us-east-1";
  if (r == "EU") return "eu-west-1";
  return r;
}

std::string header_or_empty(const http::Headers& h, std::string_view name) {
  const auto* v = http::find_header(h, name);
  return v ? *v : std::string();
}

// x-amz-bucket-region goes into the signing scope and the host name of the next request, so
// only a plausible region name is believed: letters, digits, '-' and '_' (non-AWS servers name
// their regions freely), at most 64 of them. Anything else is ignored as if absent.
std::string region_header(const http::Headers& h) {
  const std::string r = header_or_empty(h, "x-amz-bucket-region");
  if (r.empty() || r.size() > 64) return {};
  for (unsigned char c : r)
    if (!std::isalnum(c) && c != '-' && c != '_') return {};
  return r;
}

std::string strip_quotes(std::string s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
  return s;
}

std::string dns_suffix(const std::string& region) {
  return std::string(aws::partition_for_region(region).dns_suffix);
}

// Content-MD5: base64 of the MD5 digest. S3 still demands it on bucket configuration PUTs.
std::string md5_base64(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_md5(), nullptr);
  unsigned char out[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  int n = EVP_EncodeBlock(out, md, static_cast<int>(len));
  return std::string(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
}

const char* kXmlNs = "http://s3.amazonaws.com/doc/2006-03-01/";

// The headers of ObjectWriteSettings; kInvalidArgument for a mode without a date (or the
// reverse), an unknown mode, or a storage class with characters S3 never uses.
Status add_write_headers(http::Headers& headers, const ObjectWriteSettings& w) {
  if (!w.storage_class.empty()) {
    for (unsigned char ch : w.storage_class)
      if (!std::isupper(ch) && !std::isdigit(ch) && ch != '_')
        return make_error(ErrorCode::kInvalidArgument,
                          "invalid S3 storage class '" + w.storage_class + "'",
                          "storage classes are upper-case names such as STANDARD_IA");
    headers.emplace_back("x-amz-storage-class", w.storage_class);
  }
  if (!w.locks()) return ok_status();
  if (w.object_lock_mode != "GOVERNANCE" && w.object_lock_mode != "COMPLIANCE")
    return make_error(ErrorCode::kInvalidArgument,
                      w.object_lock_mode.empty()
                          ? std::string("an Object Lock retain-until date needs a mode")
                          : "unknown Object Lock mode '" + w.object_lock_mode + "'",
                      "the mode is GOVERNANCE or COMPLIANCE");
  if (!w.object_lock_retain_until)
    return make_error(ErrorCode::kInvalidArgument, "an Object Lock mode needs a retain-until date");
  headers.emplace_back("x-amz-object-lock-mode", w.object_lock_mode);
  headers.emplace_back("x-amz-object-lock-retain-until-date",
                       format_retain_until(*w.object_lock_retain_until));
  return ok_status();
}

}  // namespace

std::string format_retain_until(std::chrono::system_clock::time_point t) {
  const auto whole = std::chrono::time_point_cast<std::chrono::seconds>(t);
  return aws::format_iso8601(whole < t ? whole + std::chrono::seconds(1) : whole);
}

Result<std::chrono::system_clock::time_point> parse_retain_until(std::string_view text) {
  auto t = aws::parse_iso8601(text);
  if (!t.ok())
    return make_error(ErrorCode::kParse,
                      "S3 sent an Object Lock retain-until date that is not "
                      "ISO 8601: '" +
                          std::string(text.substr(0, 40)) + "'");
  return t;
}

Status check_repository_storage_class(std::string_view storage_class) {
  static constexpr std::string_view kReadable[] = {
      "STANDARD",   "STANDARD_IA",        "ONEZONE_IA",     "INTELLIGENT_TIERING",
      "GLACIER_IR", "REDUCED_REDUNDANCY", "EXPRESS_ONEZONE"};
  for (auto c : kReadable)
    if (storage_class == c) return ok_status();
  const std::string name(storage_class.substr(0, 64));
  if (storage_class == "GLACIER" || storage_class == "DEEP_ARCHIVE")
    return make_error(ErrorCode::kInvalidArgument,
                      "storage class " + name +
                          " cannot hold a snapshot repository: a restore could not read its "
                          "objects without a retrieval (RestoreObject, hours) first",
                      "use STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING or GLACIER_IR (read at "
                      "once), or move old objects to " +
                          name + " with a lifecycle rule outside essnap");
  return make_error(ErrorCode::kInvalidArgument,
                    "storage class '" + name +
                        "' is not one a snapshot repository can use: a restore must read every "
                        "object without a retrieval",
                    "one of STANDARD, STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR, "
                    "REDUCED_REDUNDANCY, EXPRESS_ONEZONE");
}

Status validate_bucket_name(std::string_view name) {
  auto bad = [&](const std::string& why) -> Status {
    return make_error(ErrorCode::kInvalidArgument,
                      "invalid S3 bucket name '" + std::string(name) + "': " + why,
                      "bucket names are 3-63 characters of a-z, 0-9, '.' and '-', starting and "
                      "ending with a letter or digit (S3's naming rules)");
  };
  if (name.size() < 3 || name.size() > 63) return bad("it must be 3 to 63 characters long");
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-'))
      return bad(std::string("character '") + c +
                 "' is not allowed (only lower-case letters, digits, '.' and '-')");
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(name.front()) || !alnum(name.back()))
    return bad("it must begin and end with a letter or a digit");
  if (name.find("..") != std::string_view::npos) return bad("it must not contain '..'");
  if (name.find(".-") != std::string_view::npos || name.find("-.") != std::string_view::npos)
    return bad("a '.' must not touch a '-'");
  {
    int dots = 0;
    bool digits_only = true;
    for (char c : name) {
      if (c == '.')
        ++dots;
      else if (!(c >= '0' && c <= '9'))
        digits_only = false;
    }
    if (dots == 3 && digits_only) return bad("it must not look like an IP address");
  }
  for (std::string_view p : {"xn--", "sthree-", "amzn-s3-demo-"})
    if (starts_with(name, p)) return bad("the prefix '" + std::string(p) + "' is reserved");
  for (std::string_view s : {"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"})
    if (ends_with(name, s)) return bad("the suffix '" + std::string(s) + "' is reserved");
  return ok_status();
}

Result<BucketUri> parse_bucket_uri(std::string_view text) {
  std::string_view rest = text;
  if (starts_with(rest, "s3://"))
    rest.remove_prefix(5);
  else if (rest.find("://") != std::string_view::npos)
    return make_error(
        ErrorCode::kInvalidArgument,
        "--bucket must look like s3://BUCKET[/PREFIX], not '" + std::string(text) + "'");
  BucketUri out;
  auto slash = rest.find('/');
  out.bucket = std::string(rest.substr(0, slash));
  if (slash != std::string_view::npos) {
    std::string prefix(rest.substr(slash + 1));
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
    while (!prefix.empty() && prefix.front() == '/') prefix.erase(0, 1);
    if (prefix.find("//") != std::string::npos)
      return make_error(ErrorCode::kInvalidArgument,
                        "the prefix in --bucket has an empty path segment ('//')");
    for (unsigned char ch : prefix)
      if (ch < 0x20 || ch == 0x7f)
        return make_error(ErrorCode::kInvalidArgument,
                          "the prefix in --bucket has a control character");
    // S3 keys have no directories: "a/../b" is a literal key that no engine would write, and
    // SigV4 signs the path as given while some servers normalise it (a 403 that looks like a
    // wrong secret). Refuse "." and ".." segments and control characters before any request.
    for (std::size_t start = 0; start <= prefix.size();) {
      std::size_t end = prefix.find('/', start);
      if (end == std::string::npos) end = prefix.size();
      const std::string_view segment(prefix.data() + start, end - start);
      if (segment == "." || segment == "..")
        return make_error(ErrorCode::kInvalidArgument,
                          "the prefix in '" + std::string(text) + "' has a '" +
                              std::string(segment) + "' segment",
                          "S3 keys are not paths: give the prefix without '.' or '..' segments, "
                          "e.g. s3://" +
                              out.bucket + "/snapshots");
      start = end + 1;
    }
    out.prefix = std::move(prefix);
  }
  ESSNAP_TRY_STATUS(validate_bucket_name(out.bucket));
  return out;
}

S3Endpoint resolve_s3_endpoint(const aws::Environment& env, const std::string& explicit_url) {
  if (auto c = aws::configured_endpoint("S3", env, explicit_url, "--s3-endpoint-url"))
    return {c->url, c->source};
  return {"", "aws"};
}

Error error_from_response(const std::string& operation, const std::string& bucket,
                          const http::Response& resp) {
  RemoteDetail d;
  d.http_status = resp.status;
  aws::parse_xml_error(resp.body, d);
  if (d.request_id.empty()) d.request_id = header_or_empty(resp.headers, "x-amz-request-id");
  if (d.error_type.empty()) {
    // HEAD answers carry no body: name the status the way S3 would.
    switch (resp.status) {
      case 301:
        d.error_type = "PermanentRedirect";
        break;
      case 403:
        d.error_type = "AccessDenied";
        break;
      case 404:
        d.error_type = bucket.empty() ? "NotFound" : "NoSuchBucket";
        break;
      default:
        break;
    }
  }
  std::string msg = "S3 " + operation;
  if (!bucket.empty()) msg += " on bucket '" + bucket + "'";
  msg += " failed: HTTP " + std::to_string(resp.status);
  if (!d.error_type.empty()) msg += " " + d.error_type;
  if (!d.reason.empty()) msg += ": " + d.reason;

  ErrorCode code = ErrorCode::kRemote;
  std::string hint;
  const auto& t = d.error_type;
  if (t == "NoSuchBucket" || t == "NoSuchKey" || t == "NoSuchUpload" || resp.status == 404) {
    code = ErrorCode::kNotFound;
  } else if (t == "BucketAlreadyExists") {
    code = ErrorCode::kConflict;
    hint =
        "bucket names are global across all AWS accounts and this one belongs to another "
        "account; choose another name";
  } else if (t == "AccessDenied") {
    hint = "the caller lacks the s3 permission for " + operation +
           " on this bucket, or the bucket belongs to another account";
  } else if (t == "SignatureDoesNotMatch" || t == "InvalidAccessKeyId") {
    hint = "the access key is unknown or the secret is wrong; check 'essnap credentials'";
  } else if (t == "PermanentRedirect" || t == "AuthorizationHeaderMalformed") {
    hint = "the bucket is in another region; pass --region " + region_header(resp.headers);
  } else if (t == "InvalidBucketName") {
    code = ErrorCode::kInvalidArgument;
  }
  Error e(code, std::move(msg), std::move(hint));
  e.remote = std::move(d);
  return e;
}

Client::Client(http::Transport& transport, ClientOptions options)
    : transport_(transport), options_(std::move(options)) {
  if (options_.region.empty()) options_.region = "us-east-1";
}

bool Client::path_style(const std::string& bucket) const {
  switch (options_.addressing) {
    case AddressingStyle::kPath:
      return true;
    case AddressingStyle::kVirtualHosted:
      return false;
    case AddressingStyle::kAuto:
      break;
  }
  if (bucket.empty()) return true;
  if (!options_.endpoint.url.empty()) {
    // Custom endpoints (MinIO, SeaweedFS, localstack...) rarely have wildcard DNS.
    auto u = util::parse_url(options_.endpoint.url, util::UrlChars::kRaw);
    if (!u.ok() || !aws::is_aws_host(u->host)) return true;
  }
  // A dotted name over TLS does not match the *.s3 wildcard certificate.
  return bucket.find('.') != std::string::npos;
}

std::string Client::bucket_region(const std::string& bucket) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = bucket_regions_.find(bucket);
  return it == bucket_regions_.end() ? options_.region : it->second;
}

std::string Client::object_url(const std::string& bucket, const std::string& key,
                               const std::string& query) const {
  const std::string region = bucket.empty() ? options_.region : bucket_region(bucket);
  std::string scheme_host;
  std::string base_path;
  if (!options_.endpoint.url.empty()) {
    auto u = util::parse_url(options_.endpoint.url, util::UrlChars::kRaw);
    if (u.ok()) {
      scheme_host = u->origin();
      base_path = u->path == "/" ? "" : u->path;
      while (!base_path.empty() && base_path.back() == '/') base_path.pop_back();
    } else {
      scheme_host = options_.endpoint.url;
    }
  } else {
    scheme_host = "https://s3." + region + "." + dns_suffix(region);
  }
  std::string url;
  const std::string encoded_key = util::uri_encode(key, util::EncodeSlash::kNo);
  if (bucket.empty()) {
    url = scheme_host + base_path + "/";
  } else if (path_style(bucket)) {
    url = scheme_host + base_path + "/" + bucket + "/" + encoded_key;
  } else {
    auto pos = scheme_host.find("://");
    url = scheme_host.substr(0, pos + 3) + bucket + "." + scheme_host.substr(pos + 3) + base_path +
          "/" + encoded_key;
  }
  if (!query.empty()) url += "?" + query;
  return url;
}

Result<http::Response> Client::send_once(const Call& call, const std::string& region) {
  http::Request req;
  req.method = call.method;
  req.url = object_url(call.bucket, call.key, call.query);
  req.headers = call.headers;
  req.body = call.body;
  req.idempotency = call.idempotency;
  req.body_sink = call.sink;
  req.timeouts.connect = std::chrono::seconds(10);
  req.timeouts.stall = std::chrono::seconds(60);

  ESSNAP_TRY(auto creds, options_.credentials
                             ? options_.credentials->credentials()
                             : Result<aws::Credentials>(make_error(
                                   ErrorCode::kInternal, "S3 client built without credentials")));
  ESSNAP_TRY_STATUS(
      aws::sign_request(req, creds, aws::SigningScope{region, "s3"}, aws::now(options_.clock)));
  auto resp = transport_.send(std::move(req));
  if (!resp.ok()) {
    std::string ctx = "S3 " + call.operation;
    if (!call.bucket.empty()) ctx += " on bucket '" + call.bucket + "'";
    return std::move(resp).error().with_context(ctx);
  }
  return resp;
}

Result<http::Response> Client::send(const Call& call) {
  const std::string region = call.bucket.empty() ? options_.region : bucket_region(call.bucket);
  ESSNAP_TRY(auto resp, send_once(call, region));
  // S3 names the bucket's real region on a wrong-region answer; follow it once.
  if ((resp.status == 301 || resp.status == 400 || resp.status == 307) && !call.bucket.empty()) {
    const std::string real = region_header(resp.headers);
    if (!real.empty() && real != region) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        bucket_regions_[call.bucket] = real;
      }
      return send_once(call, real);
    }
  }
  return resp;
}

Result<http::Response> Client::send_ok(const Call& call) {
  ESSNAP_TRY(auto resp, send(call));
  if (resp.status >= 300) return error_from_response(call.operation, call.bucket, resp);
  return resp;
}

Result<HeadBucketResponse> Client::head_bucket(const HeadBucketRequest& r) {
  ESSNAP_TRY_STATUS(validate_bucket_name(r.bucket));
  Call c{"HeadBucket", "HEAD", r.bucket, "", "", {}, {}, http::Idempotency::kIdempotent, {}};
  ESSNAP_TRY(auto resp, send(c));
  HeadBucketResponse out;
  out.region = region_header(resp.headers);
  if (resp.status == 200) {
    out.access = BucketAccess::kAccessible;
    if (!out.region.empty()) {
      std::lock_guard<std::mutex> lock(mu_);
      bucket_regions_[r.bucket] = out.region;
    }
  } else if (resp.status == 404) {
    out.access = BucketAccess::kNotFound;
  } else if (resp.status == 403) {
    out.access = BucketAccess::kForbidden;
  } else {
    return error_from_response("HeadBucket", r.bucket, resp);
  }
  return out;
}

Result<CreateBucketResponse> Client::create_bucket(const CreateBucketRequest& r) {
  ESSNAP_TRY_STATUS(validate_bucket_name(r.bucket));
  const std::string region = r.region.empty() ? options_.region : r.region;
  Call c{"CreateBucket", "PUT", r.bucket, "", "", {}, {}, http::Idempotency::kIdempotent, {}};
  // us-east-1 is the one region that refuses an explicit LocationConstraint for itself.
  if (region != "us-east-1") {
    c.body = http::Body::from_string(std::string("<CreateBucketConfiguration xmlns=\"") + kXmlNs +
                                     "\"><LocationConstraint>" + xml_escape(region) +
                                     "</LocationConstraint></CreateBucketConfiguration>");
    c.headers.emplace_back("Content-Type", "application/xml");
  }
  if (r.object_lock_enabled) c.headers.emplace_back("x-amz-bucket-object-lock-enabled", "true");
  {
    std::lock_guard<std::mutex> lock(mu_);
    bucket_regions_[r.bucket] = region;
  }
  ESSNAP_TRY(auto resp, send(c));
  CreateBucketResponse out;
  if (resp.status == 409) {
    auto err = error_from_response("CreateBucket", r.bucket, resp);
    if (err.remote && err.remote->error_type == "BucketAlreadyOwnedByYou") {
      out.already_owned = true;
      return out;
    }
    return err;
  }
  if (resp.status >= 300) return error_from_response("CreateBucket", r.bucket, resp);
  out.location = header_or_empty(resp.headers, "Location");
  return out;
}

Result<Ok> Client::delete_bucket(const DeleteBucketRequest& r) {
  ESSNAP_TRY_STATUS(validate_bucket_name(r.bucket));
  Call c{"DeleteBucket", "DELETE", r.bucket, "", "", {}, {}, http::Idempotency::kIdempotent, {}};
  ESSNAP_TRY(auto resp, send(c));
  if (resp.status == 404) return Ok{};
  if (resp.status >= 300) return error_from_response("DeleteBucket", r.bucket, resp);
  return Ok{};
}

Result<GetBucketLocationResponse> Client::get_bucket_location(const GetBucketLocationRequest& r) {
  Call c{"GetBucketLocation",
         "GET",
         r.bucket,
         "",
         "location=",
         {},
         {},
         http::Idempotency::kIdempotent,
         {}};
  ESSNAP_TRY(auto resp, send_ok(c));
  pugi::xml_document doc;
  if (!doc.load_buffer(resp.body.data(), resp.body.size()))
    return make_error(ErrorCode::kParse, "S3 GetBucketLocation answered with something not XML");
  return GetBucketLocationResponse{normalise_region(doc.document_element().text().as_string())};
}

Result<GetPublicAccessBlockResponse> Client::get_public_access_block(
    const GetPublicAccessBlockRequest& r) {
  Call c{"GetPublicAccessBlock",         "GET", r.bucket, "", "publicAccessBlock=", {}, {},
         http::Idempotency::kIdempotent, {}};
  ESSNAP_TRY(auto resp, send(c));
  GetPublicAccessBlockResponse out;
  if (resp.status == 404) {
    auto e = error_from_response("GetPublicAccessBlock", r.bucket, resp);
    if (e.remote && e.remote->error_type == "NoSuchPublicAccessBlockConfiguration") return out;
    return e;
  }
  if (resp.status >= 300) return error_from_response("GetPublicAccessBlock", r.bucket, resp);
  pugi::xml_document doc;
  if (!doc.load_buffer(resp.body.data(), resp.body.size()))
    return make_error(ErrorCode::kParse, "S3 GetPublicAccessBlock answered with something not XML");
  auto root = doc.document_element();
  auto flag = [&](const char* n) { return std::string(child_text(root, n)) == "true"; };
  out.config = PublicAccessBlock{flag("BlockPublicAcls"), flag("IgnorePublicAcls"),
                                 flag("BlockPublicPolicy"), flag("RestrictPublicBuckets")};
  return out;
}

Result<Ok> Client::put_public_access_block(const PutPublicAccessBlockRequest& r) {
  auto b = [](bool v) { return v ? "true" : "false"; };
  Call c{"PutPublicAccessBlock",         "PUT", r.bucket, "", "publicAccessBlock=", {}, {},
         http::Idempotency::kIdempotent, {}};
  c.body = http::Body::from_string(
      std::string("<PublicAccessBlockConfiguration xmlns=\"") + kXmlNs + "\">" +
      "<BlockPublicAcls>" + b(r.config.block_public_acls) + "</BlockPublicAcls>" +
      "<IgnorePublicAcls>" + b(r.config.ignore_public_acls) + "</IgnorePublicAcls>" +
      "<BlockPublicPolicy>" + b(r.config.block_public_policy) + "</BlockPublicPolicy>" +
      "<RestrictPublicBuckets>" + b(r.config.restrict_public_buckets) +
      "</RestrictPublicBuckets></PublicAccessBlockConfiguration>");
  c.headers.emplace_back("Content-Type", "application/xml");
  // S3 demands Content-MD5 (or a checksum) on these configuration PUTs.
  c.headers.emplace_back("Content-MD5", md5_base64(c.body.data()));
  ESSNAP_TRY(auto resp, send_ok(c));
  (void)resp;
  return Ok{};
}

Result<GetBucketEncryptionResponse> Client::get_bucket_encryption(
    const GetBucketEncryptionRequest& r) {
  Call c{"GetBucketEncryption",          "GET", r.bucket, "", "encryption=", {}, {},
         http::Idempotency::kIdempotent, {}};
  ESSNAP_TRY(auto resp, send(c));
  GetBucketEncryptionResponse out;
  if (resp.status == 404) {
    auto e = error_from_response("GetBucketEncryption", r.bucket, resp);
    if (e.remote && e.remote->error_type == "ServerSideEncryptionConfigurationNotFoundError")
      return out;
    return e;
  }
  if (resp.status >= 300) return error_from_response("GetBucketEncryption", r.bucket, resp);
  pugi::xml_document doc;
  if (!doc.load_buffer(resp.body.data(), resp.body.size()))
    return make_error(ErrorCode::kParse, "S3 GetBucketEncryption answered with something not XML");
  auto def = doc.document_element().child("Rule").child("ApplyServerSideEncryptionByDefault");
  if (def) {
    BucketEncryption enc;
    enc.algorithm = child_text(def, "SSEAlgorithm");
    enc.kms_key_id = child_text(def, "KMSMasterKeyID");
    out.encryption = enc;
  }
  return out;
}

Result<Ok> Client::put_bucket_encryption(const PutBucketEncryptionRequest& r) {
  Call c{"PutBucketEncryption",          "PUT", r.bucket, "", "encryption=", {}, {},
         http::Idempotency::kIdempotent, {}};
  std::string def = "<SSEAlgorithm>" + xml_escape(r.encryption.algorithm) + "</SSEAlgorithm>";
  if (!r.encryption.kms_key_id.empty())
    def += "<KMSMasterKeyID>" + xml_escape(r.encryption.kms_key_id) + "</KMSMasterKeyID>";
  c.body = http::Body::from_string(
      std::string("<ServerSideEncryptionConfiguration xmlns=\"") + kXmlNs +
      "\"><Rule><ApplyServerSideEncryptionByDefault>" + def +
      "</ApplyServerSideEncryptionByDefault>" +
      (r.encryption.algorithm == "aws:kms" ? "<BucketKeyEnabled>true</BucketKeyEnabled>" : "") +
      "</Rule></ServerSideEncryptionConfiguration>");
  c.headers.emplace_back("Content-Type", "application/xml");
  c.headers.emplace_back("Content-MD5", md5_base64(c.body.data()));
  ESSNAP_TRY(auto resp, send_ok(c));
  (void)resp;
  return Ok{};
}

Result<ObjectLockConfiguration> Client::get_object_lock_configuration(const std::string& bucket) {
  Call c{"GetObjectLockConfiguration",   "GET", bucket, "", "object-lock=", {}, {},
         http::Idempotency::kIdempotent, {}};
  ESSNAP_TRY(auto resp, send(c));
  ObjectLockConfiguration out;
  if (resp.status == 404 || resp.status == 501) {
    auto e = error_from_response("GetObjectLockConfiguration", bucket, resp);
    if (e.remote && (e.remote->error_type == "ObjectLockConfigurationNotFoundError" ||
                     e.remote->error_type == "NotImplemented" || resp.status == 501))
      return out;
    return e;
  }
  if (resp.status >= 300) return error_from_response("GetObjectLockConfiguration", bucket, resp);
  pugi::xml_document doc;
  if (!doc.load_buffer(resp.body.data(), resp.body.size()))
    return make_error(ErrorCode::kParse,
                      "S3 GetObjectLockConfiguration answered with something not XML");
  auto root = doc.document_element();
  out.enabled = child_text(root, "ObjectLockEnabled") == "Enabled";
  auto def = root.child("Rule").child("DefaultRetention");
  if (def) {
    out.default_mode = child_text(def, "Mode");
    out.default_days = def.child("Days").text().as_int();
    out.default_years = def.child("Years").text().as_int();
  }
  return out;
}

Result<http::Response> Client::get_bucket_subresource(const std::string& operation,
                                                      const std::string& bucket,
                                                      const std::string& query) {
  if (!bucket.empty()) ESSNAP_TRY_STATUS(validate_bucket_name(bucket));
  Call c{operation, "GET", bucket, "", query, {}, {}, http::Idempotency::kIdempotent, {}};
  return send(c);
}

Result<ListObjectsV2Response> Client::list_objects_v2(const ListObjectsV2Request& r) {
  // Query parameters in canonical (sorted) order; the signer re-sorts anyway.
  std::string q;
  if (!r.continuation_token.empty())
    q += "continuation-token=" + util::uri_encode(r.continuation_token) + "&";
  if (!r.delimiter.empty()) q += "delimiter=" + util::uri_encode(r.delimiter) + "&";
  q += "list-type=2&max-keys=" + std::to_string(r.max_keys);
  if (!r.prefix.empty()) q += "&prefix=" + util::uri_encode(r.prefix);
  Call c{"ListObjectsV2", "GET", r.bucket, "", q, {}, {}, http::Idempotency::kIdempotent, {}};
  ESSNAP_TRY(auto resp, send_ok(c));
  pugi::xml_document doc;
  if (!doc.load_buffer(resp.body.data(), resp.body.size()))
    return make_error(ErrorCode::kParse, "S3 ListObjectsV2 answered with something not XML");
  auto root = doc.document_element();
  ListObjectsV2Response out;
  for (auto n : root.children("Contents")) {
    ObjectSummary o;
    o.key = child_text(n, "Key");
    o.size = n.child("Size").text().as_ullong();
    o.etag = strip_quotes(child_text(n, "ETag"));
    o.last_modified = child_text(n, "LastModified");
    out.objects.push_back(std::move(o));
  }
  for (auto n : root.children("CommonPrefixes"))
    out.common_prefixes.push_back(child_text(n, "Prefix"));
  if (std::string(child_text(root, "IsTruncated")) == "true")
    out.next_continuation_token = child_text(root, "NextContinuationToken");
  return out;
}

Result<ListObjectVersionsResponse> Client::list_object_versions(
    const ListObjectVersionsRequest& r) {
  std::string q;
  if (!r.key_marker.empty()) q += "key-marker=" + util::uri_encode(r.key_marker) + "&";
  q += "max-keys=" + std::to_string(r.max_keys);
  if (!r.prefix.empty()) q += "&prefix=" + util::uri_encode(r.prefix);
  if (!r.version_id_marker.empty())
    q += "&version-id-marker=" + util::uri_encode(r.version_id_marker);
  q += "&versions=";
  Call c{"ListObjectVersions", "GET", r.bucket, "", q, {}, {}, http::Idempotency::kIdempotent, {}};
  ESSNAP_TRY(auto resp, send_ok(c));
  pugi::xml_document doc;
  if (!doc.load_buffer(resp.body.data(), resp.body.size()))
    return make_error(ErrorCode::kParse, "S3 ListObjectVersions answered with something not XML");
  auto root = doc.document_element();
  ListObjectVersionsResponse out;
  for (auto n : root.children()) {
    const std::string name = n.name();
    if (name != "Version" && name != "DeleteMarker") continue;
    ObjectVersion v;
    v.key = child_text(n, "Key");
    v.version_id = child_text(n, "VersionId");
    v.delete_marker = name == "DeleteMarker";
    v.is_latest = child_text(n, "IsLatest") == "true";
    v.size = n.child("Size").text().as_ullong();
    out.versions.push_back(std::move(v));
  }
  out.truncated = child_text(root, "IsTruncated") == "true";
  out.next_key_marker = child_text(root, "NextKeyMarker");
  out.next_version_id_marker = child_text(root, "NextVersionIdMarker");
  return out;
}

Result<std::vector<ObjectSummary>> Client::list_all(const std::string& bucket,
                                                    const std::string& prefix) {
  std::vector<ObjectSummary> all;
  ListObjectsV2Request r;
  r.bucket = bucket;
  r.prefix = prefix;
  for (;;) {
    ESSNAP_TRY(auto page, list_objects_v2(r));
    for (auto& o : page.objects) all.push_back(std::move(o));
    if (page.next_continuation_token.empty()) break;
    if (page.next_continuation_token == r.continuation_token)
      return make_error(ErrorCode::kParse, "S3 ListObjectsV2 repeated its continuation token");
    r.continuation_token = page.next_continuation_token;
  }
  return all;
}

Result<GetObjectResponse> Client::get_object(const GetObjectRequest& r) {
  Call c{"GetObject", "GET", r.bucket, r.key, "", {}, {}, http::Idempotency::kIdempotent, r.sink};
  if (!r.range.empty()) c.headers.emplace_back("Range", r.range);
  ESSNAP_TRY(auto resp, send_ok(c));
  GetObjectResponse out;
  out.body = std::move(resp.body);
  out.etag = strip_quotes(header_or_empty(resp.headers, "ETag"));
  const std::string len = header_or_empty(resp.headers, "Content-Length");
  out.content_length = out.body.size();
  if (!len.empty()) {
    auto [end, ec] = std::from_chars(len.data(), len.data() + len.size(), out.content_length);
    if (ec != std::errc() || end != len.data() + len.size())
      return make_error(
          ErrorCode::kParse,
          "S3 GetObject answered with a malformed Content-Length '" + len.substr(0, 40) + "'");
  }
  return out;
}

Result<HeadObjectResponse> Client::head_object(const HeadObjectRequest& r) {
  Call c{"HeadObject", "HEAD", r.bucket, r.key, "", {}, {}, http::Idempotency::kIdempotent, {}};
  ESSNAP_TRY(auto resp, send(c));
  if (resp.status == 404) {
    Error e = error_from_response("HeadObject", r.bucket, resp);
    if (e.remote && e.remote->error_type == "NoSuchBucket") e.remote->error_type = "NotFound";
    e.message = "S3 HeadObject: no object s3://" + r.bucket + "/" + r.key + " (HTTP 404)";
    return e;
  }
  if (resp.status >= 300) return error_from_response("HeadObject", r.bucket, resp);
  HeadObjectResponse out;
  const std::string len = header_or_empty(resp.headers, "Content-Length");
  if (!len.empty()) {
    auto [end, ec] = std::from_chars(len.data(), len.data() + len.size(), out.content_length);
    if (ec != std::errc() || end != len.data() + len.size())
      return make_error(
          ErrorCode::kParse,
          "S3 HeadObject answered with a malformed Content-Length '" + len.substr(0, 40) + "'");
  }
  out.etag = strip_quotes(header_or_empty(resp.headers, "ETag"));
  out.last_modified = header_or_empty(resp.headers, "Last-Modified");
  out.storage_class = header_or_empty(resp.headers, "x-amz-storage-class");
  if (out.storage_class.empty()) out.storage_class = "STANDARD";
  out.object_lock_mode = header_or_empty(resp.headers, "x-amz-object-lock-mode");
  const std::string until = header_or_empty(resp.headers, "x-amz-object-lock-retain-until-date");
  if (!until.empty()) {
    ESSNAP_TRY(auto t, parse_retain_until(until));
    out.object_lock_retain_until = t;
  }
  out.object_lock_legal_hold =
      header_or_empty(resp.headers, "x-amz-object-lock-legal-hold") == "ON";
  return out;
}

Result<PutObjectResponse> Client::put_object(const PutObjectRequest& r) {
  Call c{"PutObject", "PUT", r.bucket, r.key, "", {}, r.body, http::Idempotency::kIdempotent, {}};
  if (!r.content_type.empty()) c.headers.emplace_back("Content-Type", r.content_type);
  ESSNAP_TRY_STATUS(add_write_headers(c.headers, r.write));
  if (r.content_md5 || r.write.locks()) {
    if (!r.body.file_path.empty())
      return make_error(ErrorCode::kInternal, "Content-MD5 of a file body is not supported");
    c.headers.emplace_back("Content-MD5", md5_base64(r.body.data()));
  }
  if (r.if_none_match) {
    c.headers.emplace_back("If-None-Match", "*");
    // A repeated conditional PUT that had in fact succeeded would answer 412: repeat it only
    // when it never left us.
    c.idempotency = http::Idempotency::kNonIdempotent;
  }
  ESSNAP_TRY(auto resp, send(c));
  if (r.if_none_match && (resp.status == 412 || resp.status == 409)) {
    Error e = error_from_response("PutObject", r.bucket, resp);
    e.code = ErrorCode::kConflict;
    e.message = "s3://" + r.bucket + "/" + r.key + " already exists (" + e.message + ")";
    return e;
  }
  if (resp.status >= 300) return error_from_response("PutObject", r.bucket, resp);
  return PutObjectResponse{strip_quotes(header_or_empty(resp.headers, "ETag"))};
}

Result<DeleteObjectResponse> Client::delete_object(const DeleteObjectRequest& r) {
  Call c{"DeleteObject", "DELETE", r.bucket, r.key, "", {}, {}, http::Idempotency::kIdempotent, {}};
  ESSNAP_TRY(auto resp, send(c));
  // Deleting what is already gone is success in S3; some servers say 404 instead of 204.
  if (resp.status == 404) return DeleteObjectResponse{};
  if (resp.status >= 300) return error_from_response("DeleteObject", r.bucket, resp);
  return DeleteObjectResponse{};
}

Result<DeleteObjectsResponse> Client::delete_objects(const DeleteObjectsRequest& r) {
  if (r.keys.empty()) return DeleteObjectsResponse{};
  if (r.keys.size() > 1000)
    return make_error(ErrorCode::kInvalidArgument, "S3 DeleteObjects takes at most 1000 keys");
  if (!r.version_ids.empty() && r.version_ids.size() != r.keys.size())
    return make_error(ErrorCode::kInternal, "S3 DeleteObjects: one version id per key");
  pugi::xml_document doc;
  auto del = doc.append_child("Delete");
  del.append_attribute("xmlns") = "http://s3.amazonaws.com/doc/2006-03-01/";
  del.append_child("Quiet").text() = "true";
  for (std::size_t i = 0; i < r.keys.size(); ++i) {
    auto object = del.append_child("Object");
    object.append_child("Key").text() = r.keys[i].c_str();
    if (!r.version_ids.empty() && !r.version_ids[i].empty())
      object.append_child("VersionId").text() = r.version_ids[i].c_str();
  }
  std::ostringstream xml;
  doc.save(xml, "", pugi::format_raw);
  const std::string body = xml.str();
  Call c{"DeleteObjects",
         "POST",
         r.bucket,
         "",
         "delete=",
         {},
         http::Body::from_string(body),
         http::Idempotency::kIdempotent,
         {}};
  // S3 requires an integrity header on DeleteObjects.
  c.headers.emplace_back("Content-MD5", md5_base64(body));
  if (r.bypass_governance_retention)
    c.headers.emplace_back("x-amz-bypass-governance-retention", "true");
  c.headers.emplace_back("Content-Type", "application/xml");
  ESSNAP_TRY(auto resp, send_ok(c));
  pugi::xml_document answer;
  if (!answer.load_buffer(resp.body.data(), resp.body.size()))
    return make_error(ErrorCode::kParse, "S3 DeleteObjects answered with something not XML");
  if (std::string(answer.document_element().name()) == "Error") {
    http::Response copy = resp;
    copy.status = 500;
    return error_from_response("DeleteObjects", r.bucket, copy);
  }
  DeleteObjectsResponse out;
  for (auto e : answer.document_element().children("Error"))
    out.failures.push_back({child_text(e, "Key"), child_text(e, "Code"), child_text(e, "Message"),
                            child_text(e, "VersionId")});
  return out;
}

namespace {
// CopyObject and CompleteMultipartUpload may answer 200 and put an <Error> in the body: the
// headers went out before the work failed.
std::optional<Error> error_in_200(const std::string& op, const std::string& bucket,
                                  const http::Response& resp) {
  pugi::xml_document doc;
  if (!doc.load_buffer(resp.body.data(), resp.body.size())) {
    if (resp.body.find_first_not_of(" \r\n\t") == std::string::npos)
      return make_error(ErrorCode::kParse, "S3 " + op + " answered 200 with an empty body");
    return make_error(ErrorCode::kParse, "S3 " + op + " answered 200 with something not XML");
  }
  if (std::string(doc.document_element().name()) == "Error") {
    http::Response copy = resp;
    copy.status = 500;
    auto e = error_from_response(op, bucket, copy);
    e.message += " (reported inside a 200 answer)";
    if (e.remote) e.remote->http_status = 200;
    return e;
  }
  return std::nullopt;
}
}  // namespace

Result<CopyObjectResponse> Client::copy_object(const CopyObjectRequest& r) {
  Call c{"CopyObject", "PUT", r.bucket, r.key, "", {}, {}, http::Idempotency::kIdempotent, {}};
  c.headers.emplace_back(
      "x-amz-copy-source",
      "/" + r.source_bucket + "/" + util::uri_encode(r.source_key, util::EncodeSlash::kNo));
  // Storage class and retention may be set on a copy; the metadata is copied (COPY, the
  // default: no x-amz-metadata-directive is sent).
  ESSNAP_TRY_STATUS(add_write_headers(c.headers, r.write));
  // With lock parameters, the integrity header too, over the (empty) body: S3 documents it for
  // PutObject only, moto demands it on every PUT that carries them, and it costs nothing.
  if (r.write.locks()) c.headers.emplace_back("Content-MD5", md5_base64(""));
  ESSNAP_TRY(auto resp, send_ok(c));
  if (auto e = error_in_200("CopyObject", r.bucket, resp)) return *e;
  pugi::xml_document doc;
  doc.load_buffer(resp.body.data(), resp.body.size());
  return CopyObjectResponse{strip_quotes(child_text(doc.document_element(), "ETag"))};
}

Result<UploadPartResponse> Client::upload_part_copy(const UploadPartCopyRequest& r) {
  if (r.part_number < 1 || r.part_number > 10000)
    return make_error(ErrorCode::kInvalidArgument, "S3 part numbers run from 1 to 10000");
  Call c{
      "UploadPartCopy",
      "PUT",
      r.bucket,
      r.key,
      "partNumber=" + std::to_string(r.part_number) + "&uploadId=" + util::uri_encode(r.upload_id),
      {},
      {},
      http::Idempotency::kIdempotent,
      {}};
  c.headers.emplace_back(
      "x-amz-copy-source",
      "/" + r.source_bucket + "/" + util::uri_encode(r.source_key, util::EncodeSlash::kNo));
  c.headers.emplace_back("x-amz-copy-source-range",
                         "bytes=" + std::to_string(r.first) + "-" + std::to_string(r.last));
  ESSNAP_TRY(auto resp, send_ok(c));
  if (auto e = error_in_200("UploadPartCopy", r.bucket, resp)) return *e;
  pugi::xml_document doc;
  doc.load_buffer(resp.body.data(), resp.body.size());
  return UploadPartResponse{strip_quotes(child_text(doc.document_element(), "ETag"))};
}

Result<CreateMultipartUploadResponse> Client::create_multipart_upload(
    const CreateMultipartUploadRequest& r) {
  // Not idempotent: a blind retry would leave an orphaned upload behind.
  Call c{"CreateMultipartUpload",           "POST", r.bucket, r.key, "uploads=", {}, {},
         http::Idempotency::kNonIdempotent, {}};
  if (!r.content_type.empty()) c.headers.emplace_back("Content-Type", r.content_type);
  ESSNAP_TRY_STATUS(add_write_headers(c.headers, r.write));
  ESSNAP_TRY(auto resp, send_ok(c));
  pugi::xml_document doc;
  if (!doc.load_buffer(resp.body.data(), resp.body.size()))
    return make_error(ErrorCode::kParse,
                      "S3 CreateMultipartUpload answered with something not XML");
  CreateMultipartUploadResponse out{child_text(doc.document_element(), "UploadId")};
  if (out.upload_id.empty())
    return make_error(ErrorCode::kParse, "S3 CreateMultipartUpload answer has no UploadId");
  return out;
}

Result<UploadPartResponse> Client::upload_part(const UploadPartRequest& r) {
  if (r.part_number < 1 || r.part_number > 10000)
    return make_error(ErrorCode::kInvalidArgument, "S3 part numbers run from 1 to 10000");
  Call c{
      "UploadPart",
      "PUT",
      r.bucket,
      r.key,
      "partNumber=" + std::to_string(r.part_number) + "&uploadId=" + util::uri_encode(r.upload_id),
      {},
      r.body,
      http::Idempotency::kIdempotent,
      {}};
  if (r.content_md5) {
    if (!r.body.file_path.empty())
      return make_error(ErrorCode::kInternal, "Content-MD5 of a file body is not supported");
    c.headers.emplace_back("Content-MD5", md5_base64(r.body.data()));
  }
  ESSNAP_TRY(auto resp, send_ok(c));
  return UploadPartResponse{strip_quotes(header_or_empty(resp.headers, "ETag"))};
}

Result<CompleteMultipartUploadResponse> Client::complete_multipart_upload(
    const CompleteMultipartUploadRequest& r) {
  Call c{"CompleteMultipartUpload",
         "POST",
         r.bucket,
         r.key,
         "uploadId=" + util::uri_encode(r.upload_id),
         {},
         {},
         http::Idempotency::kIdempotent,
         {}};
  std::string body = std::string("<CompleteMultipartUpload xmlns=\"") + kXmlNs + "\">";
  for (const auto& p : r.parts)
    body += "<Part><PartNumber>" + std::to_string(p.part_number) + "</PartNumber><ETag>\"" +
            xml_escape(p.etag) + "\"</ETag></Part>";
  body += "</CompleteMultipartUpload>";
  c.body = http::Body::from_string(std::move(body));
  c.headers.emplace_back("Content-Type", "application/xml");
  ESSNAP_TRY(auto resp, send_ok(c));
  if (auto e = error_in_200("CompleteMultipartUpload", r.bucket, resp)) return *e;
  pugi::xml_document doc;
  doc.load_buffer(resp.body.data(), resp.body.size());
  auto root = doc.document_element();
  return CompleteMultipartUploadResponse{strip_quotes(child_text(root, "ETag")),
                                         child_text(root, "Location")};
}

Result<AbortMultipartUploadResponse> Client::abort_multipart_upload(
    const AbortMultipartUploadRequest& r) {
  Call c{"AbortMultipartUpload",
         "DELETE",
         r.bucket,
         r.key,
         "uploadId=" + util::uri_encode(r.upload_id),
         {},
         {},
         http::Idempotency::kIdempotent,
         {}};
  ESSNAP_TRY(auto resp, send_ok(c));
  (void)resp;
  return AbortMultipartUploadResponse{};
}

}  // namespace essnap::s3
