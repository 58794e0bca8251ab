#include "essnap/iam/query_protocol.hpp"

#include <chrono>

#include "essnap/aws/sigv4.hpp"

namespace essnap::iam {

Result<http::Request> make_query_request(const QueryCall& call,
                                         aws::CredentialsProvider* credentials) {
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
  ESSNAP_TRY(auto creds, credentials->credentials());
  aws::SigningRequest sreq;
  sreq.method = req.method;
  sreq.url = req.url;
  sreq.headers = req.headers;
  sreq.body = req.body.data;
  aws::SigningParams params;
  params.region = call.region;
  params.service = call.service;
  params.time = std::chrono::system_clock::now();
  ESSNAP_TRY(auto signed_req, aws::sign(sreq, creds, params));
  for (auto& h : signed_req.headers_to_add) req.headers.push_back(std::move(h));
  return req;
}

}  // namespace essnap::iam
