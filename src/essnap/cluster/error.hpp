// Error responses of Elasticsearch, OpenSearch and AWS services, read into RemoteDetail.
//
// Shapes understood (first match wins):
//   {"error":{"root_cause":[..],"type":T,"reason":R,...},"status":N}   Elasticsearch / OpenSearch
//   {"error":"text","status":N}                                         very old Elasticsearch
//   {"Message":"User: anonymous is not authorized ..."}                 AWS service front end
//   {"message":"..."} / {"__type":"ns#Type","message":"..."}            API Gateway, AWS JSON
//   <Error><Code>C</Code><Message>M</Message><RequestId>..</RequestId>  S3 (and IAM/STS, nested
//      in <ErrorResponse>)
//   anything else: the first line of the text, or the HTTP reason phrase when empty.
// The error type falls back to the x-amzn-ErrorType header. The request id comes from
// x-amzn-RequestId / x-amz-request-id / X-Opaque-Id / the XML body.
#pragma once

#include <string>
#include <string_view>

#include "essnap/http/transport.hpp"
#include "essnap/util/result.hpp"

namespace essnap::cluster {

RemoteDetail parse_error_body(int http_status, std::string_view body,
                              const http::Headers& headers = {});

// One line: "HTTP 404 index_not_found_exception: no such index [x]".
std::string describe(const RemoteDetail& detail);

// An Error (kRemote) for an HTTP answer >= 400: message describe(), the detail attached, and a
// hint for the failures people meet most (unsigned requests, signature mismatches, missing
// permissions).
Error error_from_response(const http::Response& response);

}  // namespace essnap::cluster
