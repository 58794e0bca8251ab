// SHA-256 of a request body as SigV4 wants it (lower-case hex), streaming files in chunks.
#pragma once

#include <string>

#include "essnap/http/transport.hpp"
#include "essnap/util/result.hpp"

namespace essnap::http {

Result<std::string> payload_sha256_hex(const Body& body);

}  // namespace essnap::http
