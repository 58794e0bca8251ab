#include "essnap/aws/sign_request.hpp"

#include <algorithm>
#include <cctype>

#include "essnap/http/payload.hpp"
#include "essnap/util/strings.hpp"

namespace essnap::aws {
std::chrono::system_clock::time_point now(const Clock& clock) {
  return clock ? clock() : std::chrono::system_clock::now();
}

Status sign_request(http::Request& req, const Credentials& creds, const SigningScope& scope,
                    std::chrono::system_clock::time_point time) {
  // A request handed back for another attempt must not carry the previous signature.
  std::erase_if(req.headers, [](const auto& h) {
    return util::iequals(h.first, "authorization") || util::iequals(h.first, "x-amz-date") ||
           util::iequals(h.first, "x-amz-security-token");
  });
  SigningRequest sreq;
  sreq.method = req.method;
  sreq.url = req.url;
  sreq.headers = req.headers;
  if (!req.body.file_path.empty() && scope.payload == PayloadSigning::kSigned) {
    ESSNAP_TRY(sreq.payload_sha256, http::payload_sha256_hex(req.body));
  } else {
    sreq.body = req.body.data();
  }
  SigningParams params;
  params.region = scope.region;
  params.service = scope.service;
  params.time = time;
  params.payload = scope.payload;
  ESSNAP_TRY(SignedRequest signed_req, sign(sreq, creds, params));
  for (auto& h : signed_req.headers_to_add) req.headers.push_back(std::move(h));
  return ok_status();
}

Status sign_request(http::Request& req, CredentialsProvider& provider, const SigningScope& scope,
                    const Clock& clock) {
  ESSNAP_TRY(Credentials creds, provider.credentials());
  return sign_request(req, creds, scope, now(clock));
}

}  // namespace essnap::aws
