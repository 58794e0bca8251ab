#include "essnap/aws/query_protocol.hpp"

#include <chrono>


namespace essnap::aws {

Result<http::Request> make_query_request(const QueryCall& call, CredentialsProvider* credentials,
                                         const Clock& clock) {
  http::Request req;
  req.method = "POST";
  req.url = call.url + "/";
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                 {"Accept", "text/xml"}};
  req.body = http::Body::from_string("Action=" + std::string(call.action) +
                                     "&Version=" + std::string(call.api_version) + call.form);
  req.timeouts.connect = std::chrono::seconds(10);
  req.timeouts.stall = std::chrono::seconds(30);
  req.timeouts.overall = std::chrono::seconds(60);
  req.idempotency = call.idempotency;
  if (!credentials) return req;
  ESSNAP_TRY_STATUS(sign_request(req, *credentials, SigningScope{call.region, call.service}, clock));
  return req;
}

}  // namespace essnap::aws
