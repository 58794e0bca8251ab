// The one reader of AWS XML error bodies (S3, IAM, STS and their emulators):
//
//   <Error><Code>C</Code><Message>M</Message><RequestId>R</RequestId></Error>         S3
//   <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>  IAM, STS
//   <ErrorResponse><Errors><Error>...</Error></Errors><RequestId/></ErrorResponse>     moto
//   <Response><Errors><Error>...</Error></Errors><RequestID/></Response>               EC2 style
#pragma once

#include <string_view>

#include "essnap/util/result.hpp"

namespace essnap::aws {

// Fills error_type (Code), reason (Message) and, when still empty, request_id. False when the
// body is not XML or holds no <Error> with a Code or Message; `detail` is then unchanged.
bool parse_xml_error(std::string_view body, RemoteDetail& detail);

}  // namespace essnap::aws
