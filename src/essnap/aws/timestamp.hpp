// ISO 8601 / RFC 3339 timestamps as AWS credential sources write them ("Expiration" in STS XML,
// credential_process JSON, IMDS and container responses; AWS_CREDENTIAL_EXPIRATION).
// Accepted: YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM|+HHMM); a space may replace the T.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "essnap/util/result.hpp"

namespace essnap::aws {

Result<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text);

// "2024-05-01T12:00:00Z" (UTC, whole seconds).
std::string format_iso8601(std::chrono::system_clock::time_point t);

}  // namespace essnap::aws
