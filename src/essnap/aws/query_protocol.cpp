#include "essnap/aws/query_protocol.hpp"

#include <chrono>

#include "essnap/aws/xml_error.hpp"

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
  ESSNAP_TRY_STATUS(
      sign_request(req, *credentials, SigningScope{call.region, call.service}, clock));
  return req;
}

QueryFailure describe_query_failure(std::string_view service, std::string_view action,
                                    const std::string& url, const http::Response& resp) {
  QueryFailure f;
  f.detail.http_status = resp.status;
  parse_xml_error(resp.body, f.detail);
  if (f.detail.request_id.empty())
    if (const auto* id = http::find_header(resp.headers, "x-amzn-RequestId"))
      f.detail.request_id = *id;
  f.message = std::string(service) + " " + std::string(action) + " at " + url + " failed: HTTP " +
              std::to_string(resp.status);
  if (!f.detail.error_type.empty()) f.message += " " + f.detail.error_type;
  if (!f.detail.reason.empty()) f.message += ": " + f.detail.reason;
  return f;
}

Result<pugi::xml_node> query_result(pugi::xml_document& doc, const std::string& body,
                                    std::string_view service, std::string_view action) {
  const std::string what = std::string(service) + " " + std::string(action);
  if (!doc.load_buffer(body.data(), body.size()))
    return make_error(ErrorCode::kParse, what + " answered with something not XML");
  const std::string element = std::string(action) + "Result";
  auto node = doc.document_element().child(element.c_str());
  if (!node)
    return make_error(ErrorCode::kParse, what + " answer has no <" + element + "> element");
  return node;
}

}  // namespace essnap::aws
